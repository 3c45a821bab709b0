//! The chart-of-accounts code of each tax head: the books' chart (`business::accounts::coa`),
//! which the iFIX export shares.

pub use crate::business::accounts::coa::code_of;
