//! Lambda entry point: telemetry, the context built once per cold start, the handler.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shop::telemetry::init();
    let ctx = similar_goods::Context::from_env()?;
    shop::http::run(|req| similar_goods::handler(&ctx, req)).await
}
