//! DIGIT municipal services (properties, water connections, the calculator, expenses, vendors,
//! events). They may use `business` and `platform`.

pub mod calculator;
pub mod echallan;
pub mod ifix;
pub mod rollout;
pub mod stateview;
pub mod vendor;
pub mod water;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    water::routes(r);
    calculator::routes(r);
    vendor::routes(r);
    echallan::routes(r);
    rollout::routes(r);
    stateview::routes(r);
}
