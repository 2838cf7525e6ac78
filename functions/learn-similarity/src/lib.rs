//! SQS consumer of the behaviour queue (`view`, `cart`, `purchase`): applies each batch to
//! the users' windows and the purchase counts (`shop::recs::learn`), a purchase exactly
//! once per event id (a view or a cart addition applied twice changes nothing), in one
//! BatchGetItem and as few transactions as the batch needs (usually one).
//!
//! One user's events meet their window in the batch's order. A malformed message (not an
//! event envelope, an unknown type, no user or goods, a bad timestamp) is reported as a
//! batch item failure: after the queue's `maxReceiveCount` it moves to the dead-letter
//! queue, and it never holds back the rest of its batch. An event that failed on DynamoDB
//! is reported the same way and comes back after the visibility timeout.

use lambda_runtime::LambdaEvent;
use shop::consumer::{self, Batch, SqsEvent};
use shop::recs::learn::Outcome;
use shop::recs::store::{Interaction, RecsStore};

/// What the function needs, built once per cold start.
pub type Context = RecsStore;

/// Applies the batch's behaviour events.
///
/// # Errors
/// Never: every failure is reported per message.
pub async fn handler(store: &RecsStore, event: LambdaEvent<SqsEvent>) -> consumer::Answer {
    let mut batch = Batch::parse(event.payload);
    let mut accepted = Vec::new();
    for delivered in std::mem::take(&mut batch.events) {
        match Interaction::from_envelope(&delivered.envelope) {
            Some(interaction) => accepted.push((delivered, interaction)),
            None => batch.reject(&delivered, "a behaviour event"),
        }
    }
    let interactions: Vec<Interaction> = accepted.iter().map(|(_, i)| i.clone()).collect();
    for ((delivered, _), outcome) in accepted.iter().zip(store.apply(&interactions).await) {
        if let Outcome::Failed(e) = outcome {
            batch.retry(delivered, &e);
        }
    }
    Ok(batch.finish("learn-similarity"))
}

#[test]
fn the_valid_fixture_is_a_batch_of_behaviour_events() {
    let events = shop_testing::well_formed_batch(shop_testing::fixture!("valid"));
    assert_eq!(events.len(), 2);
    assert!(events
        .iter()
        .all(|d| Interaction::from_envelope(&d.envelope).is_some()));
}

#[cfg(test)]
shop_testing::batch_answers! {
    malformed_messages_are_reported_without_touching_the_store: "malformed" => ["bad-time", "goods-change", "no-user", "not-json"];
}
