-- Contacts import: rows are COPYed into a temporary staging table, then merged with set-based
-- statements, all in the importing transaction (nothing is visible until everything is).

-- name: create-staging
create temp table import_row (
    line             bigint  not null,
    email            text    not null,
    email_norm       text    not null,
    name             text,
    locale           text,
    tags             text,          -- tags joined by chr(31)
    birth_date       date,
    attributes       jsonb,
    purpose          text,
    status           text,
    consent_at       timestamptz,
    source           text,
    ip               text,
    consent_text     text,
    confirmed_at     timestamptz,
    lawful_basis     text,
    parental_consent boolean
) on commit drop

-- name: copy-staging
copy import_row (line, email, email_norm, name, locale, tags, birth_date, attributes, purpose, status,
                 consent_at, source, ip, consent_text, confirmed_at, lawful_basis, parental_consent)
from stdin

-- name: index-staging
create index import_row_email_idx on import_row (email_norm, line)

-- name: analyze-staging
analyze import_row

-- Erased people stay erased: their rows are refused.
-- name: take-erased
delete from import_row r
 using suppression s
 where s.reason = 'erased'
   and s.email_hash = email_hash(r.email_norm)
returning r.line, r.email

-- One row per address with the values of its last row (SPEC §3).
-- name: stage-contacts
create temp table import_contact on commit drop as
select distinct on (email_norm)
       email_norm, email, name, locale, tags, birth_date, attributes,
       line                                          as last_line,
       min(line) over (partition by email_norm)      as first_line
  from import_row
 order by email_norm, line desc

-- name: index-contacts
create unique index import_contact_email_idx on import_contact (email_norm)

-- Which contact each address is, whether the import created it, and whether it changes it.
-- A narrow table of its own: updating the wide staging rows would rewrite a million tuples.
-- name: create-match
create temp table import_match (
    email_norm text    primary key,
    contact_id bigint  not null,
    is_new     boolean not null,
    changed    boolean not null
) on commit drop

-- name: match-existing
insert into import_match (email_norm, contact_id, is_new, changed)
select ic.email_norm, c.id, false,
       c.email is distinct from ic.email
       or (:has_name and c.name is distinct from nullif(ic.name, ''))
       or (:has_locale and c.locale is distinct from nullif(ic.locale, ''))
       or (:has_tags and c.tags is distinct from coalesce(string_to_array(ic.tags, chr(31)), '{}'))
       or (:has_birth_date and c.birth_date is distinct from ic.birth_date)
       or c.attributes is distinct from c.attributes || coalesce(ic.attributes, '{}')
  from import_contact ic
  join contact c on c.email_norm = ic.email_norm

-- name: insert-new-contacts
with inserted as (
    insert into contact (email, email_norm, name, locale, tags, birth_date, attributes)
    select ic.email, ic.email_norm, nullif(ic.name, ''), nullif(ic.locale, ''),
           coalesce(string_to_array(ic.tags, chr(31)), '{}'), ic.birth_date, coalesce(ic.attributes, '{}')
      from import_contact ic
     where not exists (select 1 from import_match m where m.email_norm = ic.email_norm)
     order by ic.first_line
    on conflict (email_norm) do nothing
    returning id, email_norm)
insert into import_match (email_norm, contact_id, is_new, changed)
select email_norm, id, true, false from inserted

-- An address another transaction created meanwhile (its insert was skipped above) is matched now.
-- name: match-concurrent
insert into import_match (email_norm, contact_id, is_new, changed)
select ic.email_norm, c.id, false, true
  from import_contact ic
  join contact c on c.email_norm = ic.email_norm
 where not exists (select 1 from import_match m where m.email_norm = ic.email_norm)

-- name: analyze-match
analyze import_match

-- name: update-changed-contacts
update contact c
   set email      = ic.email,
       name       = case when :has_name then nullif(ic.name, '') else c.name end,
       locale     = case when :has_locale then nullif(ic.locale, '') else c.locale end,
       tags       = case when :has_tags then coalesce(string_to_array(ic.tags, chr(31)), '{}') else c.tags end,
       birth_date = case when :has_birth_date then ic.birth_date else c.birth_date end,
       attributes = c.attributes || coalesce(ic.attributes, '{}'),
       updated_at = now()
  from import_match m
  join import_contact ic on ic.email_norm = m.email_norm
 where m.contact_id = c.id
   and m.changed
   and not m.is_new

-- Consent rows, with what is needed to skip the ones already on record (idempotent re-import).
-- A dated row is skipped when the same statement is on record or earlier in the file. An undated
-- row ("now") is skipped when it repeats the latest statement for its purpose before it: the
-- latest of the stored history and the earlier rows of the file, undated rows counting as latest.
-- name: stage-consents
create temp table import_consent on commit drop as
select k.*,
       case
         when k.consent_at is not null then
              k.copy_rank > 1
              or (not k.is_new and exists (
                     select 1 from consent_record cr
                      where cr.contact_id = k.contact_id and cr.purpose = k.purpose and cr.consent_at = k.consent_at
                        and jsonb_build_array(cr.status, cr.source, cr.ip, cr.consent_text, cr.confirmed_at,
                                              cr.lawful_basis, cr.parental_consent) = k.proof))
         when k.is_new and k.rank_in_file = 1 then false
         else k.proof is not distinct from (
                select latest.proof
                  from (select jsonb_build_array(r.status, r.source, r.ip, r.consent_text, r.confirmed_at,
                                                 r.lawful_basis, r.parental_consent) as proof,
                               coalesce(r.consent_at, 'infinity') as at, 1 as in_file, r.line as seq
                          from import_row r
                         where r.email_norm = k.email_norm and r.purpose = k.purpose and r.line < k.line
                        union all
                        select jsonb_build_array(cr.status, cr.source, cr.ip, cr.consent_text, cr.confirmed_at,
                                                 cr.lawful_basis, cr.parental_consent),
                               cr.consent_at, 0, cr.id
                          from consent_record cr
                         where cr.contact_id = k.contact_id and cr.purpose = k.purpose) latest
                 order by latest.at desc, latest.in_file desc, latest.seq desc
                 limit 1)
       end as skip
  from (select r.line, r.email_norm, m.contact_id, r.purpose, r.status, r.consent_at, r.source, r.ip,
               r.consent_text, r.confirmed_at, r.lawful_basis, r.parental_consent, m.is_new,
               jsonb_build_array(r.status, r.source, r.ip, r.consent_text, r.confirmed_at, r.lawful_basis,
                                 r.parental_consent)                                        as proof,
               row_number() over (partition by m.contact_id, r.purpose order by r.line)     as rank_in_file,
               row_number() over (partition by m.contact_id, r.purpose, r.consent_at,
                                      jsonb_build_array(r.status, r.source, r.ip, r.consent_text, r.confirmed_at,
                                                        r.lawful_basis, r.parental_consent)
                                  order by r.line)                                          as copy_rank
          from import_row r
          join import_match m on m.email_norm = r.email_norm
         where r.purpose is not null) k

-- name: insert-consents
insert into consent_record (contact_id, purpose, status, consent_at, source, ip, consent_text, confirmed_at,
                            lawful_basis, parental_consent, recorded_via)
select contact_id, purpose, status, coalesce(consent_at, now()), source, ip, consent_text, confirmed_at,
       lawful_basis, parental_consent, :origin || ' line ' || line
  from import_consent
 where not coalesce(skip, false)
 order by line

-- Fresh statistics after a big import: planned against the old ones (an empty table after the
-- first import), the gate's joins would scan instead of using their indexes.
-- name: analyze-contacts
analyze contact

-- name: analyze-consents
analyze consent_record

-- Counted per row (SPEC §3): the first row of a new address is "imported"; a row that added a
-- consent record, or the last row of a known address whose fields it changed, is "updated".
-- name: count-rows
select count(*) filter (where m.is_new and r.line = ic.first_line) as imported,
       count(*) filter (where not (m.is_new and r.line = ic.first_line)
                          and (k.line is not null and not coalesce(k.skip, false)
                               or (not m.is_new and m.changed and r.line = ic.last_line))) as updated,
       count(*) as total
  from import_row r
  join import_contact ic on ic.email_norm = r.email_norm
  join import_match m on m.email_norm = r.email_norm
  left join import_consent k on k.line = r.line
