//! DIGIT municipal services (properties, water connections, the calculator, expenses, vendors,
//! events). They may use `business` and `platform`.

pub mod books;
pub mod calculator;
pub mod dashboard;
pub mod echallan;
pub mod gpwsc;
pub mod ifix;
pub mod rollout;
pub mod stateview;
pub mod vendor;
pub mod water;
pub mod wsreports;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    water::routes(r);
    books::routes(r);
    calculator::routes(r);
    vendor::routes(r);
    echallan::routes(r);
    rollout::routes(r);
    dashboard::routes(r);
    wsreports::routes(r);
    gpwsc::routes(r);
    stateview::routes(r);
}
