-- mailer schema, version 1.
-- Sized for ~10 million contacts: every lookup the gate, the import and the feedback loop make
-- goes through an index on the normalized address or on contact_id.

-- People. email_norm (lower case, ASCII domain) identifies a person everywhere.
create table contact (
    id          bigint generated always as identity primary key,
    email       text        not null,                 -- as the person gave it, trimmed
    email_norm  text        not null,
    name        text,
    locale      text,                                 -- BCP 47: pl, sr-Latn, en
    tags        text[]      not null default '{}',
    birth_date  date,
    attributes  jsonb       not null default '{}',    -- extra CSV columns, usable in templates
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    constraint contact_email_norm_key unique (email_norm)
);
create index contact_tags_idx on contact using gin (tags);

-- Consent history: append-only. Each row is one statement of consent or withdrawal with the
-- proof needed to demonstrate it (GDPR art. 7(1)). The latest row per purpose (by consent_at)
-- decides. purpose '*' with status 'withdrawn' means "unsubscribe me from everything".
create table consent_record (
    id               bigint generated always as identity primary key,
    contact_id       bigint      not null references contact (id) on delete cascade,
    purpose          text        not null,
    status           text        not null check (status in ('granted', 'withdrawn')),
    consent_at       timestamptz not null,            -- when the person gave or withdrew it
    source           text,                            -- where: form URL, checkout, paper form …
    ip               text,
    consent_text     text,                            -- version or hash of the wording shown
    confirmed_at     timestamptz,                     -- double opt-in confirmation
    lawful_basis     text        not null default 'consent'
                                 check (lawful_basis in ('consent', 'existing_customer')),
    parental_consent boolean     not null default false,
    user_agent       text,                            -- proof from a confirmation link
    recorded_at      timestamptz not null default now(),
    recorded_via     text        not null             -- how it reached us: import file and line, cli, http …
);
create index consent_record_lookup_idx on consent_record (contact_id, purpose, consent_at desc, id desc);
create index consent_record_withdraw_all_idx on consent_record (contact_id, consent_at)
    where purpose = '*' and status = 'withdrawn';

-- History is evidence: it may be added to, never changed. Rows disappear only when the person
-- is erased (art. 17), which sets mailer.erasure for its transaction.
create function consent_record_append_only() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' and current_setting('mailer.erasure', true) = 'on' then
        return old;
    end if;
    raise exception 'consent_record is append-only (% refused)', tg_op
        using errcode = 'P0001';
end $$;
create trigger consent_record_append_only
    before update or delete on consent_record
    for each row execute function consent_record_append_only();

-- Addresses that must not be mailed, keyed by address and by a one-way hash of it, so that an
-- erased person (address gone, hash kept) can never be re-imported or mailed.
create table suppression (
    id          bigint generated always as identity primary key,
    email_norm  text,                                 -- null once the person is erased
    email_hash  bytea       not null,                 -- sha256 of email_norm
    reason      text        not null check (reason in ('bounced', 'complaint', 'manual', 'erased')),
    detail      text,
    origin      text        not null,                 -- cli, feedback poll, import …
    created_at  timestamptz not null default now(),
    constraint suppression_hash_reason_key unique (email_hash, reason)
);
create index suppression_email_norm_idx on suppression (email_norm);

-- Who did what, when, from where. Personal data is referred to by hash only.
create table audit_log (
    id           bigint generated always as identity primary key,
    at           timestamptz not null default now(),
    actor        text        not null,
    action       text        not null,
    subject_hash bytea,
    detail       jsonb       not null default '{}'
);
create index audit_log_subject_idx on audit_log (subject_hash) where subject_hash is not null;

-- Campaigns and their deliveries: one durable row per (campaign, contact).
create table campaign (
    id          bigint generated always as identity primary key,
    name        text        not null unique,
    purpose     text        not null,
    template    text        not null,
    spec        jsonb       not null default '{}',
    status      text        not null default 'created'
                            check (status in ('created', 'sending', 'paused', 'finished')),
    created_at  timestamptz not null default now(),
    started_at  timestamptz,
    finished_at timestamptz
);

create table delivery (
    id              bigint generated always as identity primary key,
    campaign_id     bigint      not null references campaign (id) on delete cascade,
    contact_id      bigint      references contact (id) on delete set null,   -- null once erased
    status          text        not null default 'pending'
                                check (status in ('pending', 'sending', 'sent', 'deferred', 'failed', 'unknown')),
    attempts        integer     not null default 0,
    next_attempt_at timestamptz,
    lease_owner     text,
    lease_until     timestamptz,
    smtp_code       integer,
    smtp_reply      text,
    queue_id        text,
    message_id      text,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    sent_at         timestamptz,
    constraint delivery_campaign_contact_key unique (campaign_id, contact_id)
);
create index delivery_work_idx on delivery (campaign_id, status, next_attempt_at);
create index delivery_contact_idx on delivery (contact_id);

-- Bounces, complaints and unsubscribes as they arrive (filled by the feedback loop).
create table feedback_event (
    id           bigint generated always as identity primary key,
    source_key   text        not null unique,         -- message-id or token: record each once
    type         text        not null check (type in ('bounce', 'complaint', 'unsubscribe')),
    contact_id   bigint      references contact (id) on delete set null,
    campaign_id  bigint      references campaign (id) on delete set null,
    hard         boolean,
    status       text,
    diagnostic   text,
    received_at  timestamptz not null default now()
);
create index feedback_event_contact_idx on feedback_event (contact_id);
