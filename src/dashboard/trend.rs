//! The helpfulness trend: share of "Yes" votes per ISO week, as inline SVG (no chart library),
//! with a mark where readers first saw a new revision.

use chrono::{Datelike, NaiveDate, TimeDelta};
use maud::{html, Markup};

use crate::triage::revisions::{RevisionShare, Tally};

pub const WEEKS: i64 = 26;
const W: f64 = 640.0;
const H: f64 = 180.0;
const PAD: f64 = 32.0;

fn week_start(d: NaiveDate) -> NaiveDate {
    d - TimeDelta::days(d.weekday().num_days_from_monday() as i64)
}

/// The first day the trend covers, for the query.
pub fn first_day(today: NaiveDate) -> NaiveDate {
    week_start(today) - TimeDelta::weeks(WEEKS - 1)
}

/// "40 % → 75 %": the helpful share before and after a revision.
pub fn before_after(r: &RevisionShare) -> String {
    let pct = |t: Tally| {
        t.share()
            .map_or("–".into(), |s| format!("{:.0} %", s * 100.0))
    };
    format!("{} → {}", pct(r.before), pct(r.after))
}

/// `days`: (day, helpful, not helpful); `revisions`: each with the share before and after it.
pub fn svg(
    days: &[(NaiveDate, i64, i64)],
    revisions: &[RevisionShare],
    today: NaiveDate,
) -> Markup {
    let start = first_day(today);
    let mut weeks = vec![(0i64, 0i64); WEEKS as usize];
    for (day, h, n) in days {
        let i = (week_start(*day) - start).num_weeks();
        if (0..WEEKS).contains(&i) {
            weeks[i as usize].0 += h;
            weeks[i as usize].1 += n;
        }
    }
    let x = |i: i64| PAD + (W - 2.0 * PAD) * i as f64 / (WEEKS - 1) as f64;
    let y = |share: f64| H - PAD - (H - 2.0 * PAD) * share;
    let points: Vec<(f64, f64, i64, f64)> = weeks
        .iter()
        .enumerate()
        .filter(|(_, (h, n))| h + n > 0)
        .map(|(i, (h, n))| {
            let share = *h as f64 / (h + n) as f64;
            (x(i as i64), y(share), h + n, share)
        })
        .collect();
    let line: String = points
        .iter()
        .map(|(px, py, _, _)| format!("{px:.1},{py:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let marks: Vec<(f64, &RevisionShare)> = revisions
        .iter()
        .filter_map(|r| {
            let i = (week_start(r.first_seen_at.date()) - start).num_weeks();
            (0..WEEKS).contains(&i).then(|| (x(i), r))
        })
        .collect();
    let summary = match points.as_slice() {
        [] => "No votes in the last 26 weeks.".to_string(),
        [only] => format!(
            "1 week with votes; helpful share {:.0} % of {} votes.",
            only.3 * 100.0,
            only.2
        ),
        [first, .., last] => format!(
            "{} weeks with votes; helpful share went from {:.0} % to {:.0} %.",
            points.len(),
            first.3 * 100.0,
            last.3 * 100.0
        ),
    };
    html! {
        figure class="trend" {
            svg viewBox={ "0 0 " (W) " " (H) } role="img" aria-labelledby="trend-title trend-desc" {
                title id="trend-title" { "Helpful share by week, last 26 weeks" }
                desc id="trend-desc" { (summary) }
                @for pct in [0.0, 0.5, 1.0] {
                    line x1=(PAD) x2=(W - PAD) y1=(y(pct)) y2=(y(pct)) stroke="#b1b4b6" stroke-width="1" {}
                    text x="2" y=(y(pct) + 4.0) font-size="11" fill="currentColor" { (format!("{:.0}%", pct * 100.0)) }
                }
                @for (mx, rev) in &marks {
                    line x1=(mx) x2=(mx) y1=(PAD - 8.0) y2=(H - PAD) stroke="#d4351c" stroke-dasharray="4 3" stroke-width="1.5" {}
                    @let (tx, anchor) = if *mx > W / 2.0 { (mx - 3.0, "end") } else { (mx + 3.0, "start") };
                    text x=(tx) y=(PAD - 10.0) font-size="10" text-anchor=(anchor) fill="#d4351c" { "revision " (rev.revision) ": " (before_after(rev)) }
                }
                @if points.len() > 1 {
                    polyline points=(line) fill="none" stroke="#1d5fa6" stroke-width="2.5" {}
                }
                @for (px, py, votes, share) in &points {
                    circle cx=(px) cy=(py) r="4" fill="#1d5fa6" {
                        title { (format!("{:.0} % helpful of {votes} votes", share * 100.0)) }
                    }
                }
                text x=(PAD) y=(H - 8.0) font-size="11" fill="currentColor" { (start.format("%-d %b")) }
                text x=(W - PAD) y=(H - 8.0) font-size="11" text-anchor="end" fill="currentColor" { "this week" }
            }
            figcaption { (summary) " Dashed lines: a new revision first seen by readers, with the helpful share before → after it." }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caption(days: &[(NaiveDate, i64, i64)], today: NaiveDate) -> String {
        let html = svg(days, &[], today).into_string();
        let start = html.find("<figcaption>").expect("caption") + "<figcaption>".len();
        html[start..].split('<').next().unwrap_or("").to_string()
    }

    #[test]
    fn the_caption_says_what_the_votes_show() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert!(caption(&[], today).starts_with("No votes in the last 26 weeks."));
        let one = caption(&[(today, 3, 1)], today);
        assert!(
            one.starts_with("1 week with votes; helpful share 75 % of 4 votes."),
            "{one}"
        );
        let two = caption(&[(today - TimeDelta::weeks(3), 1, 1), (today, 4, 0)], today);
        assert!(
            two.starts_with("2 weeks with votes; helpful share went from 50 % to 100 %."),
            "{two}"
        );
    }
}
