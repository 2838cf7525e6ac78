//! Lambda entry point: telemetry, the context built once per cold start, the handler.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shop::telemetry::init();
    let ctx = delete_cart_item::Context::from_env()?;
    shop::http::run(|req| delete_cart_item::handler(&ctx, req)).await
}
