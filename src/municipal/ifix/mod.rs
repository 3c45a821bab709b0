//! The iFIX fiscal-event export (product.md §5.3, the original's `mgramseva-ifix-adapter`): a
//! water demand becomes a Demand event, an expense demand a Bill event, a water receipt a
//! Receipt event and an expense payment a Payment event, each amount with the chart-of-accounts
//! code of its tax head (`data/mdms/ifix-coa.json`). The job `ifix-export` scans new records
//! since its watermark into `ifix_event` (one per source record and event type, never twice)
//! and pushes the pending ones through the configured adapter (`[ifix]`: `none` or `http`,
//! posting to `/events/v1/_push` with retries and a growing wait).

pub mod coa;
pub mod push;
pub mod service;
