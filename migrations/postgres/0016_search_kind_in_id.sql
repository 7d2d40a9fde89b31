-- On SQLite a search entry's id carries its kind in its low three bits, so a
-- reader who may see everything counts hits by kind from the FTS5 index
-- alone. Entries written before keep their ids until `zhengyan search reindex`
-- rebuilds them; until then this says '1' and searches join each match's row
-- as before. PostgreSQL keeps its ids (the flag is unused there).
insert into settings (key, value, updated_at)
select 'search.layout', case when exists (select 1 from search_docs) then '1' else '2' end, 0;
