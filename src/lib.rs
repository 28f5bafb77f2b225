//! flagpole: readers say whether an article helped and where it is wrong; editors hear about it.
//! See README.md for the product and `../shared/design.md` for the architecture.

pub mod alerts;
pub mod auth;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod delivery;
pub mod digest;
pub mod domain;
pub mod editors;
pub mod errors;
pub mod http;
pub mod ingest;
pub mod lanes;
pub mod mail;
pub mod openapi;
pub mod ops;
pub mod privacy;
pub mod problems;
pub mod reviews;
pub mod startup;
pub mod telemetry;
pub mod triage;
pub mod webhooks;
pub mod widget;
