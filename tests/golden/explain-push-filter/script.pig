-- EXPLAIN of filters written late: the one on the projected join field goes below the
-- join, the one on `group` below the COGROUP onto each input; and the loads convert only
-- the fields something reads (`bytes` is read by nothing).
SET default_parallel 2;
v = LOAD 'visits' AS (lang:chararray, page:chararray, n:long, bytes:long);
l = LOAD 'langs' AS (code:chararray, name:chararray);
j = JOIN v BY lang, l BY code;
named = FOREACH j GENERATE l::name AS name, v::page AS page, v::n AS n;
big = FILTER named BY n > 2;
c = COGROUP big BY name, l BY name;
kept = FILTER c BY group != 'French' AND COUNT(big) > 0;
out = FOREACH kept GENERATE group, SUM(big.n);
EXPLAIN out;
DUMP out;
