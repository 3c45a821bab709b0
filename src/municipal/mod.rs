//! DIGIT municipal services (properties, water connections, the calculator, expenses, vendors,
//! events). They may use `business` and `platform`.

pub mod calculator;
pub mod water;

pub fn routes(cfg: &mut actix_web::web::ServiceConfig) {
    water::routes(cfg);
    calculator::routes(cfg);
}
