-- The one definition of the one-way hash that names a person in the suppression list and the
-- audit log (kept for erased people): SHA-256 of the normalized address in UTF-8.
create function email_hash(email_norm text) returns bytea
    language sql immutable strict parallel safe
    as $$ select sha256(convert_to(email_norm, 'UTF8')) $$;
