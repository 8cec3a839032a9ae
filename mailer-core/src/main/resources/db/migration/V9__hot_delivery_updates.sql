-- A delivery row is written three times while it is sent (claimed, marked 'sending', its outcome).
-- An index on status made each of those writes a new entry in every index of the table, about as
-- much work for the server as all the rest of sending. With no index naming a column these writes
-- change, and room left on each page, PostgreSQL updates the row in place (a HOT update) and the
-- indexes are not touched.
drop index delivery_work_idx;
drop index delivery_claim_idx;
-- what the claim query walks: a campaign's rows in id order, after the last ones it claimed
create index delivery_campaign_idx on delivery (campaign_id, id);
alter table delivery set (fillfactor = 50);
