-- 'held': the relay or the receiving provider refused the sender, not the recipient (SPEC §6a).
-- Nobody is failed, bounced or suppressed for it; the next run of the campaign sends held rows.
alter table delivery drop constraint delivery_status_check;
alter table delivery add constraint delivery_status_check
    check (status in ('pending', 'sending', 'sent', 'deferred', 'failed', 'unknown', 'skipped', 'held'));
