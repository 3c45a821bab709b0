//! The GP's books as pages (issue 17, item 4): the statements of the Model Accounting System for
//! Panchayats read from the journal (`business::accounts`), each a page under `/home/books`
//! with its PDF and Excel. Here, above the books, because the payables name each bill's vendor.

pub mod pages;

pub use pages::TILES;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    pages::routes(r);
}
