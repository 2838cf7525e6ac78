//! Reads `template.yaml`: the functions with their routes, triggers and environment,
//! the tables, queues and email identities, with CloudFormation's intrinsic functions
//! (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`) resolved to their local values.
//!
//! Local names: a table is named by its `TableName` or else its logical id; a queue by
//! its `QueueName` or else its logical id.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Map, Value};

/// A route of the HTTP API.
#[derive(Debug, Clone)]
pub struct Route {
    /// Upper-case method, or `ANY`.
    pub method: String,
    /// Path with `{param}` segments.
    pub path: String,
}

/// An SQS event source of a function.
#[derive(Debug, Clone)]
pub struct SqsSource {
    /// The queue's local name.
    pub queue: String,
    /// Messages per invocation, at most (`BatchSize`: 1 to 10,000).
    pub batch_size: usize,
    /// How long a batch gathers messages before it is delivered short of `batch_size`
    /// (`MaximumBatchingWindowInSeconds`; none when unset).
    pub batching_window: std::time::Duration,
    /// Whether the function reports partial batch failures.
    pub report_failures: bool,
}

/// A DynamoDB Streams event source of a function.
#[derive(Debug, Clone)]
pub struct StreamSource {
    /// The table whose stream it reads (local name).
    pub table: String,
    /// Records per invocation, at most (`BatchSize`: 1 to 10,000; 100 by default).
    pub batch_size: usize,
    /// `TRIM_HORIZON` (from the oldest record) or `LATEST`.
    pub starting_position: String,
    /// Whether the function reports the first failed record (`ReportBatchItemFailures`).
    pub report_failures: bool,
    /// `BisectBatchOnFunctionError`: a failing batch is split in two and retried.
    pub bisect: bool,
    /// `MaximumRetryAttempts` (-1, the default, retries until the records expire: here,
    /// forever).
    pub max_retries: Option<u32>,
    /// The queue (local name) the description of a batch that exhausted its retries
    /// goes to (`DestinationConfig.OnFailure`).
    pub on_failure_queue: Option<String>,
}

/// A schedule that invokes a function.
#[derive(Debug, Clone)]
pub struct Schedule {
    /// Interval between invocations.
    pub every: std::time::Duration,
    /// The expression as written.
    pub expression: String,
}

/// A function of the template.
#[derive(Debug, Clone)]
pub struct Function {
    /// Logical id.
    pub name: String,
    /// The cargo binary (`Metadata.BuildProperties.Binary`).
    pub binary: String,
    /// Resolved environment (globals, then the function's own).
    pub environment: BTreeMap<String, String>,
    /// Seconds before an invocation times out.
    pub timeout_secs: u64,
    /// Memory size in MB.
    pub memory_mb: u64,
    /// `ReservedConcurrentExecutions`: the most instances it may run at once, if set.
    pub reserved_concurrency: Option<usize>,
    /// HTTP routes.
    pub routes: Vec<Route>,
    /// SQS triggers.
    pub sqs: Vec<SqsSource>,
    /// DynamoDB Streams triggers.
    pub streams: Vec<StreamSource>,
    /// Schedules.
    pub schedules: Vec<Schedule>,
    /// The `Allow` statements of its policies, resolved.
    pub policy: Vec<Statement>,
}

/// One `Allow` statement of a function's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Actions (`dynamodb:GetItem`; `*` wildcards allowed).
    pub actions: Vec<String>,
    /// Resources, resolved to local ARNs or names (`*` wildcards allowed).
    pub resources: Vec<String>,
    /// `ForAllValues:StringLike` `dynamodb:LeadingKeys` patterns, when the statement has them.
    pub leading_keys: Option<Vec<String>>,
}

/// A DynamoDB table, as CloudFormation properties (they are the CreateTable API's).
#[derive(Debug, Clone)]
pub struct Table {
    /// Local name.
    pub name: String,
    /// Resolved properties.
    pub properties: Value,
}

/// An SQS queue.
#[derive(Debug, Clone)]
pub struct Queue {
    /// Local name.
    pub name: String,
    /// Resolved properties.
    pub properties: Value,
}

/// An S3 bucket.
#[derive(Debug, Clone)]
pub struct Bucket {
    /// Its name.
    pub name: String,
    /// Resolved properties (`NotificationConfiguration` is what the local stack reads).
    pub properties: Value,
    /// The resources of the objects its bucket policy lets CloudFront read (what the
    /// local stack serves publicly from the bucket's path instead).
    pub cdn_reads: Vec<String>,
}

/// What the local stack builds.
#[derive(Debug, Clone, Default)]
pub struct Template {
    /// Functions by logical id.
    pub functions: Vec<Function>,
    /// Tables.
    pub tables: Vec<Table>,
    /// Queues, dead-letter queues first.
    pub queues: Vec<Queue>,
    /// SES identities to verify.
    pub email_identities: Vec<String>,
    /// Secrets Manager secrets.
    pub secrets: Vec<Secret>,
    /// S3 buckets.
    pub buckets: Vec<Bucket>,
}

/// A secret the template declares.
#[derive(Debug, Clone)]
pub struct Secret {
    /// Logical id (what `LOCAL_SECRET_<id>` overrides).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its `SecretString`.
    pub value: String,
}

/// Values that differ between AWS and the local stack.
#[derive(Debug, Clone)]
pub struct LocalValues {
    /// Parameter overrides (else the template's defaults).
    pub parameters: BTreeMap<String, String>,
    /// Region.
    pub region: String,
    /// Account id.
    pub account: String,
    /// Base URL of the local SQS endpoint, for queue URLs.
    pub sqs_endpoint: String,
}

/// Parses and resolves a template file.
///
/// # Errors
/// A readable message when the file is missing, not YAML, or uses what this can't resolve.
pub fn load(path: &Path, local: &LocalValues) -> Result<Template, String> {
    let doc = read(path)?;
    Resolver::new(&doc, local)?.template()
}

/// The template file as JSON, intrinsics in their long form, nothing resolved.
///
/// # Errors
/// A readable message when the file is missing or not YAML.
pub fn read(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let yaml: serde_norway::Value =
        serde_norway::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(normalise(yaml))
}

/// Turns YAML (with CloudFormation's short tags) into JSON with long-form intrinsics.
pub fn normalise(yaml: serde_norway::Value) -> Value {
    use serde_norway::Value as Y;
    match yaml {
        Y::Null => Value::Null,
        Y::Bool(b) => Value::Bool(b),
        Y::Number(n) => serde_json::to_value(n).unwrap_or(Value::Null),
        Y::String(s) => Value::String(s),
        Y::Sequence(items) => Value::Array(items.into_iter().map(normalise).collect()),
        Y::Mapping(map) => Value::Object(
            map.into_iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_owned(), normalise(v))))
                .collect(),
        ),
        Y::Tagged(tagged) => {
            let tag = tagged.tag.to_string();
            let tag = tag.trim_start_matches('!');
            let value = normalise(tagged.value);
            match tag {
                "Ref" => json!({ "Ref": value }),
                "GetAtt" => match value {
                    Value::String(s) => {
                        let (resource, attribute) = s.split_once('.').unwrap_or((&s, ""));
                        json!({ "Fn::GetAtt": [resource, attribute] })
                    }
                    other => json!({ "Fn::GetAtt": other }),
                },
                other => json!({ format!("Fn::{other}"): value }),
            }
        }
    }
}

struct Resolver<'a> {
    resources: &'a Map<String, Value>,
    globals: Value,
    parameters: BTreeMap<String, String>,
    conditions: Map<String, Value>,
    local: &'a LocalValues,
}

impl<'a> Resolver<'a> {
    fn new(doc: &'a Value, local: &'a LocalValues) -> Result<Self, String> {
        let resources = doc["Resources"]
            .as_object()
            .ok_or("the template has no Resources")?;
        let mut parameters = BTreeMap::new();
        if let Some(params) = doc["Parameters"].as_object() {
            for (name, spec) in params {
                let value = local
                    .parameters
                    .get(name)
                    .cloned()
                    .or_else(|| scalar(&spec["Default"]))
                    .ok_or_else(|| format!("parameter {name} has no default and no local value"))?;
                parameters.insert(name.clone(), value);
            }
        }
        Ok(Self {
            resources,
            globals: doc["Globals"]["Function"].clone(),
            parameters,
            conditions: doc["Conditions"].as_object().cloned().unwrap_or_default(),
            local,
        })
    }

    fn template(&self) -> Result<Template, String> {
        let mut template = Template::default();
        for (id, resource) in self.resources {
            let props = &resource["Properties"];
            match resource["Type"].as_str().unwrap_or_default() {
                "AWS::Serverless::Function" => {
                    template.functions.push(self.function(id, resource)?)
                }
                "AWS::DynamoDB::Table" => template.tables.push(Table {
                    name: self.physical_name(id)?,
                    properties: self.resolve(props)?,
                }),
                "AWS::SQS::Queue" => template.queues.push(Queue {
                    name: self.physical_name(id)?,
                    properties: self.resolve(props)?,
                }),
                "AWS::S3::Bucket" => template.buckets.push(Bucket {
                    name: self.physical_name(id)?,
                    properties: self.resolve(props)?,
                    cdn_reads: self.cdn_reads(id)?,
                }),
                "AWS::SecretsManager::Secret" => template.secrets.push(Secret {
                    id: id.clone(),
                    name: self.physical_name(id)?,
                    value: scalar(&self.resolve(&props["SecretString"])?).unwrap_or_default(),
                }),
                "AWS::SES::EmailIdentity" => {
                    let identity = self.resolve(&props["EmailIdentity"])?;
                    template
                        .email_identities
                        .push(scalar(&identity).ok_or("EmailIdentity must be a string")?);
                }
                _ => {}
            }
        }
        // Dead-letter queues first, so a redrive policy can name them.
        template
            .queues
            .sort_by_key(|q| !q.properties["RedrivePolicy"].is_null());
        Ok(template)
    }

    fn function(&self, id: &str, resource: &Value) -> Result<Function, String> {
        let props = &resource["Properties"];
        let binary = resource["Metadata"]["BuildProperties"]["Binary"]
            .as_str()
            .ok_or_else(|| format!("{id} has no Metadata.BuildProperties.Binary"))?
            .to_owned();
        let mut environment = BTreeMap::new();
        for variables in [
            &self.globals["Environment"]["Variables"],
            &props["Environment"]["Variables"],
        ] {
            if let Some(variables) = variables.as_object() {
                for (name, value) in variables {
                    let value = scalar(&self.resolve(value)?)
                        .ok_or_else(|| format!("{id}: variable {name} is not a string"))?;
                    environment.insert(name.clone(), value);
                }
            }
        }
        let number = |key: &str, default: u64| {
            props[key]
                .as_u64()
                .or_else(|| self.globals[key].as_u64())
                .unwrap_or(default)
        };
        let mut function = Function {
            name: id.to_owned(),
            binary,
            environment,
            timeout_secs: number("Timeout", 3),
            memory_mb: number("MemorySize", 128),
            reserved_concurrency: props["ReservedConcurrentExecutions"]
                .as_u64()
                .and_then(|n| usize::try_from(n).ok()),
            routes: Vec::new(),
            sqs: Vec::new(),
            streams: Vec::new(),
            schedules: Vec::new(),
            policy: self.policy(id, &props["Policies"])?,
        };
        if let Some(events) = props["Events"].as_object() {
            for (event_id, event) in events {
                let p = &event["Properties"];
                match event["Type"].as_str().unwrap_or_default() {
                    "HttpApi" => function.routes.push(Route {
                        method: p["Method"].as_str().unwrap_or("ANY").to_ascii_uppercase(),
                        path: p["Path"]
                            .as_str()
                            .ok_or_else(|| format!("{id}.{event_id} has no Path"))?
                            .to_owned(),
                    }),
                    "SQS" => {
                        let queue = self.queue_of(&p["Queue"])?;
                        let report_failures = p["FunctionResponseTypes"]
                            .as_array()
                            .is_some_and(|t| t.iter().any(|t| t == "ReportBatchItemFailures"));
                        function.sqs.push(SqsSource {
                            queue,
                            batch_size: p["BatchSize"].as_u64().unwrap_or(10).clamp(1, 10_000)
                                as usize,
                            batching_window: std::time::Duration::from_secs(
                                p["MaximumBatchingWindowInSeconds"]
                                    .as_u64()
                                    .unwrap_or(0)
                                    .min(300),
                            ),
                            report_failures,
                        });
                    }
                    "DynamoDB" => {
                        let table = match p["Stream"]["Fn::GetAtt"].as_array().map(Vec::as_slice) {
                            Some([resource, _]) => {
                                self.physical_name(resource.as_str().unwrap_or_default())?
                            }
                            _ => {
                                return Err(format!(
                                    "{id}.{event_id}: Stream must be !GetAtt <Table>.StreamArn"
                                ))
                            }
                        };
                        let on_failure = &p["DestinationConfig"]["OnFailure"]["Destination"];
                        function.streams.push(StreamSource {
                            table,
                            batch_size: p["BatchSize"].as_u64().unwrap_or(100).clamp(1, 10_000)
                                as usize,
                            starting_position: p["StartingPosition"]
                                .as_str()
                                .unwrap_or("LATEST")
                                .to_owned(),
                            report_failures: p["FunctionResponseTypes"]
                                .as_array()
                                .is_some_and(|t| t.iter().any(|t| t == "ReportBatchItemFailures")),
                            bisect: p["BisectBatchOnFunctionError"].as_bool().unwrap_or(false),
                            max_retries: p["MaximumRetryAttempts"]
                                .as_i64()
                                .and_then(|n| u32::try_from(n).ok()),
                            on_failure_queue: if on_failure.is_null() {
                                None
                            } else {
                                Some(self.queue_of(on_failure)?)
                            },
                        });
                    }
                    "Schedule" | "ScheduleV2" => {
                        let expression = scalar(&self.resolve(if p["Schedule"].is_null() {
                            &p["ScheduleExpression"]
                        } else {
                            &p["Schedule"]
                        })?)
                        .ok_or_else(|| format!("{id}.{event_id} has no schedule expression"))?;
                        let every = parse_rate(&expression)
                            .ok_or_else(|| format!("{id}.{event_id}: only rate() schedules run locally, not {expression}"))?;
                        function.schedules.push(Schedule { every, expression });
                    }
                    _ => {}
                }
            }
        }
        Ok(function)
    }

    /// The `Allow` statements of a function's `Policies` (inline statements; SAM's
    /// policy templates are not used here and are refused, so none goes unchecked).
    fn policy(&self, id: &str, policies: &Value) -> Result<Vec<Statement>, String> {
        let strings = |value: &Value| -> Result<Vec<String>, String> {
            let resolved = self.resolve(value)?;
            let items = match &resolved {
                Value::Array(items) => items.clone(),
                Value::Null => Vec::new(),
                single => vec![single.clone()],
            };
            items
                .iter()
                .map(|v| scalar(v).ok_or_else(|| format!("{id}: a policy value is not a string")))
                .collect()
        };
        let mut statements = Vec::new();
        for policy in policies.as_array().into_iter().flatten() {
            let Some(listed) = policy["Statement"].as_array() else {
                return Err(format!(
                    "{id}: only inline Statement policies are supported"
                ));
            };
            for statement in listed.iter().filter(|s| s["Effect"] == "Allow") {
                let condition =
                    &statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"];
                statements.push(Statement {
                    actions: strings(&statement["Action"])?,
                    resources: strings(&statement["Resource"])?,
                    leading_keys: (!condition.is_null())
                        .then(|| strings(condition))
                        .transpose()?,
                });
            }
        }
        Ok(statements)
    }

    /// The local name of the queue an SQS event names (by `GetAtt X.Arn` or an ARN).
    fn queue_of(&self, queue: &Value) -> Result<String, String> {
        if let Some([resource, _]) = queue["Fn::GetAtt"].as_array().map(Vec::as_slice) {
            return self.physical_name(resource.as_str().unwrap_or_default());
        }
        let arn = scalar(&self.resolve(queue)?).ok_or("an SQS event needs a Queue")?;
        Ok(arn.rsplit(':').next().unwrap_or_default().to_owned())
    }

    fn physical_name(&self, id: &str) -> Result<String, String> {
        let resource = self
            .resources
            .get(id)
            .ok_or_else(|| format!("no resource {id}"))?;
        let props = &resource["Properties"];
        let explicit = match resource["Type"].as_str() {
            Some("AWS::DynamoDB::Table") => &props["TableName"],
            Some("AWS::SQS::Queue") => &props["QueueName"],
            Some("AWS::SecretsManager::Secret") => &props["Name"],
            Some("AWS::S3::Bucket") => &props["BucketName"],
            _ => &Value::Null,
        };
        if explicit.is_null() {
            Ok(id.to_owned())
        } else {
            scalar(&self.resolve(explicit)?)
                .ok_or_else(|| format!("{id}: its name is not a string"))
        }
    }

    fn reference(&self, name: &str) -> Result<String, String> {
        if let Some(value) = self.parameters.get(name) {
            return Ok(value.clone());
        }
        match name {
            "AWS::Region" => return Ok(self.local.region.clone()),
            "AWS::AccountId" => return Ok(self.local.account.clone()),
            "AWS::Partition" => return Ok("aws".to_owned()),
            "AWS::URLSuffix" => return Ok("amazonaws.com".to_owned()),
            "AWS::StackName" => return Ok("shop-local".to_owned()),
            _ => {}
        }
        let resource = self
            .resources
            .get(name)
            .ok_or_else(|| format!("Ref to unknown {name}"))?;
        let physical = self.physical_name(name)?;
        Ok(match resource["Type"].as_str() {
            Some("AWS::SQS::Queue") => format!(
                "{}/{}/{}",
                self.local.sqs_endpoint.trim_end_matches('/'),
                self.local.account,
                physical
            ),
            _ => physical,
        })
    }

    fn attribute(&self, resource: &str, attribute: &str) -> Result<String, String> {
        let physical = self.physical_name(resource)?;
        let (region, account) = (&self.local.region, &self.local.account);
        let kind = self
            .resources
            .get(resource)
            .and_then(|r| r["Type"].as_str());
        Ok(match (kind, attribute) {
            (Some("AWS::SQS::Queue"), "Arn") => {
                format!("arn:aws:sqs:{region}:{account}:{physical}")
            }
            (Some("AWS::SQS::Queue"), "QueueName") => physical,
            (Some("AWS::SQS::Queue"), "QueueUrl") => self.reference(resource)?,
            (Some("AWS::S3::Bucket"), "Arn") => format!("arn:aws:s3:::{physical}"),
            (Some("AWS::DynamoDB::Table"), "Arn") => {
                format!("arn:aws:dynamodb:{region}:{account}:table/{physical}")
            }
            (Some("AWS::DynamoDB::Table"), "StreamArn") => {
                format!("arn:aws:dynamodb:{region}:{account}:table/{physical}/stream/local")
            }
            _ => format!("arn:aws:local:{region}:{account}:{resource}/{attribute}"),
        })
    }

    /// Resolves every intrinsic function inside a value.
    fn resolve(&self, value: &Value) -> Result<Value, String> {
        Ok(match value {
            Value::Object(map) if map.len() == 1 => {
                let (key, arg) = map.iter().next().expect("one entry");
                match key.as_str() {
                    "Ref" => Value::String(self.reference(arg.as_str().unwrap_or_default())?),
                    "Fn::GetAtt" => {
                        let parts: Vec<&str> = match arg {
                            Value::String(s) => s.splitn(2, '.').collect(),
                            Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                            _ => Vec::new(),
                        };
                        let [resource, attribute] = parts[..] else {
                            return Err(format!("malformed Fn::GetAtt {arg}"));
                        };
                        Value::String(self.attribute(resource, attribute)?)
                    }
                    "Fn::Sub" => Value::String(self.substitute(arg)?),
                    "Fn::If" => {
                        let [condition, then, otherwise] =
                            arg.as_array().map(Vec::as_slice).unwrap_or_default()
                        else {
                            return Err(format!("malformed Fn::If {arg}"));
                        };
                        let condition = condition.as_str().unwrap_or_default();
                        if self.condition(condition)? {
                            self.resolve(then)?
                        } else {
                            self.resolve(otherwise)?
                        }
                    }
                    "Fn::Join" => {
                        let separator = arg[0].as_str().unwrap_or_default();
                        let parts = self.resolve(&arg[1])?;
                        let parts: Vec<String> = parts
                            .as_array()
                            .map(|a| a.iter().filter_map(scalar).collect())
                            .unwrap_or_default();
                        Value::String(parts.join(separator))
                    }
                    _ => Value::Object(
                        map.iter()
                            .map(|(k, v)| Ok((k.clone(), self.resolve(v)?)))
                            .collect::<Result<_, String>>()?,
                    ),
                }
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.resolve(v)?)))
                    .collect::<Result<_, String>>()?,
            ),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|v| self.resolve(v))
                    .collect::<Result<_, _>>()?,
            ),
            other => other.clone(),
        })
    }

    /// The `Resource`s of the `Allow` statements of bucket `id`'s policies that grant
    /// CloudFront `s3:GetObject`.
    fn cdn_reads(&self, id: &str) -> Result<Vec<String>, String> {
        let mut reads = Vec::new();
        for resource in self.resources.values() {
            let props = &resource["Properties"];
            if resource["Type"] != "AWS::S3::BucketPolicy" || props["Bucket"]["Ref"] != id {
                continue;
            }
            let statements = props["PolicyDocument"]["Statement"].as_array();
            for statement in statements.into_iter().flatten() {
                let to_cloudfront = statement["Principal"]["Service"] == "cloudfront.amazonaws.com";
                let gets = statement["Action"] == "s3:GetObject";
                if statement["Effect"] == "Allow" && to_cloudfront && gets {
                    match self.resolve(&statement["Resource"])? {
                        Value::Array(items) => reads.extend(items.iter().filter_map(scalar)),
                        other => reads.extend(scalar(&other)),
                    }
                }
            }
        }
        Ok(reads)
    }

    /// A named condition of the template's `Conditions`.
    fn condition(&self, name: &str) -> Result<bool, String> {
        let spec = self
            .conditions
            .get(name)
            .ok_or_else(|| format!("no condition {name}"))?;
        self.evaluate(spec)
    }

    /// A condition function: `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`.
    fn evaluate(&self, spec: &Value) -> Result<bool, String> {
        let Some((function, arg)) = spec.as_object().and_then(|m| m.iter().next()) else {
            return Err(format!("malformed condition {spec}"));
        };
        let all = |arg: &Value| -> Result<Vec<bool>, String> {
            arg.as_array()
                .into_iter()
                .flatten()
                .map(|c| self.evaluate(c))
                .collect()
        };
        match function.as_str() {
            "Fn::Equals" => {
                let sides = self.resolve(arg)?;
                let sides: Vec<Option<String>> =
                    sides.as_array().into_iter().flatten().map(scalar).collect();
                Ok(sides.len() == 2 && sides[0] == sides[1])
            }
            "Fn::Not" => Ok(!all(arg)?.first().copied().unwrap_or(false)),
            "Fn::And" => Ok(all(arg)?.iter().all(|b| *b)),
            "Fn::Or" => Ok(all(arg)?.iter().any(|b| *b)),
            "Condition" => self.condition(arg.as_str().unwrap_or_default()),
            other => Err(format!(
                "condition function {other} is not supported locally"
            )),
        }
    }

    fn substitute(&self, arg: &Value) -> Result<String, String> {
        let (text, variables) = match arg {
            Value::String(s) => (s.as_str(), Map::new()),
            Value::Array(a) => (
                a[0].as_str().unwrap_or_default(),
                a.get(1)
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default(),
            ),
            _ => return Err(format!("malformed Fn::Sub {arg}")),
        };
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..]
                .find('}')
                .ok_or_else(|| format!("unclosed ${{ in {text}"))?;
            let name = &rest[start + 2..start + end];
            let value = if let Some(v) = variables.get(name) {
                scalar(&self.resolve(v)?).unwrap_or_default()
            } else if let Some((resource, attribute)) = name.split_once('.') {
                self.attribute(resource, attribute)?
            } else {
                self.reference(name)?
            };
            out.push_str(&value);
            rest = &rest[start + end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }
}

/// A string, number or boolean as text.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses `rate(5 minutes)`.
pub fn parse_rate(expression: &str) -> Option<std::time::Duration> {
    let inner = expression.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let (count, unit) = inner.trim().split_once(' ')?;
    let count: u64 = count.parse().ok()?;
    let seconds = match unit.trim().trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3600,
        "day" => 86400,
        _ => return None,
    };
    Some(std::time::Duration::from_secs(count * seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local() -> LocalValues {
        LocalValues {
            parameters: [(
                "PublicBaseUrl".to_owned(),
                "http://127.0.0.1:3000".to_owned(),
            )]
            .into(),
            region: "us-east-1".into(),
            account: crate::ACCOUNT.into(),
            sqs_endpoint: "http://127.0.0.1:5000".into(),
        }
    }

    fn project_template() -> Template {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        load(&path, &local()).unwrap()
    }

    #[test]
    fn rates_parse_into_intervals() {
        assert_eq!(
            parse_rate("rate(1 minute)"),
            Some(std::time::Duration::from_secs(60))
        );
        assert_eq!(
            parse_rate("rate(2 hours)"),
            Some(std::time::Duration::from_secs(7200))
        );
        assert_eq!(parse_rate("cron(0 * * * ? *)"), None);
    }

    #[test]
    fn the_project_template_resolves_environment_from_refs_and_parameters() {
        let template = project_template();
        let register = template
            .functions
            .iter()
            .find(|f| f.binary == "register")
            .unwrap();
        assert_eq!(register.environment["USERS_TABLE"], "UsersTable");
        assert_eq!(
            register.environment["PUBLIC_BASE_URL"],
            "http://127.0.0.1:3000"
        );
        assert_eq!(register.environment["RUST_LOG"], "info");
        assert_eq!(register.routes[0].path, "/auth/register");
    }

    #[test]
    fn sqs_sources_keep_their_batch_size_and_batching_window() {
        let template = project_template();
        let source = |binary: &str| {
            let function = template.functions.iter().find(|f| f.binary == binary);
            function.unwrap().sqs[0].clone()
        };
        let learn = source("learn-similarity");
        assert_eq!(learn.queue, "EventsQueue");
        assert_eq!(
            (learn.batch_size, learn.batching_window),
            (10, std::time::Duration::ZERO)
        );

        let doc = json!({"Resources": {
            "Q": {"Type": "AWS::SQS::Queue", "Properties": {}},
            "F": {"Type": "AWS::Serverless::Function",
                  "Metadata": {"BuildProperties": {"Binary": "f"}},
                  "Properties": {"Events": {"E": {"Type": "SQS", "Properties": {
                      "Queue": {"Fn::GetAtt": ["Q", "Arn"]}, "BatchSize": 500,
                      "MaximumBatchingWindowInSeconds": 2}}}}}}});
        let parsed = Resolver::new(&doc, &local()).unwrap().template().unwrap();
        let source = &parsed.functions[0].sqs[0];
        assert_eq!(
            (source.batch_size, source.batching_window),
            (500, std::time::Duration::from_secs(2))
        );
    }
    #[test]
    fn the_images_bucket_notifies_its_queue_and_is_served_from_its_path_locally() {
        let mut local = local();
        local
            .parameters
            .insert("ImagesEndpoint".into(), "http://127.0.0.1:5000".into());
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
        let template = load(&path, &local).unwrap();
        let [bucket] = template.buckets.as_slice() else {
            panic!("one bucket: {:?}", template.buckets);
        };
        assert_eq!(bucket.name, "shop-images-123456789012-us-east-1");
        assert_eq!(
            bucket.cdn_reads,
            ["arn:aws:s3:::shop-images-123456789012-us-east-1/images/*"]
        );
        let notify = &bucket.properties["NotificationConfiguration"]["QueueConfigurations"][0];
        assert_eq!(
            notify["Queue"],
            "arn:aws:sqs:us-east-1:123456789012:ImageUploadsQueue"
        );
        let process = template
            .functions
            .iter()
            .find(|f| f.name == "ProcessImageFunction")
            .unwrap();
        assert_eq!(
            process.environment["IMAGES_BASE_URL"],
            "http://127.0.0.1:5000/shop-images-123456789012-us-east-1"
        );
        assert_eq!(process.sqs[0].queue, "ImageUploadsQueue");
    }

    #[test]
    fn if_picks_the_branch_its_condition_names() {
        let doc = json!({
            "Parameters": {"P": {"Type": "String", "Default": ""}},
            "Conditions": {
                "Empty": {"Fn::Equals": [{"Ref": "P"}, ""]},
                "Full": {"Fn::Not": [{"Condition": "Empty"}]},
                "Both": {"Fn::And": [{"Condition": "Empty"}, {"Condition": "Full"}]}
            },
            "Resources": {}
        });
        let local = local();
        let resolver = Resolver::new(&doc, &local).unwrap();
        let pick = |condition: &str| {
            resolver
                .resolve(&json!({"Fn::If": [condition, "yes", "no"]}))
                .unwrap()
        };
        assert_eq!(
            (pick("Empty"), pick("Full"), pick("Both")),
            (json!("yes"), json!("no"), json!("no"))
        );
        assert!(resolver
            .resolve(&json!({"Fn::If": ["Missing", 1, 2]}))
            .is_err());
    }

    #[test]
    fn sub_resolves_pseudo_parameters_and_attributes() {
        let doc = json!({"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {}}}});
        let local = local();
        let resolver = Resolver::new(&doc, &local).unwrap();
        let arn = resolver
            .substitute(&json!("${Q.Arn}|${AWS::Region}"))
            .unwrap();
        assert_eq!(arn, "arn:aws:sqs:us-east-1:123456789012:Q|us-east-1");
        assert_eq!(
            resolver.reference("Q").unwrap(),
            "http://127.0.0.1:5000/123456789012/Q"
        );
    }
}
