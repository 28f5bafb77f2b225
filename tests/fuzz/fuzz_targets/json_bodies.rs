#![no_main]
//! Every body parser the API uses, on arbitrary bytes: an error or a value, never a panic.

use flagpole::http::body::{parse_form, parse_json};
use flagpole::ingest::validate::{ReportRequest, VoteRequest};
use flagpole::reviews::api::{ReviewBody, ReviewedRequest};
use flagpole::triage::api::{ProblemAction, ProblemPatch, ReportPatch};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_json::<VoteRequest>(data);
    let _ = parse_json::<ReportRequest>(data);
    let _ = parse_json::<ReportPatch>(data);
    if let Ok(patch) = parse_json::<ProblemPatch>(data) {
        let _ = ProblemAction::try_from(patch);
    }
    let _ = parse_json::<ReviewedRequest>(data);
    let _ = parse_json::<ReviewBody>(data);
    let _ = parse_form::<VoteRequest>(data);
});
