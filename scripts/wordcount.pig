-- Word count, as in the Disco tutorial: every space-separated word with its count.
--
--   pigrs run scripts/wordcount.pig -p in=scripts/data/wordcount -p out=out/wordcount
--
-- Output: word TAB count, one line per distinct word.
lines = LOAD '$in' USING TextLoader() AS (line:chararray);
words = FOREACH lines GENERATE FLATTEN(TOKENIZE(line, ' ')) AS word;
grouped = GROUP words BY word;
counts = FOREACH grouped GENERATE group AS word, COUNT(words) AS n;
STORE counts INTO '$out';
