-- Bounces, complaints and unsubscribes coming back (feedback poll, mailer serve, SMTP replies).

-- name: campaign-by-id
select id, name, purpose from campaign where id = :campaign_id

-- Whether we ever handed a message for this person to a relay: what vouches for an address when a
-- feedback mail's token does not verify.
-- name: was-mailed
select exists (select 1 from delivery where contact_id = :contact_id and status in ('sent', 'unknown')) as mailed

-- Each event once: the source key is the feedback mail's Message-ID + recipient, or the token.
-- name: insert-event
insert into feedback_event (source_key, type, contact_id, campaign_id, hard, status, diagnostic, fault)
values (:source_key, :type, :contact_id, :campaign_id, :hard, :status, :diagnostic, :fault)
on conflict (source_key) do nothing
returning id
