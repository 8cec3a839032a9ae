-- Contacts, consent history, suppressions and erasure: the statements behind consent,
-- suppress and subject commands.

-- name: find-contact
select id, email, email_norm, name, locale, tags, birth_date, attributes::text as attributes, created_at, updated_at
  from contact
 where email_norm = :email_norm

-- name: contact-by-id
select id, email, email_norm, name, locale, tags, birth_date, attributes::text as attributes, created_at, updated_at
  from contact
 where id = :contact_id

-- Confirmations of one person are taken one at a time, so a double click records one consent.
-- name: lock-contact
select id, email, email_norm, name, locale, tags, birth_date, attributes::text as attributes, created_at, updated_at
  from contact
 where id = :contact_id
   for update

-- name: insert-contact
insert into contact (email, email_norm, name, locale, tags)
values (:email, :email_norm, :name, :locale, coalesce(:tags::text[], '{}'))
on conflict (email_norm) do update set email_norm = excluded.email_norm
returning id

-- name: is-erased
select exists (select 1 from suppression where reason = 'erased' and email_hash = email_hash(:email_norm::text))

-- name: insert-consent
insert into consent_record (contact_id, purpose, status, consent_at, source, ip, consent_text, confirmed_at,
                            lawful_basis, parental_consent, user_agent, recorded_via)
values (:contact_id, :purpose, :status, coalesce(:consent_at::timestamptz, now()), :source, :ip, :consent_text,
        :confirmed_at::timestamptz, :lawful_basis, :parental_consent, :user_agent, :recorded_via)
returning id

-- name: consent-history
select id, purpose, status, consent_at, source, ip, consent_text, confirmed_at, lawful_basis, parental_consent,
       user_agent, recorded_at, recorded_via
  from consent_record
 where contact_id = :contact_id
 order by consent_at, id

-- An erased address is blocked for good by its hash; storing it again in clear would undo the erasure.
-- name: add-suppression
insert into suppression (email_norm, email_hash, reason, detail, origin)
select :email_norm::text, email_hash(:email_norm::text), :reason, :detail, :origin
 where not exists (select 1 from suppression where email_hash = email_hash(:email_norm::text) and reason = 'erased')
on conflict (email_hash, reason) do nothing

-- name: remove-suppression
delete from suppression where email_hash = email_hash(:email_norm::text) and reason = :reason and reason <> 'erased'

-- name: list-suppressions
select email_norm, encode(email_hash, 'hex') as hash, reason, detail, origin, created_at
  from suppression
 order by created_at, id

-- name: suppressions-of
select reason, detail, origin, created_at
  from suppression
 where email_hash = email_hash(:email_norm::text)
 order by created_at, id

-- Soft bounces count toward suppression whatever their source (feedback mail, SMTP reply), but
-- only the recipient's: a provider refusing the sender or asking to slow down says nothing of them.
-- name: soft-bounces
select count(*) from feedback_event
 where contact_id = :contact_id and type = 'bounce' and not hard
   and (fault is null or fault = 'recipient')
   and received_at > now() - make_interval(days => :window_days)

-- name: deliveries-of
select c.name as campaign, d.status, d.attempts, d.smtp_code, d.smtp_reply, d.queue_id, d.message_id,
       d.created_at, d.sent_at, d.updated_at
  from delivery d join campaign c on c.id = d.campaign_id
 where d.contact_id = :contact_id
 order by d.created_at, d.id

-- name: feedback-of
select f.type, f.hard, f.status, f.diagnostic, c.name as campaign, f.received_at
  from feedback_event f left join campaign c on c.id = f.campaign_id
 where f.contact_id = :contact_id
 order by f.received_at, f.id

-- Erasure (GDPR art. 17). Order matters: anonymise what outlives the contact row, then delete it
-- (consent history goes with it), then keep only the hash on the suppression list.
-- name: erase-allow
set local mailer.erasure = 'on'

-- name: erase-deliveries
update delivery set smtp_reply = null, contact_id = null where contact_id = :contact_id

-- name: erase-feedback
update feedback_event set diagnostic = null, contact_id = null where contact_id = :contact_id

-- name: erase-contact
delete from contact where id = :contact_id

-- name: erase-suppressions
delete from suppression where email_hash = email_hash(:email_norm::text) and reason <> 'erased'

-- name: add-erased
insert into suppression (email_norm, email_hash, reason, origin)
values (null, email_hash(:email_norm::text), 'erased', :origin)
on conflict (email_hash, reason) do nothing

-- name: insert-consent-request
insert into consent_request (contact_id, purpose, source, text_version, client_ip, tags)
values (:contact_id, :purpose, :source, :text_version, :client_ip, coalesce(:tags::text[], '{}'))
returning id

-- The caller holds the contact's lock (lock-contact), so a request is used once.
-- name: consent-request
select id, contact_id, purpose, requested_at, source, text_version, tags, used_at
  from consent_request
 where id = :request_id and contact_id = :contact_id

-- name: use-consent-request
update consent_request set used_at = now() where id = :request_id and used_at is null

-- name: requests-for-contact-since
select count(*) from consent_request where contact_id = :contact_id and requested_at >= :since::timestamptz

-- name: requests-from-ip-since
select count(*) from consent_request where client_ip = :client_ip and requested_at >= :since::timestamptz

-- A withdrawal of this purpose (or of everything) recorded after the moment given.
-- name: withdrawn-since
select exists (select 1 from consent_record
                where contact_id = :contact_id and status = 'withdrawn' and purpose in (:purpose, '*')
                  and recorded_at > :since::timestamptz)

-- name: add-tags
update contact set tags = array(select distinct unnest(tags || :tags::text[]) order by 1), updated_at = now()
 where id = :contact_id and not (tags @> :tags::text[])
