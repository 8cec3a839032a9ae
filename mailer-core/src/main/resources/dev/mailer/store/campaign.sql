-- Campaigns and delivery records.

-- name: find-campaign
select id from campaign where name = :name

-- name: find-or-create-campaign
insert into campaign (name, purpose, template, spec)
values (:name, :purpose, :template, :spec::jsonb)
on conflict (name) do update set spec = excluded.spec
returning id

-- 'sending' stamps the first start, 'finished' the end; any other status clears the end.
-- name: set-status
update campaign
   set status = :status,
       started_at = coalesce(started_at, case when :status = 'sending' then now() end),
       finished_at = case when :status = 'finished' then now() else null end
 where id = :campaign_id

-- name: record-sent
insert into delivery (campaign_id, contact_id, status, attempts, smtp_code, smtp_reply, message_id, sent_at, updated_at)
values (:campaign_id, :contact_id, 'sent', 1, 250, :smtp_reply, :message_id, now(), now())
on conflict (campaign_id, contact_id) do update
   set status = 'sent', smtp_code = 250, smtp_reply = excluded.smtp_reply, message_id = excluded.message_id,
       sent_at = now(), updated_at = now()

-- name: campaign-by-name
select id, name, purpose, template, spec::text as spec, status, created_at, started_at, finished_at
  from campaign
 where name = :name

-- name: delivery-figures
select count(*) filter (where status = 'sent')     as sent,
       count(*) filter (where status = 'failed')   as failed,
       count(*) filter (where status = 'deferred') as deferred,
       count(*) filter (where status = 'unknown')  as unknown,
       count(*) filter (where status = 'pending')  as pending,
       count(*) filter (where status = 'skipped')  as skipped,
       count(*) filter (where status = 'held')     as held,
       count(*) filter (where status = 'cancelled') as cancelled,
       min(sent_at) as first_sent_at,
       max(sent_at) as last_sent_at
  from delivery
 where campaign_id = :campaign_id

-- Held and deferred rows by recipient domain and the relay's words, for the report's warnings.
-- name: delivery-refusals
select split_part(c.email_norm, '@', 2) as domain, d.status, d.smtp_code, d.enhanced_status, d.smtp_reply,
       count(*) as rows
  from delivery d
  left join contact c on c.id = d.contact_id
 where d.campaign_id = :campaign_id
   and d.status in ('held', 'deferred')
   and d.smtp_reply is not null
 group by 1, 2, 3, 4, 5
 order by rows desc
 limit 1000

-- name: feedback-figures
select count(*) filter (where type = 'bounce' and hard)       as bounced_hard,
       count(*) filter (where type = 'bounce' and not hard)   as bounced_soft,
       count(*) filter (where type = 'complaint')             as complaints,
       count(*) filter (where type = 'unsubscribe')           as unsubscribes
  from feedback_event
 where campaign_id = :campaign_id

-- One row per recipient for audits (report --csv); erased people appear without an address.
-- name: delivery-outcomes
with feedback as (
    select contact_id,
           bool_or(type = 'bounce' and hard)     as bounced_hard,
           bool_or(type = 'bounce' and not hard) as bounced_soft,
           bool_or(type = 'complaint')           as complained,
           bool_or(type = 'unsubscribe')         as unsubscribed
      from feedback_event
     where campaign_id = :campaign_id and contact_id is not null
     group by contact_id)
select c.email, d.status, d.attempts, d.smtp_code, d.enhanced_status, d.smtp_reply, d.queue_id, d.message_id,
       d.sent_at, d.next_attempt_at, d.skip_reason, d.updated_at,
       case when f.bounced_hard then 'hard' when f.bounced_soft then 'soft' end as bounce,
       coalesce(f.complained, false) as complaint, coalesce(f.unsubscribed, false) as unsubscribed
  from delivery d
  left join contact c on c.id = d.contact_id
  left join feedback f on f.contact_id = d.contact_id
 where d.campaign_id = :campaign_id
 order by d.id

-- Every campaign with its rows by status, newest first.
-- name: campaign-list
select c.name, c.purpose, c.status, c.created_at, c.finished_at,
       count(d.id) filter (where d.status = 'sent')      as sent,
       count(d.id) filter (where d.status = 'failed')    as failed,
       count(d.id) filter (where d.status in ('pending', 'deferred', 'sending')) as open,
       count(d.id) filter (where d.status = 'held')      as held,
       count(d.id) filter (where d.status = 'unknown')   as unknown,
       count(d.id) filter (where d.status = 'skipped')   as skipped,
       count(d.id) filter (where d.status = 'cancelled') as cancelled
  from campaign c
  left join delivery d on d.campaign_id = c.id
 group by c.id
 order by c.created_at desc, c.id desc

-- Rows still to be sent never will be. Rows being sent now belong to a live sender: cancel refuses
-- while one runs (active-senders), so none are left 'sending' here but a dead sender's.
-- name: cancel-deliveries
update delivery set status = 'cancelled', next_attempt_at = null, updated_at = now()
 where campaign_id = :campaign_id and status in ('pending', 'deferred', 'held')

-- name: cancel-campaign
update campaign set status = 'cancelled', finished_at = now() where id = :campaign_id

-- name: lock-campaign-status
select status from campaign where id = :campaign_id for update

-- What the contacts hold, for a dry run's "did you mean".
-- name: granted-purposes
select distinct purpose from consent_record where status = 'granted' and purpose <> '*' limit :limit

-- name: contact-tags
select distinct tag from contact, unnest(tags) as tag limit :limit

-- name: contact-locales
select distinct locale from contact where locale is not null limit :limit

-- The sending curve for report --html: messages sent in each of (at most) 60 equal slices between
-- the first and the last message.
-- name: sending-curve
with span as (
    select min(sent_at) as first, max(sent_at) as last from delivery
     where campaign_id = :campaign_id and sent_at is not null
)
select least(59, floor(extract(epoch from (d.sent_at - s.first))
                        / greatest(extract(epoch from (s.last - s.first)) / 60, 0.001)))::int as slice,
       count(*) as sent
  from delivery d, span s
 where d.campaign_id = :campaign_id and d.sent_at is not null
 group by 1
 order by 1

-- Sent, bounced and complained by recipient domain (erased people's rows have no domain), most sent first.
-- name: domain-figures
with sent as (
    select split_part(c.email_norm, '@', 2) as domain, count(*) as sent
      from delivery d join contact c on c.id = d.contact_id
     where d.campaign_id = :campaign_id and d.status = 'sent'
     group by 1
), feedback as (
    select split_part(c.email_norm, '@', 2) as domain,
           count(*) filter (where f.type = 'bounce' and f.hard)     as hard,
           count(*) filter (where f.type = 'bounce' and not f.hard) as soft,
           count(*) filter (where f.type = 'complaint')            as complaints
      from feedback_event f join contact c on c.id = f.contact_id
     where f.campaign_id = :campaign_id
     group by 1
)
select coalesce(s.domain, f.domain) as domain, coalesce(s.sent, 0) as sent, coalesce(f.hard, 0) as hard,
       coalesce(f.soft, 0) as soft, coalesce(f.complaints, 0) as complaints
  from sent s full join feedback f on f.domain = s.domain
 order by 2 desc, 1
 limit 25
