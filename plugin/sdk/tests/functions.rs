//! The functions `#[eval]` and `#[filter]` generate, called directly (no library, no
//! host): every Pig type as an argument and a result, nulls, casts, declared signatures.

use pigrs_plugin::prelude::*;
use pigrs_plugin::{Signature, parse_type};

/// One argument of every Pig type, on purpose.
#[pigrs_plugin::eval]
#[allow(clippy::too_many_arguments)]
fn describe_all(
    b: bool,
    i: i32,
    l: i64,
    f: f32,
    d: f64,
    s: &str,
    bytes: &[u8],
    big: &BigInt,
    dec: BigDecimal,
    when: DateTime<FixedOffset>,
    t: &Tuple,
    bag: Bag,
    m: &Map,
    any: &Value,
) -> String {
    format!(
        "{b} {i} {l} {f} {d} {s} {} {big} {dec} {} {} {} {} {any}",
        String::from_utf8_lossy(bytes),
        when.timestamp(),
        t.len(),
        bag.len(),
        m.len()
    )
}

#[pigrs_plugin::eval(name = "Opt")]
fn optional(s: Option<&str>, n: Option<i64>) -> Option<String> {
    match (s, n) {
        (None, None) => None,
        (s, n) => Some(format!("{}:{}", s.unwrap_or("-"), n.unwrap_or(-1))),
    }
}

#[pigrs_plugin::eval(output = "(n: long, s: chararray)")]
fn pair(n: i64, s: String) -> Tuple {
    vec![Value::Long(n), Value::Chararray(s)]
}

#[pigrs_plugin::eval]
fn checked(n: i32) -> Result<i32, String> {
    n.checked_mul(2).ok_or_else(|| format!("{n} overflows"))
}

#[pigrs_plugin::filter]
fn is_even(n: i64) -> bool {
    n % 2 == 0
}

fn call<T: Udf>(args: Vec<Value>) -> Result<Value, UdfError> {
    T::new(&[]).expect("no constructor arguments").eval(&args)
}

fn chars(s: &str) -> Value {
    Value::Chararray(s.into())
}

#[test]
fn every_pig_type_converts_in_and_out() {
    let when = DateTime::parse_from_rfc3339("2026-12-03T10:00:00+01:00").expect("date");
    let args = vec![
        Value::Boolean(true),
        Value::Int(1),
        Value::Long(2),
        Value::Float(1.5),
        Value::Double(2.5),
        chars("s"),
        Value::Bytearray(b"raw".to_vec()),
        Value::BigInteger(Box::new(BigInt::from(7))),
        Value::BigDecimal(Box::new("1.25".parse().expect("decimal"))),
        Value::Datetime(when),
        Value::Tuple(Box::new(vec![Value::Int(1), Value::Int(2)])),
        Value::Bag(Box::new(Bag::from(vec![vec![Value::Int(1)]]))),
        Value::Map(Box::new(vec![("k".into(), Value::Int(1))])),
        Value::Int(9),
    ];
    assert_eq!(
        call::<describe_all>(args).expect("evaluates"),
        chars("true 1 2 1.5 2.5 s raw 7 1.25 1796288400 2 1 1 9")
    );
    let sig = &describe_all::signatures().expect("declared")[0];
    let names: Vec<&str> = sig
        .args
        .iter()
        .map(|a| a.as_ref().map_or("any", |t| t.name()))
        .collect();
    assert_eq!(
        names.join(","),
        "boolean,int,long,float,double,chararray,bytearray,biginteger,bigdecimal,datetime,tuple,bag,map,any"
    );
    assert_eq!(sig.output, PigType::Chararray);
    assert_eq!(describe_all::NAME, "DescribeAll");
}

#[test]
fn nulls_give_null_unless_the_argument_is_an_option() {
    assert_eq!(
        call::<checked>(vec![Value::Null]).expect("null in"),
        Value::Null
    );
    assert_eq!(
        call::<optional>(vec![Value::Null, Value::Long(3)]).expect("evaluates"),
        chars("-:3")
    );
    assert_eq!(
        call::<optional>(vec![Value::Null, Value::Null]).expect("evaluates"),
        Value::Null
    );
    assert_eq!(optional::NAME, "Opt");
}

#[test]
fn arguments_of_other_types_are_cast_with_pigs_rules() {
    // An int widens to the declared long, untyped bytes parse, a bad number is null.
    assert_eq!(
        call::<is_even>(vec![Value::Int(4)]).expect("evaluates"),
        Value::Boolean(true)
    );
    assert_eq!(
        call::<is_even>(vec![Value::Bytearray(b"7".to_vec())]).expect("evaluates"),
        Value::Boolean(false)
    );
    assert_eq!(
        call::<is_even>(vec![chars("seven")]).expect("evaluates"),
        Value::Null
    );
    assert_eq!(is_even::KIND, Kind::Filter);
}

#[test]
fn errors_arity_and_declared_outputs() {
    assert_eq!(
        call::<checked>(vec![Value::Int(i32::MAX)])
            .expect_err("overflows")
            .to_string(),
        format!("{} overflows", i32::MAX)
    );
    assert_eq!(
        call::<checked>(vec![])
            .expect_err("no argument")
            .to_string(),
        "Checked takes 1 arguments, got 0"
    );
    let want: Vec<Signature> = vec![Signature {
        args: vec![Some(PigType::Long), Some(PigType::Chararray)],
        output: parse_type("(n: long, s: chararray)").expect("type"),
    }];
    assert_eq!(pair::signatures(), Ok(want));
    let f = pair::new(&[]).expect("made");
    assert_eq!(
        f.output_type(&[PigType::Int, PigType::Bytearray]),
        parse_type("(n: long, s: chararray)")
    );
    assert_eq!(
        f.output_type(&[PigType::Boolean, PigType::Chararray])
            .expect_err("no overload"),
        "takes (long, chararray), not (boolean, chararray)"
    );
    assert!(pair::new(&["x".into()]).is_err());
}
