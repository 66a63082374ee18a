//! Planner tests of the relational operators UNION ONSCHEMA, scalars, ASSERT, RANK,
//! CUBE/ROLLUP and STREAM: their schemas (as DESCRIBE prints them), plans and errors.

use pigrs_planner::builder::Action;
use pigrs_planner::expr::ExprKind;
use pigrs_planner::{Operator, PlanError, Session, plan_script};

fn plan(src: &str) -> Result<(Session, Vec<Action>), Vec<PlanError>> {
    let script = pigrs_grammar::parse_script(src, 0).expect("script parses");
    plan_script(&script)
}

/// The text DESCRIBE prints for each DESCRIBE statement of the script.
fn describe(src: &str) -> Vec<String> {
    let (_, actions) = plan(src).unwrap_or_else(|e| panic!("plan failed: {e:?}"));
    actions
        .into_iter()
        .filter_map(|a| match a {
            Action::Print(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn error(src: &str) -> String {
    match plan(src) {
        Ok(_) => panic!("planned without error"),
        Err(errs) => errs[0].message.clone(),
    }
}

#[test]
fn union_onschema_merges_fields_by_name_and_widens_types() {
    let out = describe(
        "L1 = LOAD 'f1' AS (a:int, b:float);\nL2 = LOAD 'f2' AS (a:long, c:chararray);\nU = UNION ONSCHEMA L1, L2;\nDESCRIBE U;\n",
    );
    assert_eq!(out, ["U: {a: long,b: float,c: chararray}"]);
}

#[test]
fn union_onschema_projects_each_input_onto_the_merged_schema() {
    let (s, _) = plan(
        "L1 = LOAD 'f1' AS (a:int, b:float);\nL2 = LOAD 'f2' AS (c:chararray, a:long);\nU = UNION ONSCHEMA L1, L2;\n",
    )
    .expect("plans");
    let u = s.plan.node(s.alias("U").expect("U"));
    assert!(matches!(u.op, Operator::Union));
    for &i in &u.inputs {
        let Operator::Foreach { generate, .. } = &s.plan.node(i).op else {
            panic!("input {i} is not projected");
        };
        assert_eq!(generate.len(), 3);
    }
}

#[test]
fn union_onschema_needs_every_schema() {
    let msg = error("A = LOAD 'a' AS (x:int);\nB = LOAD 'b';\nU = UNION ONSCHEMA A, B;\n");
    assert!(
        msg.contains("UNION ONSCHEMA cannot be used with relations that have null schema"),
        "{msg}"
    );
    let msg =
        error("A = LOAD 'a' AS (x:int);\nB = LOAD 'b' AS (x:map[]);\nU = UNION ONSCHEMA A, B;\n");
    assert!(msg.contains("cannot merge"), "{msg}");
}

#[test]
fn a_relation_alias_in_a_projection_is_a_scalar() {
    let src = "A = LOAD 'd' AS (userid, clicks);\nB = GROUP A ALL;\nC = FOREACH B GENERATE SUM(A.clicks) AS total;\nD = FOREACH A GENERATE userid, clicks/(double)C.total;\nDESCRIBE D;\n";
    assert_eq!(describe(src), ["D: {userid: bytearray,double}"]);
    let (s, _) = plan(src).expect("plans");
    let c = s.alias("C").expect("C");
    let Operator::Foreach { generate, .. } = &s.plan.node(s.alias("D").expect("D")).op else {
        panic!("D is not a FOREACH");
    };
    let mut found = false;
    generate[1].expr.visit(&mut |e| {
        if let ExprKind::Scalar { relation, column } = e.kind {
            assert_eq!((relation, column), (c, 0));
            found = true;
        }
    });
    assert!(found, "no scalar in {}", generate[1].expr);
}

#[test]
fn a_field_wins_over_a_relation_of_the_same_name() {
    let out = describe(
        "t = LOAD 'x' AS (a:int);\nA = LOAD 'd' AS (t:tuple(a:int));\nB = FOREACH A GENERATE t.a;\nDESCRIBE B;\n",
    );
    assert_eq!(out, ["B: {a: int}"]);
}

#[test]
fn a_scalar_of_a_missing_field_is_an_error() {
    let msg = error(
        "C = LOAD 'c' AS (total:long);\nA = LOAD 'a' AS (x:int);\nD = FOREACH A GENERATE x / C.totl;\n",
    );
    assert!(msg.contains("totl"), "{msg}");
}

#[test]
fn assert_is_a_filter_that_keeps_the_schema() {
    let src = "A = LOAD 'data' AS (a0:int, a1:int);\nASSERT A BY a0 > 0, 'a0 should be greater than 0';\nDESCRIBE A;\n";
    assert_eq!(describe(src), ["A: {a0: int,a1: int}"]);
    let (s, _) = plan(src).expect("plans");
    assert!(matches!(
        s.plan.node(s.alias("A").expect("A")).op,
        Operator::Filter { .. }
    ));
    let msg = error("A = LOAD 'data' AS (a0:int);\nASSERT A BY a0 + 1;\n");
    assert!(msg.contains("boolean"), "{msg}");
}

#[test]
fn rank_prepends_a_long_named_after_the_input() {
    let out = describe(
        "A = LOAD 'data' AS (f1:chararray, f2:int);\nB = RANK A;\nC = RANK A BY f1 DESC, f2 DENSE;\nDESCRIBE B;\nDESCRIBE C;\n",
    );
    assert_eq!(
        out,
        [
            "B: {rank_A: long,f1: chararray,f2: int}",
            "C: {rank_A: long,f1: chararray,f2: int}"
        ]
    );
    let msg = error("A = LOAD 'data' AS (f1:chararray);\nB = RANK A BY f9;\n");
    assert!(msg.contains("f9"), "{msg}");
}

#[test]
fn cube_gives_a_group_tuple_and_a_cube_bag() {
    let out = describe(
        "S = LOAD 's' AS (product:chararray, year:int, sales:long);\nC = CUBE S BY CUBE(product, year);\nR = CUBE S BY ROLLUP(product), CUBE(year);\nDESCRIBE C;\nDESCRIBE R;\n",
    );
    let expected = "{group: (product: chararray,year: int),cube: {(product: chararray,year: int,sales: long)}}";
    assert_eq!(out, [format!("C: {expected}"), format!("R: {expected}")]);
    let msg = error("S = LOAD 's' AS (a:int);\nC = CUBE S BY CUBE(a, a);\n");
    assert!(msg.contains("twice"), "{msg}");
}

#[test]
fn stream_takes_its_schema_from_as_and_needs_a_defined_command() {
    let out = describe(
        "A = LOAD 'data';\nDEFINE cmd `cut -f1`;\nB = STREAM A THROUGH cmd AS (x:int);\nC = STREAM A THROUGH `cat`;\nDESCRIBE B;\nDESCRIBE C;\n",
    );
    assert_eq!(out, ["B: {x: int}", "Schema for C unknown."]);
    let msg = error("A = LOAD 'data';\nDEFINE cmd `cat`;\nB = STREAM A THROUGH cdm;\n");
    assert!(msg.contains("undefined streaming command `cdm`"), "{msg}");
}

#[test]
fn describe_of_a_nested_alias_names_it_alone() {
    let out = describe(
        "A = LOAD 'student' AS (name, age, gpa);\nB = GROUP A BY name;\nC = FOREACH B { D = DISTINCT A.age; GENERATE COUNT(D), group; };\nDESCRIBE C::D;\n",
    );
    assert_eq!(out, ["D: {age: bytearray}"]);
    let msg = error(
        "A = LOAD 's' AS (x);\nB = GROUP A BY x;\nC = FOREACH B { D = DISTINCT A.x; GENERATE COUNT(D); };\nDESCRIBE C::E;\n",
    );
    assert!(msg.contains("no nested alias `E`"), "{msg}");
}

#[test]
fn cube_needs_a_schema_and_register_is_refused_clearly() {
    let msg = error("S = LOAD 's';\nC = CUBE S BY CUBE($0);\n");
    assert!(msg.contains("schema"), "{msg}");
    let msg = error("REGISTER 'myudfs.jar';\n");
    assert!(msg.contains("pigrs cannot run Java"), "{msg}");
}

#[test]
fn register_loads_plugins_only_where_the_driver_allows_it() {
    // plan_script (the fuzzer's, these tests') never opens a library.
    assert_eq!(
        error("REGISTER '/no/such/libx.so';\nA = LOAD 'in';\n"),
        "REGISTER cannot load plugins here (pigrs run and the shell do)"
    );
    assert_eq!(
        error("REGISTER 'udfs.jar';\n"),
        "pigrs cannot run Java: `udfs.jar` is not DataFu or Piggybank, whose functions pigrs provides built in"
    );
    assert_eq!(
        error("REGISTER 'udfs.py';\n"),
        "REGISTER of Java or script UDFs is not supported by pigrs yet"
    );
    // DataFu's and Piggybank's jars load nothing, even here: one note for both.
    let script = pigrs_grammar::parse_script(
        "REGISTER datafu-pig-1.6.1.jar;\nREGISTER /usr/lib/pig/piggybank.jar;\n",
        0,
    )
    .expect("parses");
    let (_, actions) = pigrs_planner::plan_script(&script).expect("plans");
    let [pigrs_planner::Action::Note(note)] = &actions[..] else {
        panic!("expected one note, got {actions:?}");
    };
    assert_eq!(
        note,
        "note: REGISTER datafu-pig-1.6.1.jar: pigrs loads no Java; it provides DataFu's and Piggybank's functions built in, by their class names"
    );
    // With a folder, a relative path is read from it.
    let script = pigrs_grammar::parse_script("REGISTER 'libx.so';\n", 0).expect("parses");
    let dir = std::path::Path::new("/no/such/dir");
    let errs = pigrs_planner::plan_script_with(&script, None, Some(dir)).expect_err("missing");
    assert_eq!(
        errs[0].message,
        "cannot read plugin /no/such/dir/libx.so: No such file or directory (os error 2)"
    );
}

/// Plans each statement of `src` on its own, as the shell does: the errors, in order.
fn statement_errors(src: &str) -> Vec<PlanError> {
    let script = pigrs_grammar::parse_script(src, 0).expect("script parses");
    let mut session = Session::default();
    script
        .statements
        .iter()
        .filter_map(|st| session.statement(st).err())
        .collect()
}

#[test]
fn a_use_of_an_alias_whose_statement_failed_points_at_that_statement() {
    let src = "A = LOAD 'a' AS (x:int);\nB = FOREACH A GENERATE nope;\nC = FILTER B BY x > 0;\n";
    let errs = statement_errors(src);
    assert_eq!(errs.len(), 2, "{errs:?}");
    let follow = &errs[1];
    assert_eq!(follow.kind, pigrs_planner::ErrorKind::FollowOn);
    assert_eq!(&src[follow.span.range()], "B");
    let [(at, label)] = follow.related.as_slice() else {
        panic!("one related location: {follow:?}");
    };
    assert_eq!(&src[at.range()], "B = FOREACH A GENERATE nope;");
    assert_eq!(label, "`B` was defined here, by a statement that failed");
}

#[test]
fn a_failed_split_leaves_none_of_its_outputs_defined() {
    let src = "A = LOAD 'a' AS (x:int);\nSPLIT A INTO P IF x > 0, Q IF nope > 0, R OTHERWISE;\nDUMP P;\nDUMP R;\n";
    let errs = statement_errors(src);
    assert_eq!(errs.len(), 3, "{errs:?}");
    for e in &errs[1..] {
        assert_eq!(e.kind, pigrs_planner::ErrorKind::FollowOn, "{e:?}");
        assert!(
            e.message.contains("the statement defining it failed"),
            "{e:?}"
        );
        assert!(
            src[e.related[0].0.range()].starts_with("SPLIT A INTO"),
            "{e:?}"
        );
    }
}
