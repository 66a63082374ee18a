//! Tuple, bag and map built-ins: `TOTUPLE`, `TOBAG`, `TOMAP`, `KEYSET`, `VALUESET`,
//! `VALUELIST` and `INVERSEMAP`.

use std::cmp::Ordering;

use super::{as_str, bag_type, builtin_fn, check_arity, compare, value_text};
use crate::func::UdfError;
use crate::types::{Field, PigType, Schema};
use crate::value::{Bag, Map, Value};

builtin_fn! {
    /// `TOTUPLE(expression [, expression ...])`
    ///
    /// ## What it does
    /// A tuple of its arguments, in order (nulls included).
    ///
    /// ## Example
    /// ```pig
    /// b = FOREACH a GENERATE TOTUPLE(f1, f2, f3);  -- (John,18,4.0) -> ((John,18,4.0))
    /// ```
    ToTuple, "TOTUPLE",
    |args| Ok(PigType::Tuple(Some(Schema::new(
        args.iter().map(|t| Field::unnamed(t.clone())).collect(),
    )))),
    |args| Ok(Value::Tuple(Box::new(args.to_vec())))
}

builtin_fn! {
    /// `TOBAG(expression [, expression ...])`
    ///
    /// ## What it does
    /// A bag with one tuple per argument: a tuple argument is added as it is, any other
    /// value (null included) as a one-field tuple. When every argument has the same type,
    /// the bag's tuples have one field of that type.
    ///
    /// ## Example
    /// ```pig
    /// b = FOREACH a GENERATE TOBAG(f1, f3);  -- (John,18,4.0) -> ({(John),(4.0)})
    /// ```
    ToBag, "TOBAG",
    |args| {
        let Some(first) = args.first() else {
            return Ok(PigType::Bag(None));
        };
        if args.iter().any(|a| a != first) {
            return Ok(PigType::Bag(None));
        }
        Ok(match first {
            PigType::Tuple(s) => PigType::Bag(s.clone()),
            t => PigType::Bag(Some(Schema::new(vec![Field::unnamed(t.clone())]))),
        })
    },
    |args| Ok(Value::Bag(Box::new(
        args.iter()
            .map(|a| match a {
                Value::Tuple(t) => (**t).clone(),
                other => vec![other.clone()],
            })
            .collect(),
    )))
}

builtin_fn! {
    /// `TOMAP(key, value [, key, value ...])`
    ///
    /// ## What it does
    /// A map from key/value pairs; keys are chararrays (a later pair with the same key
    /// replaces the earlier value). A pair whose key is null is skipped. The map is typed
    /// when every value has the same type.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE TOMAP(name, gpa);  -- (joe smith, 20, 3.5) -> ([joe smith#3.5])
    /// ```
    ToMap, "TOMAP",
    |args| {
        if args.is_empty() || !args.len().is_multiple_of(2) {
            return Err(format!("TOMAP expects key/value pairs, got {} arguments", args.len()));
        }
        for (i, k) in args.iter().enumerate().step_by(2) {
            if !super::is_stringy(k) {
                return Err(super::bad_arg("TOMAP", i, "a chararray key", k));
            }
        }
        let values: Vec<&PigType> = args.iter().skip(1).step_by(2).collect();
        Ok(if values.iter().all(|v| *v == values[0]) && *values[0] != PigType::Bytearray {
            PigType::Map(Some(Box::new(values[0].clone())))
        } else {
            PigType::Map(None)
        })
    },
    |args| {
        if !args.len().is_multiple_of(2) {
            return Err(UdfError(format!(
                "TOMAP expects key/value pairs, got {} arguments",
                args.len()
            )));
        }
        let mut map: Map = Vec::with_capacity(args.len() / 2);
        for pair in args.chunks(2) {
            let key = match &pair[0] {
                Value::Null => continue,
                k => as_str(k).map(|s| s.into_owned()).unwrap_or_else(|| value_text(k)),
            };
            match map.iter_mut().find(|(k, _)| *k == key) {
                Some(slot) => slot.1 = pair[1].clone(),
                None => map.push((key, pair[1].clone())),
            }
        }
        Ok(Value::Map(Box::new(map)))
    }
}

/// The map argument; `Ok(None)` for null.
fn map_arg<'a>(name: &str, args: &'a [Value]) -> Result<Option<&'a Map>, UdfError> {
    match args.first() {
        Some(Value::Map(m)) => Ok(Some(m)),
        Some(Value::Null) | None => Ok(None),
        Some(other) => Err(super::type_err(name, "a map", other)),
    }
}

fn map_type_arg(name: &str, args: &[PigType]) -> Result<Option<PigType>, String> {
    check_arity(name, args, 1, 1)?;
    match &args[0] {
        PigType::Map(v) => Ok(v.as_deref().cloned()),
        t => Err(super::bad_arg(name, 0, "a map", t)),
    }
}

builtin_fn! {
    /// `KEYSET(map)`
    ///
    /// ## What it does
    /// The keys of a map, as a bag of one-field tuples `(key)`. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE KEYSET(m);  -- [open#1,pig#2] -> {(open),(pig)}
    /// ```
    KeySet, "KEYSET",
    |args| map_type_arg("KEYSET", args).map(|_| bag_type("key", PigType::Chararray)),
    |args| Ok(match map_arg("KEYSET", args)? {
        Some(m) => super::bag_of(m.iter().map(|(k, _)| Value::Chararray(k.clone()))),
        None => Value::Null,
    })
}

fn values_type(name: &str, args: &[PigType]) -> Result<PigType, String> {
    let v = map_type_arg(name, args)?;
    Ok(PigType::Bag(Some(Schema::new(vec![Field::new(
        "value",
        v.unwrap_or(PigType::Bytearray),
    )]))))
}

builtin_fn! {
    /// `VALUESET(map)`
    ///
    /// ## What it does
    /// The distinct values of a map, as a bag of one-field tuples `(value)`. Null gives
    /// null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE VALUESET(m);  -- [a#1,b#2,c#1] -> {(1),(2)}
    /// ```
    ValueSet, "VALUESET",
    |args| values_type("VALUESET", args),
    |args| Ok(match map_arg("VALUESET", args)? {
        Some(m) => {
            let mut seen: Vec<&Value> = Vec::new();
            for (_, v) in m.iter() {
                if !seen.iter().any(|s| compare(s, v) == Ordering::Equal) {
                    seen.push(v);
                }
            }
            super::bag_of(seen.into_iter().cloned())
        }
        None => Value::Null,
    })
}

builtin_fn! {
    /// `VALUELIST(map)`
    ///
    /// ## What it does
    /// All the values of a map (repeats included), as a bag of one-field tuples `(value)`.
    /// Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE VALUELIST(m);  -- [a#1,b#2,c#1] -> {(1),(2),(1)}
    /// ```
    ValueList, "VALUELIST",
    |args| values_type("VALUELIST", args),
    |args| Ok(match map_arg("VALUELIST", args)? {
        Some(m) => super::bag_of(m.iter().map(|(_, v)| v.clone())),
        None => Value::Null,
    })
}

builtin_fn! {
    /// `INVERSEMAP(map)`
    ///
    /// ## What it does
    /// Swaps keys and values: each distinct value (as text) becomes a key whose value is a
    /// bag of the original keys that had it. Values must be simple (not tuples or bags);
    /// entries with null values are skipped. Null gives null.
    ///
    /// ## Example
    /// ```pig
    /// B = FOREACH A GENERATE INVERSEMAP(m);  -- [open#1,1#2,11#2] -> [1#{(open)},2#{(1),(11)}]
    /// ```
    InverseMap, "INVERSEMAP",
    |args| map_type_arg("INVERSEMAP", args).map(|_| PigType::Map(Some(Box::new(bag_type("key", PigType::Chararray))))),
    |args| {
        let Some(m) = map_arg("INVERSEMAP", args)? else {
            return Ok(Value::Null);
        };
        let mut out: Vec<(String, Vec<Vec<Value>>)> = Vec::new();
        for (k, v) in m.iter() {
            let key = match v {
                Value::Null => continue,
                Value::Tuple(_) | Value::Bag(_) => {
                    return Err(UdfError(format!(
                        "INVERSEMAP: cannot use a {} value as a key",
                        super::type_name(v)
                    )));
                }
                other => value_text(other),
            };
            let row = vec![Value::Chararray(k.clone())];
            match out.iter_mut().find(|(nk, _)| *nk == key) {
                Some(slot) => slot.1.push(row),
                None => out.push((key, vec![row])),
            }
        }
        Ok(Value::Map(Box::new(
            out.into_iter()
                .map(|(k, b)| (k, Value::Bag(Box::new(Bag::from(b)))))
                .collect(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::func::EvalFunc;

    fn s(x: &str) -> Value {
        Value::Chararray(x.into())
    }
    fn map(pairs: &[(&str, Value)]) -> Value {
        Value::Map(Box::new(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        ))
    }

    #[test]
    fn to_tuple() {
        match ToTuple
            .eval(&[s("John"), Value::Int(18), Value::Null])
            .unwrap()
        {
            Value::Tuple(t) => assert_eq!(t.len(), 3),
            other => panic!("{other:?}"),
        }
        let rt = ToTuple
            .return_type(&[PigType::Chararray, PigType::Int])
            .unwrap();
        assert_eq!(
            rt,
            PigType::Tuple(Some(Schema::new(vec![
                Field::unnamed(PigType::Chararray),
                Field::unnamed(PigType::Int)
            ])))
        );
    }

    #[test]
    fn to_bag() {
        match ToBag
            .eval(&[
                s("John"),
                Value::Float(4.0),
                Value::Tuple(Box::new(vec![Value::Int(1), Value::Int(2)])),
            ])
            .unwrap()
        {
            Value::Bag(b) => {
                assert_eq!(b.len(), 3);
                assert_eq!(b.in_memory()[2].len(), 2);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            ToBag.return_type(&[PigType::Chararray, PigType::Float]),
            Ok(PigType::Bag(None))
        );
        assert_eq!(
            ToBag.return_type(&[PigType::Int, PigType::Int]),
            Ok(PigType::Bag(Some(Schema::new(vec![Field::unnamed(
                PigType::Int
            )]))))
        );
        assert!(matches!(ToBag.eval(&[Value::Null]).unwrap(), Value::Bag(b) if b.len() == 1));
    }

    #[test]
    fn to_map() {
        match ToMap
            .eval(&[
                s("joe"),
                Value::Float(3.5),
                s("amy"),
                Value::Float(3.2),
                s("joe"),
                Value::Float(1.0),
            ])
            .unwrap()
        {
            Value::Map(m) => {
                assert_eq!(m.len(), 2);
                assert!(matches!(m[0].1, Value::Float(f) if f == 1.0));
            }
            other => panic!("{other:?}"),
        }
        assert!(ToMap.eval(&[s("a")]).is_err());
        assert!(
            matches!(ToMap.eval(&[Value::Null, Value::Int(1)]).unwrap(), Value::Map(m) if m.is_empty())
        );
        assert!(ToMap.return_type(&[PigType::Chararray]).is_err());
        assert!(ToMap.return_type(&[PigType::Int, PigType::Int]).is_err());
        assert_eq!(
            ToMap.return_type(&[PigType::Chararray, PigType::Float]),
            Ok(PigType::Map(Some(Box::new(PigType::Float))))
        );
    }

    #[test]
    fn map_views() {
        let m = map(&[
            ("a", Value::Int(1)),
            ("b", Value::Int(2)),
            ("c", Value::Int(1)),
        ]);
        assert!(
            matches!(KeySet.eval(std::slice::from_ref(&m)).unwrap(), Value::Bag(b) if b.len() == 3)
        );
        assert!(
            matches!(ValueSet.eval(std::slice::from_ref(&m)).unwrap(), Value::Bag(b) if b.len() == 2)
        );
        assert!(
            matches!(ValueList.eval(std::slice::from_ref(&m)).unwrap(), Value::Bag(b) if b.len() == 3)
        );
        match InverseMap.eval(std::slice::from_ref(&m)).unwrap() {
            Value::Map(inv) => {
                assert_eq!(inv.len(), 2);
                assert_eq!(inv[0].0, "1");
                assert!(matches!(&inv[0].1, Value::Bag(b) if b.len() == 2));
            }
            other => panic!("{other:?}"),
        }
        for f in [&KeySet as &dyn EvalFunc, &ValueSet, &ValueList, &InverseMap] {
            assert!(matches!(f.eval(&[Value::Null]).unwrap(), Value::Null));
            assert!(f.eval(&[Value::Int(1)]).is_err());
            assert!(f.return_type(&[PigType::Int]).is_err());
            assert!(f.return_type(&[PigType::Map(None)]).is_ok());
        }
        assert!(
            InverseMap
                .eval(&[map(&[("a", Value::Bag(Box::default()))])])
                .is_err()
        );
    }
}
