//! The `orders` route group behind API Gateway: place, list, show and pay
//! orders, the DNS zone export and username checks; in a demonstration,
//! also the simulated payment provider's card page and endpoint.

use hostfront::http::{orders, simulated_gateway};

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    hostfront_lambda::serve_routes_and(
        orders::routes,
        hostfront_lambda::AwsAdapters::ALL,
        simulated_gateway::mount,
    )
    .await
}
