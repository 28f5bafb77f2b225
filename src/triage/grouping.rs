//! The queue's reports as editors see them: one group per stored problem (see `crate::problems`),
//! so that "5 readers" is one card with one row of actions.

use crate::db::reports::Report;

/// Groups reports by their problem, in the order given (the first of each group leads it). A
/// report in no problem (outside the queue, or not grouped yet) stays alone.
pub fn by_problem(reports: &[Report]) -> Vec<Vec<&Report>> {
    let mut groups: Vec<Vec<&Report>> = Vec::new();
    for r in reports {
        let same = groups
            .iter_mut()
            .find(|g| r.problem_id.is_some() && g[0].problem_id == r.problem_id);
        match same {
            Some(group) => group.push(r),
            None => groups.push(vec![r]),
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: i64, problem_id: Option<i64>) -> Report {
        let t = chrono::Utc::now().naive_utc();
        Report {
            id,
            article_id: 1,
            category: crate::domain::Category::Inaccurate,
            quote: None,
            details: None,
            email: None,
            contact_consent: false,
            revision: None,
            status: crate::domain::ReportStatus::New,
            assignee: None,
            visitor_key: String::new(),
            created_at: t,
            updated_at: t,
            closed_at: None,
            lane: crate::domain::Lane::Queue,
            lane_reasons: crate::domain::LaneReasons(Vec::new()),
            fingerprint: None,
            lang: None,
            problem_id,
            passage_status: None,
            passage_revision: None,
        }
    }

    #[test]
    fn one_group_per_problem_in_arrival_order() {
        let reports = vec![
            report(9, Some(2)),
            report(8, Some(1)),
            report(7, Some(2)),
            report(6, None),
            report(5, None),
            report(4, Some(1)),
        ];
        let ids: Vec<Vec<i64>> = by_problem(&reports)
            .iter()
            .map(|g| g.iter().map(|r| r.id).collect())
            .collect();
        assert_eq!(ids, vec![vec![9, 7], vec![8, 4], vec![6], vec![5]]);
    }
}
