-- EXPLAIN of a word count: the GROUP's bags only feed COUNT, so the combiner rule makes
-- it an Aggregate with partial counts in the map stage.
SET default_parallel 2;
lines = LOAD 'words' USING TextLoader() AS (line:chararray);
words = FOREACH lines GENERATE FLATTEN(TOKENIZE(line)) AS word;
grouped = GROUP words BY word;
counts = FOREACH grouped GENERATE group, COUNT(words);
EXPLAIN counts;
DUMP counts;
