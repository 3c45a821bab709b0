//! Integration tests: one binary, a module per area. Each test gets its own database.

#![expect(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod helpers;

mod app_client;
mod app_i18n;
mod app_link;
mod app_models;
mod app_replay;
mod app_user;
mod app_water;
mod apportion;
mod billing;
mod browser;
mod calculator;
mod citizen;
mod collect_pages;
mod demand_pages;
mod demo;
mod envelope;
mod error_pages;
mod expense;
mod expense_pages;
mod expense_reports;
mod filestore;
mod fuzz;
mod gateway;
mod harness;
mod hrms;
mod identity;
mod idgen;
mod ifix;
mod import_pages;
mod jobruns;
mod layout;
mod localization;
mod location;
mod logs;
mod matrix;
mod mdms;
mod names;
mod ops;
mod pages;
mod pg;
mod pg_gateways;
mod register;
mod register_pdf;
mod rollout;
mod security;
mod seed;
mod shortener;
mod water;
