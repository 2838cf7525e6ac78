//! `payment-simulator`: plays the payment provider for the local stack.
//!
//! - `payment-simulator serve [--addr 127.0.0.1:3080] [--shop URL] [--exit-with-stdin]`:
//!   the provider as a server (see [`server`]): the checkout page a payment's
//!   `checkout_url` opens, where a person clicks Pay or Decline; the refunds API the shop
//!   calls; and switches that make it misbehave. The local stack starts it (and with `--exit-with-stdin` it ends when
//!   its stdin closes: when the stack ends).
//! - `payment-simulator --order ID …`: sends one webhook from the command line (see
//!   [`cli`]), for scripts.
//!
//! Its webhook signing secret is the first of `PAYMENT_WEBHOOK_SECRETS` (default: the
//! local stack's, `LOCAL_PAYMENT_WEBHOOK_SECRETS`); the shop's API key for it is
//! `LOCAL_PAYMENT_PROVIDER_API_KEY`.

mod cli;
mod server;

/// The local development secret both sides use unless told otherwise.
const LOCAL_SECRET: &str = "whsec_local_development_secret";
/// The local API key both sides use unless told otherwise.
const LOCAL_API_KEY: &str = "pk_local_development_key";

/// The secret webhooks are signed with.
pub fn webhook_secret() -> String {
    std::env::var("PAYMENT_WEBHOOK_SECRETS")
        .or_else(|_| std::env::var("LOCAL_PAYMENT_WEBHOOK_SECRETS"))
        .unwrap_or_else(|_| LOCAL_SECRET.to_owned())
        .split(',')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The shop's API key for the provider.
pub fn api_key() -> String {
    std::env::var("LOCAL_PAYMENT_PROVIDER_API_KEY").unwrap_or_else(|_| LOCAL_API_KEY.to_owned())
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("serve") {
        server::serve(&args).await
    } else {
        cli::run(args).await
    }
}
