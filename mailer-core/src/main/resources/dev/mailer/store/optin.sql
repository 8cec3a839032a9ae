-- Double opt-in: confirmation links followed through `mailer serve`.

-- Confirmations of one person are taken one at a time, so a double click records one consent.
-- name: lock-contact
select id, email_norm, locale from contact where id = :contact_id for update
