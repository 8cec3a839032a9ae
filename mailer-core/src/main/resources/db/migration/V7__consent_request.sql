-- A double opt-in request: what one confirmation link stands for until it is used (SPEC §9).
-- The link carries the request's id; confirming marks it used, so the same link never grants
-- twice, and a withdrawal recorded after the request outranks it. The form's source, the
-- wording's version and the tags to give are kept here because nothing of it is consent until the
-- person confirms. Requests from one address or one client are counted here for the abuse caps.
create table consent_request (
    id           bigint generated always as identity primary key,
    contact_id   bigint      not null references contact (id) on delete cascade,
    purpose      text        not null,
    requested_at timestamptz not null default now(),
    source       text        not null,                -- 'consent request', 'sign-up form …', 'preference centre'
    text_version text,                                -- purposes.P.text-version when it was asked
    client_ip    text,                                -- who asked through serve; null from the CLI
    tags         text[]      not null default '{}',   -- given to the contact when they confirm
    used_at      timestamptz
);
create index consent_request_contact_idx on consent_request (contact_id, requested_at);
create index consent_request_ip_idx on consent_request (client_ip, requested_at) where client_ip is not null;
