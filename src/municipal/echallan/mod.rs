//! Expenses (stub until exp-core's face lands).

pub mod pages;

pub use pages::TILES;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    pages::routes(r);
}
