//! The `accounts` route group behind API Gateway: signup, login, logout, me.

use hostfront::http::accounts;

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    hostfront_lambda::serve_routes(
        accounts::routes,
        hostfront_lambda::AwsAdapters::NONE.with_mail(),
    )
    .await
}
