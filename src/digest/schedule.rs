//! When the digest is due, in the configured local time, and which ISO week it covers. Every
//! function takes the instant to judge (`now`) as a parameter: the scheduler passes the real time,
//! tests pass whatever instant they want to ask about.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use crate::config::{DigestHour, DigestSettings};

/// A week as ISO 8601 numbers it (Monday to Sunday; week 1 holds the year's first Thursday).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IsoWeek {
    year: i32,
    week: u32,
}

impl IsoWeek {
    pub fn containing(date: NaiveDate) -> IsoWeek {
        let w = date.iso_week();
        IsoWeek {
            year: w.year(),
            week: w.week(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn week(self) -> u32 {
        self.week
    }

    pub fn monday(self) -> NaiveDate {
        // Only weeks that exist are ever constructed (see `from_str` and `containing`).
        NaiveDate::from_isoywd_opt(self.year, self.week, Weekday::Mon).unwrap_or_default()
    }

    pub fn sunday(self) -> NaiveDate {
        self.monday() + Days::new(6)
    }

    pub fn previous(self) -> IsoWeek {
        IsoWeek::containing(self.monday() - Days::new(7))
    }
}

impl fmt::Display for IsoWeek {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-W{:02}", self.year, self.week)
    }
}

impl FromStr for IsoWeek {
    type Err = String;

    /// `2026-W47` (also `2026-w47`).
    fn from_str(s: &str) -> Result<IsoWeek, String> {
        let bad = || format!("{s:?} is not an ISO week like 2026-W47");
        let (year, week) = s.split_once(['W', 'w']).ok_or_else(bad)?;
        let year: i32 = year
            .strip_suffix('-')
            .ok_or_else(bad)?
            .parse()
            .map_err(|_| bad())?;
        let week: u32 = week.parse().map_err(|_| bad())?;
        NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
            .map(IsoWeek::containing)
            .ok_or_else(|| format!("{year} has no week {week}"))
    }
}

/// The configured moment of the week, in its time zone.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub weekday: Weekday,
    pub hour: DigestHour,
    pub tz: Tz,
}

impl Schedule {
    pub fn from_settings(s: &DigestSettings) -> Schedule {
        Schedule {
            weekday: s.weekday.to_chrono(),
            hour: s.hour,
            tz: s.time_zone,
        }
    }

    /// The most recent scheduled moment at or before `now`.
    pub fn last_run(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let today = now.with_timezone(&self.tz).date_naive();
        let back =
            (today.weekday().num_days_from_monday() + 7 - self.weekday.num_days_from_monday()) % 7;
        let day = today - Days::new(back.into());
        let at = self.run_on(day);
        if at <= now {
            at
        } else {
            self.run_on(day - Days::new(7))
        }
    }

    /// The first scheduled moment after `now`.
    pub fn next_run(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let last = self.last_run(now).with_timezone(&self.tz).date_naive();
        self.run_on(last + Days::new(7))
    }

    /// The week whose digest is due at `now`: the one that ended before the latest scheduled
    /// moment. It stays due until the next scheduled moment, so an instance that was down at the
    /// moment itself still sends it when it starts.
    pub fn due_week(&self, now: DateTime<Utc>) -> IsoWeek {
        let run_day = self.last_run(now).with_timezone(&self.tz).date_naive();
        IsoWeek::containing(run_day - Days::new(7))
    }

    /// The last complete week before `now`, in local time: what `flagpole digest` defaults to.
    pub fn week_just_ended(&self, now: DateTime<Utc>) -> IsoWeek {
        IsoWeek::containing(now.with_timezone(&self.tz).date_naive() - Days::new(7))
    }

    /// The week as instants: from Monday 00:00 local time up to the next Monday 00:00.
    pub fn bounds(&self, week: IsoWeek) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = week.monday();
        (
            local_instant(self.tz, start.and_time(NaiveTime::MIN)),
            local_instant(self.tz, (start + Days::new(7)).and_time(NaiveTime::MIN)),
        )
    }

    fn run_on(&self, day: NaiveDate) -> DateTime<Utc> {
        local_instant(self.tz, day.and_time(self.hour.time()))
    }
}

/// A local wall-clock time as an instant. When clocks go back and the time happens twice, the
/// first; when they go forward and it never happens, the first moment after the gap.
fn local_instant(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    // Gaps are at most an hour or two wherever clocks change; probe forward in minutes.
    for minutes in 0..=180 {
        let probe = local + chrono::TimeDelta::minutes(minutes);
        if let Some(at) = tz.from_local_datetime(&probe).earliest() {
            return at.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&local)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DigestWeekday;

    fn london() -> Schedule {
        Schedule::from_settings(&DigestSettings {
            enabled: true,
            weekday: DigestWeekday::Monday,
            hour: DigestHour::try_from(8).unwrap(),
            time_zone: chrono_tz::Europe::London,
            items_per_section: 5,
            min_votes_for_drop: 10,
        })
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn week(s: &str) -> IsoWeek {
        s.parse().unwrap()
    }

    #[test]
    fn weeks_parse_and_print() {
        assert_eq!(week("2026-W47").to_string(), "2026-W47");
        assert_eq!(week("2026-w05").to_string(), "2026-W05");
        assert_eq!(
            week("2026-W47").monday(),
            NaiveDate::from_ymd_opt(2026, 11, 16).unwrap()
        );
        assert_eq!(
            week("2026-W47").sunday(),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
        );
        assert_eq!(week("2026-W01").previous(), week("2025-W52"));
        assert_eq!(week("2027-W01").previous(), week("2026-W53"));
        assert!("2025-W53"
            .parse::<IsoWeek>()
            .unwrap_err()
            .contains("no week 53"));
        for bad in ["2026-47", "W47", "2026-Wx", "2026-W0", ""] {
            assert!(bad.parse::<IsoWeek>().is_err(), "{bad}");
        }
    }

    #[test]
    fn winter_monday_0800_london_is_0800_utc() {
        let s = london();
        // Monday 2026-01-12, GMT.
        assert_eq!(
            s.last_run(utc("2026-01-12T08:00:00Z")),
            utc("2026-01-12T08:00:00Z")
        );
        assert_eq!(s.due_week(utc("2026-01-12T08:00:00Z")), week("2026-W02"));
        assert_eq!(s.due_week(utc("2026-01-12T07:59:59Z")), week("2026-W01"));
        assert_eq!(
            s.next_run(utc("2026-01-12T07:59:59Z")),
            utc("2026-01-12T08:00:00Z")
        );
        assert_eq!(
            s.next_run(utc("2026-01-12T08:00:00Z")),
            utc("2026-01-19T08:00:00Z")
        );
    }

    #[test]
    fn summer_monday_0800_london_is_0700_utc() {
        let s = london();
        // Monday 2026-06-15, BST.
        assert_eq!(
            s.last_run(utc("2026-06-15T07:00:00Z")),
            utc("2026-06-15T07:00:00Z")
        );
        assert_eq!(s.due_week(utc("2026-06-15T07:00:00Z")), week("2026-W24"));
        assert_eq!(s.due_week(utc("2026-06-15T06:59:59Z")), week("2026-W23"));
        // A whole week later, still the same digest until the next Monday.
        assert_eq!(s.due_week(utc("2026-06-22T06:59:59Z")), week("2026-W24"));
    }

    #[test]
    fn weeks_around_the_clock_changes() {
        let s = london();
        // Clocks go forward on Sunday 2026-03-29: the Monday before is GMT, the Monday after BST.
        assert_eq!(
            s.next_run(utc("2026-03-20T12:00:00Z")),
            utc("2026-03-23T08:00:00Z")
        );
        assert_eq!(
            s.next_run(utc("2026-03-23T08:00:00Z")),
            utc("2026-03-30T07:00:00Z")
        );
        assert_eq!(s.due_week(utc("2026-03-30T07:00:00Z")), week("2026-W13"));
        assert_eq!(s.due_week(utc("2026-03-30T06:59:00Z")), week("2026-W12"));
        // Week 13 (23–29 March) is an hour short: it starts at 00:00 GMT and ends at 00:00 BST.
        let (start, end) = s.bounds(week("2026-W13"));
        assert_eq!(start, utc("2026-03-23T00:00:00Z"));
        assert_eq!(end, utc("2026-03-29T23:00:00Z"));
        assert_eq!((end - start).num_hours(), 7 * 24 - 1);

        // Clocks go back on Sunday 2026-10-25.
        assert_eq!(
            s.next_run(utc("2026-10-19T06:00:00Z")),
            utc("2026-10-19T07:00:00Z")
        );
        assert_eq!(
            s.next_run(utc("2026-10-19T07:00:00Z")),
            utc("2026-10-26T08:00:00Z")
        );
        assert_eq!(s.due_week(utc("2026-10-26T07:59:59Z")), week("2026-W42"));
        assert_eq!(s.due_week(utc("2026-10-26T08:00:00Z")), week("2026-W43"));
        let (start, end) = s.bounds(week("2026-W43"));
        assert_eq!((end - start).num_hours(), 7 * 24 + 1);
    }

    #[test]
    fn hours_the_clocks_skip_or_repeat() {
        let mut s = london();
        s.weekday = Weekday::Sun;
        s.hour = DigestHour::try_from(1).unwrap();
        // 01:00 does not happen on 2026-03-29 (01:00 GMT becomes 02:00 BST): the first moment
        // after the gap, 02:00 BST.
        assert_eq!(
            s.next_run(utc("2026-03-28T12:00:00Z")),
            utc("2026-03-29T01:00:00Z")
        );
        // 01:00 happens twice on 2026-10-25: the first time, 01:00 BST.
        assert_eq!(
            s.next_run(utc("2026-10-24T12:00:00Z")),
            utc("2026-10-25T00:00:00Z")
        );
        // A Sunday digest covers the week that ended the Sunday before.
        assert_eq!(s.due_week(utc("2026-10-25T00:00:00Z")), week("2026-W42"));
    }

    #[test]
    fn the_week_just_ended_follows_local_time() {
        let s = london();
        assert_eq!(
            s.week_just_ended(utc("2026-11-23T10:00:00Z")),
            week("2026-W47")
        );
        // Sunday 23:30 UTC in summer is already Monday in London.
        assert_eq!(
            s.week_just_ended(utc("2026-06-14T23:30:00Z")),
            week("2026-W24")
        );
        assert_eq!(
            s.week_just_ended(utc("2026-06-14T22:30:00Z")),
            week("2026-W23")
        );
    }
}
