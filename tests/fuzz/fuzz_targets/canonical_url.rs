#![no_main]
//! URL canonicalisation on arbitrary input: never panics, and a canonical URL is a fixed point.

use flagpole::domain::{ArticleUrl, SiteRules};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    let rules = SiteRules {
        allowed_hosts: vec!["localhost".into(), "*.example.org".into()],
        tracking_params: vec!["utm_*".into(), "fbclid".into()],
        query_params: vec!["page".into(), "q".into()],
    };
    if let Ok(once) = ArticleUrl::canonicalise(raw, &rules) {
        let twice = ArticleUrl::canonicalise(&once.url, &rules).expect("canonical URLs stay valid");
        assert_eq!(once, twice);
    }
});
