//! The daily salt behind visitor keys. All instances share one salt per day through this table;
//! when a day's salt is made, every earlier one is deleted, so nothing remains from which
//! yesterday's visitor keys could be recomputed.

use chrono::NaiveDate;
use diesel::prelude::*;
use rand::RngCore;

use super::schema::daily_salts;
use super::DbConn;
use crate::with_conn;

/// The salt for `day`, made (and earlier ones forgotten) on first use.
pub fn salt_for(conn: &mut DbConn, day: NaiveDate) -> QueryResult<Vec<u8>> {
    let existing: Option<String> = with_conn!(conn, |c| daily_salts::table
        .find(day)
        .select(daily_salts::salt)
        .get_result(c)
        .optional())?;
    let salt = match existing {
        Some(salt) => salt,
        None => {
            let (salt, forgotten) = conn.write_tx(|conn| {
                let mut fresh = [0u8; 32];
                rand::rng().fill_bytes(&mut fresh);
                with_conn!(conn, |c| diesel::insert_into(daily_salts::table)
                    .values((
                        daily_salts::day.eq(day),
                        daily_salts::salt.eq(hex::encode(fresh))
                    ))
                    .on_conflict(daily_salts::day)
                    .do_nothing()
                    .execute(c))?;
                let forgotten = with_conn!(conn, |c| diesel::delete(
                    daily_salts::table.filter(daily_salts::day.lt(day))
                )
                .execute(c))?;
                let salt = with_conn!(conn, |c| daily_salts::table
                    .find(day)
                    .select(daily_salts::salt)
                    .get_result::<String>(c))?;
                Ok::<_, diesel::result::Error>((salt, forgotten))
            })?;
            if forgotten > 0 {
                conn.scrub_deleted()?;
            }
            salt
        }
    };
    Ok(hex::decode(salt).unwrap_or_default())
}
