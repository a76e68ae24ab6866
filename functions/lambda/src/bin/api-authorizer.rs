//! API Gateway's authorizer, in front of every route: a request goes on to
//! its route's function only with CloudFront's origin secret
//! (`X-Hostfront-Origin`). API Gateway refuses a request without the header
//! itself (401, nothing invoked) and keeps each answer for the header's value
//! for five minutes, so CloudFront's requests cost one invocation in five
//! minutes and a request around CloudFront never reaches a route's function.

use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let secret = std::env::var("HOSTFRONT_ORIGIN_SECRET").unwrap_or_default();
    let secret: &'static str = Box::leak(secret.into_boxed_str());
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let authorized = hostfront_lambda::through_cloudfront(&event.payload, secret);
        Ok::<_, Error>(json!({ "isAuthorized": authorized }))
    }))
    .await
}
