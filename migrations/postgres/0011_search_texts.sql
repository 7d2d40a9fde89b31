-- The texts of the search index move out of `search_docs` into their own
-- table. A match joins every matching document row for its kind, unit and
-- year; with the texts inline those rows were a page each and the join read
-- hundreds of megabytes. Now the rows are a few dozen bytes and the texts are
-- read only for the hits on the page (snippets).
create table search_texts (
    id bigint primary key references search_docs(id) on delete cascade,
    title text not null,
    body text not null
);
insert into search_texts (id, title, body) select id, title, body from search_docs;
alter table search_docs drop column title;
alter table search_docs drop column body;
