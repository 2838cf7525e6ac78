//! Creates what the template declares in the emulators: DynamoDB tables (with their
//! GSIs, streams and TTL settings) in DynamoDB Local, queues (with redrive policies)
//! in moto's SQS, the SES sender identities, and the Secrets Manager secrets (each
//! with the value of `LOCAL_SECRET_<logical id>` when set, else the template's), and the
//! S3 buckets in moto with their notifications to queues (moto sends S3's event
//! notifications to its own SQS, as S3 does). Re-running
//! it against emulators that already hold them changes nothing but a secret's value.

use aws_sdk_sqs::types::QueueAttributeName;
use serde_json::{json, Value};

use crate::template::Template;

/// Where the emulators listen and how to sign for them.
pub struct Emulators {
    /// DynamoDB Local's endpoint.
    pub dynamodb: String,
    /// Region.
    pub region: String,
    /// SQS client pointed at moto.
    pub sqs: aws_sdk_sqs::Client,
    /// SES client pointed at moto.
    pub ses: aws_sdk_ses::Client,
    /// Secrets Manager client pointed at moto.
    pub secrets: aws_sdk_secretsmanager::Client,
    /// S3 client pointed at moto.
    pub s3: aws_sdk_s3::Client,
}

/// Creates every table, queue and email identity.
///
/// # Errors
/// A readable message naming the resource that could not be created.
pub async fn provision(template: &Template, emulators: &Emulators) -> Result<(), String> {
    let http = reqwest::Client::new();
    for table in &template.tables {
        create_table(&http, emulators, &table.name, &table.properties).await?;
    }
    // Tests shorten the wait before a failed message comes back (and so its trip to the
    // dead-letter queue); everything else stays as the template declares.
    let visibility_override = std::env::var("LOCAL_VISIBILITY_TIMEOUT_SECONDS")
        .ok()
        .filter(|v| v.parse::<u32>().is_ok());
    for queue in &template.queues {
        let mut request = emulators.sqs.create_queue().queue_name(&queue.name);
        if let Some(props) = queue.properties.as_object() {
            for (name, value) in props {
                let text = match value {
                    Value::String(s) => s.clone(),
                    Value::Object(_) => value.to_string(),
                    Value::Null => continue,
                    other => other.to_string(),
                };
                let text = match (name.as_str(), &visibility_override) {
                    ("VisibilityTimeout", Some(seconds)) => seconds.clone(),
                    _ => text,
                };
                if name != "QueueName" && name != "Tags" {
                    request = request.attributes(QueueAttributeName::from(name.as_str()), text);
                }
            }
        }
        request
            .send()
            .await
            .map_err(|e| format!("queue {}: {}", queue.name, shop_error(&e)))?;
    }
    // After the queues: a bucket's notifications name them.
    for bucket in &template.buckets {
        create_bucket(emulators, &bucket.name, &bucket.properties).await?;
        serve_publicly(emulators, &bucket.name, &bucket.cdn_reads).await?;
    }
    for identity in &template.email_identities {
        emulators
            .ses
            .verify_email_identity()
            .email_address(identity)
            .send()
            .await
            .map_err(|e| format!("email identity {identity}: {}", shop_error(&e)))?;
    }
    for secret in &template.secrets {
        let value = std::env::var(format!("LOCAL_SECRET_{}", secret.id))
            .unwrap_or_else(|_| secret.value.clone());
        let created = emulators
            .secrets
            .create_secret()
            .name(&secret.name)
            .secret_string(&value)
            .send()
            .await;
        match created {
            Ok(_) => {}
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_exists_exception()) =>
            {
                emulators
                    .secrets
                    .put_secret_value()
                    .secret_id(&secret.name)
                    .secret_string(&value)
                    .send()
                    .await
                    .map_err(|e| format!("secret {}: {}", secret.name, shop_error(&e)))?;
            }
            Err(e) => return Err(format!("secret {}: {}", secret.name, shop_error(&e))),
        }
    }
    Ok(())
}

async fn create_bucket(emulators: &Emulators, name: &str, props: &Value) -> Result<(), String> {
    use aws_sdk_s3::types::{
        BucketLocationConstraint, CreateBucketConfiguration, Event, FilterRule, FilterRuleName,
        NotificationConfiguration, NotificationConfigurationFilter, QueueConfiguration,
        S3KeyFilter,
    };
    let mut request = emulators.s3.create_bucket().bucket(name);
    if emulators.region != "us-east-1" {
        request = request.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(emulators.region.as_str()))
                .build(),
        );
    }
    match request.send().await {
        Ok(_) => {}
        Err(e)
            if e.as_service_error().is_some_and(|e| {
                e.is_bucket_already_owned_by_you() || e.is_bucket_already_exists()
            }) => {}
        Err(e) => return Err(format!("bucket {name}: {}", shop_error(&e))),
    }
    let mut notifications = NotificationConfiguration::builder();
    let queues = props["NotificationConfiguration"]["QueueConfigurations"].as_array();
    for queue in queues.into_iter().flatten() {
        let rules = queue["Filter"]["S3Key"]["Rules"].as_array();
        let mut key = S3KeyFilter::builder();
        for rule in rules.into_iter().flatten() {
            key = key.filter_rules(
                FilterRule::builder()
                    .name(FilterRuleName::from(
                        rule["Name"]
                            .as_str()
                            .unwrap_or_default()
                            .to_lowercase()
                            .as_str(),
                    ))
                    .value(rule["Value"].as_str().unwrap_or_default())
                    .build(),
            );
        }
        let configuration = QueueConfiguration::builder()
            .queue_arn(queue["Queue"].as_str().unwrap_or_default())
            .events(Event::from(queue["Event"].as_str().unwrap_or_default()))
            .filter(
                NotificationConfigurationFilter::builder()
                    .key(key.build())
                    .build(),
            )
            .build()
            .map_err(|e| format!("bucket {name} notification: {e}"))?;
        notifications = notifications.queue_configurations(configuration);
    }
    emulators
        .s3
        .put_bucket_notification_configuration()
        .bucket(name)
        .notification_configuration(notifications.build())
        .send()
        .await
        .map_err(|e| format!("bucket {name} notifications: {}", shop_error(&e)))?;
    Ok(())
}

/// What CloudFront may read in AWS, anyone may read from the bucket's path locally: a
/// bucket policy allowing anonymous `s3:GetObject` on those resources (moto honours it;
/// everything else stays private, so an unchecked upload is never served here either).
async fn serve_publicly(emulators: &Emulators, name: &str, reads: &[String]) -> Result<(), String> {
    if reads.is_empty() {
        return Ok(());
    }
    let policy = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "LocalStandInForCloudFront",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": reads,
        }],
    });
    emulators
        .s3
        .put_bucket_policy()
        .bucket(name)
        .policy(policy.to_string())
        .send()
        .await
        .map_err(|e| format!("bucket {name} policy: {}", shop_error(&e)))?;
    Ok(())
}

fn shop_error(e: &(dyn std::error::Error + 'static)) -> String {
    shop::error::ErrorChain(e).to_string()
}

async fn create_table(
    http: &reqwest::Client,
    emulators: &Emulators,
    name: &str,
    props: &Value,
) -> Result<(), String> {
    let mut request = json!({
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode").cloned().unwrap_or(json!("PROVISIONED")),
    });
    for optional in [
        "GlobalSecondaryIndexes",
        "LocalSecondaryIndexes",
        "ProvisionedThroughput",
    ] {
        if let Some(value) = props.get(optional) {
            request[optional] = value.clone();
        }
    }
    if request["BillingMode"] == "PROVISIONED" && request["ProvisionedThroughput"].is_null() {
        request["ProvisionedThroughput"] = json!({"ReadCapacityUnits": 5, "WriteCapacityUnits": 5});
    }
    if let Some(view) = props["StreamSpecification"]["StreamViewType"].as_str() {
        request["StreamSpecification"] = json!({"StreamEnabled": true, "StreamViewType": view});
    }
    match dynamodb_call(http, emulators, "CreateTable", &request).await {
        Ok(_) => {}
        Err(e) if e.contains("ResourceInUseException") => return Ok(()),
        Err(e) => return Err(format!("table {name}: {e}")),
    }
    if let Some(ttl) = props.get("TimeToLiveSpecification") {
        let request = json!({"TableName": name, "TimeToLiveSpecification": ttl});
        dynamodb_call(http, emulators, "UpdateTimeToLive", &request)
            .await
            .map_err(|e| format!("table {name} TTL: {e}"))?;
    }
    Ok(())
}

/// One DynamoDB JSON-protocol call.
async fn dynamodb_call(
    http: &reqwest::Client,
    emulators: &Emulators,
    operation: &str,
    body: &Value,
) -> Result<Value, String> {
    let target = format!("DynamoDB_20120810.{operation}");
    dynamodb_json(http, &emulators.dynamodb, &emulators.region, &target, body).await
}

/// One call of DynamoDB Local's JSON protocol (`target` names the API and operation:
/// `DynamoDBStreams_20120810.GetRecords`). DynamoDB Local checks that a request is
/// signed but not the signature.
///
/// # Errors
/// The transport's error, or the error body DynamoDB Local answered.
pub async fn dynamodb_json(
    http: &reqwest::Client,
    endpoint: &str,
    region: &str,
    target: &str,
    body: &Value,
) -> Result<Value, String> {
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential=local/20260101/{region}/dynamodb/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=0"
    );
    let response = http
        .post(endpoint)
        .header("x-amz-target", target)
        .header("content-type", "application/x-amz-json-1.0")
        .header("x-amz-date", "20260101T000000Z")
        .header("authorization", authorization)
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if status.is_success() {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        Err(format!("{target}: {text}"))
    }
}
