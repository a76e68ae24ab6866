//! The `orders` route group behind API Gateway: place, list, show and pay
//! orders, the DNS zone export and username checks.

use hostfront::http::orders;

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    hostfront_lambda::serve_routes(orders::routes, hostfront_lambda::AwsAdapters::ALL).await
}
