//! What the catalogue read from each article's page (see `crate::catalogue`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{article_pages, articles};
use super::DbConn;
use crate::with_conn;

/// A page as fetched and read.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = article_pages)]
#[diesel(treat_none_as_null = true)]
pub struct Page {
    pub article_id: i64,
    pub sitemap_lastmod: Option<String>,
    pub title: Option<String>,
    pub canonical_url: Option<String>,
    pub date_modified: Option<String>,
    pub last_reviewed: Option<String>,
    pub reviewed_by: Option<String>,
    pub revision: String,
    pub main_text: String,
    pub fetched_at: NaiveDateTime,
}

/// What is known of the page of the article at `url`: (article id, sitemap lastmod, revision).
pub fn known(conn: &mut DbConn, url: &str) -> QueryResult<Option<(i64, Option<String>, String)>> {
    with_conn!(conn, |c| article_pages::table
        .inner_join(articles::table)
        .filter(articles::url.eq(url))
        .select((
            article_pages::article_id,
            article_pages::sitemap_lastmod,
            article_pages::revision,
        ))
        .get_result(c)
        .optional())
}

pub fn get(conn: &mut DbConn, article_id: i64) -> QueryResult<Option<Page>> {
    with_conn!(conn, |c| article_pages::table
        .find(article_id)
        .select(Page::as_select())
        .get_result(c)
        .optional())
}

/// Stores the page, replacing what an earlier fetch stored.
pub fn store(conn: &mut DbConn, page: &Page) -> QueryResult<()> {
    with_conn!(conn, |c| diesel::insert_into(article_pages::table)
        .values(page)
        .on_conflict(article_pages::article_id)
        .do_update()
        .set(page)
        .execute(c))?;
    Ok(())
}
