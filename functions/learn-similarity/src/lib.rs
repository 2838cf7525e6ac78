//! SQS consumer of the behaviour queue (`view`, `cart`, `purchase`): applies each event
//! to the item-to-item similarity model (`shop::recs`), exactly once per event id.
//!
//! Messages are applied one after another, in the batch's order, so that one user's
//! events meet their window in order. A malformed message (not an event envelope, an
//! unknown type, no user or goods, a bad timestamp) is reported as a batch item failure:
//! after the queue's `maxReceiveCount` it moves to the dead-letter queue, and it never
//! holds back the rest of its batch. An event that failed on DynamoDB is reported the same
//! way and comes back after the visibility timeout.

use lambda_runtime::LambdaEvent;
use shop::consumer::{self, Batch, SqsEvent};
use shop::recs::store::{Applied, Interaction, RecsStore};

/// What the function needs, built once per cold start.
pub type Context = RecsStore;

/// Applies each behaviour event of the batch.
///
/// # Errors
/// Never: every failure is reported per message.
pub async fn handler(store: &RecsStore, event: LambdaEvent<SqsEvent>) -> consumer::Answer {
    let mut batch = Batch::parse(event.payload);
    for delivered in std::mem::take(&mut batch.events) {
        let Some(interaction) = Interaction::from_envelope(&delivered.envelope) else {
            batch.reject(&delivered, "a behaviour event");
            continue;
        };
        match store.apply(&interaction).await {
            Ok(Applied::Applied) => {}
            Ok(Applied::Duplicate) => {
                tracing::info!(event_id = %interaction.event_id, "already applied")
            }
            Err(e) => batch.retry(&delivered, &e),
        }
    }
    Ok(batch.finish("learn-similarity"))
}

#[test]
fn the_valid_fixture_is_a_batch_of_behaviour_events() {
    let events = shop::testing::well_formed_batch(shop::fixture!("valid"));
    assert_eq!(events.len(), 2);
    assert!(events
        .iter()
        .all(|d| Interaction::from_envelope(&d.envelope).is_some()));
}

shop::batch_answers! {
    malformed_messages_are_reported_without_touching_the_store: "malformed" => ["bad-time", "goods-change", "no-user", "not-json"];
}
