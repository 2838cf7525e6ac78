//! One AWS SDK configuration per cold start, built for Lambda rather than for a laptop.
//!
//! The default `aws-config` chain probes profiles, IMDS and SSO and parses the system's
//! CA bundle before the first request; in Lambda none of that is needed: the runtime
//! puts the region and the execution role's credentials in the environment. So this
//! module reads exactly those variables, compiles Mozilla's root certificates in
//! (`webpki-roots`, no parsing at start-up), and shares one HTTPS connection pool among
//! every client. Endpoints follow the SDK's convention: `AWS_ENDPOINT_URL_<SERVICE>`,
//! then `AWS_ENDPOINT_URL` (how the local stack points the code at its emulators).

use std::time::Duration;

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use aws_smithy_runtime_api::client::behavior_version::BehaviorVersion;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_types::region::Region;
use aws_types::SdkConfig;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector as TcpConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::rt::TokioExecutor;

use crate::audit::AuditCalls;
use crate::config::{self, ConfigError};
use crate::metrics::{CountRequests, Service};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);

/// The shared SDK configuration; build the service clients from it.
#[derive(Debug, Clone)]
pub struct Aws {
    sdk: SdkConfig,
    credentials: Credentials,
}

impl Aws {
    /// Reads region and credentials from the environment Lambda provides.
    ///
    /// # Errors
    /// [`ConfigError::Missing`] naming `AWS_REGION`, `AWS_ACCESS_KEY_ID` or
    /// `AWS_SECRET_ACCESS_KEY` when one is absent.
    pub fn from_env() -> Result<Self, ConfigError> {
        let region = config::optional("AWS_REGION")
            .or_else(|| config::optional("AWS_DEFAULT_REGION"))
            .ok_or(ConfigError::Missing("AWS_REGION"))?;
        let credentials = Credentials::new(
            config::required("AWS_ACCESS_KEY_ID")?,
            config::required("AWS_SECRET_ACCESS_KEY")?,
            config::optional("AWS_SESSION_TOKEN"),
            None,
            "lambda-environment",
        );
        let sdk = SdkConfig::builder()
            .region(Region::new(region))
            .credentials_provider(SharedCredentialsProvider::new(credentials.clone()))
            .http_client(shared_http_client())
            .behavior_version(BehaviorVersion::latest())
            .build();
        Ok(Self { sdk, credentials })
    }

    /// The region requests are signed for.
    pub fn region(&self) -> &str {
        self.sdk.region().map_or("", |r| r.as_ref())
    }

    /// The execution role's credentials, for what the SDK doesn't sign itself (a
    /// presigned S3 POST policy).
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// A DynamoDB client.
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        let mut builder = aws_sdk_dynamodb::config::Builder::from(&self.sdk)
            .interceptor(CountRequests(Service::DynamoDb))
            .interceptor(AuditCalls::Rpc);
        builder.set_endpoint_url(endpoint_url("DYNAMODB"));
        aws_sdk_dynamodb::Client::from_conf(builder.build())
    }

    /// An SES client.
    pub fn ses(&self) -> aws_sdk_ses::Client {
        let mut builder = aws_sdk_ses::config::Builder::from(&self.sdk)
            .interceptor(CountRequests(Service::Ses))
            .interceptor(AuditCalls::Rpc);
        builder.set_endpoint_url(endpoint_url("SES"));
        aws_sdk_ses::Client::from_conf(builder.build())
    }

    /// A Secrets Manager client (read at cold start only, so its calls are not counted).
    pub fn secrets_manager(&self) -> aws_sdk_secretsmanager::Client {
        let mut builder =
            aws_sdk_secretsmanager::config::Builder::from(&self.sdk).interceptor(AuditCalls::Rpc);
        builder.set_endpoint_url(endpoint_url("SECRETS_MANAGER"));
        aws_sdk_secretsmanager::Client::from_conf(builder.build())
    }

    /// An S3 client; path-style addressing when the endpoint is overridden (an
    /// emulator on loopback has no per-bucket host names).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let mut builder = aws_sdk_s3::config::Builder::from(&self.sdk).interceptor(AuditCalls::S3);
        if let Some(endpoint) = endpoint_url("S3") {
            builder = builder.endpoint_url(endpoint).force_path_style(true);
        }
        aws_sdk_s3::Client::from_conf(builder.build())
    }

    /// An SQS client.
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        let mut builder = aws_sdk_sqs::config::Builder::from(&self.sdk)
            .interceptor(CountRequests(Service::Sqs))
            .interceptor(AuditCalls::Rpc);
        builder.set_endpoint_url(endpoint_url("SQS"));
        aws_sdk_sqs::Client::from_conf(builder.build())
    }
}

/// The endpoint override for a service (`S3`, `SQS`, …), as the SDK's environment
/// convention names it.
pub fn endpoint_url(service: &str) -> Option<String> {
    config::optional(&format!("AWS_ENDPOINT_URL_{service}"))
        .or_else(|| config::optional("AWS_ENDPOINT_URL"))
}

/// The connector of every outgoing HTTP client: HTTP/1.1 over TCP (no delay, connecting
/// within 3 s), or TLS with rustls, ring and compiled-in roots.
pub fn https_connector() -> HttpsConnector<TcpConnector> {
    let mut tcp = TcpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    tcp.set_connect_timeout(Some(CONNECT_TIMEOUT));
    hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .expect("ring supports rustls' default protocol versions")
        .https_or_http()
        .enable_http1()
        .wrap_connector(tcp)
}

/// One hyper client for all SDK clients.
fn shared_http_client() -> SharedHttpClient {
    let client = HyperClient::builder(TokioExecutor::new())
        .pool_idle_timeout(Duration::from_secs(60))
        .build(https_connector());
    SharedHttpClient::new(LambdaHttpClient { client })
}

/// The SDK's view of the shared hyper client.
#[derive(Debug, Clone)]
struct LambdaHttpClient {
    client: HyperClient<HttpsConnector<TcpConnector>, SdkBody>,
}

impl HttpConnector for LambdaHttpClient {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let client = self.client.clone();
        HttpConnectorFuture::new(async move {
            let request = request
                .try_into_http1x()
                .map_err(|e| ConnectorError::other(e.into(), None))?;
            let response = tokio::time::timeout(RESPONSE_TIMEOUT, client.request(request))
                .await
                .map_err(|elapsed| ConnectorError::timeout(elapsed.into()))?
                .map_err(|e| ConnectorError::io(e.into()))?;
            HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                .map_err(|e| ConnectorError::other(e.into(), None))
        })
    }
}

impl HttpClient for LambdaHttpClient {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}
