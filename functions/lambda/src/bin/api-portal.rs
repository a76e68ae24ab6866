//! The `portal` route group behind API Gateway: a customer's services,
//! domains and invoices, and domain renewals.

use hostfront::http::portal;

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    hostfront_lambda::serve_routes(
        portal::routes,
        hostfront_lambda::AwsAdapters::NONE
            .with_mail()
            .with_registrar()
            .with_payments()
            .with_panel()
            .with_tax_ids(),
    )
    .await
}
