-- Campaigns and delivery records.

-- name: find-campaign
select id from campaign where name = :name

-- name: find-or-create-campaign
insert into campaign (name, purpose, template, spec)
values (:name, :purpose, :template, :spec::jsonb)
on conflict (name) do update set spec = excluded.spec
returning id

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
       min(sent_at) as first_sent_at,
       max(sent_at) as last_sent_at
  from delivery
 where campaign_id = :campaign_id

-- name: feedback-figures
select count(*) filter (where type = 'bounce' and hard)       as bounced_hard,
       count(*) filter (where type = 'bounce' and not hard)   as bounced_soft,
       count(*) filter (where type = 'complaint')             as complaints,
       count(*) filter (where type = 'unsubscribe')           as unsubscribes
  from feedback_event
 where campaign_id = :campaign_id
