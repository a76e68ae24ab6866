//! The `domains` route group behind API Gateway: domain and subdomain checks.

use hostfront::http::RouteGroup;

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    hostfront_lambda::serve_routes(RouteGroup::Domains).await
}
