-- The consent gate (SPEC §6), decided entirely in PostgreSQL: one row per contact of the
-- campaign's audience with its reason code, the first rule it fails in the order of the CASE
-- below; null = eligible. Every statement that asks the gate (gate.sql: count, eligible, stream,
-- inspect; delivery.sql: enqueue) selects from this one function.
--
-- The latest consent record for the purpose (by consent_at, then id) decides. A withdrawal counts
-- whatever its lawful basis; a grant on the basis existing_customer counts only when the campaign
-- allows it and the person has not objected before it.
--
-- A versioned migration, not a repeatable one: senders of different builds may share one
-- database during an upgrade, and an older build ignores newer versions but would re-apply its own
-- copy of a repeatable gate. A change of the gate is a new migration with "create or replace"
-- (or "drop function consent_gate;" first when the parameters or result columns change); the
-- latest one is the definition in force.
--
-- Inlined by the planner, which is why it is language sql, stable, one select, with no SET clause,
-- not strict and not security definer: the call then becomes a subquery of the statement that
-- makes it, with the statement's parameters in place of the function's. So the planner still sees
-- the values (every execution is planned for them, plan_cache_mode=force_custom_plan, and the
-- "p_x is null or …" switches fold away), and a filter of the caller such as
-- "where gate.contact_id = any (…)" reaches the contact table's primary key. Run as a plain
-- function it would compute the whole audience for every call. GatePlanTest checks both.
-- It must also be declared parallel safe (it only reads): PostgreSQL decides whether a statement
-- may use parallel workers before it inlines anything, and a function left parallel unsafe, the
-- default, would make the count over a million contacts run in one process.
--
-- Parameters are named p_… because in a language sql function a column of the same name takes
-- precedence over a parameter (consent_record.purpose, delivery.campaign_id, contact.tags).

create or replace function consent_gate(
    p_purpose           text,
    p_require_confirmed boolean,
    p_allow_existing    boolean,
    p_max_age           interval,     -- null: consent does not expire
    p_minimum_age       integer,
    p_campaign_id       bigint,       -- null: not stored yet, nothing is already_sent
    p_tags              text[],       -- null: any tags
    p_locales           text[])       -- null: any locale; lower case
returns table (contact_id     bigint,
               reason         text,
               consent_source text,
               consent_at     timestamptz,
               confirmed_at   timestamptz)
language sql
stable
parallel safe
as $$
select a.id as contact_id,
       case
         when length(a.email_norm) > 254
           or a.email_norm !~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:].]+(\.[^@[:space:][:cntrl:].]+)+$'
           or a.email_norm ~ '[][(),:;<>\\"]'       -- specials never allowed in a dot-atom
           or a.email_norm ~ '^\.|\.\.|\.@'         -- local part with a leading, doubled or trailing dot
           then 'invalid_address'
         -- "nothing at all" holds until the purpose is granted again after it
         when w.withdrawn_all_at is not null
          and (l.status is distinct from 'granted' or w.withdrawn_all_at >= l.consent_at)
           then 'suppressed_unsubscribed'
         when s.bounced then 'suppressed_bounced'
         when s.complaint then 'suppressed_complaint'
         when s.manual then 'suppressed_manual'
         when l.status is null then 'no_consent'
         when l.status = 'withdrawn' then 'consent_withdrawn'
         when p_require_confirmed and l.lawful_basis = 'consent' and l.confirmed_at is null then 'unconfirmed'
         when p_max_age is not null and l.consent_at < now() - p_max_age then 'consent_expired'
         when a.birth_date > current_date - make_interval(years => p_minimum_age) and not l.parental_consent
           then 'minor_without_parental_consent'
         -- a lookup per contact that got this far: a join would merge against every delivery row
         -- of the campaign, which grows with each batch a sender checks
         when exists (select 1 from delivery d
                       where d.campaign_id = p_campaign_id and d.contact_id = a.id and d.status in ('sent', 'unknown'))
           then 'already_sent'
       end as reason,
       l.source       as consent_source,
       l.consent_at   as consent_at,
       l.confirmed_at as confirmed_at
  from contact a
  left join lateral (
         select r.status, r.consent_at, r.confirmed_at, r.lawful_basis, r.parental_consent, r.source
           from consent_record r
          where r.contact_id = a.id
            and r.purpose = p_purpose
            and (r.status = 'withdrawn'
                 or r.lawful_basis = 'consent'
                 -- soft opt-in (existing customer) counts when allowed, but never after an objection
                 or (p_allow_existing and not exists (
                        select 1 from consent_record w
                         where w.contact_id = a.id and w.purpose = p_purpose and w.status = 'withdrawn'
                           and w.consent_at <= r.consent_at)))
          order by r.consent_at desc, r.id desc
          limit 1) l on true
  left join (
         select r.contact_id, max(r.consent_at) as withdrawn_all_at
           from consent_record r
          where r.purpose = '*' and r.status = 'withdrawn'
          group by r.contact_id) w on w.contact_id = a.id
  left join (
         select u.email_norm,
                bool_or(u.reason = 'bounced')   as bounced,
                bool_or(u.reason = 'complaint') as complaint,
                bool_or(u.reason = 'manual')    as manual
           from suppression u
          where u.email_norm is not null
          group by u.email_norm) s on s.email_norm = a.email_norm
 where (p_tags is null or a.tags && p_tags)
   and (p_locales is null or lower(a.locale) = any (p_locales))
$$;
