-- Delivery records: one durable row per (campaign, contact). A row is claimed by a sender with a
-- lease (lease_owner, lease_until); it becomes 'sending' just before its DATA goes out, and gets
-- its outcome right after. A 'sending' row whose sender died (it stopped beating, or its lease
-- ran out) was in flight at that instant: nobody knows whether it arrived, so it becomes
-- 'unknown' and is not sent again. Liveness is sender_alive() (V5__sender_alive.sql).

-- A pending row for every contact the consent gate (V4__consent_gate.sql) lets through, among the
-- contacts with ids in (:after_contact, :up_to_contact]: a run adds its audience in slices, so
-- sending starts after the first one (the range reaches the contacts through the gate's inlined
-- query: the primary key of contact). Answers the slice's contacts per reason (a null reason: the
-- eligible ones) and, on each row, how many rows were added: the run's gate report is the sum of
-- its slices, so the audience is judged once, not once for the report and again for the rows.
-- name: enqueue
with judged as (
    select gate.contact_id, gate.reason
      from consent_gate(p_purpose           => :purpose::text,
                        p_require_confirmed => :require_confirmed::boolean,
                        p_allow_existing    => :allow_existing::boolean,
                        p_max_age           => :max_age::interval,
                        p_minimum_age       => :minimum_age::integer,
                        p_campaign_id       => :campaign_id::bigint,
                        p_tags              => :tags::text[],
                        p_locales           => :locales::text[]) gate
     where gate.contact_id > :after_contact and gate.contact_id <= :up_to_contact),
added as (
    insert into delivery (campaign_id, contact_id)
    select :campaign_id, contact_id from judged where reason is null
    on conflict (campaign_id, contact_id) do nothing
    returning 1)
select reason, count(*) as contacts, (select count(*) from added) as added
  from judged
 group by reason

-- name: last-contact-id
select coalesce(max(id), 0) from contact

-- Statistics right after a big enqueue: planned against an "empty" table, every later update of
-- these rows would scan the whole table instead of using the primary key.
-- name: analyze
analyze delivery

-- lease_owner stays: the sender that had it in flight may still write its outcome (it was frozen,
-- not dead), and only that sender may.
-- name: mark-in-doubt
update delivery
   set status = 'unknown', lease_until = null, updated_at = now()
 where campaign_id = :campaign_id and status = 'sending'
   and (lease_until is null or lease_until < now()
        or not sender_alive(:campaign_id, lease_owner, :silent_seconds))

-- Rows held back by a refusal of the sender are sent again by the next run (after the cause is fixed).
-- name: release-held
update delivery
   set status = 'pending', lease_owner = null, lease_until = null, updated_at = now()
 where campaign_id = :campaign_id and status = 'held'

-- name: resend-unknown
update delivery
   set status = 'pending', lease_owner = null, lease_until = null, updated_at = now()
 where campaign_id = :campaign_id and status = 'unknown'

-- :after_id lets a sender continue after the rows it claimed last: the index still holds entries
-- for every row already sent, and scanning them from the start each time made claims slower and
-- slower as the campaign went on. A row leased by a sender that stopped beating is taken over.
-- name: claim
update delivery d
   set lease_owner = :owner, lease_until = now() + make_interval(secs => :lease_seconds)
 where d.id in (select id
                  from delivery
                 where campaign_id = :campaign_id
                   and id > :after_id
                   and (status = 'pending' or (status = 'deferred' and next_attempt_at <= now()))
                   and (lease_until is null or lease_until < now()
                        or not sender_alive(:campaign_id, lease_owner, :silent_seconds))
                 order by id
                 limit :batch
                   for update skip locked)
returning d.id, d.contact_id, d.attempts, d.created_at

-- name: next-deferred
select min(next_attempt_at)
  from delivery
 where campaign_id = :campaign_id and status = 'deferred'

-- Rows the delivery log is writing at this instant are skipped (locking them here could deadlock
-- with it); the next renewal catches them.
-- name: extend-leases
update delivery
   set lease_until = now() + make_interval(secs => :lease_seconds)
 where id in (select id
                from delivery
               where campaign_id = :campaign_id and lease_owner = :owner
                 and status in ('pending', 'deferred', 'sending')
                 for update skip locked)

-- name: release-leases
update delivery
   set lease_owner = null, lease_until = null
 where campaign_id = :campaign_id and lease_owner = :owner and status in ('pending', 'deferred')

-- Outcomes of earlier messages and in-flight marks of the next ones, in one statement: the
-- senders wait for this round trip before every DATA, so it is kept to exactly one. Returns the
-- ids that were marked: only those may be sent. Both are fenced: an outcome is written only to a
-- row this sender still holds (a frozen sender's rows may have been taken over meanwhile), and a
-- row is marked only while this sender holds its lease and is alive by its own heartbeat.
-- name: write-log
with outcome as (
    update delivery d
       set status          = v.status,
           smtp_code       = v.code,
           enhanced_status = v.enhanced_status,
           smtp_reply      = v.reply,
           queue_id        = v.queue_id,
           message_id      = coalesce(v.message_id, d.message_id),
           next_attempt_at = v.next_attempt_at,
           skip_reason     = v.skip_reason,
           sent_at         = case when v.status = 'sent' then now() else d.sent_at end,
           lease_owner     = null,
           lease_until     = null,
           updated_at      = now()
      from unnest(:ids::text[]::bigint[], :statuses::text[], :codes::text[]::int[], :enhanced::text[],
                  :replies::text[], :queue_ids::text[], :message_ids::text[], :next_attempts::text[]::timestamptz[],
                  :skip_reasons::text[])
           as v(id, status, code, enhanced_status, reply, queue_id, message_id, next_attempt_at, skip_reason)
     where d.id = v.id and d.lease_owner = :owner
    returning 1),
mark as (
    update delivery
       set status = 'sending', attempts = attempts + 1, updated_at = now()
     where id = any (:marks::text[]::bigint[])
       -- the fence: a sender paused past its lease no longer owns the row, and must not send it
       and lease_owner = :owner and lease_until > now()
       and sender_alive(:campaign_id, :owner, :silent_seconds)
    returning id)
select (select count(*) from outcome) as outcomes, array(select id from mark) as marked

-- name: forget-dead-senders
delete from campaign_sender where heartbeat_at < now() - interval '10 minutes'

-- name: register-sender
insert into campaign_sender (campaign_id, owner) values (:campaign_id, :owner)
on conflict (campaign_id, owner) do update set heartbeat_at = now()

-- 0 rows: the sender was forgotten (taken for dead); it registers again.
-- name: heartbeat
update campaign_sender set heartbeat_at = now() where campaign_id = :campaign_id and owner = :owner

-- Rows waiting with other live senders, by sender: ones that beat are cooperating, silent ones
-- are waited for (up to the silence limit) and then taken over.
-- name: held-by-others
select d.lease_owner                                   as owner,
       count(*)                                        as rows,
       extract(epoch from now() - s.heartbeat_at)      as silent_seconds
  from delivery d
  left join campaign_sender s on s.campaign_id = d.campaign_id and s.owner = d.lease_owner
 where d.campaign_id = :campaign_id
   and d.status in ('pending', 'deferred')
   and d.lease_owner <> :owner
   and d.lease_until > now()
   and sender_alive(:campaign_id, d.lease_owner, :silent_seconds)
 group by d.lease_owner, s.heartbeat_at

-- A sender found dead by other means (its process is gone from this machine): its rows are free.
-- name: forget-sender
delete from campaign_sender where campaign_id = :campaign_id and owner = :owner

-- name: active-senders
select count(*) from campaign_sender
 where campaign_id = :campaign_id and heartbeat_at > now() - make_interval(secs => :alive_seconds)


-- name: counts
select count(*) filter (where status = 'sent')     as sent,
       count(*) filter (where status = 'failed')   as failed,
       count(*) filter (where status = 'deferred') as deferred,
       count(*) filter (where status = 'unknown')  as unknown,
       count(*) filter (where status = 'pending')  as pending,
       count(*) filter (where status = 'skipped')  as skipped,
       count(*) filter (where status = 'held')     as held,
       count(*) filter (where status = 'cancelled') as cancelled,
       count(*)                                    as total
  from delivery
 where campaign_id = :campaign_id
