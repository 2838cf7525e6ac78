//! An order and its one state machine.
//!
//! ```text
//! pending_payment ──paid (webhook)──▶ paid ──ship (merchant)──▶ shipped ──confirm (buyer)──▶ delivered
//!        │                             └──cancel (buyer) or refund (merchant)──▶ refund_pending ──refunded (webhook)──▶ refunded
//!        └──cancel (buyer) or expiry (system)──▶ cancelled
//! ```
//!
//! [`Order::transition`] is the only place that says which move is allowed and who may
//! make it. It answers a [`Transition`], which the repository turns into a write
//! conditional on the status it was read in and on the actor's ownership, so two
//! concurrent changes can't both win and nothing moves backwards.

use serde::{Deserialize, Serialize};

use super::address::ShippingAddress;

/// How long an unpaid order holds its stock.
pub const PAYMENT_WINDOW_SECS: i64 = 30 * 60;
/// Most lines in one order: DynamoDB's transaction takes 100 items; placing an order
/// writes each line's goods and cart line, the order and its idempotency record, and
/// paying it each line's goods and purchase record, the order, the payment and the
/// webhook event (83 at 40 lines).
pub const MAX_LINES: usize = 40;

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, stock reserved, not paid yet.
    PendingPayment,
    /// Paid.
    Paid,
    /// Handed to a carrier.
    Shipped,
    /// Received by the buyer.
    Delivered,
    /// Cancelled before payment (by the buyer or by expiry); stock returned.
    Cancelled,
    /// Paid, then cancelled by the buyer or refunded by the merchant before shipping:
    /// stock returned, the payment being refunded.
    RefundPending,
    /// The provider confirmed the refund.
    Refunded,
}

impl OrderStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingPayment => "pending_payment",
            Self::Paid => "paid",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
            Self::RefundPending => "refund_pending",
            Self::Refunded => "refunded",
        }
    }

    /// Parses a wire name.
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::PendingPayment,
            Self::Paid,
            Self::Shipped,
            Self::Delivered,
            Self::Cancelled,
            Self::RefundPending,
            Self::Refunded,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// How the buyer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Alipay.
    Alipay,
    /// WeChat Pay.
    WechatPay,
    /// A card.
    Card,
}

/// Units of one line: 1–99.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Quantity(u32);

/// Why a quantity was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be an integer from 1 to 99")]
pub struct InvalidQuantity;

impl Quantity {
    /// Parses a quantity.
    ///
    /// # Errors
    /// [`InvalidQuantity`] outside 1–99.
    pub fn new(units: i64) -> Result<Self, InvalidQuantity> {
        u32::try_from(units)
            .ok()
            .filter(|u| (1..=99).contains(u))
            .map(Self)
            .ok_or(InvalidQuantity)
    }

    /// Units.
    pub fn get(self) -> u32 {
        self.0
    }
}

/// One line of an order: name and unit price are copied when ordered, so history
/// survives later changes to the goods.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderLine {
    /// Goods id.
    pub goods_id: String,
    /// Name when ordered.
    pub name: String,
    /// Unit price when ordered, minor units.
    pub unit_price: i64,
    /// Units, 1 to 99.
    pub quantity: u32,
}

/// One entry of the status history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct StatusChange {
    /// The new status.
    pub status: OrderStatus,
    /// When (RFC 3339).
    pub at: String,
}

/// Carrier and tracking number of a shipped order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Shipment {
    /// Carrier.
    pub carrier: String,
    /// Tracking number.
    pub tracking_number: String,
}

/// An order as stored and as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Order {
    /// ULID.
    pub order_id: String,
    /// Who ordered.
    pub buyer_id: String,
    /// Whose goods.
    pub merchant_id: String,
    /// Current status.
    pub status: OrderStatus,
    /// Lines, at most 40, one per goods item.
    pub items: Vec<OrderLine>,
    /// Sum of lines, minor units.
    pub total: i64,
    /// ISO 4217.
    pub currency: String,
    /// Where to deliver.
    pub shipping_address: ShippingAddress,
    /// How the buyer pays.
    pub payment_method: PaymentMethod,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339: when an unpaid order expires.
    pub expires_at: String,
    /// Oldest first.
    pub status_history: Vec<StatusChange>,
    /// Set once shipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipment: Option<Shipment>,
    /// Set once a refund of the paid order was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund: Option<OrderRefund>,
}

/// Where a refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Asked for; the provider hasn't confirmed it yet.
    Pending,
    /// The provider confirmed it.
    Refunded,
}

/// The refund of a paid order, as the order shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct OrderRefund {
    /// Where it stands.
    pub status: RefundStatus,
    /// Minor units: the whole payment.
    pub amount: i64,
    /// RFC 3339.
    pub requested_at: String,
    /// RFC 3339, once refunded.
    pub completed_at: Option<String>,
}

/// What a move does to the goods' stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StockEffect {
    /// Nothing.
    None,
    /// The order's reserved units become orderable again (unpaid order cancelled).
    Release,
    /// The order's sold units become orderable again (paid order refunded).
    Restock,
}

/// Who asks for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor<'a> {
    /// The buyer with this id.
    Buyer(&'a str),
    /// The merchant with this id.
    Merchant(&'a str),
    /// The shop itself: expiry, and the payment provider's webhook.
    System,
}

/// A move the lifecycle allows, ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition<'a> {
    /// The status the order was read in: the write's condition.
    pub from: OrderStatus,
    /// The status it moves to.
    pub to: OrderStatus,
    /// Who makes it: the write is also conditional on their ownership.
    pub actor: Actor<'a>,
    /// When (RFC 3339).
    pub at: String,
}

impl Transition<'_> {
    /// What the move does to the goods' stock: each move that takes an order out of
    /// the sale gives its units back, exactly once, since the move itself happens once.
    pub fn stock_effect(&self) -> StockEffect {
        match (self.from, self.to) {
            (_, OrderStatus::Cancelled) => StockEffect::Release,
            (_, OrderStatus::RefundPending) => StockEffect::Restock,
            _ => StockEffect::None,
        }
    }
}

/// Why a status change was refused.
#[derive(Debug, thiserror::Error)]
pub enum TransitionError {
    /// No such order, or not the actor's: 404.
    #[error("not found")]
    NotFound,
    /// The order's status doesn't allow the change (or not by this actor): 409.
    #[error("the order is {}", .0.as_str())]
    Invalid(OrderStatus),
    /// The order could change from the status it was read in (named), but a condition
    /// of another write in the same transaction failed (a webhook event recorded
    /// before, a payment that moved meanwhile): nothing changed.
    #[error("another write of the transaction was refused")]
    OtherWriteRefused(OrderStatus),
    /// DynamoDB failed: 500.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
}

impl Order {
    /// The move to `to` by `actor` at `at`, if the lifecycle allows it from the status
    /// this order was read in.
    ///
    /// # Errors
    /// [`TransitionError::NotFound`] when the order isn't the actor's,
    /// [`TransitionError::Invalid`] when the move isn't allowed now or not to them.
    pub fn transition<'a>(
        &self,
        to: OrderStatus,
        actor: Actor<'a>,
        at: &str,
    ) -> Result<Transition<'a>, TransitionError> {
        use OrderStatus::*;
        let owns = match actor {
            Actor::Buyer(id) => id == self.buyer_id,
            Actor::Merchant(id) => id == self.merchant_id,
            Actor::System => true,
        };
        if !owns {
            return Err(TransitionError::NotFound);
        }
        let allowed = match (self.status, to) {
            (PendingPayment, Paid) => actor == Actor::System,
            (PendingPayment, Cancelled) => matches!(actor, Actor::Buyer(_) | Actor::System),
            (Paid, Shipped) => matches!(actor, Actor::Merchant(_)),
            (Shipped, Delivered) => matches!(actor, Actor::Buyer(_)),
            (Paid, RefundPending) => matches!(actor, Actor::Buyer(_) | Actor::Merchant(_)),
            (RefundPending, Refunded) => actor == Actor::System,
            _ => false,
        };
        if !allowed {
            return Err(TransitionError::Invalid(self.status));
        }
        Ok(Transition {
            from: self.status,
            to,
            actor,
            at: at.to_owned(),
        })
    }

    /// This order once `transition` (and `shipment`, when it ships) has been stored.
    pub fn after(&self, transition: &Transition<'_>, shipment: Option<Shipment>) -> Order {
        let mut changed = self.clone();
        changed.status = transition.to;
        changed.status_history.push(StatusChange {
            status: transition.to,
            at: transition.at.clone(),
        });
        changed.shipment = shipment.or(changed.shipment);
        match transition.to {
            OrderStatus::RefundPending => {
                changed.refund = Some(OrderRefund {
                    status: RefundStatus::Pending,
                    amount: self.total,
                    requested_at: transition.at.clone(),
                    completed_at: None,
                })
            }
            OrderStatus::Refunded => {
                if let Some(refund) = &mut changed.refund {
                    refund.status = RefundStatus::Refunded;
                    refund.completed_at = Some(transition.at.clone());
                }
            }
            _ => {}
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrderStatus::*;

    fn order(status: OrderStatus) -> Order {
        Order {
            order_id: crate::ids::new_id(),
            buyer_id: "buyer".into(),
            merchant_id: "merchant".into(),
            status,
            items: Vec::new(),
            total: 0,
            currency: "CNY".into(),
            shipping_address: serde_json::from_value(serde_json::json!({
                "recipient": "Li Lei", "phone": "+86 138 0000 0000", "line1": "1 Jianguo Rd",
                "city": "Beijing", "country": "CN"
            }))
            .unwrap(),
            payment_method: PaymentMethod::Alipay,
            created_at: "2026-01-01T00:00:00Z".into(),
            expires_at: "2026-01-01T00:30:00Z".into(),
            status_history: Vec::new(),
            shipment: None,
            refund: None,
        }
    }

    fn allowed(from: OrderStatus, to: OrderStatus, actor: Actor<'_>) -> bool {
        order(from).transition(to, actor, "now").is_ok()
    }

    #[test]
    fn orders_only_move_forward_and_only_by_whom_each_move_belongs_to() {
        let (buyer, merchant) = (Actor::Buyer("buyer"), Actor::Merchant("merchant"));
        assert!(allowed(PendingPayment, Paid, Actor::System));
        assert!(allowed(PendingPayment, Cancelled, buyer));
        assert!(allowed(PendingPayment, Cancelled, Actor::System));
        assert!(allowed(Paid, Shipped, merchant));
        assert!(allowed(Shipped, Delivered, buyer));
        assert!(allowed(Paid, RefundPending, buyer));
        assert!(allowed(Paid, RefundPending, merchant));
        assert!(allowed(RefundPending, Refunded, Actor::System));
        for (from, to, actor) in [
            (Paid, RefundPending, Actor::System),
            (Shipped, RefundPending, buyer),
            (PendingPayment, RefundPending, buyer),
            (RefundPending, Refunded, buyer),
            (RefundPending, Paid, Actor::System),
            (Refunded, RefundPending, merchant),
            (Paid, Refunded, Actor::System),
            (Paid, PendingPayment, Actor::System),
            (Cancelled, Paid, Actor::System),
            (Paid, Cancelled, buyer),
            (Delivered, Shipped, merchant),
            (PendingPayment, Shipped, merchant),
            (PendingPayment, Paid, buyer),
            (Paid, Shipped, Actor::System),
            (Shipped, Delivered, merchant),
        ] {
            assert!(!allowed(from, to, actor), "{from:?} → {to:?} by {actor:?}");
        }
    }

    #[test]
    fn someone_elses_order_is_not_found() {
        let refused = order(PendingPayment).transition(Cancelled, Actor::Buyer("other"), "now");
        assert!(matches!(refused, Err(TransitionError::NotFound)));
        let refused = order(Paid).transition(Shipped, Actor::Merchant("other"), "now");
        assert!(matches!(refused, Err(TransitionError::NotFound)));
    }

    #[test]
    fn a_refused_move_names_the_status_it_was_refused_in() {
        let refused = order(Shipped).transition(Cancelled, Actor::Buyer("buyer"), "now");
        assert!(matches!(refused, Err(TransitionError::Invalid(Shipped))));
    }

    #[test]
    fn only_leaving_the_sale_returns_stock_and_the_history_grows_by_one() {
        let pending = order(PendingPayment);
        let cancel = pending.transition(Cancelled, Actor::System, "t1").unwrap();
        assert_eq!(cancel.stock_effect(), StockEffect::Release);
        let cancelled = pending.after(&cancel, None);
        assert_eq!(cancelled.status, Cancelled);
        assert_eq!(cancelled.status_history.last().unwrap().at, "t1");
        let pay = pending.transition(Paid, Actor::System, "t").unwrap();
        assert_eq!(pay.stock_effect(), StockEffect::None);
        let paid = order(Paid);
        let refund = paid
            .transition(RefundPending, Actor::Buyer("buyer"), "t2")
            .unwrap();
        assert_eq!(refund.stock_effect(), StockEffect::Restock);
    }

    #[test]
    fn a_refund_is_shown_pending_then_completed_on_the_order() {
        let mut paid = order(Paid);
        paid.total = 1234;
        let asked = paid
            .transition(RefundPending, Actor::Merchant("merchant"), "t1")
            .unwrap();
        let pending = paid.after(&asked, None);
        let refund = pending.refund.clone().unwrap();
        assert_eq!(
            (refund.status, refund.amount, refund.requested_at.as_str()),
            (RefundStatus::Pending, 1234, "t1")
        );
        let done = pending.transition(Refunded, Actor::System, "t2").unwrap();
        let refunded = pending.after(&done, None);
        let refund = refunded.refund.unwrap();
        assert_eq!(
            (refund.status, refund.completed_at.as_deref()),
            (RefundStatus::Refunded, Some("t2"))
        );
    }

    #[test]
    fn quantities_run_from_1_to_99() {
        assert!(
            Quantity::new(0).is_err() && Quantity::new(100).is_err() && Quantity::new(-1).is_err()
        );
        assert_eq!(Quantity::new(99).unwrap().get(), 99);
    }

    #[test]
    fn statuses_round_trip_their_wire_names() {
        assert_eq!(
            OrderStatus::parse("pending_payment"),
            Some(OrderStatus::PendingPayment)
        );
        assert_eq!(OrderStatus::parse("lost"), None);
    }
}
