// One schema for both backends: only types that mean the same on SQLite and PostgreSQL.

diesel::table! {
    articles (id) {
        id -> BigInt,
        url -> Text,
        host -> Text,
        path -> Text,
        title -> Nullable<Text>,
        external_id -> Nullable<Text>,
        revision -> Nullable<Text>,
        helpful -> BigInt,
        not_helpful -> BigInt,
        open_reports -> BigInt,
        open_inaccurate -> BigInt,
        open_outdated -> BigInt,
        open_unclear -> BigInt,
        open_harmful -> BigInt,
        open_broken_link -> BigInt,
        open_typo -> BigInt,
        open_other -> BigInt,
        report_score -> Double,
        helpfulness -> Double,
        attention -> Double,
        last_activity_at -> Timestamp,
        reviewed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_reviewed_at -> Nullable<Timestamp>,
        reviewed_by -> Nullable<Text>,
        review_due_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reviews (id) {
        id -> BigInt,
        article_id -> BigInt,
        reviewer -> Text,
        reviewed_at -> Timestamp,
        outcome -> Text,
        note -> Nullable<Text>,
        source -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    article_revisions (article_id, revision) {
        article_id -> BigInt,
        revision -> Text,
        first_seen_at -> Timestamp,
    }
}

diesel::table! {
    votes (id) {
        id -> BigInt,
        article_id -> BigInt,
        helpful -> Bool,
        comment -> Nullable<Text>,
        revision -> Nullable<Text>,
        visitor_key -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    vote_days (article_id, day) {
        article_id -> BigInt,
        day -> Date,
        helpful -> BigInt,
        not_helpful -> BigInt,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        article_id -> BigInt,
        category -> Text,
        quote -> Nullable<Text>,
        details -> Nullable<Text>,
        email -> Nullable<Text>,
        contact_consent -> Bool,
        revision -> Nullable<Text>,
        status -> Text,
        assignee -> Nullable<Text>,
        visitor_key -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        lane -> Text,
        lane_reasons -> Text,
        fingerprint -> Nullable<Text>,
        lang -> Nullable<Text>,
        problem_id -> Nullable<BigInt>,
        passage_status -> Nullable<Text>,
        passage_revision -> Nullable<Text>,
    }
}

diesel::table! {
    problems (id) {
        id -> BigInt,
        article_id -> BigInt,
        signature -> Text,
        reason -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    corrections (id) {
        id -> BigInt,
        article_id -> BigInt,
        report_id -> Nullable<BigInt>,
        body -> Text,
        created_by -> Text,
        published_at -> Timestamp,
    }
}

diesel::table! {
    lane_lessons (id) {
        id -> BigInt,
        quote -> Nullable<Text>,
        details -> Nullable<Text>,
        category -> Text,
        lane -> Text,
        actor -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    article_pages (article_id) {
        article_id -> BigInt,
        sitemap_lastmod -> Nullable<Text>,
        title -> Nullable<Text>,
        canonical_url -> Nullable<Text>,
        date_modified -> Nullable<Text>,
        last_reviewed -> Nullable<Text>,
        reviewed_by -> Nullable<Text>,
        revision -> Text,
        main_text -> Text,
        fetched_at -> Timestamp,
    }
}

diesel::table! {
    report_events (id) {
        id -> BigInt,
        report_id -> BigInt,
        actor -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        assignee -> Nullable<Text>,
        note -> Nullable<Text>,
        created_at -> Timestamp,
        from_lane -> Nullable<Text>,
        to_lane -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    daily_salts (day) {
        day -> Date,
        salt -> Text,
    }
}

diesel::table! {
    editors (id) {
        id -> BigInt,
        name -> Text,
        email -> Text,
        role -> Text,
        active -> Bool,
        wants_alerts -> Bool,
        wants_digest -> Bool,
        password_hash -> Nullable<Text>,
        unsubscribe_token -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        removed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    account_links (id) {
        id -> BigInt,
        editor_id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    editor_scopes (editor_id, scope) {
        editor_id -> BigInt,
        scope -> Text,
    }
}

diesel::table! {
    vote_reasons (vote_id, reason) {
        vote_id -> BigInt,
        reason -> Text,
    }
}

diesel::table! {
    vote_addresses (address_key) {
        address_key -> Text,
        day -> Date,
        votes -> BigInt,
    }
}

diesel::table! {
    submission_keys (kind, key) {
        kind -> Text,
        key -> Text,
        record_id -> BigInt,
        article_id -> BigInt,
        created -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    alert_states (article_id, rule) {
        article_id -> BigInt,
        rule -> Text,
        armed -> Bool,
        last_fired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    alerts (id) {
        id -> BigInt,
        article_id -> BigInt,
        rule -> Text,
        figures -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        kind -> Text,
        dedupe_key -> Nullable<Text>,
        alert_id -> Nullable<BigInt>,
        recipient -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        message_id -> Text,
        unsubscribe_url -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    article_events (id) {
        id -> BigInt,
        article_id -> BigInt,
        actor -> Text,
        kind -> Text,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (token_hash) {
        token_hash -> Text,
        editor_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    sso_logins (state_hash) {
        state_hash -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        next_path -> Text,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(article_revisions -> articles (article_id));
diesel::joinable!(votes -> articles (article_id));
diesel::joinable!(vote_days -> articles (article_id));
diesel::joinable!(reports -> articles (article_id));
diesel::joinable!(problems -> articles (article_id));
diesel::joinable!(report_events -> reports (report_id));
diesel::joinable!(alert_states -> articles (article_id));
diesel::joinable!(alerts -> articles (article_id));
diesel::joinable!(article_events -> articles (article_id));
diesel::joinable!(reviews -> articles (article_id));
diesel::joinable!(article_pages -> articles (article_id));
diesel::joinable!(corrections -> articles (article_id));
diesel::joinable!(sessions -> editors (editor_id));
diesel::joinable!(account_links -> editors (editor_id));
diesel::joinable!(editor_scopes -> editors (editor_id));
diesel::joinable!(vote_reasons -> votes (vote_id));

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        url -> Text,
        events -> Text,
        format -> Text,
        secret -> Text,
        include_text -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        event -> Text,
        dedupe_key -> Nullable<Text>,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    articles,
    article_revisions,
    votes,
    vote_days,
    reports,
    report_events,
    api_tokens,
    daily_salts,
    editors,
    alert_states,
    alerts,
    outbox,
    article_events,
    sessions,
    account_links,
    editor_scopes,
    vote_reasons,
    submission_keys,
    vote_addresses,
    lane_lessons,
    problems,
    reviews,
    article_pages,
    corrections,
    sso_logins,
    webhooks,
    webhook_deliveries,
);
