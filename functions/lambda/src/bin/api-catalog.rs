//! The `catalog` route group behind API Gateway.

use hostfront::http::catalog;

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    hostfront_lambda::serve_routes(catalog::routes, hostfront_lambda::AwsAdapters::NONE).await
}
