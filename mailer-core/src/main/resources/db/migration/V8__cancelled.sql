-- 'cancelled' (mailer campaign cancel): a campaign stopped for good; its rows that were still to be
-- sent (pending, deferred, held) are cancelled and never sent, and a send of the same name is refused.
alter table campaign drop constraint campaign_status_check;
alter table campaign add constraint campaign_status_check
    check (status in ('created', 'sending', 'paused', 'finished', 'cancelled'));
alter table delivery drop constraint delivery_status_check;
alter table delivery add constraint delivery_status_check
    check (status in ('pending', 'sending', 'sent', 'deferred', 'failed', 'unknown', 'skipped', 'held', 'cancelled'));
