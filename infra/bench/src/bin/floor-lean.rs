//! Floor 3: `lambda_http` plus the SDK as this project sets it up (`shop::aws`: region
//! and credentials from the environment, one shared HTTPS client) and one GetItem per
//! request — what any function that reads DynamoDB once can't go below.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    bench::serve_one_get_item(shop::aws::Aws::from_env()?.dynamodb()).await
}
