-- EXPLAIN of the top20 pipeline's shape: a replicated anti-join, a combined SUM, and a
-- nested ORDER/LIMIT made a map-side partial top-k.
SET default_parallel 2;
v = LOAD 'visits' AS (lang:chararray, page:chararray, n:long);
r = LOAD 'restrictions' AS (page:chararray);
j = JOIN v BY page LEFT OUTER, r BY page USING 'replicated';
keep = FILTER j BY r::page IS NULL;
sums = FOREACH (GROUP keep BY (v::lang, v::page)) GENERATE FLATTEN(group) AS (lang, page), SUM(keep.v::n) AS n;
by_lang = GROUP sums BY lang;
top = FOREACH by_lang { s = ORDER sums BY n DESC; t = LIMIT s 2; GENERATE FLATTEN(t); };
EXPLAIN top;
DUMP top;
