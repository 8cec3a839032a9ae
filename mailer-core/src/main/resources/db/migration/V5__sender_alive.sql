-- Whether a sender of a campaign is alive: registered, and heard from (heartbeat) within
-- p_silent_seconds. The one definition used by claims (take over a dead sender's rows), in-flight
-- marks (a sender that missed its heartbeats may not send) and the in-doubt rule. Senders beat
-- every few seconds, so a killed sender's rows are taken over seconds later, not when its lease
-- (minutes, the fallback for senders that never registered) runs out.
create function sender_alive(p_campaign_id bigint, p_owner text, p_silent_seconds integer)
    returns boolean
    language sql stable
as $$
    select exists (select 1
                     from campaign_sender
                    where campaign_id = p_campaign_id
                      and owner = p_owner
                      and heartbeat_at > now() - make_interval(secs => p_silent_seconds))
$$;
