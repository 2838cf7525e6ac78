//! Floor 3: `lambda_http` plus the SDK as this project sets it up (`shop::aws`: region
//! and credentials from the environment, one shared HTTPS client) and one GetItem per
//! request — what any function that reads DynamoDB once can't go below.

use aws_sdk_dynamodb::types::AttributeValue;
use lambda_http::{service_fn, Body, Error, Request, Response};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let client = shop::aws::Aws::from_env()?.dynamodb();
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
