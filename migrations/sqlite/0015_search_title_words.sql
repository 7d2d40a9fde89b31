-- Search ranks by where the words stand (every word in the title, some word
-- in the title, the text only), newest first within each tier. FTS5 already
-- restricts a match to a column (`{title} : …`), so SQLite's index needs
-- nothing new; this number keeps the two folders in step with PostgreSQL's
-- 0015, which gives the title's words a tsvector of their own.
select 1;
