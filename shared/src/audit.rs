//! What each AWS request needs from IAM, logged when `SHOP_AUDIT_AWS_CALLS=1` (the local
//! stack sets it for the tests), so that `policy-audit` can hold every call a function
//! made against the least-privilege policy `template.yaml` gives it: a policy that
//! lacks an action the code calls fails the tests, not the first deploy.
//!
//! One line per request, `"aws call"` with `needs`: `action resource [name=KIND#* …]`
//! entries, `;`-separated (the pairs are the request's key, when it names one, cut to
//! its kind: never an email address, a name or an id). The resource is the table (`table/index/<name>` for a query on
//! an index), queue, SES identity or secret by name; the partition key is given for the
//! requests that name a key (never an item: items may hold hashes and addresses). A
//! transaction needs each item's own action (`PutItem`, `UpdateItem`, `DeleteItem`,
//! `ConditionCheckItem`, `GetItem`), as IAM evaluates it. Off (the default, and in AWS),
//! it costs one relaxed load per request.

use std::sync::OnceLock;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::Value;

fn enabled() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| crate::config::optional("SHOP_AUDIT_AWS_CALLS").is_some_and(|v| v == "1"))
}

/// The interceptor that logs what each request needs, by the service's protocol.
#[derive(Debug, Clone, Copy)]
pub enum AuditCalls {
    /// JSON (`X-Amz-Target`) and query (`Action=`) protocols: DynamoDB, SQS, SES,
    /// Secrets Manager.
    Rpc,
    /// S3's REST protocol: the action is the method, the resource the path.
    S3,
}

impl Intercept for AuditCalls {
    fn name(&self) -> &'static str {
        "AuditCalls"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if !enabled() {
            return Ok(());
        }
        let request = context.request();
        let needs = match self {
            Self::Rpc => {
                let target = request.headers().get("x-amz-target").unwrap_or_default();
                needs(target, request.body().bytes().unwrap_or_default()).join(";")
            }
            Self::S3 => s3_needs(request.method(), request.uri()),
        };
        tracing::info!(needs = %needs, "aws call");
        Ok(())
    }
}

/// The IAM need of one S3 object request, `s3:<Action> <bucket>/<first key segment>/*`
/// (path-style URIs, as the local stack's endpoint gives them; object keys are cut to
/// their first segment, since the rest names goods and images).
pub fn s3_needs(method: &str, uri: &str) -> String {
    let path = uri
        .split_once("://")
        .map_or(uri, |(_, rest)| rest.find('/').map_or("", |i| &rest[i..]));
    let path = path.split('?').next().unwrap_or_default();
    let mut parts = path.trim_start_matches('/').splitn(3, '/');
    let bucket = parts.next().unwrap_or_default();
    let resource = match (parts.next(), parts.next()) {
        (Some(prefix), Some(_)) => format!("{bucket}/{prefix}/*"),
        (Some(key), None) => format!("{bucket}/{key}"),
        _ => bucket.to_owned(),
    };
    let action = match method {
        "GET" | "HEAD" => "GetObject",
        "PUT" => "PutObject",
        "DELETE" | "POST" => "DeleteObject",
        _ => "Unknown",
    };
    format!("s3:{action} {resource}")
}

/// The IAM needs of one request, from its `X-Amz-Target` (JSON protocols) or its
/// form-encoded `Action` (SES's query protocol) and its body.
pub fn needs(target: &str, body: &[u8]) -> Vec<String> {
    if let Some((service, operation)) = target.split_once('.') {
        let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        return match service {
            s if s.starts_with("DynamoDB") => dynamodb(operation, &json),
            "AmazonSQS" => {
                let queue = json["QueueUrl"].as_str().unwrap_or_default();
                // IAM authorizes SQS's batch calls by their single action's permission
                // (SendMessageBatch by sqs:SendMessage).
                let action = operation.strip_suffix("Batch").unwrap_or(operation);
                vec![format!(
                    "sqs:{action} {}",
                    queue.rsplit('/').next().unwrap_or_default()
                )]
            }
            "secretsmanager" => vec![format!(
                "secretsmanager:{operation} {}",
                json["SecretId"].as_str().unwrap_or_default()
            )],
            other => vec![format!("{other}:{operation} *")],
        };
    }
    // SES (query protocol): Action=SendEmail&Source=…
    let form = String::from_utf8_lossy(body);
    let field = |name: &str| {
        form.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| {
                percent_encoding::percent_decode_str(&v.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            })
        })
    };
    match field("Action") {
        Some(action) => vec![format!(
            "ses:{action} identity/{}",
            field("Source").unwrap_or_default()
        )],
        None => vec!["unknown:unknown *".to_owned()],
    }
}

/// A request's key as `name=PREFIX#*` pairs (string attributes only), for the audit to
/// pick the table's partition key from: only the key's kind (up to its first `#`) is
/// kept, since the rest may be an email address or a user's id.
fn key_pairs(key: &Value) -> Vec<String> {
    key.as_object()
        .into_iter()
        .flatten()
        .filter_map(|(name, value)| {
            let value = value["S"].as_str()?;
            let kind = value.split_once('#').map_or("", |(kind, _)| kind);
            Some(if kind.is_empty() {
                format!("{name}=*")
            } else {
                format!("{name}={kind}#*")
            })
        })
        .collect()
}

fn dynamodb(operation: &str, json: &Value) -> Vec<String> {
    let table = |v: &Value| v["TableName"].as_str().unwrap_or_default().to_owned();
    let with_key = |action: &str, spec: &Value| {
        let mut need = format!("dynamodb:{action} {}", table(spec));
        for pair in key_pairs(&spec["Key"]) {
            need.push(' ');
            need.push_str(&pair);
        }
        need
    };
    match operation {
        "TransactWriteItems" => json["TransactItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| {
                let (kind, spec) = item.as_object()?.iter().next()?;
                let action = match kind.as_str() {
                    "Put" => "PutItem",
                    "Update" => "UpdateItem",
                    "Delete" => "DeleteItem",
                    _ => "ConditionCheckItem",
                };
                Some(with_key(action, spec))
            })
            .collect(),
        "TransactGetItems" => json["TransactItems"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|item| with_key("GetItem", &item["Get"]))
            .collect(),
        "BatchGetItem" | "BatchWriteItem" => json["RequestItems"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(table, _)| format!("dynamodb:{operation} {table}"))
            .collect(),
        "Query" | "Scan" => {
            let mut resource = table(json);
            if let Some(index) = json["IndexName"].as_str() {
                resource = format!("{resource}/index/{index}");
            }
            vec![format!("dynamodb:{operation} {resource}")]
        }
        _ => vec![with_key(operation, json)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_transaction_needs_each_items_own_action_with_its_key() {
        let body = json!({"TransactItems": [
            {"Put": {"TableName": "users", "Item": {"pk": {"S": "USER#1"}, "password_hash": {"S": "secret"}}}},
            {"Update": {"TableName": "sessions", "Key": {"token_hash": {"S": "GENERATION#1"}}}},
            {"Delete": {"TableName": "users", "Key": {"pk": {"S": "RESET#h"}}}}
        ]});
        assert_eq!(
            needs(
                "DynamoDB_20120810.TransactWriteItems",
                body.to_string().as_bytes()
            ),
            [
                "dynamodb:PutItem users",
                "dynamodb:UpdateItem sessions token_hash=GENERATION#*",
                "dynamodb:DeleteItem users pk=RESET#*"
            ]
        );
    }

    #[test]
    fn s3_requests_need_their_action_on_the_key_prefix() {
        let object = "http://127.0.0.1:5000/shop-images/images/01J/01K-400.jpg?x-id=GetObject";
        assert_eq!(s3_needs("GET", object), "s3:GetObject shop-images/images/*");
        assert_eq!(s3_needs("PUT", object), "s3:PutObject shop-images/images/*");
        assert_eq!(
            s3_needs("DELETE", "/shop-images/uploads/01J/01K"),
            "s3:DeleteObject shop-images/uploads/*"
        );
    }

    #[test]
    fn queues_indexes_identities_and_secrets_are_named() {
        let query = json!({"TableName": "goods", "IndexName": "by_merchant"});
        assert_eq!(
            needs("DynamoDB_20120810.Query", query.to_string().as_bytes()),
            ["dynamodb:Query goods/index/by_merchant"]
        );
        let send = json!({"QueueUrl": "http://127.0.0.1:5000/000000000000/EventsQueue"});
        assert_eq!(
            needs("AmazonSQS.SendMessage", send.to_string().as_bytes()),
            ["sqs:SendMessage EventsQueue"]
        );
        assert_eq!(
            needs(
                "AmazonSQS.SendMessageBatch",
                br#"{"QueueUrl": "http://127.0.0.1:5000/123456789012/EventsQueue"}"#
            ),
            ["sqs:SendMessage EventsQueue"]
        );
        assert_eq!(
            needs(
                "",
                b"Action=SendEmail&Source=shop%40example.com&Version=2010-12-01"
            ),
            ["ses:SendEmail identity/shop@example.com"]
        );
        let secret = json!({"SecretId": "shop/payment-webhook"});
        assert_eq!(
            needs(
                "secretsmanager.GetSecretValue",
                secret.to_string().as_bytes()
            ),
            ["secretsmanager:GetSecretValue shop/payment-webhook"]
        );
    }
}
