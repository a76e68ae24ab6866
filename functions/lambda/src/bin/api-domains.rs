//! The `domains` route group behind API Gateway: domain and subdomain checks.

use hostfront::http::domains;

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    hostfront_lambda::serve_routes(
        domains::routes,
        hostfront_lambda::AwsAdapters::NONE
            .with_registrar()
            .with_panel(),
    )
    .await
}
