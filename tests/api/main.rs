//! One test binary: the real server over HTTP, on SQLite and (when TEST_DATABASE_URL is set)
//! PostgreSQL.

mod helpers;
mod hostile;
mod schemathesis;
mod smtp;

mod abuse;
mod access;
mod accounts;
mod alerts;
mod browser;
mod catalogue;
mod cli;
mod corrections;
mod crash;
mod dashboard;
mod digest;
mod edge;
mod error_policy;
mod ingest;
mod ingest_errors;
mod lanes;
mod migrations;
mod ops;
mod privacy;
mod privacy_ops;
mod problem_actions;
mod problems;
mod properties;
mod reviews;
mod sessions;
mod sso;
mod tls;
mod triage;
mod webhooks;
mod widget;
