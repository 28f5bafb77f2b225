//! How the domain's closed sets are stored: as their stable text identifiers, read back into the
//! enum (an identifier the code does not know is a deserialisation error naming it, never a
//! silent default). The migrations add CHECK constraints listing the same identifiers.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

use crate::domain::{
    ArticleEventKind, Category, Lane, LaneReasons, LinkPurpose, MailKind, OutboxStatus,
    PassageStatus, Reason, ReportStatus, ReviewOutcome, ReviewSource, Role, SubmissionKind,
    WebhookEvent, WebhookFormat,
};

macro_rules! stored_as_text {
    ($($t:ty),+ $(,)?) => {$(
        impl<DB: Backend> ToSql<Text, DB> for $t
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <str as ToSql<Text, DB>>::to_sql(self.as_str(), out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $t
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let text = <String as FromSql<Text, DB>>::from_sql(bytes)?;
                <$t>::parse(&text).ok_or_else(|| {
                    format!("unknown {} {text:?} in the database", stringify!($t)).into()
                })
            }
        }
    )+};
}

stored_as_text!(
    Category,
    ReportStatus,
    Reason,
    Role,
    OutboxStatus,
    MailKind,
    ArticleEventKind,
    SubmissionKind,
    Lane,
    ReviewOutcome,
    ReviewSource,
    PassageStatus,
    LinkPurpose,
    WebhookEvent,
    WebhookFormat
);

/// A report's lane reasons, stored as a JSON array of `{code, text}`. The text is made here, so
/// each backend binds an owned value its own way.
impl ToSql<Text, diesel::pg::Pg> for LaneReasons {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::pg::Pg>) -> serialize::Result {
        let json = serde_json::to_string(self)?;
        <str as ToSql<Text, diesel::pg::Pg>>::to_sql(&json, &mut out.reborrow())
    }
}

impl ToSql<Text, diesel::sqlite::Sqlite> for LaneReasons {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::sqlite::Sqlite>) -> serialize::Result {
        out.set_value(serde_json::to_string(self)?);
        Ok(serialize::IsNull::No)
    }
}

impl<DB: Backend> FromSql<Text, DB> for LaneReasons
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let text = <String as FromSql<Text, DB>>::from_sql(bytes)?;
        Ok(serde_json::from_str(&text)?)
    }
}
