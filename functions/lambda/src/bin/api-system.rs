//! The `system` route group behind API Gateway.

use hostfront::http::system;

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    hostfront_lambda::serve_routes(system::routes, hostfront_lambda::AwsAdapters::NONE).await
}
