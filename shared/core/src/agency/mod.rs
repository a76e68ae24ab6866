//! The agency pipeline. Hosting companies that build their clients'
//! websites take a prospect from a draft site through a proof of concept
//! and a proposal to a live site (`site`), keep a register of the services
//! each client has, provisioned by Hostfront or tracked from elsewhere
//! (`services`), and watch the pipeline's figures (`stats`).
//!
//! Items: `SITE#<id>` / `SITE`, listed newest first in the `SITES` index
//! (gsi1) and by status in `SITES#<status>` (gsi2); `SITE#<id>` /
//! `SERVICE#<id>`, listed by expiry in `CLIENTSERVICES` (gsi1,
//! `service_list`); prospects (`prospects`, `prospect_list`); the periods
//! of tracked services invoiced (`billing`) and paid by hand (`paid`).

pub mod acceptance;
pub mod billing;
mod ending;
mod fields;
pub mod from_prospect;
pub mod going_live;
pub mod links;
pub mod offer;
pub mod paid;
pub mod pitch;
pub mod preview;
pub mod proposal;
pub mod prospect;
pub mod prospect_list;
pub mod prospects;
mod service_input;
pub mod service_list;
pub mod service_moves;
pub mod services;
mod settle;
pub mod site;
mod site_moves;
pub mod stats;
mod upkeep;

use crate::lifecycle::InvalidTransition;
use crate::store::TableError;

/// Why a change to the pipeline was refused.
#[derive(Debug, thiserror::Error)]
pub enum AgencyError {
    /// The request is malformed (422).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// No such site or service (404).
    #[error("no such {0}")]
    NotFound(&'static str),
    /// The lifecycle does not allow the move (409).
    #[error(transparent)]
    Transition(#[from] InvalidTransition),
    /// The record changed between its reading and this change, or the
    /// request conflicts with its state (409).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The panel or the DNS could not answer; nothing changed (503).
    #[error("{0}")]
    Unavailable(String),
    /// What a public link showed has ended (410).
    #[error("{message}")]
    Gone { code: &'static str, message: String },
    #[error(transparent)]
    Table(#[from] TableError),
}

pub(crate) fn invalid(code: &'static str, message: impl Into<String>) -> AgencyError {
    AgencyError::Invalid {
        code,
        message: message.into(),
    }
}

pub(crate) fn moved_on(noun: &str) -> AgencyError {
    AgencyError::Conflict {
        code: "moved_on",
        message: format!("{noun} was changed meanwhile; load it again"),
    }
}

/// A page of a list, and where the next one starts: the staff lists' own.
pub use crate::listing::Listed;

/// What a list reads besides its index (a linked service's record) fails as the list does.
impl From<AgencyError> for crate::listing::ListingError {
    fn from(error: AgencyError) -> Self {
        match error {
            AgencyError::Invalid { code, message } => Self::Invalid { code, message },
            AgencyError::Table(error) => Self::Table(error),
            other => Self::Table(TableError::Backend(other.to_string())),
        }
    }
}
