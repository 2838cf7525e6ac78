//! Lambda entry point: telemetry, the context built once per cold start, the handler.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shop::telemetry::init();
    let ctx = recommend::Context::from_env()?;
    shop::http::run(|req| recommend::handler(&ctx, req)).await
}
