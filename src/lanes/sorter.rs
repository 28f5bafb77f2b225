//! The classifier as this installation runs it: trained at start-up on the embedded corpus and
//! every lesson its editors stored, learning each new lesson (stored by this instance or another:
//! all share the database, and each picks up the others' within a minute), and remembering the
//! fingerprints of recent spam so that a campaign's next variant is recognised.

use std::sync::{Mutex, RwLock};

use super::{Classifier, Fingerprint, LaneSettings, Lesson, Submission, Verdict};
use crate::db::lanes::{self as store, StoredLesson};
use crate::db::reports::Report;
use crate::db::DbConn;
use crate::domain::{Actor, Lane};

/// How many spam fingerprints are kept for near-copies.
const RECENT_SPAM: usize = 500;

pub struct Sorter {
    settings: LaneSettings,
    state: RwLock<State>,
    /// Held for a whole refresh or reset, so that two never learn the same lessons at once;
    /// classification only waits for the swap at the end, not for training.
    updating: Mutex<()>,
}

struct State {
    classifier: Classifier,
    /// The newest lesson learned (its id) and how many are in the classifier.
    last_lesson: i64,
    learned: i64,
    recent_spam: Vec<Fingerprint>,
    last_spam_report: i64,
}

fn lesson_of(stored: StoredLesson) -> Lesson {
    Lesson {
        quote: stored.quote,
        details: stored.details,
        category: stored.category,
        lane: stored.lane,
    }
}

impl Sorter {
    /// The classifier trained on the corpus alone; `refresh` adds the lessons and recent spam.
    pub fn new(settings: LaneSettings) -> Sorter {
        Sorter {
            state: RwLock::new(State {
                classifier: Classifier::new(&settings, Vec::new()),
                last_lesson: 0,
                learned: 0,
                recent_spam: Vec::new(),
                last_spam_report: 0,
            }),
            settings,
            updating: Mutex::new(()),
        }
    }

    pub fn classify(&self, submission: Submission) -> Verdict {
        self.read(|state| {
            state.classifier.classify(&Submission {
                recent_spam: &state.recent_spam,
                ..submission
            })
        })
    }

    pub fn lessons_learned(&self) -> usize {
        self.read(|state| state.classifier.lessons_learned())
    }

    /// Learns what the database holds and the classifier does not yet: lessons stored since the
    /// last refresh (by any instance), and new spam. After a reset elsewhere (fewer lessons
    /// stored than learned) it starts again from the corpus.
    pub fn refresh(&self, conn: &mut DbConn) -> diesel::QueryResult<()> {
        let _updating = self.updating.lock().unwrap_or_else(|p| p.into_inner());
        let stored = store::count_lessons(conn)?;
        let (last_lesson, learned, last_spam) = self.read_state();
        let (restart, after) = if stored < learned {
            (true, 0)
        } else {
            (false, last_lesson)
        };
        let lessons = store::lessons_after(conn, after)?;
        let spam = store::spam_fingerprints_after(conn, last_spam, RECENT_SPAM as i64)?;
        if lessons.is_empty() && spam.is_empty() && !restart {
            return Ok(());
        }
        // Training takes tens of milliseconds: it happens on a copy while reports are still
        // classified by the current model.
        let learned_now = lessons.len() as i64;
        let newest = lessons.iter().map(|l| l.id).max();
        let classifier = if restart || !lessons.is_empty() {
            let mut next = if restart {
                Classifier::new(&self.settings, Vec::new())
            } else {
                self.read(|state| state.classifier.clone())
            };
            next.learn(lessons.into_iter().map(lesson_of));
            Some(next)
        } else {
            None
        };
        let mut state = match self.state.write() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        };
        if restart {
            state.learned = 0;
            state.last_lesson = 0;
        }
        if let Some(classifier) = classifier {
            state.classifier = classifier;
        }
        state.learned += learned_now;
        if let Some(newest) = newest {
            state.last_lesson = state.last_lesson.max(newest);
        }
        for (id, hex) in spam {
            state.last_spam_report = state.last_spam_report.max(id);
            if let Some(fp) = Fingerprint::from_hex(&hex) {
                state.recent_spam.push(fp);
            }
        }
        let over = state.recent_spam.len().saturating_sub(RECENT_SPAM);
        state.recent_spam.drain(..over);
        Ok(())
    }

    fn read_state(&self) -> (i64, i64, i64) {
        self.read(|state| (state.last_lesson, state.learned, state.last_spam_report))
    }

    /// A panic while learning poisoned the lock: the state in it is still whole (learning happens
    /// on a copy).
    fn read<T>(&self, f: impl FnOnce(&State) -> T) -> T {
        match self.state.read() {
            Ok(state) => f(&state),
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }

    /// Forgets every lesson: the classifier is the corpus's again (here at once, elsewhere at the
    /// next refresh). Returns how many lessons were deleted.
    pub fn reset(&self, conn: &mut DbConn) -> diesel::QueryResult<usize> {
        let _updating = self.updating.lock().unwrap_or_else(|p| p.into_inner());
        let deleted = store::delete_lessons(conn)?;
        let fresh = Classifier::new(&self.settings, Vec::new());
        let mut state = match self.state.write() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        };
        state.classifier = fresh;
        state.learned = 0;
        state.last_lesson = 0;
        Ok(deleted)
    }
}

/// Stores what an editor's action teaches, in the action's transaction: moving a report to a
/// lane teaches that lane, marking it spam teaches `spam`, dismissing it teaches `noise`.
pub fn teach(
    conn: &mut DbConn,
    report: &Report,
    lane: Lane,
    actor: &Actor,
    now: chrono::NaiveDateTime,
) -> diesel::QueryResult<()> {
    store::add_lesson(
        conn,
        report.quote.as_deref(),
        report.details.as_deref(),
        report.category,
        lane,
        &actor.to_string(),
        now,
    )
}
