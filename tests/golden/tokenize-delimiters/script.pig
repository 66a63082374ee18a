-- FLATTEN(TOKENIZE(...)) with one, two, three and four delimiters (memchr for up to
-- three, a byte table beyond): empty tokens dropped, multibyte text kept whole.
lines = LOAD 'lines' USING TextLoader() AS (line:chararray);
one = FOREACH lines GENERATE FLATTEN(TOKENIZE(line, ' ')) AS w;
DUMP one;
two = FOREACH lines GENERATE FLATTEN(TOKENIZE(line, ' ,')) AS w;
DUMP two;
three = FOREACH lines GENERATE FLATTEN(TOKENIZE(line, ' ,;')) AS w;
DUMP three;
four = FOREACH lines GENERATE FLATTEN(TOKENIZE(line, ' ,;:')) AS w;
DUMP four;
