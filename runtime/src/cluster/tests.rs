//! Round trips of the plan data pigrs's nodes hold.

use std::sync::Arc;

use pigrs_grammar::Span;
use pigrs_planner::expr::{ArithOp, CmpOp, Expr, ExprKind};
use pigrs_planner::func::{Func, FuncSpec, PluginFuncs, with_plugins};
use pigrs_planner::logical::{GenItem, NestedStep, SortKey};
use pigrs_udf::func::EvalFunc;
use pigrs_udf::{Field, PigType, Schema, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::exec::Step;
use crate::io::{Compression, FileRange, InputFile, LoadFunc, PigStorageOptions, Split};
use crate::layout::Layout;

fn round_trip<T: Serialize + DeserializeOwned>(v: &T) -> T {
    let json = serde_json::to_string(v).expect("encodes");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("decodes {json}: {e}"))
}

fn ex(kind: ExprKind, ty: PigType) -> Expr {
    Expr::new(kind, ty, Span::new(3, 9))
}

fn col(i: usize, ty: PigType) -> Box<Expr> {
    Box::new(ex(ExprKind::Column(i), ty))
}

fn call(spec: FuncSpec, args: Vec<Expr>, ty: PigType) -> Expr {
    let func = Func::make(spec).expect("a function");
    ex(ExprKind::Call { func, args }, ty)
}

/// An expression with every kind of node, constants of awkward values, and functions made
/// from each kind of spec but plugins.
fn every_kind() -> Expr {
    let long = PigType::Long;
    let chars = PigType::Chararray;
    let tuple = PigType::Tuple(None);
    let bag = PigType::Bag(None);
    let parts = vec![
        ex(ExprKind::Const(Value::Double(f64::NAN)), PigType::Double),
        ex(ExprKind::Const(Value::Double(0.1 + 0.2)), PigType::Double),
        ex(ExprKind::Slot(2), long.clone()),
        ex(ExprKind::Outer(1), long.clone()),
        ex(ExprKind::WholeRow, tuple.clone()),
        ex(
            ExprKind::TupleField {
                expr: col(0, tuple.clone()),
                index: 4,
            },
            long.clone(),
        ),
        ex(
            ExprKind::BagProject {
                expr: col(1, bag.clone()),
                indices: vec![0, 2],
            },
            bag.clone(),
        ),
        ex(
            ExprKind::MapLookup {
                expr: col(2, PigType::Map(None)),
                key: "k".into(),
            },
            PigType::Bytearray,
        ),
        ex(ExprKind::Cast(col(3, chars.clone())), long.clone()),
        ex(
            ExprKind::Arith {
                op: ArithOp::Mod,
                left: col(0, long.clone()),
                right: col(1, long.clone()),
            },
            long.clone(),
        ),
        ex(ExprKind::Neg(col(0, long.clone())), long.clone()),
        ex(
            ExprKind::Cmp {
                op: CmpOp::Ge,
                left: col(0, long.clone()),
                right: col(1, long.clone()),
            },
            PigType::Boolean,
        ),
        ex(
            ExprKind::And(col(0, PigType::Boolean), col(1, PigType::Boolean)),
            PigType::Boolean,
        ),
        ex(
            ExprKind::Or(col(0, PigType::Boolean), col(1, PigType::Boolean)),
            PigType::Boolean,
        ),
        ex(ExprKind::Not(col(0, PigType::Boolean)), PigType::Boolean),
        ex(
            ExprKind::IsNull {
                expr: col(0, long.clone()),
                negated: true,
            },
            PigType::Boolean,
        ),
        ex(
            ExprKind::Matches {
                expr: col(3, chars.clone()),
                regex: Arc::new(regex::Regex::new("^(?:a.*b)$").unwrap()),
            },
            PigType::Boolean,
        ),
        ex(
            ExprKind::In {
                expr: col(0, long.clone()),
                list: vec![ex(ExprKind::Const(Value::Long(i64::MAX)), long.clone())],
            },
            PigType::Boolean,
        ),
        ex(
            ExprKind::Cond {
                cond: col(0, PigType::Boolean),
                then: col(1, long.clone()),
                otherwise: col(2, long.clone()),
            },
            long.clone(),
        ),
        call(
            FuncSpec::Builtin {
                name: "UPPER".into(),
                args: vec![],
            },
            vec![*col(3, chars.clone())],
            chars.clone(),
        ),
        call(
            FuncSpec::Builtin {
                name: "PluckTuple".into(),
                args: vec!["a_".into()],
            },
            vec![ex(ExprKind::WholeRow, tuple.clone())],
            tuple.clone(),
        ),
        call(
            FuncSpec::CubeDimensions {
                clauses: vec![(true, 2), (false, 1)],
            },
            vec![],
            bag.clone(),
        ),
        call(
            FuncSpec::RowFrom(2),
            vec![ex(ExprKind::WholeRow, tuple.clone())],
            tuple.clone(),
        ),
        ex(ExprKind::MakeBag(vec![*col(0, long.clone())]), bag.clone()),
        ex(
            ExprKind::MakeMap(vec![(
                ex(ExprKind::Const(Value::Chararray("k".into())), chars.clone()),
                *col(0, long.clone()),
            )]),
            PigType::Map(None),
        ),
        ex(
            ExprKind::Scalar {
                relation: 7,
                column: 1,
            },
            long.clone(),
        ),
    ];
    ex(ExprKind::MakeTuple(parts), tuple)
}

#[test]
fn expressions_round_trip() {
    let e = every_kind();
    let back = round_trip(&e);
    // Debug shows every field (constants' bits, patterns, functions' configuration).
    assert_eq!(format!("{back:?}"), format!("{e:?}"));
    assert_eq!(back.to_string(), e.to_string());
    assert_eq!(back.span, e.span);
}

#[test]
fn functions_are_made_again_from_their_spec() {
    let e = call(
        FuncSpec::Builtin {
            name: "PluckTuple".into(),
            args: vec!["b_".into()],
        },
        vec![ex(ExprKind::WholeRow, PigType::Tuple(None))],
        PigType::Tuple(None),
    );
    let ExprKind::Call { func: original, .. } = &e.kind else {
        panic!("not a call");
    };
    let ExprKind::Call { func, .. } = round_trip(&e).kind else {
        panic!("not a call");
    };
    assert_eq!(
        func.spec(),
        &FuncSpec::Builtin {
            name: "PluckTuple".into(),
            args: vec!["b_".into()]
        }
    );
    // A new instance, configured as the original (Debug shows its prefix).
    assert!(!func.ptr_eq(original));
    assert_eq!(format!("{func:?}"), format!("{original:?}"));
    assert!(format!("{func:?}").contains("b_"), "{func:?}");
    // A built-in that does not exist here is an error, not a substitute.
    let json = r#"{"Builtin":{"name":"NoSuchFunction","args":[]}}"#;
    let err = serde_json::from_str::<Func>(json).unwrap_err().to_string();
    assert!(
        err.contains("no built-in function `NoSuchFunction`"),
        "{err}"
    );
}

#[derive(Debug)]
struct Twice;

impl EvalFunc for Twice {
    fn name(&self) -> &str {
        "myudfs.Twice"
    }
    fn return_type(&self, _args: &[PigType]) -> Result<PigType, String> {
        Ok(PigType::Long)
    }
    fn eval(&self, args: &[Value]) -> Result<Value, pigrs_udf::func::UdfError> {
        Ok(match args {
            [Value::Long(n)] => Value::Long(n * 2),
            _ => Value::Null,
        })
    }
}

struct Plugins;

impl PluginFuncs for Plugins {
    fn plugin_func(&self, name: &str, args: &[String]) -> Result<Arc<dyn EvalFunc>, String> {
        match (name, args) {
            ("myudfs.Twice", []) => Ok(Arc::new(Twice)),
            _ => Err(format!("no plugin function `{name}`")),
        }
    }
}

#[test]
fn plugin_functions_need_the_plugins() {
    let spec = FuncSpec::Plugin {
        name: "myudfs.Twice".into(),
        args: vec![],
    };
    let e = ex(
        ExprKind::Call {
            func: Func::new(spec, Arc::new(Twice)),
            args: vec![*col(0, PigType::Long)],
        },
        PigType::Long,
    );
    let json = serde_json::to_string(&e).unwrap();
    let err = serde_json::from_str::<Expr>(&json).unwrap_err().to_string();
    assert!(err.contains("`myudfs.Twice` cannot be made here"), "{err}");
    let back: Expr = with_plugins(Arc::new(Plugins), || serde_json::from_str(&json)).unwrap();
    let ExprKind::Call { func, .. } = back.kind else {
        panic!("not a call");
    };
    assert_eq!(func.eval(&[Value::Long(21)]).unwrap(), Value::Long(42));
    // The plugins are given for that decoding only.
    assert!(serde_json::from_str::<Expr>(&json).is_err());
}

#[test]
fn steps_round_trip() {
    let long = PigType::Long;
    let bag = PigType::Bag(None);
    let steps = vec![
        Step::Filter(*col(0, PigType::Boolean)),
        Step::Sample(0.1 + 0.2),
        Step::Foreach {
            nested: vec![
                NestedStep::Expr(*col(0, long.clone())),
                NestedStep::Filter {
                    input: *col(1, bag.clone()),
                    cond: *col(0, PigType::Boolean),
                },
                NestedStep::Order {
                    input: *col(1, bag.clone()),
                    keys: vec![SortKey {
                        expr: *col(0, long.clone()),
                        desc: true,
                    }],
                },
                NestedStep::Limit {
                    input: *col(1, bag.clone()),
                    n: 3,
                },
                NestedStep::Distinct {
                    input: *col(1, bag.clone()),
                },
                NestedStep::Sample {
                    input: *col(1, bag.clone()),
                    fraction: f64::MIN_POSITIVE,
                },
                NestedStep::Cross {
                    inputs: vec![*col(1, bag.clone()), *col(2, bag.clone())],
                },
                NestedStep::Foreach {
                    input: *col(1, bag.clone()),
                    generate: vec![GenItem {
                        expr: *col(0, long.clone()),
                        flatten: false,
                        width: None,
                    }],
                },
            ],
            generate: vec![GenItem {
                expr: *col(1, bag.clone()),
                flatten: true,
                width: Some(2),
            }],
        },
    ];
    let back = round_trip(&steps);
    assert_eq!(format!("{back:?}"), format!("{steps:?}"));
    let Step::Sample(f) = back[1] else {
        panic!("not a sample")
    };
    assert_eq!(f.to_bits(), (0.1f64 + 0.2).to_bits());
}

#[test]
fn layouts_round_trip_with_their_arrow_schema() {
    let known = Layout::new(Some(Schema::new(vec![
        Field::new("a", PigType::Int),
        Field::new(
            "b",
            PigType::Bag(Some(Schema::new(vec![Field::new("x", PigType::Chararray)]))),
        ),
        Field::unnamed(PigType::Map(Some(Box::new(PigType::Double)))),
    ])));
    for layout in [known, Layout::new(None)] {
        let back = round_trip(&layout);
        assert_eq!(back.schema, layout.schema);
        assert_eq!(back.arrow, layout.arrow);
    }
}

#[test]
fn scan_inputs_round_trip() {
    let load = vec![
        LoadFunc::PigStorage {
            delimiter: ",".into(),
            options: PigStorageOptions {
                schema: true,
                columns: Some(vec![true, false]),
                ..Default::default()
            },
        },
        LoadFunc::TextLoader,
        LoadFunc::JsonLoader {
            schema: Some("a:int".into()),
        },
        LoadFunc::BinStorage,
    ];
    assert_eq!(round_trip(&load), load);
    let split = Split {
        parts: vec![FileRange {
            file: InputFile {
                path: "/data/in/part-00000.gz".into(),
                size: 1234,
                compression: Compression::Gzip,
            },
            start: 0,
            end: 1234,
        }],
    };
    assert_eq!(round_trip(&split), split);
}

/// A plugin load function has no spec yet: it refuses to encode, naming itself.
#[test]
fn plugin_load_functions_refuse_to_encode() {
    #[derive(Debug)]
    struct Loader;
    impl pigrs_udf::func::RecordFunc for Loader {
        fn name(&self) -> &str {
            "myudfs.MyLoader"
        }
        fn is_loader(&self) -> bool {
            true
        }
        fn load_schema(&self) -> Result<Option<Schema>, String> {
            Ok(None)
        }
        fn parse(
            &self,
            lines: &[&[u8]],
        ) -> Result<Vec<Option<pigrs_udf::Tuple>>, pigrs_udf::func::BatchError> {
            Ok(lines.iter().map(|_| None).collect())
        }
        fn check_schema(&self, _schema: Option<&Schema>) -> Result<(), String> {
            Ok(())
        }
        fn format(
            &self,
            _rows: &[pigrs_udf::Tuple],
        ) -> Result<Vec<u8>, pigrs_udf::func::BatchError> {
            Ok(vec![])
        }
    }
    let load = LoadFunc::Plugin(pigrs_udf::func::RecordFuncRef(Arc::new(Loader)));
    let err = serde_json::to_string(&load).unwrap_err().to_string();
    assert!(
        err.contains("`myudfs.MyLoader` cannot be sent to a cluster yet"),
        "{err}"
    );
}

/// A function configured by its call site (DataFu's BagGroup finds its key by name) is made
/// and bound again from its spec: the decoded one groups as the original does.
#[test]
fn a_bound_function_is_bound_again_when_decoded() {
    use pigrs_planner::func::BoundArg;
    use pigrs_udf::Bag;

    let items = Schema::new(vec![
        Field::new("k", PigType::Chararray),
        Field::new("n", PigType::Int),
    ]);
    let keys = Schema::new(vec![Field::new("k", PigType::Chararray)]);
    let args = vec![
        BoundArg {
            ty: PigType::Bag(Some(items.clone())),
            name: Some("b".into()),
            constant: None,
        },
        BoundArg {
            ty: PigType::Bag(Some(keys)),
            name: Some("b".into()),
            constant: None,
        },
    ];
    let f = Func::make(FuncSpec::Builtin {
        name: "datafu.pig.bags.BagGroup".into(),
        args: vec![],
    })
    .expect("BagGroup")
    .bind(&args)
    .expect("binds");
    assert!(matches!(f.spec(), FuncSpec::Bound { .. }));
    let back: Func = round_trip(&f);
    assert_eq!(back.spec(), f.spec());
    let bag = |rows: Vec<Vec<Value>>| Value::Bag(Box::new(Bag::from(rows)));
    let input = vec![
        bag(vec![
            vec![Value::Chararray("a".into()), Value::Int(1)],
            vec![Value::Chararray("b".into()), Value::Int(2)],
            vec![Value::Chararray("a".into()), Value::Int(3)],
        ]),
        bag(vec![
            vec![Value::Chararray("a".into())],
            vec![Value::Chararray("b".into())],
            vec![Value::Chararray("a".into())],
        ]),
    ];
    assert_eq!(
        format!("{:?}", back.eval(&input)),
        format!("{:?}", f.eval(&input))
    );
}
