-- Pig Latin syntax pigrs reads as Pig does (each line checked against Pig 0.17's
-- QueryParser.g / docs): string comparison operators, untyped maps, the TOBAG/TOMAP
-- shorthands, `@`, ranges in ORDER BY, SET ended by a newline, ORDER BY * without a
-- schema, LIMIT and SAMPLE by a scalar expression.
set default_parallel 2
A = LOAD 'rows' AS (s:chararray, n:int, f:double, m:[]);
DESCRIBE A;
B = FILTER A BY s gt 'a' AND s NEQ 'c' OR s eq 'c' AND n gte 3 AND n lte 3 AND s lt 'd';
DUMP B;
C = FOREACH A GENERATE {s, n}, [s, n], {(s, n)}, m#'k';
DUMP C;
D = ORDER A BY n .. f DESC;
DUMP @;
E = ORDER A BY s, .. n;
DESCRIBE @;
DUMP E;
R = LOAD 'ragged';
S = ORDER R BY * DESC;
DUMP S;
G = GROUP R ALL;
H = FOREACH G { o = ORDER R BY *; GENERATE o; };
DUMP H;
N = FOREACH (GROUP A ALL) GENERATE COUNT(A) AS n;
L = LIMIT D N.n / 2;
DUMP L;
ALLROWS = SAMPLE A N.n / N.n;
NONE = SAMPLE A (N.n - 4) * 1.0;
BOTH = UNION ALLROWS, NONE;
O = ORDER BOTH BY n;
DUMP O;
-- Ranges as GROUP and JOIN keys; a tuple group's fields by name.
K = GROUP A BY s .. n;
DESCRIBE K;
KC = FOREACH K GENERATE group.s, group.n, COUNT(A);
KO = ORDER KC BY s, n;
DUMP KO;
J = JOIN A BY $0 .. $1, KC BY s .. n;
JO = ORDER J BY A::n;
DUMP JO;
-- With no schema, `$k ..` as the last ORDER BY key is the rest of each row, compared
-- as Pig compares tuples (shorter first).
RT = ORDER R BY $0, $1 .. DESC;
DUMP RT;
