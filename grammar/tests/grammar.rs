//! Integration tests for the Pig Latin front end: every statement and expression form
//! round-trips through the printer, precedence, error messages and spans, parameter
//! substitution, macros, the shared conformance scripts and a no-panic fuzz pass.

use pigrs_grammar::ast::*;
use pigrs_grammar::{macros, params, parse_script, parse_statement};

/// Parses `src`, prints it, reparses the print, and checks both trees are equal and that
/// printing is idempotent. Returns the first tree.
fn verified(src: &str) -> Script {
    let a = parse_script(src, 0).unwrap_or_else(|e| panic!("parse failed for {src:?}: {e:#?}"));
    let printed = a.to_string();
    let b = parse_script(&printed, 0)
        .unwrap_or_else(|e| panic!("reparse failed for {printed:?}: {e:#?}"));
    assert_eq!(
        a, b,
        "round trip changed the tree\nsource:  {src}\nprinted: {printed}"
    );
    assert_eq!(printed, b.to_string(), "printing is not idempotent");
    a
}

/// Like [`verified`] and also checks the canonical print.
fn canonical(src: &str, expected: &str) -> Script {
    let s = verified(src);
    assert_eq!(s.to_string().trim_end(), expected);
    s
}

fn op_of(s: &Script) -> &Op {
    match &s.statements[0].node {
        StatementKind::Assign { op, .. } => op,
        other => panic!("not an assignment: {other:?}"),
    }
}

fn expr(src: &str) -> Expr {
    let s = verified(&format!("B = FOREACH A GENERATE {src};"));
    match op_of(&s) {
        Op::Foreach { generate, .. } => generate[0].expr.clone(),
        _ => unreachable!(),
    }
}

fn errors(src: &str) -> Vec<pigrs_grammar::ParseError> {
    parse_script(src, 0).expect_err("expected a parse error")
}

// ------------------------------------------------------------------ statements

#[test]
fn load_forms() {
    canonical("a = load 'x';", "a = LOAD 'x';");
    canonical(
        "A = LOAD 'data' USING PigStorage(',') AS (a:int, b:chararray);",
        "A = LOAD 'data' USING PigStorage(',') AS (a:int, b:chararray);",
    );
    canonical("A = LOAD 'x' AS a;", "A = LOAD 'x' AS (a);");
    canonical(
        "A = LOAD 'x' USING org.apache.pig.builtin.TextLoader();",
        "A = LOAD 'x' USING org.apache.pig.builtin.TextLoader();",
    );
    canonical(
        "A = LOAD 'x' USING PigStorage;",
        "A = LOAD 'x' USING PigStorage();",
    );
    let s = verified("A = Load 'it''s';".replace("''", "\\'").as_str());
    match op_of(&s) {
        Op::Load { path, .. } => assert_eq!(path.node, "it's"),
        _ => unreachable!(),
    }
}

#[test]
fn schemas_with_every_type() {
    let s = canonical(
        "A = LOAD 'x' AS (a:int, b:chararray, c:bag{t:(x:int,y:int)}, d:map[], e:tuple(f:int), g, h:{(x:int)}, i:(x:int), j:long, k:float, l:double, m:biginteger, n:bigdecimal, o:bytearray, p:boolean, q:datetime, r:map[int], s:bag{}, t:tuple());",
        "A = LOAD 'x' AS (a:int, b:chararray, c:bag{t:(x:int, y:int)}, d:map[], e:tuple(f:int), g, h:bag{(x:int)}, i:tuple(x:int), j:long, k:float, l:double, m:biginteger, n:bigdecimal, o:bytearray, p:boolean, q:datetime, r:map[int], s:bag{}, t:tuple());",
    );
    let Op::Load {
        schema: Some(schema),
        ..
    } = op_of(&s)
    else {
        panic!()
    };
    assert_eq!(schema.fields.len(), 19);
    assert_eq!(
        schema.fields[5].name.as_ref().map(|n| n.node.as_str()),
        Some("g")
    );
    assert!(schema.fields[5].ty.is_none());
    match &schema.fields[2].ty {
        Some(TypeAst::Bag {
            tuple_name: Some(t),
            schema: Some(s),
        }) => {
            assert_eq!(t.node, "t");
            assert_eq!(s.fields.len(), 2);
        }
        other => panic!("{other:?}"),
    }
    verified("A = LOAD 'x' AS (t:tuple(a:int, b:bag{tuple(c:int)}), m:map[bag{(x:int)}]);");
    verified("A = LOAD 'x' AS (int, chararray);");
    verified("A = LOAD 'x' AS (B:bag{T:tuple(x:int)});");
}

#[test]
fn keywords_are_case_insensitive() {
    let a = verified("A = LOAD 'x' AS (a:INT); B = FILTER A BY a IS NOT NULL AND a > 0; DUMP B;");
    let b = verified("a = load 'x' as (a:int); b = filter a by a is not null and a > 0; dump b;");
    // Aliases are case-sensitive, so only compare the shape of the first statement.
    assert_eq!(a.statements.len(), b.statements.len());
    let c = verified("A = LOAD 'x' AS (a:Int); B = Filter A By a Is Not Null And a > 0; Dump B;");
    assert_eq!(a, c);
}

#[test]
fn foreach_flat_and_nested() {
    canonical(
        "B = FOREACH A GENERATE a, b + 1 AS c, FLATTEN(d) AS (e, f:int), *, $0 .. $2, x.., ..y;",
        "B = FOREACH A GENERATE a, b + 1 AS c, FLATTEN(d) AS (e, f:int), *, $0 .. $2, x .., .. y;",
    );
    let s = canonical(
        "C = FOREACH B { S = ORDER A BY score DESC; T = LIMIT S 2; F = FILTER A BY x > 0; D = DISTINCT F.x; P = A.(x, y); Q = SAMPLE A 0.5; X = CROSS A, B; I = FOREACH A GENERATE x; GENERATE group, FLATTEN(T.item), COUNT(D); }",
        "C = FOREACH B { S = ORDER A BY score DESC; T = LIMIT S 2; F = FILTER A BY x > 0; D = DISTINCT F.x; P = A.(x, y); Q = SAMPLE A 0.5; X = CROSS A, B; I = FOREACH A GENERATE x; GENERATE group, FLATTEN(T.item), COUNT(D); };",
    );
    let Op::Foreach {
        nested, generate, ..
    } = op_of(&s)
    else {
        panic!()
    };
    assert_eq!(nested.len(), 8);
    assert_eq!(generate.len(), 3);
    assert!(matches!(nested[3].op, NestedOp::Distinct { .. }));
    // Pig accepts a nested block without a `;` after `}`.
    let s = verified("C = FOREACH B {\n  T = LIMIT A 1;\n  GENERATE group, T;\n}\nDUMP C;");
    assert_eq!(s.statements.len(), 2);
}

#[test]
fn generate_alias_forms() {
    let s = verified("B = FOREACH A GENERATE x AS y:int, (a, b) AS (p, q), group AS g;");
    let Op::Foreach { generate, .. } = op_of(&s) else {
        panic!()
    };
    assert_eq!(
        generate[0].alias.as_ref().unwrap()[0].ty,
        Some(TypeAst::Scalar(ScalarType::Int))
    );
    assert_eq!(generate[1].alias.as_ref().unwrap().len(), 2);
    assert!(matches!(generate[1].expr.node, ExprKind::Tuple(_)));
}

#[test]
fn filter_group_cogroup() {
    canonical(
        "B = FILTER A BY (f1 == 8) OR (NOT (f2 + f3 > f1));",
        "B = FILTER A BY f1 == 8 OR NOT f2 + f3 > f1;",
    );
    canonical("B = GROUP A ALL;", "B = GROUP A ALL;");
    canonical(
        "B = GROUP A BY age PARALLEL 10;",
        "B = GROUP A BY age PARALLEL 10;",
    );
    let s = canonical("B = GROUP A BY (a, b);", "B = GROUP A BY (a, b);");
    let Op::Group {
        inputs, cogroup, ..
    } = op_of(&s)
    else {
        panic!()
    };
    assert!(!cogroup);
    assert!(matches!(&inputs[0].key, GroupKey::Exprs(k) if k.len() == 2));
    let s = canonical(
        "X = COGROUP A BY name INNER, B BY name OUTER USING 'merge' PARTITION BY org.x.Part PARALLEL 3;",
        "X = COGROUP A BY name INNER, B BY name USING 'merge' PARTITION BY org.x.Part PARALLEL 3;",
    );
    let Op::Group {
        inputs,
        cogroup,
        using,
        partition_by,
        parallel,
    } = op_of(&s)
    else {
        panic!()
    };
    assert!(cogroup);
    assert!(inputs[0].inner && !inputs[1].inner);
    assert_eq!(using.as_ref().unwrap().node, "merge");
    assert_eq!(partition_by.as_ref().unwrap().node, "org.x.Part");
    assert_eq!(parallel.as_ref().unwrap().node, 3);
    verified("B = GROUP A BY group;");
    verified("C = FOREACH B GENERATE group, COUNT(A);");
}

#[test]
fn joins() {
    let s = canonical("C = JOIN A BY a1, B BY b1;", "C = JOIN A BY a1, B BY b1;");
    assert!(matches!(
        op_of(&s),
        Op::Join {
            kind: JoinKind::Inner,
            ..
        }
    ));
    for (src, kind) in [
        ("C = JOIN A BY a LEFT OUTER, B BY b;", JoinKind::Left),
        ("C = JOIN A BY a LEFT, B BY b;", JoinKind::Left),
        ("C = JOIN A BY a RIGHT OUTER, B BY b;", JoinKind::Right),
        (
            "C = JOIN A BY a FULL, B BY b USING 'skewed';",
            JoinKind::Full,
        ),
    ] {
        let s = verified(src);
        let Op::Join { kind: k, .. } = op_of(&s) else {
            panic!()
        };
        assert_eq!(*k, kind, "{src}");
    }
    let s =
        verified("D = JOIN A BY (a, b), B BY (c, d), C BY (e, f) USING 'replicated' PARALLEL 2;");
    let Op::Join { inputs, using, .. } = op_of(&s) else {
        panic!()
    };
    assert_eq!(inputs.len(), 3);
    assert_eq!(inputs[1].keys.len(), 2);
    assert_eq!(using.as_ref().unwrap().node, "replicated");
    verified("C = JOIN A BY $0, B BY $0 USING 'merge';");
}

#[test]
fn order_limit_distinct_union_cross_sample() {
    canonical(
        "B = ORDER A BY a DESC, b ASC, c;",
        "B = ORDER A BY a DESC, b, c;",
    );
    canonical(
        "B = ORDER A BY * DESC PARALLEL 2;",
        "B = ORDER A BY * DESC PARALLEL 2;",
    );
    verified("B = ORDER A BY x USING MyComparator();");
    canonical("B = LIMIT A 10;", "B = LIMIT A 10;");
    let s = canonical("B = LIMIT A (C.n * 2);", "B = LIMIT A (C.n * 2);");
    assert!(
        matches!(op_of(&s), Op::Limit { count, .. } if matches!(count.node, ExprKind::Binary { .. }))
    );
    canonical("B = DISTINCT A PARALLEL 4;", "B = DISTINCT A PARALLEL 4;");
    canonical("C = UNION ONSCHEMA A, B;", "C = UNION ONSCHEMA A, B;");
    canonical("C = UNION A, B, C;", "C = UNION A, B, C;");
    canonical("C = CROSS A, B PARALLEL 10;", "C = CROSS A, B PARALLEL 10;");
    canonical("B = SAMPLE A 0.01;", "B = SAMPLE A 0.01;");
}

#[test]
fn rank_cube_assert_stream() {
    canonical("B = RANK A;", "B = RANK A;");
    let s = canonical(
        "B = RANK A BY a DESC, b DENSE;",
        "B = RANK A BY a DESC, b DENSE;",
    );
    assert!(matches!(op_of(&s), Op::Rank { dense: true, keys, .. } if keys.len() == 2));
    let s = canonical(
        "C = CUBE A BY CUBE(a, b), ROLLUP(c);",
        "C = CUBE A BY CUBE(a, b), ROLLUP(c);",
    );
    let Op::Cube { specs, .. } = op_of(&s) else {
        panic!()
    };
    assert!(!specs[0].rollup && specs[1].rollup);
    canonical(
        "B = ASSERT A BY a > 0, 'must be positive';",
        "B = ASSERT A BY a > 0, 'must be positive';",
    );
    // The statement form checks A in place.
    canonical("ASSERT A BY a0 > 0;", "A = ASSERT A BY a0 > 0;");
    canonical(
        "B = STREAM A THROUGH `cut -f1` AS (x:int);",
        "B = STREAM A THROUGH `cut -f1` AS (x:int);",
    );
    let s = canonical("B = STREAM A THROUGH mycmd;", "B = STREAM A THROUGH mycmd;");
    assert!(matches!(
        op_of(&s),
        Op::Stream {
            command: StreamThrough::Defined(_),
            ..
        }
    ));
}

#[test]
fn split_store_dump_describe() {
    let s = canonical(
        "SPLIT A INTO X IF f1 < 7, Y IF f2 == 5, Z OTHERWISE;",
        "SPLIT A INTO X IF f1 < 7, Y IF f2 == 5, Z OTHERWISE;",
    );
    let StatementKind::Split {
        branches,
        otherwise,
        ..
    } = &s.statements[0].node
    else {
        panic!()
    };
    assert_eq!(branches.len(), 2);
    assert_eq!(otherwise.as_ref().unwrap().node, "Z");
    canonical(
        "STORE A INTO 'out' USING PigStorage('\\t');",
        "STORE A INTO 'out' USING PigStorage('\\t');",
    );
    canonical("store a into 'out';", "STORE a INTO 'out';");
    canonical("DUMP A;", "DUMP A;");
    let s = canonical("DESCRIBE A::B;", "DESCRIBE A::B;");
    let StatementKind::Describe(parts) = &s.statements[0].node else {
        panic!()
    };
    assert_eq!(
        parts.iter().map(|p| p.node.as_str()).collect::<Vec<_>>(),
        ["A", "B"]
    );
    canonical("EXPLAIN -brief -dot A;", "EXPLAIN -brief -dot A;");
    canonical("EXPLAIN;", "EXPLAIN;");
    canonical("ILLUSTRATE A;", "ILLUSTRATE A;");
}

#[test]
fn define_register_import_set() {
    let s = canonical(
        "DEFINE myfunc org.x.Y('a', 'b');",
        "DEFINE myfunc org.x.Y('a', 'b');",
    );
    assert!(
        matches!(&s.statements[0].node, StatementKind::Define { target: DefineTarget::Func(f), .. } if f.args.len() == 2)
    );
    let s = canonical(
        "DEFINE c `perl x.pl` INPUT(stdin USING PigStreaming(',')) OUTPUT(stdout) SHIP('x.pl') CACHE('/a#b') STDERR('logs' LIMIT 10);",
        "DEFINE c `perl x.pl` INPUT(stdin USING PigStreaming(',')) OUTPUT(stdout) SHIP('x.pl') CACHE('/a#b') STDERR('logs' LIMIT 10);",
    );
    let StatementKind::Define {
        target: DefineTarget::Command(c),
        ..
    } = &s.statements[0].node
    else {
        panic!()
    };
    assert_eq!(c.command.node, "perl x.pl");
    assert_eq!(c.ship[0].node, "x.pl");
    assert_eq!(c.stderr.as_ref().unwrap().node, "'logs' LIMIT 10");
    canonical("REGISTER myudfs.jar;", "REGISTER 'myudfs.jar';");
    canonical("register /a/b/c.jar;", "REGISTER '/a/b/c.jar';");
    canonical(
        "REGISTER 'test.py' USING jython AS myfuncs;",
        "REGISTER 'test.py' USING jython AS myfuncs;",
    );
    canonical("IMPORT 'my_macro.pig';", "IMPORT 'my_macro.pig';");
    canonical("SET default_parallel 10;", "SET default_parallel 10;");
    canonical("SET job.name 'my job';", "SET job.name 'my job';");
    canonical(
        "set mapreduce.map.output.compress true;",
        "SET mapreduce.map.output.compress true;",
    );
    canonical("SET;", "SET;");
}

#[test]
fn grunt_file_commands_take_paths_to_the_end_of_the_line() {
    let src = "ls\nLS out;\ncat a b\ncd\npwd\nmkdir 'with space'\ncp x \"it's\"\nmv a b\nrm a b c\ncopyToLocal a b\nCOPYFROMLOCAL a b\ncat = LOAD 'x';";
    let s = verified(src);
    let commands: Vec<(FileCommand, Vec<&str>)> = s
        .statements
        .iter()
        .filter_map(|st| match &st.node {
            StatementKind::FileCommand { command, args } => {
                Some((command.node, args.iter().map(|a| a.node.as_str()).collect()))
            }
            _ => None,
        })
        .collect();
    use FileCommand::*;
    assert_eq!(
        commands,
        vec![
            (Ls, vec![]),
            (Ls, vec!["out"]),
            (Cat, vec!["a", "b"]),
            (Cd, vec![]),
            (Pwd, vec![]),
            (Mkdir, vec!["with space"]),
            (Cp, vec!["x", "it's"]),
            (Mv, vec!["a", "b"]),
            (Rm, vec!["a", "b", "c"]),
            (CopyToLocal, vec!["a", "b"]),
            (CopyFromLocal, vec!["a", "b"]),
        ]
    );
    // A command's name is still an alias when `=` follows.
    assert!(
        matches!(&s.statements.last().unwrap().node, StatementKind::Assign { alias, .. } if alias.node == "cat")
    );
    // Each path's span covers it as written, quotes included.
    let mkdir = &s.statements[5];
    let StatementKind::FileCommand { args, .. } = &mkdir.node else {
        panic!()
    };
    assert_eq!(
        &src[args[0].span.start as usize..args[0].span.end as usize],
        "'with space'"
    );
}

#[test]
fn shell_commands_take_raw_lines() {
    let s = verified(
        "fs -ls /tmp/x;\nsh ls -l | wc -l;\nrmf out;\nrmf 'my out'\nexec -param a=1 -param_file p.txt s.pig;\nrun s.pig;\nexec;",
    );
    let kinds: Vec<_> = s.statements.iter().map(|s| &s.node).collect();
    assert!(matches!(kinds[0], StatementKind::Fs(t) if t.node == "-ls /tmp/x"));
    assert!(matches!(kinds[1], StatementKind::Sh(t) if t.node == "ls -l | wc -l"));
    assert!(matches!(kinds[2], StatementKind::Rmf(t) if t.node == "out"));
    assert!(matches!(kinds[3], StatementKind::Rmf(t) if t.node == "my out"));
    let StatementKind::Exec(call) = kinds[4] else {
        panic!()
    };
    assert_eq!(call.params[0].node, "a=1");
    assert_eq!(call.param_files[0].node, "p.txt");
    assert_eq!(call.script.as_ref().unwrap().node, "s.pig");
    assert!(matches!(kinds[5], StatementKind::Run(c) if c.script.is_some()));
    assert!(matches!(kinds[6], StatementKind::Exec(c) if c.script.is_none()));
    // `fs` is an ordinary alias when assigned.
    verified("fs = LOAD 'x'; run = FOREACH fs GENERATE $0;");
}

#[test]
fn inline_operators_alias_copy_and_keyword_aliases() {
    let s = canonical(
        "B = FOREACH (FILTER A BY x > 0) GENERATE x;",
        "B = FOREACH (FILTER A BY x > 0) GENERATE x;",
    );
    let Op::Foreach {
        input: RelRef::Inline(inner),
        ..
    } = op_of(&s)
    else {
        panic!()
    };
    assert!(matches!(inner.node, Op::Filter { .. }));
    canonical("B = A;", "B = A;");
    canonical(
        "C = JOIN (LOAD 'a') BY $0, (LOAD 'b') BY $0;",
        "C = JOIN (LOAD 'a') BY $0, (LOAD 'b') BY $0;",
    );
    verified("IN = LOAD 'data' AS (col0, col1); F = FOREACH IN GENERATE col0; DUMP IN;");
}

#[test]
fn macro_definitions_and_calls() {
    let s = verified(
        "DEFINE my_macro(A, key) RETURNS B { $B = FILTER $A BY $key > 0; };\nX = my_macro(Y, f);\nP, Q = two(Y, 'str', 3);\nnone();",
    );
    let StatementKind::MacroDef(m) = &s.statements[0].node else {
        panic!()
    };
    assert_eq!(m.params.len(), 2);
    assert_eq!(m.returns[0].node, "B");
    assert_eq!(m.body.node.trim(), "$B = FILTER $A BY $key > 0;");
    let StatementKind::MacroCall { outputs, args, .. } = &s.statements[2].node else {
        panic!()
    };
    assert_eq!(outputs.len(), 2);
    assert_eq!(args[1].node, MacroArg::String("str".into()));
    assert_eq!(args[2].node, MacroArg::Number("3".into()));
    let s = verified("DEFINE v() RETURNS void { DUMP A; };");
    let StatementKind::MacroDef(m) = &s.statements[0].node else {
        panic!()
    };
    assert!(m.returns.is_empty());
}

#[test]
fn parse_statement_allows_missing_semicolon() {
    let s = parse_statement("DUMP A", 0).unwrap();
    assert_eq!(s.statements.len(), 1);
    let s = parse_statement("A = LOAD 'x'; B = LIMIT A 1", 0).unwrap();
    assert_eq!(s.statements.len(), 2);
    assert!(parse_statement("A = ", 0).is_err());
}

// ------------------------------------------------------------------ expressions

#[test]
fn literals() {
    let lit = |src: &str| match expr(src).node {
        ExprKind::Literal(l) => l,
        other => panic!("{other:?}"),
    };
    assert_eq!(lit("42"), Literal::Int(42));
    assert_eq!(lit("-42"), Literal::Int(-42));
    assert_eq!(lit("-2147483648"), Literal::Int(i32::MIN));
    assert_eq!(lit("42L"), Literal::Long(42));
    assert_eq!(lit("42l"), Literal::Long(42));
    assert_eq!(lit("1.5"), Literal::Double(1.5));
    assert_eq!(lit(".5"), Literal::Double(0.5));
    assert_eq!(lit("1e10"), Literal::Double(1e10));
    assert_eq!(lit("1.5E-3"), Literal::Double(1.5e-3));
    assert_eq!(lit("1.5f"), Literal::Float(1.5));
    assert_eq!(lit("2F"), Literal::Float(2.0));
    assert_eq!(lit("123BI"), Literal::BigInteger("123".into()));
    assert_eq!(lit("1.5BD"), Literal::BigDecimal("1.5".into()));
    assert_eq!(
        lit("'a\\'b\\\\c\\n\\t\\u0041'"),
        Literal::String("a'b\\c\n\tA".into())
    );
    assert_eq!(lit("null"), Literal::Null);
    assert_eq!(lit("TRUE"), Literal::Boolean(true));
    assert_eq!(lit("false"), Literal::Boolean(false));
}

#[test]
fn int_too_big_is_an_error() {
    let e = errors("B = FOREACH A GENERATE 3000000000;");
    assert!(
        e[0].message.contains("too big for an int"),
        "{}",
        e[0].message
    );
    assert_eq!(e[0].span.range(), 23..33);
    verified("B = FOREACH A GENERATE 3000000000L;");
}

#[test]
fn precedence() {
    let p = |src: &str, want: &str| {
        let e = expr(src);
        assert_eq!(e.to_string(), want, "{src}");
    };
    p("a + b * c", "a + b * c");
    p("(a + b) * c", "(a + b) * c");
    p("a - (b - c)", "a - (b - c)");
    p("a - b - c", "a - b - c");
    p("a / (b * c)", "a / (b * c)");
    p("-a * b", "-a * b");
    p("-(a * b)", "-(a * b)");
    p("a - -1", "a - -1");
    p("- 1", "- 1");
    p("(int)a + 1", "(int)a + 1");
    p("(int)(a + 1)", "(int)(a + 1)");
    p("(chararray)(-1)", "(chararray)(-1)");
    p("(chararray)-x", "(chararray)-x");
    p("a.b.c", "a.b.c");
    p("m#'k'#'j'", "m#'k'#'j'");
    p("(x == 1 ? 'a' : 'b')", "(x == 1 ? 'a' : 'b')");
    p("(a OR b) AND c", "(a OR b) AND c");
    p("a OR b AND c", "a OR b AND c");
    p("NOT a AND b", "NOT a AND b");
    p("NOT (a AND b)", "NOT (a AND b)");
    p("(a == b) == c", "(a == b) == c");
    // Structure checks.
    let e = expr("a OR b AND NOT c == d + e * -f");
    let ExprKind::Binary {
        op: BinaryOp::Or,
        right,
        ..
    } = &e.node
    else {
        panic!()
    };
    let ExprKind::Binary {
        op: BinaryOp::And,
        right,
        ..
    } = &right.node
    else {
        panic!()
    };
    let ExprKind::Unary {
        op: UnaryOp::Not,
        expr: inner,
    } = &right.node
    else {
        panic!()
    };
    let ExprKind::Binary {
        op: BinaryOp::Eq,
        right,
        ..
    } = &inner.node
    else {
        panic!()
    };
    let ExprKind::Binary {
        op: BinaryOp::Add,
        right,
        ..
    } = &right.node
    else {
        panic!()
    };
    let ExprKind::Binary {
        op: BinaryOp::Mul,
        right,
        ..
    } = &right.node
    else {
        panic!()
    };
    assert!(matches!(
        right.node,
        ExprKind::Unary {
            op: UnaryOp::Neg,
            ..
        }
    ));
    let e = expr("(int)a.b");
    assert!(
        matches!(&e.node, ExprKind::Cast { expr, .. } if matches!(expr.node, ExprKind::Deref { .. }))
    );
}

#[test]
fn predicates() {
    assert!(matches!(
        expr("a IS NULL").node,
        ExprKind::IsNull { negated: false, .. }
    ));
    assert!(matches!(
        expr("a is not null").node,
        ExprKind::IsNull { negated: true, .. }
    ));
    assert!(matches!(
        expr("name MATCHES '.*ab.*'").node,
        ExprKind::Matches { .. }
    ));
    assert!(
        matches!(expr("x IN (1, 2, 3)").node, ExprKind::In { ref list, .. } if list.len() == 3)
    );
    assert!(matches!(
        expr("a + 1 > b").node,
        ExprKind::Binary {
            op: BinaryOp::Gt,
            ..
        }
    ));
}

#[test]
fn case_calls_constructors_casts() {
    let e = expr("CASE WHEN x > 0 THEN 'p' WHEN x < 0 THEN 'n' ELSE 'z' END");
    assert!(
        matches!(&e.node, ExprKind::Case { operand: None, whens, otherwise: Some(_) } if whens.len() == 2)
    );
    let e = expr("CASE x WHEN 1 THEN 'one' END");
    assert!(matches!(
        &e.node,
        ExprKind::Case {
            operand: Some(_),
            otherwise: None,
            ..
        }
    ));
    let e = expr("org.apache.pig.builtin.COUNT(A)");
    assert!(
        matches!(&e.node, ExprKind::Call { func, .. } if func.node == "org.apache.pig.builtin.COUNT")
    );
    assert!(
        matches!(expr("COUNT(*)").node, ExprKind::Call { ref args, .. } if matches!(args[0].node, ExprKind::Star))
    );
    assert!(
        matches!(expr("CONCAT(a, 'x', b)").node, ExprKind::Call { ref args, .. } if args.len() == 3)
    );
    assert!(matches!(expr("(1, 'a')").node, ExprKind::Tuple(ref v) if v.len() == 2));
    assert!(matches!(expr("{(1, 2), (3, 4)}").node, ExprKind::Bag(ref v) if v.len() == 2));
    assert!(matches!(expr("{}").node, ExprKind::Bag(ref v) if v.is_empty()));
    assert!(matches!(expr("['a'#1, 'b'#x + 1]").node, ExprKind::Map(ref v) if v.len() == 2));
    assert!(matches!(
        expr("FLATTEN(TOKENIZE(s))").node,
        ExprKind::Flatten(_)
    ));
    assert!(
        matches!(expr("A.(x, y)").node, ExprKind::Deref { ref fields, .. } if fields.len() == 2)
    );
    assert!(
        matches!(expr("A::x").node, ExprKind::Field(FieldRef::Name(ref n)) if n.node == "A::x")
    );
    assert!(matches!(expr("$3").node, ExprKind::Field(FieldRef::Position(ref p)) if p.node == 3));
    for (src, want) in [
        ("(tuple(int,chararray))t", "(tuple(int, chararray))t"),
        ("(bag{tuple(int)})b", "(bag{(int)})b"),
        ("(map[])m", "(map[])m"),
        ("(map[int])m", "(map[int])m"),
        ("(long)$0", "(long)$0"),
        ("(datetime)s", "(datetime)s"),
    ] {
        let e = expr(src);
        assert!(matches!(e.node, ExprKind::Cast { .. }), "{src}");
        assert_eq!(e.to_string(), want);
    }
}

#[test]
fn pig_shorthands_and_string_comparisons() {
    // `{a, b}` is TOBAG and `[k, v]` TOMAP (Pig's QueryParser.g curly_expr/bracket_expr);
    // `(1)` in a bag is the number 1, so `{(1), (2, 3)}` is TOBAG too.
    canonical(
        "B = FOREACH A GENERATE {a, b}, [k, v], {(1), (2, 3)}, {(1, 2)}, ['k'#1], {}, [];",
        "B = FOREACH A GENERATE TOBAG(a, b), TOMAP(k, v), TOBAG(1, (2, 3)), {(1, 2)}, ['k'#1], {}, [];",
    );
    // A bincond branch and a map type after `:` are told apart.
    canonical(
        "B = FOREACH A GENERATE (x > 0 ? [a, b] : [c, d]);",
        "B = FOREACH A GENERATE (x > 0 ? TOMAP(a, b) : TOMAP(c, d));",
    );
    canonical(
        "A = LOAD 'x' AS (m:[], n:[int], t:map[]);",
        "A = LOAD 'x' AS (m:map[], n:map[int], t:map[]);",
    );
    // eq/neq/lt/lte/gt/gte compare like the symbols, and stay names elsewhere.
    canonical(
        "B = FILTER A BY s eq 'a' OR s NEQ 'b' OR s lt t OR s lte t OR s gt t OR s gte t;",
        "B = FILTER A BY s == 'a' OR s != 'b' OR s < t OR s <= t OR s > t OR s >= t;",
    );
    canonical(
        "B = FOREACH A GENERATE eq, lt AS gt;",
        "B = FOREACH A GENERATE eq, lt AS gt;",
    );
    // `@` is the previous relation, resolved by the planner.
    canonical(
        "A = LOAD 'x';\nB = FILTER @ BY $0 > 1;\nDUMP @;\nDESCRIBE @;\nEXPLAIN @;\nILLUSTRATE @;",
        "A = LOAD 'x';\nB = FILTER @ BY $0 > 1;\nDUMP @;\nDESCRIBE @;\nEXPLAIN @;\nILLUSTRATE @;",
    );
}

#[test]
fn set_may_end_at_the_end_of_its_line() {
    canonical(
        "set default_parallel 3\nset job.name 'x'\nA = LOAD 'x';\nSET debug on;\nset",
        "SET default_parallel 3;\nSET job.name 'x';\nA = LOAD 'x';\nSET debug 'on';\nSET;",
    );
    // A SET statement cannot run on into the next line.
    assert!(parse_script("set default_parallel\n3;", 0).is_err());
}

#[test]
fn expression_spans() {
    let src = "B = FOREACH A GENERATE a + b * 2;";
    let s = verified(src);
    let Op::Foreach { generate, .. } = op_of(&s) else {
        panic!()
    };
    let e = &generate[0].expr;
    assert_eq!(&src[e.span.range()], "a + b * 2");
    let ExprKind::Binary { right, .. } = &e.node else {
        panic!()
    };
    assert_eq!(&src[right.span.range()], "b * 2");
    assert_eq!(&src[s.statements[0].span.range()], src);
}

// ------------------------------------------------------------------ errors

#[test]
fn error_messages_and_spans() {
    let src = "A = LOAD 'x';\nB = FOREACH A GENERAT x;";
    let e = errors(src);
    assert_eq!(&src[e[0].span.range()], "GENERAT");
    assert!(
        e[0].message.starts_with("unexpected `GENERAT`"),
        "{}",
        e[0].message
    );
    assert!(
        e[0].expected.contains(&"`GENERATE`".to_string()),
        "{:?}",
        e[0].expected
    );

    let src = "A = LOAD 'x' BY;";
    let e = errors(src);
    assert_eq!(&src[e[0].span.range()], "BY");
    assert!(e[0].message.contains("unexpected `BY`"), "{}", e[0].message);
    assert!(e[0].expected.len() <= 8);

    let e = errors("A = LOAD 'x'");
    assert!(e[0].message.contains("end of script"), "{}", e[0].message);
    assert!(e[0].help.is_some());

    let e = errors("A = LOAD 'unterminated;");
    assert!(e[0].message.contains("unterminated string"));

    let e = errors("A = LOAD '$input';\nB = LIMIT A $n;");
    assert!(e.iter().any(|e| e.message.contains("`n`")), "{e:?}");

    let e = errors("SPLIT A INTO B OTHERWISE, C IF x;");
    assert!(e[0].message.contains("OTHERWISE"));

    let e = errors("B = GROUP A BY x PARALLEL 0;");
    assert!(e[0].message.contains("PARALLEL"));
}

#[test]
fn several_errors_are_collected() {
    let src = "A = LOAD 'x' BY;\nB = FILTER A x;\nC = LIMIT A 1;\nD = ORDER;";
    let e = errors(src);
    assert!(e.len() >= 3, "{e:#?}");
    assert!(e.windows(2).all(|w| w[0].span.start <= w[1].span.start));
}

#[test]
fn fixtures() {
    let base = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut n = 0;
    for entry in std::fs::read_dir(format!("{base}/ok")).unwrap() {
        let p = entry.unwrap().path();
        let src = std::fs::read_to_string(&p).unwrap();
        verified(&src);
        n += 1;
    }
    for entry in std::fs::read_dir(format!("{base}/err")).unwrap() {
        let p = entry.unwrap().path();
        let src = std::fs::read_to_string(&p).unwrap();
        let want = src
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("-- error: "))
            .expect("err fixture header");
        let e = errors(&src);
        assert!(
            e[0].message.contains(want),
            "{}: got {:?}, want {want:?}",
            p.display(),
            e[0].message
        );
        let at = src.lines().nth(1).and_then(|l| l.strip_prefix("-- at: "));
        if let Some(at) = at {
            assert_eq!(&src[e[0].span.range()], at, "{}", p.display());
        }
        n += 1;
    }
    assert!(n >= 4);
}

// ------------------------------------------------------------------ params & macros

#[test]
fn parameter_substitution_end_to_end() {
    let src = "%default min '18'\nA = LOAD '$input' AS (age:int);\nB = FILTER A BY age >= $min; -- $ignored\nDUMP B;";
    let out = params::substitute(src, &[("input".into(), "students".into())]).unwrap();
    assert_eq!(out.lines().count(), src.lines().count());
    let s = verified(&out);
    assert_eq!(s.statements.len(), 3);
    let err = params::substitute("A = LOAD '$nope';", &[]).unwrap_err();
    assert!(err.message.contains("nope"));
    let s = params::substitute("%declare CMD `echo hi`;\nA = LOAD '${CMD}';", &[]).unwrap();
    assert!(s.contains("'hi'"));
}

fn expand(src: &str, files: &[(&str, &str)]) -> Result<Script, Vec<pigrs_grammar::ParseError>> {
    let script = parse_script(src, 0).unwrap();
    let mut import = |p: &str| {
        files
            .iter()
            .find(|(n, _)| *n == p)
            .map(|(_, t)| t.to_string())
            .ok_or_else(|| "no such file".to_string())
    };
    macros::expand_macros(script, src, &mut import)
}

#[test]
fn macros_expand_with_renamed_aliases() {
    let src = "DEFINE group_and_count (A, group_key, reducers) RETURNS B {\n   D = GROUP $A BY $group_key PARALLEL $reducers;\n   $B = FOREACH D GENERATE group, COUNT($A);\n};\nX = LOAD 'users' AS (user:chararray, age:int);\nY = group_and_count (X, user, 20);\nZ = group_and_count (X, age, 30);\nDUMP Y;";
    let s = expand(src, &[]).unwrap();
    let printed = s.to_string();
    let want = "X = LOAD 'users' AS (user:chararray, age:int);\n\
macro_group_and_count_D_0 = GROUP X BY user PARALLEL 20;\n\
Y = FOREACH macro_group_and_count_D_0 GENERATE group, COUNT(X);\n\
macro_group_and_count_D_1 = GROUP X BY age PARALLEL 30;\n\
Z = FOREACH macro_group_and_count_D_1 GENERATE group, COUNT(X);\n\
DUMP Y;\n";
    assert_eq!(printed, want);
}

#[test]
fn macros_import_nested_and_errors() {
    let lib = "DEFINE older_than(rel, min) RETURNS out { $out = FILTER $rel BY age > $min; };\nDEFINE twice(r) RETURNS o { t = older_than($r, 1); $o = older_than(t, 2); };";
    let s = expand(
        "IMPORT 'lib.pig';\nX = LOAD 'u' AS (age:int);\nY = older_than(X, 20);\nZ = twice(X);",
        &[("lib.pig", lib)],
    )
    .unwrap();
    let p = s.to_string();
    assert!(p.contains("Y = FILTER X BY age > 20;"), "{p}");
    assert!(p.contains("macro_twice_t_0 = FILTER X BY age > 1;"), "{p}");
    assert!(p.contains("Z = FILTER macro_twice_t_0 BY age > 2;"), "{p}");

    let e = expand("X = nope(Y);", &[]).unwrap_err();
    assert!(e[0].message.contains("unknown macro `nope`"));
    let e = expand(
        "DEFINE m(a) RETURNS b { $b = FILTER $a BY x; };\nX = m(Y, Z);",
        &[],
    )
    .unwrap_err();
    assert!(e[0].message.contains("argument"), "{}", e[0].message);
    let e = expand("DEFINE m(a) RETURNS b { $b = m($a); };\nX = m(Y);", &[]).unwrap_err();
    assert!(e[0].message.contains("calls itself"), "{}", e[0].message);
    let e = expand("IMPORT 'missing.pig';", &[]).unwrap_err();
    assert!(e[0].message.contains("missing.pig"));
}

#[test]
fn a_quoted_macro_argument_loses_its_quotes() {
    // Pig passes arguments through its parameter loader: `'myfile.txt'` becomes
    // `myfile.txt`, and the body writes the quotes (`LOAD '$path'`).
    let src = "DEFINE m(path, out) RETURNS void { D = LOAD '$path'; STORE D INTO '$out'; };\nm('my file.txt', '/tmp/o');";
    let p = expand(src, &[]).unwrap().to_string();
    assert_eq!(
        p,
        "macro_m_D_0 = LOAD 'my file.txt';\nSTORE macro_m_D_0 INTO '/tmp/o';\n"
    );
}

#[test]
fn macro_definitions_are_checked_as_pig_checks_them() {
    let e = expand(
        "DEFINE m(a) RETURNS b { $b = FILTER $a BY x; };\nDEFINE m(a) RETURNS b { $b = $a; };\nX = m(Y);",
        &[],
    )
    .unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].message, "Duplicated macro name `m`");
    assert_eq!((e[0].span.start, e[0].related[0].0.start), (55, 7));

    // Also when the first definition is imported.
    let e = expand(
        "IMPORT 'lib.pig';\nDEFINE m(a) RETURNS b { $b = $a; };",
        &[("lib.pig", "DEFINE m(a) RETURNS b { $b = $a; };")],
    )
    .unwrap_err();
    assert!(e[0].message.contains("Duplicated macro name"), "{e:?}");

    let e = expand(
        "DEFINE m(a, b) RETURNS b { $b = FILTER $a BY x; };\nX = m(Y, Z);",
        &[],
    )
    .unwrap_err();
    assert_eq!(e.len(), 1, "the call adds no error: {e:?}");
    assert!(
        e[0].message
            .contains("parameter and a return alias both named `b`"),
        "{e:?}"
    );

    // `b = ...` (no `$`), a commented `$b = ...` and `$b == ...` do not define `b`.
    let e = expand(
        "DEFINE m(a) RETURNS b { b = FILTER $a BY x; /* $b = $a; */ -- $b = $a;\nc = FILTER $a BY $b == 1; };",
        &[],
    )
    .unwrap_err();
    assert_eq!(
        e[0].message,
        "Invalid macro definition: Macro `m` missing return alias: b"
    );

    // SPLIT branches and several outputs of a call define their aliases.
    let ok = "DEFINE two(a) RETURNS x, y { SPLIT $a INTO $x IF f > 1, $y OTHERWISE; };\n\
              DEFINE pair(a) RETURNS p, q { $p, $q = two($a); };\n\
              P, Q = pair(R);";
    let p = expand(ok, &[]).unwrap().to_string();
    assert_eq!(p, "SPLIT R INTO P IF f > 1, Q OTHERWISE;\n");
}

// ------------------------------------------------------------------ conformance corpus

fn conformance_scripts() -> Option<Vec<(std::path::PathBuf, String)>> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/cases"
    );
    let Ok(groups) = std::fs::read_dir(dir) else {
        println!("note: {dir} not found; skipping conformance scripts");
        return None;
    };
    let mut out = Vec::new();
    for g in groups.flatten() {
        let Ok(cases) = std::fs::read_dir(g.path()) else {
            continue;
        };
        for c in cases.flatten() {
            let p = c.path().join("script.pig");
            if let Ok(src) = std::fs::read_to_string(&p) {
                out.push((p, src));
            }
        }
    }
    out.sort();
    Some(out)
}

fn header_params(src: &str) -> Vec<(String, String)> {
    src.lines()
        .filter_map(|l| l.strip_prefix("-- params:"))
        .flat_map(|l| l.split_whitespace())
        .filter_map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        })
        .collect()
}

#[test]
fn conformance_scripts_parse_and_round_trip() {
    let Some(scripts) = conformance_scripts() else {
        return;
    };
    let mut parsed = 0;
    for (path, src) in &scripts {
        let expect_error = src.lines().any(|l| l.trim() == "-- expect: error");
        let text = match params::substitute(src, &header_params(src)) {
            Ok(t) => t,
            Err(e) => {
                assert!(expect_error, "{}: parameter error {e}", path.display());
                continue;
            }
        };
        match parse_script(&text, 0) {
            Ok(_) => {
                verified(&text);
                parsed += 1;
            }
            Err(e) => assert!(expect_error, "{}: {e:#?}", path.display()),
        }
    }
    println!("parsed {parsed} of {} conformance scripts", scripts.len());
    assert!(parsed > 0);
}

/// A tiny deterministic generator, so the fuzz pass needs no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

#[test]
fn mutated_scripts_never_panic() {
    let mut corpus: Vec<String> = conformance_scripts()
        .unwrap_or_default()
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    corpus.push("A = LOAD 'x' AS (a:int, b:bag{t:(x:int)}); B = FOREACH A { C = FILTER b BY x > 0; GENERATE (a > 1 ? 'y' : 'n'), COUNT(C); }; DEFINE m(a) RETURNS b { $b = LIMIT $a 1; }; fs -ls;".into());
    let mut rng = Lcg(42);
    for src in &corpus {
        let words: Vec<&str> = src
            .split_inclusive(|c: char| c.is_whitespace() || "();,{}".contains(c))
            .collect();
        for _ in 0..30 {
            let mut w = words.clone();
            match rng.next(5) {
                0 if !w.is_empty() => {
                    let i = rng.next(w.len());
                    w.remove(i);
                }
                1 if !w.is_empty() => {
                    let i = rng.next(w.len());
                    w.insert(i, w[i]);
                }
                2 if w.len() > 1 => {
                    let (i, j) = (rng.next(w.len()), rng.next(w.len()));
                    w.swap(i, j);
                }
                _ => {
                    let keep = rng.next(w.len() + 1);
                    w.truncate(keep);
                }
            }
            let text: String = w.concat();
            let _ = parse_script(&text, 0);
            let _ = parse_statement(&text, 0);
            let _ = params::substitute(&text, &[]);
            // Byte-level truncation can split a UTF-8 char; cut at a boundary.
            let mut cut = rng.next(text.len() + 1);
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            let _ = parse_script(&text[..cut], 0);
        }
    }
}

// ------------------------------------------------------------------ nesting limit

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let limit = pigrs_grammar::parser::MAX_NESTING;
    for body in [
        format!("{}a == 1", "NOT ".repeat(100_000)),
        vec!["a"; 100_000].join(" + "),
        format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("{}a{}", "{(".repeat(50_000), ")}".repeat(50_000)),
    ] {
        let src = format!("A = LOAD 'x' AS (a:int);\nB = FILTER A BY {body};\nDUMP B;");
        let e = parse_script(&src, 0).unwrap_err();
        assert!(
            e[0].message.contains("nests too deeply"),
            "{}",
            e[0].message
        );
        assert!(e[0].message.contains(&limit.to_string()));
        assert!(pigrs_grammar::parser::parse_expr(&body, 0).is_err());
    }
    let e = parse_script("A = LOAD 'x' AS (a: tuple(tuple(tuple(x:int))));", 0);
    assert!(e.is_ok());
}

#[test]
fn reasonable_nesting_still_parses() {
    // A long OR chain, deep brackets, and many statements with unclosed brackets.
    let or_chain = (0..100)
        .map(|i| format!("a == {i}"))
        .collect::<Vec<_>>()
        .join(" OR ");
    verified(&format!("B = FILTER A BY {or_chain};"));
    verified(&format!(
        "B = FOREACH A GENERATE {}a{};",
        "(".repeat(200),
        ")".repeat(200)
    ));
    // A wide GENERATE list: commas start new siblings, so width does not count.
    let wide = (0..2000)
        .map(|i| format!("a + {i}"))
        .collect::<Vec<_>>()
        .join(", ");
    parse_script(&format!("B = FOREACH A GENERATE {wide};"), 0).unwrap();
    let bad = "B = FOREACH A GENERATE ((((((((((a;\n".repeat(200);
    let e = parse_script(&bad, 0).unwrap_err();
    assert!(
        e.iter().all(|e| !e.message.contains("nests too deeply")),
        "{e:?}"
    );
}

#[test]
fn long_dotted_chain_lexes_in_linear_time() {
    // `x.y.y.y...` used to be rescanned from every word: seconds for 40 KB of input.
    let src = format!("B = FOREACH A GENERATE x{};", ".y".repeat(50_000));
    let t0 = std::time::Instant::now();
    let (toks, errs) = pigrs_grammar::lexer::tokenize(&src);
    assert!(errs.is_empty());
    assert_eq!(toks.len(), 5 + 100_001 + 1);
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        t0.elapsed()
    );
    // Chains before `(` still merge into one dotted name.
    let (toks, _) = pigrs_grammar::lexer::tokenize("x = org.apache.pig.builtin.COUNT(a);");
    assert!(
        toks.iter()
            .any(|t| t.1 == pigrs_grammar::lexer::Tok::Ident("org.apache.pig.builtin.COUNT".into()))
    );
}
