-- Campaigns and delivery records.

-- name: find-campaign
select id from campaign where name = :name

-- name: find-or-create-campaign
insert into campaign (name, purpose, template, spec)
values (:name, :purpose, :template, :spec::jsonb)
on conflict (name) do update set name = excluded.name
returning id

-- name: record-sent
insert into delivery (campaign_id, contact_id, status, attempts, smtp_code, smtp_reply, message_id, sent_at, updated_at)
values (:campaign_id, :contact_id, 'sent', 1, 250, :smtp_reply, :message_id, now(), now())
on conflict (campaign_id, contact_id) do update
   set status = 'sent', smtp_code = 250, smtp_reply = excluded.smtp_reply, message_id = excluded.message_id,
       sent_at = now(), updated_at = now()
