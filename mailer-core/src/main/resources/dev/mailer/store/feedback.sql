-- Bounces, complaints and unsubscribes coming back (feedback poll, mailer serve, SMTP replies).

-- name: contact-by-id
select id, email_norm, locale from contact where id = :contact_id

-- Confirmations of one person are taken one at a time, so a double click records one consent.
-- name: lock-contact
select id, email_norm, locale from contact where id = :contact_id for update

-- name: campaign-by-id
select id, name, purpose from campaign where id = :campaign_id

-- Each event once: the source key is the feedback mail's Message-ID + recipient, or the token.
-- name: insert-event
insert into feedback_event (source_key, type, contact_id, campaign_id, hard, status, diagnostic)
values (:source_key, :type, :contact_id, :campaign_id, :hard, :status, :diagnostic)
on conflict (source_key) do nothing
returning id

-- Repeated soft bounces reach suppression: `limit` of them within `window_days`, whatever their source.
-- name: suppress-after-soft-bounces
insert into suppression (email_norm, email_hash, reason, detail, origin)
select c.email_norm, sha256(convert_to(c.email_norm, 'UTF8')), 'bounced',
       :limit || ' soft bounces within ' || :window_days || ' days', :origin
  from contact c
 where c.id = :contact_id
   and (select count(*) from feedback_event f
         where f.contact_id = c.id and f.type = 'bounce' and not f.hard
           and f.received_at > now() - make_interval(days => :window_days)) >= :limit
   and not exists (select 1 from suppression s
                    where s.email_hash = sha256(convert_to(c.email_norm, 'UTF8')) and s.reason = 'erased')
on conflict (email_hash, reason) do nothing
