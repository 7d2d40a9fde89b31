-- Search ranks by where the words stand (every word in the title, some word
-- in the title, the text only), newest first within each tier, so no query
-- has to score every match. SQLite's FTS5 table restricts a match to its
-- title column; here the title's words get a tsvector and a GIN index of
-- their own, taken from the title-weighted part of the existing vector.
alter table search_docs add column tsv_title tsvector not null default ''::tsvector;
update search_docs set tsv_title = strip(ts_filter(tsv, '{a}'));
create index search_docs_tsv_title on search_docs using gin (tsv_title);
