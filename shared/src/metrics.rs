//! How many AWS requests each invocation makes, counted by an SDK interceptor on every
//! client (retries included, as AWS bills them), and logged once per request by
//! [`crate::http::run`]: `{"message":"request done","dynamodb":2,"sqs":1,…}`.
//!
//! A Lambda instance handles one invocation at a time, so process-wide counters reset
//! at the start of each invocation count exactly that invocation's requests.

use std::sync::atomic::{AtomicU32, Ordering};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

static DYNAMODB: AtomicU32 = AtomicU32::new(0);
static SQS: AtomicU32 = AtomicU32::new(0);
static SES: AtomicU32 = AtomicU32::new(0);

/// The AWS services the shop calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// DynamoDB.
    DynamoDb,
    /// SQS.
    Sqs,
    /// SES.
    Ses,
}

impl Service {
    fn counter(self) -> &'static AtomicU32 {
        match self {
            Self::DynamoDb => &DYNAMODB,
            Self::Sqs => &SQS,
            Self::Ses => &SES,
        }
    }
}

/// Requests made since the last [`reset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// DynamoDB requests.
    pub dynamodb: u32,
    /// SQS requests.
    pub sqs: u32,
    /// SES requests.
    pub ses: u32,
}

/// Starts counting afresh (at the start of an invocation).
pub fn reset() {
    for service in [Service::DynamoDb, Service::Sqs, Service::Ses] {
        service.counter().store(0, Ordering::Relaxed);
    }
}

/// The counts since the last [`reset`].
pub fn counts() -> Counts {
    Counts {
        dynamodb: DYNAMODB.load(Ordering::Relaxed),
        sqs: SQS.load(Ordering::Relaxed),
        ses: SES.load(Ordering::Relaxed),
    }
}

/// The interceptor that counts one service's requests as they go on the wire.
#[derive(Debug, Clone, Copy)]
pub struct CountRequests(pub Service);

impl Intercept for CountRequests {
    fn name(&self) -> &'static str {
        "CountRequests"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.counter().fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}
