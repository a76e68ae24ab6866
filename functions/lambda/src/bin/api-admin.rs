//! The `admin` route group behind API Gateway: the staff console's API.

use hostfront::http::admin;

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    hostfront_lambda::serve_routes(
        admin::routes,
        hostfront_lambda::AwsAdapters::NONE
            .with_mail()
            .with_registrar()
            .with_payments()
            .with_panel(),
    )
    .await
}
