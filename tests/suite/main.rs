//! Hostfront's integration suite: one conformance suite per port, run against
//! every engine of it, and journeys over real HTTP.

mod http_foundation;
mod queue_conformance;
mod table_conformance;
mod worker;
