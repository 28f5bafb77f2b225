//! Problems as editors read them, wherever they are listed (the dashboard's cards, the API, alert
//! e-mails, the digest): reports grouped by their problem, and how many readers stand behind
//! each — distinct visitor keys, so one reader reporting a problem three times counts once.

use std::collections::HashMap;

use crate::domain::Category;

/// Groups items by their problem, in the order given (the first of each group leads it). An
/// item in no problem (outside the queue, or not grouped yet) stays alone.
pub fn by_problem<T>(items: &[T], problem_of: impl Fn(&T) -> Option<i64>) -> Vec<Vec<&T>> {
    let mut groups: Vec<Vec<&T>> = Vec::new();
    let mut at: HashMap<i64, usize> = HashMap::new();
    for item in items {
        match problem_of(item) {
            Some(p) => match at.get(&p) {
                Some(&i) => groups[i].push(item),
                None => {
                    at.insert(p, groups.len());
                    groups.push(vec![item]);
                }
            },
            None => groups.push(vec![item]),
        }
    }
    groups
}

/// How many distinct readers sent these reports (their visitor keys).
pub fn count<'a>(visitor_keys: impl IntoIterator<Item = &'a str>) -> usize {
    let mut keys: Vec<&str> = visitor_keys.into_iter().collect();
    keys.sort_unstable();
    keys.dedup();
    keys.len()
}

/// A problem's categories as one label, in `Category::ALL` order: "Inaccurate, Could cause harm".
pub fn categories(of: impl IntoIterator<Item = Category>) -> String {
    let mut categories: Vec<Category> = of.into_iter().collect();
    categories.sort();
    categories.dedup();
    categories
        .iter()
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(", ")
}

/// "1 reader", "3 readers", or "2 readers, 3 reports" when some reader reported it twice.
pub fn phrase(readers: usize, reports: usize) -> String {
    let who = if readers == 1 {
        "1 reader".to_string()
    } else {
        format!("{readers} readers")
    };
    if reports > readers {
        format!("{who}, {reports} reports")
    } else {
        who
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_group_per_problem_in_arrival_order() {
        let items = [
            (9, Some(2)),
            (8, Some(1)),
            (7, Some(2)),
            (6, None),
            (5, None),
            (4, Some(1)),
        ];
        let ids: Vec<Vec<i64>> = by_problem(&items, |i| i.1)
            .iter()
            .map(|g| g.iter().map(|i| i.0).collect())
            .collect();
        assert_eq!(ids, vec![vec![9, 7], vec![8, 4], vec![6], vec![5]]);
    }

    #[test]
    fn a_reader_counts_once_however_often_they_report() {
        assert_eq!(count(["a", "b", "a", "c", "a"]), 3);
        assert_eq!(count(Vec::<&str>::new()), 0);
    }

    #[test]
    fn the_phrase_names_repeat_reports_only_when_there_are_some() {
        assert_eq!(phrase(1, 1), "1 reader");
        assert_eq!(phrase(5, 5), "5 readers");
        assert_eq!(phrase(1, 3), "1 reader, 3 reports");
        assert_eq!(phrase(2, 3), "2 readers, 3 reports");
    }
}
