//! Floor 1: a hello-world `lambda_http` function, nothing else.

use lambda_http::{service_fn, Body, Error, Request, Response};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_http::run(service_fn(|_req: Request| async {
        Ok::<_, Error>(Response::builder().status(200).body(Body::from("hello"))?)
    }))
    .await
}
