-- One full-text index over every text the platform holds (S1), and the
-- office's own words for the segmenter. A document row keeps what lists and
-- data scopes need (kind, record, unit, creator, year) and the plain text for
-- snippets; the words, cut by jieba in the application, go to a contentless
-- FTS5 table whose rowid is the document's id.
create table text_words (
    word text primary key,
    note text not null default '',
    created_by integer references accounts(id),
    created_at integer not null
);
insert into settings (key, value, updated_at) values ('text.version', '0', 0) on conflict (key) do nothing;

create table search_docs (
    id integer primary key,
    kind text not null,
    ref_id integer not null,
    unit_id integer not null references units(id),
    owner_id integer,
    year integer not null,
    title text not null,
    body text not null,
    updated_at integer not null,
    unique (kind, ref_id)
);
create index search_docs_unit on search_docs(unit_id, kind);

create virtual table search_fts using fts5(
    title, body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 0'
);
