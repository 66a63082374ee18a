-- Pig's semantics for FLATTEN of a map, tuple group keys, IN over big numbers, TOP's
-- order, and the schemas of TOTUPLE, TOBAG and a bincond of bags (as Pig 0.17 and its
-- e2e tests show them).
A = LOAD 'rows' AS (s:chararray, m:map[int], i:biginteger, d:bigdecimal);
-- One row per key/value pair; an empty map gives no row, a null map nulls.
F = FOREACH A GENERATE s, FLATTEN(m);
DESCRIBE F;
FO = ORDER F BY s, m::key;
DUMP FO;
-- A GROUP by several keys makes `group` a tuple, read by field name.
G = GROUP A BY (s, i);
H = FOREACH G GENERATE group.s, group.i, COUNT(A);
DESCRIBE H;
HO = ORDER H BY s;
DUMP HO;
-- IN compares biginteger and bigdecimal values with numbers of any type.
I = FILTER A BY i IN (2, 12345678901234567890BI) OR d IN (3.5BD, 0.5);
IO = ORDER I BY s;
DUMP IO;
-- TOP's order comes from DEFINE: descending by default.
DEFINE TOP_ASC TOP('ASC');
DEFINE TOP_DESC TOP('desc');
AL = GROUP A ALL;
T = FOREACH AL GENERATE TOP(2, 2, A.(s, d, i)), TOP_ASC(2, 1, A.(s, d)), TOP_DESC(1, 1, A.(s, d));
DUMP T;
-- Column names: TOTUPLE's is org.apache.pig.builtin.totuple_<a field>_<n> with its
-- fields' names; TOBAG's has none.
N = FOREACH A GENERATE TOTUPLE(s, i), TOBAG(i, i), TOBAG(s, d);
DESCRIBE N;
-- A bincond of bags has its first branch's schema (Pig's cmdline e2e test 13).
S = LOAD 'students' AS (name: chararray, age: int, gpa: float);
V = LOAD 'voters' AS (name: chararray, age: int, registration: chararray, contributions: float);
C = COGROUP S BY name, V BY name;
J = FOREACH C GENERATE group, FLATTEN((not IsEmpty(S) ? S : (bag{tuple(chararray, int, float)}){(null, null, null)})), FLATTEN((not IsEmpty(V) ? V : (bag{tuple(chararray, int, chararray, float)}){(null, null, null, null)}));
DESCRIBE J;
JO = ORDER J BY group;
DUMP JO;
