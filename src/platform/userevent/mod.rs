//! In-app notifications (egov-user-event): the events the scheduled reminders raise for the
//! people of a GP, each person's own state of each (ACTIVE = unread, READ, INACTIVE = closed),
//! and when they last looked. Owns `userevent_*`. Serves `POST /egov-user-event/v1/events/_search`,
//! `events/_update`, `events/notifications/_count` and `events/lat/_update` with the real wire
//! shapes (`api.rs`); the staff pages (`/home/notifications`, the bell) call [`service`].

mod api;
mod repo;
pub mod service;

pub use api::routes;
