//! The GP's dashboard (product.md §2.7): revenue and expenditure of a period, month by month,
//! with the Surplus/Deficit, the trend chart, the satisfaction scores and the Collections and
//! Expenditure tabs. Owns no table: `service` composes the read-only figures of billing,
//! collection and water (`<module>::service::dashboard`) and echallan's `reports`. Serves
//! `ws-services/wc/_revenueDashboard`, `wc/_revenueCollectionData`,
//! `dashboard-analytics/dashboard/getChartV2` (`api`) and `/home/dashboard` (`pages`).

mod api;
pub mod chart;
pub mod pages;
pub mod service;

pub use pages::TILES;

pub fn routes(r: &mut crate::http::routes::Routes<'_>) {
    api::routes(r);
    pages::routes(r);
}
