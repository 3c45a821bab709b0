//! The GP's books (product.md §5.3; Model Accounting System for Panchayats, 2009): a double-entry
//! journal (`accounts_entry`, `accounts_line`) under the chart of accounts of `coa` (the iFIX
//! codes of the tax heads, with cash, receivables from consumers, advance from consumers and
//! payables to vendors). Billing and collection post to it in the same transaction as every
//! money event (`service::post`, `service::post_new_demands`); the database refuses a line with
//! both or neither side and, at commit, an entry that does not balance. The statements (receipts
//! and payments, reconciliation, receivables, payables, demand-collection-balance) are read from
//! the journal (`statements`), and the ledger check compares it with the ledger (`service::check`).
//! Owns `accounts_*`.

pub mod coa;
mod model;
mod repo;
pub mod service;
pub mod statements;
