//! A customer's rights over the data held about them: a copy of all of it
//! (`export`) and its erasure (`erasure`).

mod anonymise;
pub mod erasure;
pub mod export;
