-- The consent gate's statements. The gate itself (SPEC §6: the rules, their order, the reason
-- codes) is one definition, the function consent_gate of db/migration/V4__consent_gate.sql; every
-- statement here, and delivery.sql's enqueue, selects from it. The planner inlines it, so a
-- filter such as "gate.contact_id = any (…)" still reaches the contact table's primary key.

-- Contacts of the audience with ids in (:after_contact, :up_to_contact] per reason; the row with
-- a null reason counts the eligible ones.
-- name: count
select gate.reason, count(*)
  from consent_gate(p_purpose           => :purpose::text,
                    p_require_confirmed => :require_confirmed::boolean,
                    p_allow_existing    => :allow_existing::boolean,
                    p_max_age           => :max_age::interval,
                    p_minimum_age       => :minimum_age::integer,
                    p_campaign_id       => :campaign_id::bigint,
                    p_tags              => :tags::text[],
                    p_locales           => :locales::text[]) gate
 where gate.contact_id > :after_contact and gate.contact_id <= :up_to_contact
 group by gate.reason

-- Up to :limit eligible contacts, in contact order.
-- name: eligible
select gate.contact_id, c.email, c.email_norm, c.name, c.locale, c.tags, c.attributes::text as attributes,
       gate.consent_source, gate.consent_at, gate.confirmed_at
  from consent_gate(p_purpose           => :purpose::text,
                    p_require_confirmed => :require_confirmed::boolean,
                    p_allow_existing    => :allow_existing::boolean,
                    p_max_age           => :max_age::interval,
                    p_minimum_age       => :minimum_age::integer,
                    p_campaign_id       => :campaign_id::bigint,
                    p_tags              => :tags::text[],
                    p_locales           => :locales::text[]) gate
  join contact c on c.id = gate.contact_id
 where gate.reason is null
 order by gate.contact_id
 limit :limit

-- Every eligible contact, unordered, so the first rows flow while PostgreSQL is still working
-- through the rest.
-- name: eligible-stream
select gate.contact_id, c.email, c.email_norm, c.name, c.locale, c.tags, c.attributes::text as attributes,
       gate.consent_source, gate.consent_at, gate.confirmed_at
  from consent_gate(p_purpose           => :purpose::text,
                    p_require_confirmed => :require_confirmed::boolean,
                    p_allow_existing    => :allow_existing::boolean,
                    p_max_age           => :max_age::interval,
                    p_minimum_age       => :minimum_age::integer,
                    p_campaign_id       => :campaign_id::bigint,
                    p_tags              => :tags::text[],
                    p_locales           => :locales::text[]) gate
  join contact c on c.id = gate.contact_id
 where gate.reason is null

-- The gate's verdict on one address: no row when no contact has it or it is outside the audience.
-- name: inspect
select gate.contact_id, gate.reason, c.email, c.email_norm, c.name, c.locale, c.tags,
       c.attributes::text as attributes, gate.consent_source, gate.consent_at, gate.confirmed_at
  from consent_gate(p_purpose           => :purpose::text,
                    p_require_confirmed => :require_confirmed::boolean,
                    p_allow_existing    => :allow_existing::boolean,
                    p_max_age           => :max_age::interval,
                    p_minimum_age       => :minimum_age::integer,
                    p_campaign_id       => :campaign_id::bigint,
                    p_tags              => :tags::text[],
                    p_locales           => :locales::text[]) gate
  join contact c on c.id = gate.contact_id
 where c.email_norm = :only_email::text

-- The same for a known set of contacts; senders ask this for every batch. The id filter is
-- unconditional: an "is null or" condition keeps PostgreSQL from using the primary key.
-- name: inspect-ids
select gate.contact_id, gate.reason, c.email, c.email_norm, c.name, c.locale, c.tags,
       c.attributes::text as attributes, gate.consent_source, gate.consent_at, gate.confirmed_at
  from consent_gate(p_purpose           => :purpose::text,
                    p_require_confirmed => :require_confirmed::boolean,
                    p_allow_existing    => :allow_existing::boolean,
                    p_max_age           => :max_age::interval,
                    p_minimum_age       => :minimum_age::integer,
                    p_campaign_id       => :campaign_id::bigint,
                    p_tags              => :tags::text[],
                    p_locales           => :locales::text[]) gate
  join contact c on c.id = gate.contact_id
 where gate.contact_id = any (:contact_ids::text[]::bigint[])
