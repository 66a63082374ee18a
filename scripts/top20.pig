-- Wikipedia page counts: the 20 most visited pages of a day in English, German and
-- French, leaving out the pages on a restrictions list.
--
--   pigrs run scripts/top20.pig -p in=scripts/data/pagecounts \
--       -p restrictions=scripts/data/pagecounts/restrictions.txt -p out=out/top20
--
-- Input: hourly files pagecounts-YYYYMMDD-HH0000 with lines "lang page visits bytes";
-- the restrictions list has one page title per line.
-- Output: lang TAB page TAB visits, 20 lines per language, most visited first.
raw = LOAD '$in/pagecounts-*' USING PigStorage(' ') AS (lang:chararray, page:chararray, visits:long, bytes:long);
langs = FILTER raw BY lang == 'en' OR lang == 'de' OR lang == 'fr';
restricted = LOAD '$restrictions' AS (page:chararray);
joined = JOIN langs BY page LEFT OUTER, restricted BY page USING 'replicated';
allowed = FILTER joined BY restricted::page IS NULL;
pages = FOREACH allowed GENERATE langs::lang AS lang, langs::page AS page, langs::visits AS visits;
per_page = GROUP pages BY (lang, page);
totals = FOREACH per_page GENERATE FLATTEN(group) AS (lang, page), SUM(pages.visits) AS visits;
by_lang = GROUP totals BY lang;
top = FOREACH by_lang {
    sorted = ORDER totals BY visits DESC;
    best = LIMIT sorted 20;
    GENERATE FLATTEN(best);
};
STORE top INTO '$out';
