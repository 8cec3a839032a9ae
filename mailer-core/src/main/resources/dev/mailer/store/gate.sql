-- The consent gate (SPEC §6), decided entirely in PostgreSQL over the whole audience.
-- A contact's reason is the first rule it fails, in the order of the CASE below; null = eligible.
-- The latest consent record for the purpose (by consent_at, then id) decides. A withdrawal counts
-- whatever its lawful basis; a grant on the basis existing_customer counts only when the campaign
-- allows it and the person has not objected before it.

-- name: contact-reasons
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
         when :require_confirmed and l.lawful_basis = 'consent' and l.confirmed_at is null then 'unconfirmed'
         when :max_age::interval is not null and l.consent_at < now() - :max_age::interval then 'consent_expired'
         when a.birth_date > current_date - make_interval(years => :minimum_age) and not l.parental_consent
           then 'minor_without_parental_consent'
         -- a lookup per contact that got this far: a join would merge against every delivery row
         -- of the campaign, which grows with each batch a sender checks
         when exists (select 1 from delivery d
                       where d.campaign_id = :campaign_id and d.contact_id = a.id and d.status in ('sent', 'unknown'))
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
            and r.purpose = :purpose
            and (r.status = 'withdrawn'
                 or r.lawful_basis = 'consent'
                 -- soft opt-in (existing customer) counts when allowed, but never after an objection
                 or (:allow_existing and not exists (
                        select 1 from consent_record w
                         where w.contact_id = a.id and w.purpose = :purpose and w.status = 'withdrawn'
                           and w.consent_at <= r.consent_at)))
          order by r.consent_at desc, r.id desc
          limit 1) l on true
  left join (
         select contact_id, max(consent_at) as withdrawn_all_at
           from consent_record
          where purpose = '*' and status = 'withdrawn'
          group by contact_id) w on w.contact_id = a.id
  left join (
         select email_norm,
                bool_or(reason = 'bounced')   as bounced,
                bool_or(reason = 'complaint') as complaint,
                bool_or(reason = 'manual')    as manual
           from suppression
          where email_norm is not null
          group by email_norm) s on s.email_norm = a.email_norm
 where (:only_email::text is null or a.email_norm = :only_email::text)
   and (:contact_ids::text[] is null or a.id = any (:contact_ids::text[]::bigint[]))
   and (:tags::text[] is null or a.tags && :tags::text[])
   and (:locales::text[] is null or lower(a.locale) = any (:locales::text[]))
