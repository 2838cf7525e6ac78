//! Lambda entry point: telemetry, the context built once per cold start, the handler.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shop::telemetry::init();
    let ctx = learn_similarity::Context::from_env()?;
    lambda_runtime::run(lambda_runtime::service_fn(|event| {
        learn_similarity::handler(&ctx, event)
    }))
    .await
}
