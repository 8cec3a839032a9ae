-- 'held': the relay or the receiving provider refused the sender, not the recipient (SPEC §6a).
-- Nobody is failed, bounced or suppressed for it; the next run of the campaign sends held rows.
alter table delivery drop constraint delivery_status_check;
alter table delivery add constraint delivery_status_check
    check (status in ('pending', 'sending', 'sent', 'deferred', 'failed', 'unknown', 'skipped', 'held'));

-- Whose fault a bounce was (recipient, sender, rate_limit): only the recipient's count toward the
-- soft-bounce threshold or suppress. Null for events recorded before, all of which were taken as
-- the recipient's.
alter table feedback_event add column fault text
    check (fault in ('recipient', 'sender', 'rate_limit', 'relay'));
