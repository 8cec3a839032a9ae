-- Sending: leases for cooperating senders, in-doubt deliveries, skipped recipients.

-- 'skipped': the contact stopped being eligible between enqueueing and sending (unsubscribed,
-- bounced elsewhere, erased); skip_reason holds the gate's reason code.
alter table delivery drop constraint delivery_status_check;
alter table delivery add constraint delivery_status_check
    check (status in ('pending', 'sending', 'sent', 'deferred', 'failed', 'unknown', 'skipped'));
alter table delivery add column skip_reason text;
alter table delivery add column enhanced_status text;

-- what the claim query looks for: work of one campaign that nobody holds
create index delivery_claim_idx on delivery (campaign_id, id)
    where status in ('pending', 'deferred');

-- Processes sending a campaign right now; the campaign's rate is divided among the live ones.
create table campaign_sender (
    campaign_id  bigint      not null references campaign (id) on delete cascade,
    owner        text        not null,            -- host:pid:random, also the lease owner
    started_at   timestamptz not null default now(),
    heartbeat_at timestamptz not null default now(),
    primary key (campaign_id, owner)
);
