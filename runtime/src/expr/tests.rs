//! The vectorized results against the row evaluator's, on the same batches.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow::array::ArrayRef;
use datafusion::physical_expr::PhysicalExpr;
use pigrs_grammar::Span;
use pigrs_planner::Operator;
use pigrs_planner::expr::{ArithOp, CmpOp, Expr, ExprKind};
use pigrs_udf::func::{BatchError, EvalFunc, UdfError, builtin};
use pigrs_udf::{Field, PigType, Schema, Tuple, Value, arrow_layout};

use super::{RowExpr, physical_expr};
use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::layout::Layout;

use PigType::{Boolean, Bytearray, Chararray, Double, Float, Int, Long};

const I: usize = 0;
const J: usize = 1;
const L: usize = 2;
const M: usize = 3;
const F: usize = 4;
const G: usize = 5;
const D: usize = 6;
const E: usize = 7;
const S: usize = 8;
const T: usize = 9;
const B: usize = 10;
const C: usize = 11;
const P: usize = 12;
const Q: usize = 13;
const MAP: usize = 14;

fn schema() -> Schema {
    let f = |n: &str, t: PigType| Field::new(n, t);
    Schema::new(vec![
        f("i", Int),
        f("j", Int),
        f("l", Long),
        f("m", Long),
        f("f", Float),
        f("g", Float),
        f("d", Double),
        f("e", Double),
        f("s", Chararray),
        f("t", Chararray),
        f("b", Bytearray),
        f("c", Bytearray),
        f("p", Boolean),
        f("q", Boolean),
        f("mp", PigType::Map(None)),
    ])
}

fn ty_of(i: usize) -> PigType {
    schema().fields[i].ty.clone()
}

/// Which strings the chararray columns hold.
#[derive(Clone, Copy)]
enum Text {
    /// Including characters from U+E000 and supplementary ones (UTF-16 order differs).
    Full,
    /// Non-ASCII, all below U+E000 (byte order is UTF-16 order).
    Bmp,
    /// ASCII only.
    Ascii,
}

fn strings(text: Text) -> Vec<Option<&'static str>> {
    match text {
        Text::Full => vec![
            None,
            Some(""),
            Some("a"),
            Some("12"),
            Some("\u{E000}"),
            Some("B"),
            Some("é"),
            Some("\u{FFFD}"),
            Some("\u{1F600}"),
            Some("x\u{10000}"),
            Some("x\u{E000}"),
            Some("  Pad\t"),
        ],
        Text::Bmp => vec![
            None,
            Some(""),
            Some("a"),
            Some("-1.5e2"),
            Some("ß"),
            Some("B"),
            Some("é"),
            Some("ﬁx"),
            Some("Ǆ"),
            Some(" 7 "),
            Some("ab"),
            Some("\u{1}trim\u{1F}"),
        ],
        Text::Ascii => vec![
            None,
            Some(""),
            Some("a"),
            Some("12"),
            Some("1e3"),
            Some("B"),
            Some("abc"),
            Some("ab"),
            Some("NaN"),
            Some(" 7 "),
            Some("99999999999"),
            Some("  Pad\t"),
        ],
    }
}

/// 144 rows: every pair of the interesting values of each type meets in some row.
fn rows(text: Text) -> Vec<Tuple> {
    let ints = [0, 1, -1, 7, -7, 3, i32::MAX, i32::MIN, 2, -2, 100];
    let longs = [
        0,
        1,
        -1,
        7,
        -7,
        i64::MAX,
        i64::MIN,
        1 << 40,
        -(1 << 33),
        5,
        3,
    ];
    let doubles = [
        0.0,
        -0.0,
        f64::NAN,
        -f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1.5,
        -2.25,
        3.4e38,
        1e-300,
        7.0,
    ];
    let bytes: [&[u8]; 11] = [
        b"",
        b"7",
        b" 7 ",
        b"1.5",
        b"-3",
        b"1e3",
        b"NaN",
        b"99999999999",
        b"abc",
        b"0x10",
        b"\xff\xfe",
    ];
    let texts = strings(text);
    // The first of a pair walks fast, the second slowly; index 0 is null.
    let pick = |k: usize, len: usize, second: bool| {
        let i = if second { (k / 12) % 12 } else { k % 12 };
        (i != 0).then(|| (i - 1) % len)
    };
    (0..144)
        .map(|k| {
            let v = |second: bool, f: &dyn Fn(usize) -> Value, len: usize| {
                pick(k, len, second).map_or(Value::Null, f)
            };
            let int = |x: usize| Value::Int(ints[x]);
            let long = |x: usize| Value::Long(longs[x]);
            let float = |x: usize| Value::Float(doubles[x] as f32);
            let double = |x: usize| Value::Double(doubles[x]);
            let string =
                |x: usize| texts[x + 1].map_or(Value::Null, |s| Value::Chararray(s.to_owned()));
            let byte = |x: usize| Value::Bytearray(bytes[x].to_vec());
            // Booleans: null, true, false.
            let k3 = |second: bool| {
                let i = if second { (k / 3) % 3 } else { k % 3 };
                match i {
                    0 => Value::Null,
                    1 => Value::Boolean(true),
                    _ => Value::Boolean(false),
                }
            };
            vec![
                v(false, &int, 11),
                v(true, &int, 11),
                v(false, &long, 11),
                v(true, &long, 11),
                v(false, &float, 11),
                v(true, &float, 11),
                v(false, &double, 11),
                v(true, &double, 11),
                v(false, &string, 11),
                v(true, &string, 11),
                v(false, &byte, 11),
                v(true, &byte, 11),
                k3(false),
                k3(true),
                Value::Map(Box::new(vec![
                    ("k".into(), Value::Int(k as i32)),
                    ("s".into(), Value::Chararray(format!("v{k}"))),
                ])),
            ]
        })
        .collect()
}

fn ex(kind: ExprKind, ty: PigType) -> Expr {
    Expr::new(kind, ty, Span::new(3, 9))
}

fn col(i: usize) -> Expr {
    ex(ExprKind::Column(i), ty_of(i))
}

fn lit(v: Value, ty: PigType) -> Expr {
    ex(ExprKind::Const(v), ty)
}

fn cmp(op: CmpOp, l: Expr, r: Expr) -> Expr {
    ex(
        ExprKind::Cmp {
            op,
            left: Box::new(l),
            right: Box::new(r),
        },
        Boolean,
    )
}

fn arith(op: ArithOp, l: Expr, r: Expr) -> Expr {
    let ty = l.ty.clone();
    ex(
        ExprKind::Arith {
            op,
            left: Box::new(l),
            right: Box::new(r),
        },
        ty,
    )
}

fn cast(e: Expr, ty: PigType) -> Expr {
    ex(ExprKind::Cast(Box::new(e)), ty)
}

fn call(name: &str, args: Vec<Expr>) -> Expr {
    let func = pigrs_planner::func::Func::builtin(name).expect("a built-in");
    let types: Vec<PigType> = args.iter().map(|a| a.ty.clone()).collect();
    let ty = func.return_type(&types).expect("arguments it takes");
    ex(ExprKind::Call { func, args }, ty)
}

fn and(l: Expr, r: Expr) -> Expr {
    ex(ExprKind::And(Box::new(l), Box::new(r)), Boolean)
}

fn or(l: Expr, r: Expr) -> Expr {
    ex(ExprKind::Or(Box::new(l), Box::new(r)), Boolean)
}

fn not(x: Expr) -> Expr {
    ex(ExprKind::Not(Box::new(x)), Boolean)
}

fn cond(c: Expr, t: Expr, o: Expr) -> Expr {
    let ty = t.ty.clone();
    ex(
        ExprKind::Cond {
            cond: Box::new(c),
            then: Box::new(t),
            otherwise: Box::new(o),
        },
        ty,
    )
}

/// `x MATCHES 'pattern'`, with the regex the planner compiles.
fn matches(x: Expr, pattern: &str) -> Expr {
    let script = format!("A = LOAD 'x' AS (s:chararray); B = FILTER A BY s MATCHES '{pattern}';");
    let ast = pigrs_grammar::parse_script(&script, 0).expect("parsed");
    let (session, _) = pigrs_planner::plan_script(&ast).expect("planned");
    let mut found = None;
    for node in &session.plan.nodes {
        if let Operator::Filter { cond } = &node.op {
            cond.visit(&mut |e| {
                if let ExprKind::Matches { .. } = &e.kind {
                    found = e.map_children(&mut |_| Some(x.clone()));
                }
            });
        }
    }
    found.expect("a MATCHES")
}

fn has_row(p: &Arc<dyn PhysicalExpr>) -> bool {
    p.is::<RowExpr>() || p.children().into_iter().any(has_row)
}

/// Evaluates `e` on batches of every text variant both ways and compares values (bit for
/// bit), failed-cast counts and first failures. Returns whether the lowering used the row
/// evaluator anywhere.
fn check_on(e: &Expr, layout: &Layout, rows: &[Tuple]) -> bool {
    let (row_ctx, vec_ctx) = (EvalCtx::default(), EvalCtx::default());
    let batch = layout.to_batch(rows);
    let p = physical_expr(e, layout, &vec_ctx).expect("lowered");
    let got: ArrayRef = p
        .evaluate(&batch)
        .and_then(|v| v.into_array(batch.num_rows()))
        .expect("evaluated");
    assert_eq!(got.data_type(), &arrow_layout::arrow_type(&e.ty), "{e}");
    assert_eq!(
        p.data_type(&layout.arrow).expect("typed"),
        arrow_layout::arrow_type(&e.ty)
    );
    let rows = layout.rows(&batch);
    let want: Vec<Value> = rows
        .iter()
        .map(|row| row_ctx.eval(e, row, &[]).expect("row evaluation"))
        .collect();
    // The row adapter packs values into arrays of the declared type, as the row operators
    // do; a native kernel must not need to.
    let packed = arrow_layout::to_array(&want, &e.ty);
    for (k, row) in rows.iter().enumerate() {
        let have = format!("{:?}", arrow_layout::value_at(&got, &e.ty, k));
        let mut expected = format!("{:?}", arrow_layout::value_at(&packed, &e.ty, k));
        if !has_row(&p) {
            expected = format!("{:?}", want[k]);
        }
        assert_eq!(expected, have, "{e} on row {k}: {row:?} (lowered to {p})");
    }
    assert_eq!(
        row_ctx.casts.count(),
        vec_ctx.casts.count(),
        "{e}: cast failures"
    );
    assert_eq!(row_ctx.casts.first(), vec_ctx.casts.first(), "{e}");
    has_row(&p)
}

/// Checks `e` on the known schema with every text variant; asserts it is native.
fn native(e: Expr) {
    let layout = Layout::new(Some(schema()));
    for text in [Text::Full, Text::Bmp, Text::Ascii] {
        assert!(!check_on(&e, &layout, &rows(text)), "{e} is not native");
    }
}

/// Checks `e` like [`native`] but allows (and requires) the row evaluator somewhere.
fn with_rows(e: Expr) {
    let layout = Layout::new(Some(schema()));
    for text in [Text::Full, Text::Bmp, Text::Ascii] {
        assert!(check_on(&e, &layout, &rows(text)), "{e} is native");
    }
}

const CMP_OPS: [CmpOp; 6] = [
    CmpOp::Eq,
    CmpOp::Ne,
    CmpOp::Lt,
    CmpOp::Le,
    CmpOp::Gt,
    CmpOp::Ge,
];

const ARITH_OPS: [ArithOp; 5] = [
    ArithOp::Add,
    ArithOp::Sub,
    ArithOp::Mul,
    ArithOp::Div,
    ArithOp::Mod,
];

#[test]
fn columns_and_constants() {
    for i in 0..MAP {
        native(col(i));
    }
    native(col(MAP));
    native(lit(Value::Int(5), Int));
    native(lit(Value::Null, Chararray));
    native(lit(Value::Chararray("é".into()), Chararray));
    native(lit(Value::Double(-0.0), Double));
    native(lit(Value::Bytearray(vec![0xff]), Bytearray));
    native(lit(
        Value::Tuple(Box::new(vec![Value::Int(1), Value::Null])),
        PigType::Tuple(None),
    ));
}

#[test]
fn comparisons() {
    let pairs = [(I, J), (L, M), (F, G), (D, E), (S, T), (B, C), (P, Q)];
    for op in CMP_OPS {
        for (a, b) in pairs {
            native(cmp(op, col(a), col(b)));
        }
        native(cmp(op, col(I), lit(Value::Int(7), Int)));
        native(cmp(op, lit(Value::Double(f64::NAN), Double), col(D)));
        native(cmp(
            op,
            col(S),
            lit(Value::Chararray("\u{FFFD}".into()), Chararray),
        ));
        native(cmp(op, col(S), lit(Value::Null, Chararray)));
        native(cmp(
            op,
            lit(Value::Chararray("\u{E000}".into()), Chararray),
            col(T),
        ));
        native(cmp(
            op,
            lit(Value::Float(-0.0), Float),
            lit(Value::Float(0.0), Float),
        ));
        native(cmp(op, lit(Value::Boolean(true), Boolean), col(Q)));
    }
}

#[test]
fn logic_and_null_tests() {
    let p = || col(P);
    let q = || col(Q);
    native(and(p(), q()));
    native(or(p(), q()));
    native(not(p()));
    native(or(not(p()), and(q(), p())));
    for (i, negated) in [(I, false), (S, true), (MAP, false), (B, true)] {
        native(ex(
            ExprKind::IsNull {
                expr: Box::new(col(i)),
                negated,
            },
            Boolean,
        ));
    }
}

#[test]
fn arithmetic() {
    for op in ARITH_OPS {
        for (a, b) in [(I, J), (L, M), (F, G), (D, E)] {
            native(arith(op, col(a), col(b)));
        }
        native(arith(op, col(I), lit(Value::Int(0), Int)));
        native(arith(
            op,
            lit(Value::Int(i32::MAX), Int),
            lit(Value::Int(1), Int),
        ));
        native(arith(
            op,
            lit(Value::Long(i64::MIN), Long),
            lit(Value::Long(-1), Long),
        ));
    }
    for i in [I, L, F, D] {
        native(ex(ExprKind::Neg(Box::new(col(i))), ty_of(i)));
    }
}

#[test]
fn casts() {
    let numbers = [Int, Long, Float, Double];
    for from in [I, L, F, D, S, B] {
        for to in numbers.iter().chain([&Chararray]) {
            let e = cast(col(from), to.clone());
            if *to == Chararray && !matches!(from, S | B) {
                // Numbers print through the row evaluator.
                with_rows(e);
            } else {
                native(e);
            }
        }
    }
}

#[test]
fn failed_casts_are_counted_where_the_row_evaluator_counts_them() {
    // Each operand is evaluated only where the row evaluator evaluates it.
    let bad = || cmp(CmpOp::Gt, cast(col(S), Int), lit(Value::Int(0), Int));
    native(and(col(P), bad()));
    native(or(col(P), bad()));
    native(cond(col(Q), cast(col(B), Long), lit(Value::Long(-1), Long)));
    native(cond(col(Q), lit(Value::Null, Double), cast(col(S), Double)));
    native(ex(
        ExprKind::In {
            expr: Box::new(col(I)),
            list: vec![lit(Value::Int(7), Int), cast(col(C), Int)],
        },
        Boolean,
    ));
}

#[test]
fn bincond_and_in() {
    native(cond(col(P), col(S), col(T)));
    native(cond(col(P), col(MAP), lit(Value::Null, PigType::Map(None))));
    native(cond(col(Q), col(D), lit(Value::Double(1.0), Double)));
    native(cond(col(P), lit(Value::Int(1), Int), lit(Value::Null, Int)));
    native(cond(
        col(P),
        lit(Value::Chararray("y".into()), Chararray),
        col(S),
    ));
    let is_in = |x: Expr, list: Vec<Expr>| {
        ex(
            ExprKind::In {
                expr: Box::new(x),
                list,
            },
            Boolean,
        )
    };
    native(is_in(
        col(I),
        vec![lit(Value::Int(1), Int), lit(Value::Int(7), Int), col(J)],
    ));
    native(is_in(col(I), vec![lit(Value::Null, Int)]));
    native(is_in(
        col(D),
        vec![
            lit(Value::Double(f64::NAN), Double),
            lit(Value::Double(0.0), Double),
        ],
    ));
    native(is_in(
        col(S),
        vec![lit(Value::Chararray("a".into()), Chararray), col(T)],
    ));
}

#[test]
fn matches_and_string_builtins() {
    native(matches(col(S), "[a-z].*|é"));
    native(matches(col(T), "x.*"));
    for name in ["SIZE", "UPPER", "LOWER", "TRIM"] {
        native(call(name, vec![col(S)]));
    }
    native(call("CONCAT", vec![col(S), col(T)]));
    native(call(
        "CONCAT",
        vec![col(T), lit(Value::Chararray("-".into()), Chararray), col(S)],
    ));
    // Bytearray arguments go through the row evaluator.
    with_rows(call("UPPER", vec![col(B)]));
}

#[test]
fn row_fallback() {
    // A function with no kernel, alone and under native operators.
    with_rows(call("UCFIRST", vec![col(S)]));
    with_rows(cmp(
        CmpOp::Eq,
        call("UCFIRST", vec![col(T)]),
        lit(Value::Chararray("A".into()), Chararray),
    ));
    with_rows(arith(
        ArithOp::Add,
        call(
            "INDEXOF",
            vec![col(S), lit(Value::Chararray("a".into()), Chararray)],
        ),
        col(I),
    ));
    // A map lookup is a bytearray of any value: the cast above it runs row by row too.
    let lookup = ex(
        ExprKind::MapLookup {
            expr: Box::new(col(MAP)),
            key: "k".into(),
        },
        Bytearray,
    );
    with_rows(cast(lookup.clone(), Int));
    with_rows(ex(
        ExprKind::IsNull {
            expr: Box::new(lookup),
            negated: false,
        },
        Boolean,
    ));
    with_rows(ex(ExprKind::WholeRow, PigType::Tuple(None)));
}

#[test]
fn unknown_schema() {
    let layout = Layout::new(None);
    let mut rows = rows(Text::Full);
    for (k, r) in rows.iter_mut().enumerate() {
        r.truncate(k % 16);
    }
    let untyped = |i: usize| ex(ExprKind::Column(i), Bytearray);
    for e in [
        untyped(S),
        call("CONCAT", vec![untyped(S), untyped(T)]),
        cmp(CmpOp::Lt, cast(untyped(I), Int), lit(Value::Int(3), Int)),
        ex(ExprKind::WholeRow, PigType::Tuple(None)),
    ] {
        assert!(check_on(&e, &layout, &rows), "{e}");
    }
}

#[test]
fn function_errors_carry_the_span_and_skipped_rows_do_not_fail() {
    let layout = Layout::new(Some(schema()));
    let batch = layout.to_batch(&rows(Text::Ascii));
    let assert = call("Assert", vec![col(Q)]);
    let p = physical_expr(&assert, &layout, &EvalCtx::default()).expect("lowered");
    let err = RunError::from(p.evaluate(&batch).expect_err("an assertion fails"));
    assert_eq!(err.span, Some(Span::new(3, 9)));
    assert!(!err.internal);
    // Only rows where Q is true reach the assertion.
    let q_true = and(
        ex(
            ExprKind::IsNull {
                expr: Box::new(col(Q)),
                negated: true,
            },
            Boolean,
        ),
        col(Q),
    );
    with_rows(and(q_true, assert));
}

#[test]
fn nested_block_expressions_are_internal_errors() {
    let layout = Layout::new(Some(schema()));
    let e = cmp(CmpOp::Eq, ex(ExprKind::Slot(0), Int), col(I));
    let err = physical_expr(&e, &layout, &EvalCtx::default()).expect_err("not lowerable");
    assert!(err.internal);
}

#[test]
fn physical_expr_protocol() {
    let layout = Layout::new(Some(schema()));
    let ctx = EvalCtx::default();
    let e = and(
        cmp(
            CmpOp::Gt,
            arith(ArithOp::Add, col(I), lit(Value::Int(1), Int)),
            col(J),
        ),
        cmp(CmpOp::Eq, call("UCFIRST", vec![col(S)]), col(T)),
    );
    let p = physical_expr(&e, &layout, &ctx).expect("lowered");
    assert_eq!(
        p.to_string(),
        "(((i@0 + 1) > j@1) AND (row(UCFIRST($8)) == t@9))"
    );
    assert_eq!(
        datafusion::physical_expr_common::physical_expr::fmt_sql(p.as_ref()).to_string(),
        "(((i + 1) > j) AND (row(UCFIRST($8)) == t))"
    );
    let pig = cmp(
        CmpOp::Eq,
        col(S),
        lit(Value::Chararray("Pig".into()), Chararray),
    );
    let shown = physical_expr(&pig, &layout, &ctx).expect("lowered");
    assert_eq!(shown.to_string(), "(s@8 == Pig)");
    let again = physical_expr(&e, &layout, &ctx).expect("lowered");
    // The same plan lowered twice: equal natively, but each row adapter is its own.
    assert!(**p.children()[0] == **again.children()[0]);
    assert!(*p != *again);
    let rebuilt = p
        .clone()
        .with_new_children(p.children().into_iter().cloned().collect())
        .expect("rebuilt");
    assert!(*p == *rebuilt);
    assert!(p.clone().with_new_children(vec![]).is_err());
    let row = &p.children()[1].children()[0];
    assert!(row.is::<RowExpr>());
    assert_eq!(row.children().len(), 1);
    assert!(p.nullable(&layout.arrow).expect("nullable"));
    // A row adapter calling a volatile function is volatile; native operators are not.
    let random = physical_expr(&call("RANDOM", vec![]), &layout, &ctx).expect("lowered");
    assert!(random.is_volatile_node());
    assert!(!p.is_volatile_node() && !row.is_volatile_node());
}

/// Wraps a built-in as a function that prefers batches (as plugin functions do), counting
/// its batch and row calls; fails the batch at row `fail_at`. The built-ins wrapped have no
/// native kernel (those are chosen by name).
#[derive(Debug)]
pub(crate) struct Batched {
    inner: Arc<dyn EvalFunc>,
    pub(crate) batches: AtomicUsize,
    pub(crate) batch_rows: AtomicUsize,
    pub(crate) row_calls: AtomicUsize,
    fail_at: Option<usize>,
}

impl EvalFunc for Batched {
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn return_type(&self, args: &[PigType]) -> Result<PigType, String> {
        self.inner.return_type(args)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, UdfError> {
        self.row_calls.fetch_add(1, Ordering::Relaxed);
        self.inner.eval(args)
    }
    fn eval_batch(&self, rows: &[Tuple]) -> Result<Vec<Value>, BatchError> {
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.batch_rows.fetch_add(rows.len(), Ordering::Relaxed);
        rows.iter()
            .enumerate()
            .map(|(row, args)| match self.fail_at {
                Some(k) if k == row => Err(BatchError {
                    row: Some(row),
                    error: UdfError::new("boom"),
                }),
                _ => self.inner.eval(args).map_err(|error| BatchError {
                    row: Some(row),
                    error,
                }),
            })
            .collect()
    }
    fn prefers_batches(&self) -> bool {
        true
    }
}

pub(crate) fn batched(name: &str, fail_at: Option<usize>) -> Arc<Batched> {
    Arc::new(Batched {
        inner: builtin(name).expect("a built-in"),
        batches: AtomicUsize::new(0),
        batch_rows: AtomicUsize::new(0),
        row_calls: AtomicUsize::new(0),
        fail_at,
    })
}

pub(crate) fn call_of(func: &Arc<Batched>, args: Vec<Expr>) -> Expr {
    let types: Vec<PigType> = args.iter().map(|a| a.ty.clone()).collect();
    let ty = func.return_type(&types).expect("arguments it takes");
    let spec = pigrs_planner::func::FuncSpec::Plugin {
        name: func.name().to_string(),
        args: vec![],
    };
    let func = pigrs_planner::func::Func::new(spec, func.clone() as Arc<dyn EvalFunc>);
    ex(ExprKind::Call { func, args }, ty)
}

/// Evaluates `e` once on the ASCII rows through the batch path.
fn evaluate(e: &Expr) -> Result<ArrayRef, RunError> {
    let layout = Layout::new(Some(schema()));
    let batch = layout.to_batch(&rows(Text::Ascii));
    let p = physical_expr(e, &layout, &EvalCtx::default())?;
    Ok(p.evaluate(&batch)
        .and_then(|v| v.into_array(batch.num_rows()))?)
}

#[test]
fn functions_that_prefer_batches_are_called_once_per_batch() {
    let upper = batched("UCFIRST", None);
    let lower = batched("LCFIRST", None);
    // CONCAT runs row by row; its arguments are hoisted out of the row loop.
    let e = call(
        "CONCAT",
        vec![call_of(&upper, vec![col(S)]), call_of(&lower, vec![col(T)])],
    );
    evaluate(&e).expect("evaluates");
    assert_eq!(upper.batches.load(Ordering::Relaxed), 1);
    assert_eq!(lower.batches.load(Ordering::Relaxed), 1);
    assert_eq!(upper.row_calls.load(Ordering::Relaxed), 0);
    // The same values as the row evaluator, which calls them row by row.
    with_rows(e);
    // A call in the arguments of another: both once per batch.
    let outer = batched("UCFIRST", None);
    let inner = batched("LCFIRST", None);
    let nested = call_of(&outer, vec![call_of(&inner, vec![col(S)])]);
    evaluate(&nested).expect("evaluates");
    assert_eq!(outer.batches.load(Ordering::Relaxed), 1);
    assert_eq!(inner.batches.load(Ordering::Relaxed), 1);
    with_rows(nested);
}

#[test]
fn calls_some_rows_skip_run_on_exactly_the_rows_that_reach_them() {
    let rows = rows(Text::Ascii);
    // In the row evaluator, a call in a bincond's branch is hoisted with the branch's
    // condition: one batch of the rows that take the branch.
    let f = batched("LCFIRST", None);
    let g = batched("LCFIRST", None);
    let e = call(
        "UCFIRST",
        vec![cond(
            col(P),
            call_of(&f, vec![col(S)]),
            call_of(&g, vec![col(S)]),
        )],
    );
    evaluate(&e).expect("evaluates");
    let true_rows = rows.iter().filter(|r| r[P] == Value::Boolean(true)).count();
    let false_rows = rows
        .iter()
        .filter(|r| r[P] == Value::Boolean(false))
        .count();
    assert!(true_rows > 0 && false_rows > 0 && true_rows + false_rows < rows.len());
    assert_eq!(f.batches.load(Ordering::Relaxed), 1);
    assert_eq!(f.batch_rows.load(Ordering::Relaxed), true_rows);
    assert_eq!(g.batches.load(Ordering::Relaxed), 1);
    assert_eq!(g.batch_rows.load(Ordering::Relaxed), false_rows);
    assert_eq!(f.row_calls.load(Ordering::Relaxed), 0);
    // The same values as the row evaluator, which calls them row by row on those rows.
    with_rows(e);
    // Under a native AND, the call gets one batch of the rows the left side does not decide.
    let g = batched("IsEmpty", None);
    let bag = ex(
        ExprKind::MakeBag(vec![col(S)]),
        PigType::Bag(Some(Schema::new(vec![Field::unnamed(Chararray)]))),
    );
    evaluate(&and(col(P), call_of(&g, vec![bag]))).expect("evaluates");
    let reached = rows
        .iter()
        .filter(|r| r[P] != Value::Boolean(false))
        .count();
    assert_eq!(g.batches.load(Ordering::Relaxed), 1);
    assert_eq!(g.batch_rows.load(Ordering::Relaxed), reached);
    assert_eq!(g.row_calls.load(Ordering::Relaxed), 0);
}

#[test]
fn a_failed_batch_names_the_function_and_the_row() {
    let f = batched("LCFIRST", Some(2));
    let err = evaluate(&call_of(&f, vec![col(S)])).expect_err("row 2 fails");
    let third = match &rows(Text::Ascii)[2][S] {
        Value::Chararray(s) => s.clone(),
        other => format!("{other}"),
    };
    assert_eq!(
        err.message,
        format!("LCFIRST failed on input ({third}): boom")
    );
    assert_eq!(err.span, Some(Span::new(3, 9)));
}
