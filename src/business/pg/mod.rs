//! pg-service: online payments through gateways.

pub mod gateways;
