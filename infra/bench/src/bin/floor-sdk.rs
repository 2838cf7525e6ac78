//! Floor 2: `lambda_http` plus the SDK as most functions set it up — the default
//! `aws-config` chain and a DynamoDB client built in `main` — and one GetItem per request.

use aws_config::BehaviorVersion;
use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{service_fn, Body, Error, Request, Response};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let config = aws_config::load_defaults(BehaviorVersion::latest()).await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let table = std::env::var("USERS_TABLE")?;
    lambda_http::run(service_fn(|_req: Request| {
        let (client, table) = (&client, &table);
        async move {
            let item = client
                .get_item()
                .table_name(table)
                .key("pk", AttributeValue::S("USER#floor".to_owned()))
                .send()
                .await?;
            let status = if item.item.is_some() { 200 } else { 404 };
            Ok::<_, Error>(Response::builder().status(status).body(Body::Empty)?)
        }
    }))
    .await
}
