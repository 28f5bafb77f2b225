//! Property tests in place of fuzz targets (cargo-fuzz needs a nightly toolchain, which this
//! machine cannot fetch): URL canonicalisation and every JSON body parser, on arbitrary input,
//! never panic, and canonicalisation is stable.

use flagpole::domain::{ArticleUrl, SiteRules};
use flagpole::http::body::{parse_form, parse_json};
use flagpole::ingest::validate::{ReportRequest, VoteRequest};
use flagpole::triage::api::ReportPatch;
use proptest::prelude::*;

fn rules() -> SiteRules {
    SiteRules {
        allowed_hosts: vec!["localhost".into(), "*.example.org".into()],
        tracking_params: vec!["utm_*".into(), "fbclid".into()],
        query_params: vec!["page".into(), "q".into()],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn canonicalisation_never_panics(raw in ".{0,300}") {
        let _ = ArticleUrl::canonicalise(&raw, &rules());
    }

    #[test]
    fn canonical_urls_are_fixed_points(
        host in prop_oneof![Just("localhost"), Just("WWW.Example.org"), Just("a.example.org.")],
        path in "(/[a-zA-Z0-9%._~-]{0,8}){0,4}/?",
        query in proptest::collection::vec(("[a-z_]{1,6}", "[a-zA-Z0-9]{0,6}"), 0..4),
        fragment in proptest::option::of("[a-z]{0,5}"),
    ) {
        let q: Vec<String> = query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut raw = format!("https://{host}{path}");
        if !q.is_empty() { raw.push('?'); raw.push_str(&q.join("&")); }
        if let Some(f) = fragment { raw.push('#'); raw.push_str(&f); }
        if let Ok(once) = ArticleUrl::canonicalise(&raw, &rules()) {
            let twice = ArticleUrl::canonicalise(&once.url, &rules()).expect("a canonical URL is valid");
            prop_assert_eq!(&once, &twice);
            prop_assert!(!once.url.contains('#'));
            prop_assert!(!once.url.contains("utm_"));
        }
    }

    #[test]
    fn json_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse_json::<VoteRequest>(&bytes);
        let _ = parse_json::<ReportRequest>(&bytes);
        let _ = parse_json::<ReportPatch>(&bytes);
        let _ = parse_form::<VoteRequest>(&bytes);
    }

    #[test]
    fn json_parsers_survive_almost_valid_bodies(
        url in ".{0,40}", helpful in any::<bool>(), extra in ".{0,40}", cut in 0usize..120,
    ) {
        let body = format!(r#"{{"article_url": {url:?}, "helpful": {helpful}, "comment": {extra:?}}}"#);
        let bytes = body.as_bytes();
        let _ = parse_json::<VoteRequest>(&bytes[..cut.min(bytes.len())]);
        let _ = parse_json::<VoteRequest>(bytes);
    }
}
