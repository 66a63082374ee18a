-- Google Books 2-grams: the 100 ngrams with the most matches over all years.
--
--   pigrs run scripts/ngrams.pig -p in=scripts/data/ngrams -p out=out/ngrams
--
-- Input lines: ngram TAB year TAB match_count TAB page_count TAB volume_count.
-- Output: ngram TAB total, largest first.
grams = LOAD '$in' AS (ngram:chararray, year:int, match_count:long, page_count:long, volume_count:long);
grouped = GROUP grams BY ngram;
totals = FOREACH grouped GENERATE group AS ngram, SUM(grams.match_count) AS total;
sorted = ORDER totals BY total DESC;
top = LIMIT sorted 100;
STORE top INTO '$out';
