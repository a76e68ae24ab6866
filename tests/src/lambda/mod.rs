//! The Lambda functions run as Lambda runs them, on this machine: a Runtime
//! API per function process (`runtime`), a stand-in for API Gateway that
//! routes as the template does (`gateway`), and a deployment's resources on
//! moto (`stack`). The runtime tests and the cold-start benchmark use them.

pub mod gateway;
pub mod runtime;
pub mod stack;

pub use gateway::{Gateway, api_event};
pub use runtime::{Function, Outcome};
pub use stack::{Stack, sqs_event};
