//! Floor 2: `lambda_http` plus the SDK as most functions set it up — the default
//! `aws-config` chain and a DynamoDB client built in `main` — and one GetItem per request.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    bench::serve_one_get_item(aws_sdk_dynamodb::Client::new(&config)).await
}
