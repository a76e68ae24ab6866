//! Hostfront's integration suite: one conformance suite per port, run against
//! every engine of it, and journeys over real HTTP.

mod accounts;
mod domain_search;
mod http_foundation;
mod queue_conformance;
mod registrar_conformance;
mod table_conformance;
mod worker;
