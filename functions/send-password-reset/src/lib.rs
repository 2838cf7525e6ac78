//! SQS consumer of the password-reset queue (`account.password_reset_requested`): finds
//! the account of each requested address and, for an active one, issues and emails a
//! reset token (see `shop::accounts::recovery`). An address without an active account,
//! or one emailed within the resend interval, is done with nothing sent. A malformed
//! message, or one whose store or email failed, is reported as a batch item failure: it
//! comes back after the visibility timeout, and past `maxReceiveCount` it moves to the
//! dead-letter queue.

use lambda_runtime::LambdaEvent;
use shop::accounts::recovery::{ResetMailer, ResetSent};
use shop::consumer::{self, Batch, SqsEvent};
use shop::events::Event;

/// What the function needs, built once per cold start.
pub type Context = ResetMailer;

/// Answers each reset request of the batch.
///
/// # Errors
/// Never: every failure is reported per message.
pub async fn handler(mailer: &ResetMailer, event: LambdaEvent<SqsEvent>) -> consumer::Answer {
    let mut batch = Batch::parse(event.payload);
    for delivered in std::mem::take(&mut batch.events) {
        let Event::PasswordResetRequested(request) = &delivered.envelope.event else {
            batch.reject(&delivered, "a reset request");
            continue;
        };
        match mailer.answer(&request.email).await {
            Ok(ResetSent::Sent) => {}
            Ok(outcome) => {
                tracing::info!(event_id = %delivered.envelope.event_id, ?outcome, "nothing to send")
            }
            Err(e) => batch.retry(&delivered, e.as_ref()),
        }
    }
    Ok(batch.finish("send-password-reset"))
}

#[cfg(test)]
shop_testing::batch_answers! {
    messages_that_are_not_reset_requests_are_reported_without_a_lookup: "malformed" => ["not-a-reset", "not-json"];
}
