//! A payment and its one state machine; a refund and its own.
//!
//! ```text
//! pending ──succeeded──▶ succeeded ──refund asked──▶ refund_pending ──refunded──▶ refunded
//!    ├──failed──▶ failed                                   ▲
//!    ├──expired (with its order)──▶ expired                 │
//!    └── pending, expired or failed, then captured anyway ──┘  (money the order can't take)
//! ```
//!
//! [`PaymentStatus::allows`] is the only place that says which move is allowed; every
//! write of a move is conditional on the status it was read in, so nothing moves
//! backwards or twice (a late `payment.failed` after a success changes nothing).
//! A refund (one per payment, for its whole amount) goes `requested → submitted →
//! refunded`: requested in the same transaction as the payment's move to
//! `refund_pending`, submitted once the provider accepted it, refunded by the provider's
//! `payment.refunded` webhook.

use serde::{Deserialize, Serialize};

use crate::orders::order::PaymentMethod;

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Handed to the provider; the buyer hasn't paid yet.
    Pending,
    /// The provider took the money and the order is paid.
    Succeeded,
    /// The provider refused it.
    Failed,
    /// Its order expired unpaid.
    Expired,
    /// The money is being given back.
    RefundPending,
    /// The provider gave the money back.
    Refunded,
}

impl PaymentStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::RefundPending => "refund_pending",
            Self::Refunded => "refunded",
        }
    }

    /// Whether the lifecycle allows moving from this status to `to`. Money captured for
    /// a payment that was still pending, or had already expired or failed, when its
    /// order could no longer take it goes straight to `refund_pending`.
    pub fn allows(self, to: PaymentStatus) -> bool {
        use PaymentStatus::*;
        matches!(
            (self, to),
            (Pending, Succeeded | Failed | Expired)
                | (Succeeded | Pending | Expired | Failed, RefundPending)
                | (RefundPending, Refunded)
        )
    }
}

/// A payment order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Payment {
    /// Id handed to the provider.
    pub payment_id: String,
    /// The order it pays.
    pub order_id: String,
    /// The buyer.
    #[serde(skip_serializing)]
    #[serde(default)]
    pub buyer_id: String,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// `alipay`, `wechat_pay` or `card`.
    pub method: PaymentMethod,
    /// Where it stands.
    pub status: PaymentStatus,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: after this the provider must not take the money (a minute before the
    /// order expires).
    pub expires_at: String,
    /// The provider's page where the buyer pays.
    pub checkout_url: String,
}

/// A payment as an order lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PaymentSummary {
    /// Id handed to the provider.
    pub payment_id: String,
    /// Where it stands.
    pub status: PaymentStatus,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// RFC 3339.
    pub created_at: String,
}

impl From<Payment> for PaymentSummary {
    fn from(p: Payment) -> Self {
        Self {
            payment_id: p.payment_id,
            status: p.status,
            amount: p.amount,
            currency: p.currency,
            created_at: p.created_at,
        }
    }
}

/// Why money is given back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// The buyer cancelled the paid order.
    BuyerCancelled,
    /// The merchant can't fulfil it.
    MerchantRefund,
    /// The money arrived for an order that had been cancelled or had expired.
    OrderNotPayable,
    /// A second payment succeeded for an order already paid.
    DuplicatePayment,
}

impl RefundReason {
    /// Whether the order itself moves with this refund (`refund_pending → refunded`),
    /// or only the payment does.
    pub fn moves_the_order(self) -> bool {
        matches!(self, Self::BuyerCancelled | Self::MerchantRefund)
    }
}

/// Where a refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundState {
    /// Recorded; not yet accepted by the provider.
    Requested,
    /// The provider accepted the request.
    Submitted,
    /// The provider confirmed it with `payment.refunded`.
    Refunded,
}

impl RefundState {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Submitted => "submitted",
            Self::Refunded => "refunded",
        }
    }
}

/// A refund: the whole of one payment, given back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    /// The payment refunded; also the refund's id and the provider's idempotency key.
    pub payment_id: String,
    /// The order the payment was for.
    pub order_id: String,
    /// Minor units.
    pub amount: i64,
    /// ISO 4217.
    pub currency: String,
    /// Why.
    pub reason: RefundReason,
    /// The merchant's words, for a merchant's refund.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where it stands.
    pub status: RefundState,
    /// RFC 3339.
    pub requested_at: String,
    /// RFC 3339, once the provider accepted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<String>,
    /// The provider's id for it, once accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_refund_id: Option<String>,
    /// RFC 3339, once refunded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
}

impl Refund {
    /// A refund of the whole of `payment`, asked for at `at`.
    pub fn of(payment: &Payment, reason: RefundReason, at: &str) -> Self {
        Self::requested(
            &payment.payment_id,
            &payment.order_id,
            payment.amount,
            &payment.currency,
            reason,
            at,
        )
    }

    /// A refund of `amount` of the payment `payment_id` for `order_id`, asked for at `at`.
    pub fn requested(
        payment_id: &str,
        order_id: &str,
        amount: i64,
        currency: &str,
        reason: RefundReason,
        at: &str,
    ) -> Self {
        Self {
            payment_id: payment_id.to_owned(),
            order_id: order_id.to_owned(),
            amount,
            currency: currency.to_owned(),
            reason,
            note: None,
            status: RefundState::Requested,
            requested_at: at.to_owned(),
            submitted_at: None,
            provider_refund_id: None,
            completed_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PaymentStatus::*;

    #[test]
    fn payments_only_move_forward() {
        for (from, to) in [
            (Pending, Succeeded),
            (Pending, Failed),
            (Pending, Expired),
            (Succeeded, RefundPending),
            (Expired, RefundPending),
            (Failed, RefundPending),
            (Pending, RefundPending),
            (RefundPending, Refunded),
        ] {
            assert!(from.allows(to), "{from:?} → {to:?}");
        }
        for (from, to) in [
            (Succeeded, Failed),
            (Succeeded, Pending),
            (Failed, Succeeded),
            (Expired, Succeeded),
            (Refunded, RefundPending),
            (Refunded, Succeeded),
            (RefundPending, Succeeded),
            (Succeeded, Refunded),
            (Succeeded, Expired),
        ] {
            assert!(!from.allows(to), "{from:?} → {to:?}");
        }
    }
}
