//! The `orders` route group behind API Gateway: place, list, show and pay
//! orders, the DNS zone export and username checks, the public preview and
//! proposal routes; in a demonstration, also the simulations' own pages:
//! the payment provider's card page and endpoint, the panel's web server.

use hostfront::http::{orders, simulated_pages};

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    hostfront_lambda::serve_routes_and(
        orders::routes,
        hostfront_lambda::AwsAdapters::ALL,
        simulated_pages,
    )
    .await
}
