//! Folding near-duplicate reports together: readers often report the same passage, and an
//! editor should see "5 readers" once rather than five cards.

use std::collections::HashSet;

use crate::db::reports::Report;

/// Two texts whose word sets overlap this much (Jaccard) are the same complaint.
const SAME_TEXT: f64 = 0.6;

fn normalise(text: &str) -> String {
    text.to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// What a report is about: its passage, or its details when it quotes none.
fn gist(r: &Report) -> String {
    let text = r
        .quote
        .as_deref()
        .filter(|q| !q.trim().is_empty())
        .or(r.details.as_deref())
        .unwrap_or("");
    normalise(text)
}

fn similar(a: &str, b: &str) -> bool {
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let wa: HashSet<&str> = a.split(' ').collect();
    let wb: HashSet<&str> = b.split(' ').collect();
    let shared = wa.intersection(&wb).count() as f64;
    let all = wa.union(&wb).count() as f64;
    all > 0.0 && shared / all >= SAME_TEXT
}

/// Groups reports in the order given (the first of each group leads it). Reports with no text
/// stay alone, as do reports of different categories.
pub fn group(reports: &[Report]) -> Vec<Vec<&Report>> {
    let mut groups: Vec<(String, Vec<&Report>)> = Vec::new();
    for r in reports {
        let key = gist(r);
        let found = groups
            .iter_mut()
            .find(|(k, members)| members[0].category == r.category && similar(k, &key));
        match found {
            Some((_, members)) => members.push(r),
            None => groups.push((key, vec![r])),
        }
    }
    groups.into_iter().map(|(_, members)| members).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: i64, category: &str, quote: Option<&str>, details: Option<&str>) -> Report {
        let t = chrono::Utc::now().naive_utc();
        Report {
            id,
            article_id: 1,
            category: crate::domain::Category::parse(category).expect("test category"),
            quote: quote.map(str::to_string),
            details: details.map(str::to_string),
            email: None,
            contact_consent: false,
            revision: None,
            status: crate::domain::ReportStatus::New,
            assignee: None,
            visitor_key: String::new(),
            created_at: t,
            updated_at: t,
            closed_at: None,
            passage_status: None,
            passage_revision: None,
        }
    }

    #[test]
    fn the_same_passage_folds_together() {
        let reports = vec![
            report(1, "inaccurate", Some("Take 8 tablets at once."), None),
            report(
                2,
                "inaccurate",
                Some("take 8 tablets at once"),
                Some("wrong"),
            ),
            report(
                3,
                "inaccurate",
                None,
                Some("Take 8 tablets at once is wrong"),
            ),
            report(4, "typo", Some("Take 8 tablets at once."), None),
            report(5, "inaccurate", Some("Iron is found in spinach"), None),
            report(6, "inaccurate", None, None),
            report(7, "inaccurate", None, None),
        ];
        let groups = group(&reports);
        let ids: Vec<Vec<i64>> = groups
            .iter()
            .map(|g| g.iter().map(|r| r.id).collect())
            .collect();
        assert_eq!(ids, vec![vec![1, 2, 3], vec![4], vec![5], vec![6], vec![7]]);
    }
}
