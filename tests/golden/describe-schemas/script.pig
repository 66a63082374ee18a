-- DESCRIBE after every kind of operator: Pig's schema format, JOIN's a::x names,
-- GROUP's group and bags, FLATTEN's expansion, nested FOREACH aliases.
A = LOAD 'students' AS (name:chararray, age:int, gpa:float);
B = LOAD 'classes' AS (name:chararray, class:chararray);
C = JOIN A BY name, B BY name;
DESCRIBE C;
D = GROUP C BY A::age;
DESCRIBE D;
E = FOREACH D GENERATE group AS age, COUNT(C) AS n, AVG(C.gpa), FLATTEN(C.B::class);
DESCRIBE E;
F = FOREACH D { young = FILTER C BY A::gpa > 3.0; GENERATE group, young; };
DESCRIBE F;
DESCRIBE F::young;
G = GROUP A BY (age, gpa);
DESCRIBE G;
H = FOREACH G GENERATE FLATTEN(group), A.name;
DESCRIBE H;
I = LOAD 'students';
DESCRIBE I;
J = FOREACH I GENERATE $0, $1 + 1;
DESCRIBE J;
