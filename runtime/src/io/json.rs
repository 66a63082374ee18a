//! Pig's JSON: the records of JsonLoader/JsonStorage and the `.pig_schema` file that
//! PigStorage (`-schema`) and JsonStorage write beside their output.

use std::path::{Path, PathBuf};

use pigrs_udf::{Bag, Field, PigType, Schema, Tuple, Value};
use serde_json::Value as Json;

use super::error::IoError;
use super::funcs::{LoadFunc, parse_schema};

/// One JSON record (an object, or an array taken by position) as a tuple of `schema`;
/// with no schema, the object's values in order with their natural types. Fields that
/// cannot be converted become null and are counted in `fails`.
pub fn record_to_tuple(v: &Json, schema: Option<&Schema>, fails: &mut u32) -> Tuple {
    match schema {
        Some(s) => fields_of(v, s, fails),
        None => match v {
            Json::Object(m) => m.values().map(natural).collect(),
            Json::Array(a) => a.iter().map(natural).collect(),
            other => vec![natural(other)],
        },
    }
}

fn fields_of(v: &Json, s: &Schema, fails: &mut u32) -> Tuple {
    match v {
        Json::Object(m) => s
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let name = field_name(f, i);
                match m.get(&name) {
                    Some(x) => to_value(x, &f.ty, fails),
                    None => Value::Null,
                }
            })
            .collect(),
        Json::Array(a) => s
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| a.get(i).map_or(Value::Null, |x| to_value(x, &f.ty, fails)))
            .collect(),
        _ => {
            *fails += 1;
            vec![Value::Null; s.fields.len()]
        }
    }
}

/// The JSON key of a field: its name, or `$i` for an unnamed field.
fn field_name(f: &Field, i: usize) -> String {
    f.name.clone().unwrap_or_else(|| format!("${i}"))
}

fn scalar_text(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Number(n) => Some(n.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn to_value(v: &Json, ty: &PigType, fails: &mut u32) -> Value {
    if v.is_null() {
        return Value::Null;
    }
    let mut fail = || {
        *fails += 1;
        Value::Null
    };
    match ty {
        PigType::Bytearray => match scalar_text(v) {
            Some(s) => Value::Bytearray(s.into_bytes()),
            None => Value::Bytearray(v.to_string().into_bytes()),
        },
        PigType::Chararray => match scalar_text(v) {
            Some(s) => Value::Chararray(s),
            None => Value::Chararray(v.to_string()),
        },
        PigType::Boolean => match v {
            Json::Bool(b) => Value::Boolean(*b),
            _ => match scalar_text(v) {
                Some(s) => pigrs_udf::cast::parse_text(s.as_bytes(), ty).unwrap_or_else(|_| fail()),
                None => fail(),
            },
        },
        PigType::Int
        | PigType::Long
        | PigType::Float
        | PigType::Double
        | PigType::BigInteger
        | PigType::BigDecimal
        | PigType::Datetime => match scalar_text(v) {
            Some(s) => pigrs_udf::cast::parse_text(s.as_bytes(), ty).unwrap_or_else(|_| fail()),
            None => fail(),
        },
        PigType::Tuple(Some(s)) => match v {
            Json::Object(_) | Json::Array(_) => Value::Tuple(Box::new(fields_of(v, s, fails))),
            _ => fail(),
        },
        PigType::Tuple(None) => match v {
            Json::Object(m) => Value::Tuple(Box::new(m.values().map(natural).collect())),
            Json::Array(a) => Value::Tuple(Box::new(a.iter().map(natural).collect())),
            _ => fail(),
        },
        PigType::Bag(s) => match v {
            Json::Array(items) => {
                let mut bag = Vec::with_capacity(items.len());
                for item in items {
                    bag.push(match s {
                        Some(s) => fields_of(item, s, fails),
                        None => natural_tuple(item),
                    });
                }
                Value::Bag(Box::new(Bag::from(bag)))
            }
            _ => fail(),
        },
        PigType::Map(vt) => match v {
            Json::Object(m) => Value::Map(Box::new(
                m.iter()
                    .map(|(k, x)| {
                        let val = match vt {
                            Some(t) => to_value(x, t, fails),
                            None => map_value(x),
                        };
                        (k.clone(), val)
                    })
                    .collect(),
            )),
            _ => fail(),
        },
    }
}

/// An untyped map's value: scalars as chararray (as Pig's JsonLoader reads them).
fn map_value(v: &Json) -> Value {
    match scalar_text(v) {
        Some(s) => Value::Chararray(s),
        None => natural(v),
    }
}

/// A JSON value with no declared type: strings are chararray, integers int (or long),
/// other numbers double, objects maps, arrays bags.
fn natural(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                match i32::try_from(i) {
                    Ok(i) => Value::Int(i),
                    Err(_) => Value::Long(i),
                }
            } else {
                Value::Double(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        Json::String(s) => Value::Chararray(s.clone()),
        Json::Array(a) => Value::Bag(Box::new(a.iter().map(natural_tuple).collect())),
        Json::Object(m) => Value::Map(Box::new(
            m.iter().map(|(k, x)| (k.clone(), natural(x))).collect(),
        )),
    }
}

fn natural_tuple(v: &Json) -> Tuple {
    match v {
        Json::Object(m) => m.values().map(natural).collect(),
        Json::Array(a) => a.iter().map(natural).collect(),
        other => vec![natural(other)],
    }
}

/// Appends one tuple as a JSON object in Pig's JsonStorage layout (no newline): fields by
/// name (`$i` when unnamed), tuples as objects, bags as arrays of objects, maps as objects.
pub fn write_record(t: &Tuple, schema: Option<&Schema>, out: &mut Vec<u8>) {
    write_object(t, schema, out);
}

fn write_object(t: &Tuple, schema: Option<&Schema>, out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, v) in t.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let field = schema.and_then(|s| s.fields.get(i));
        let name = field.map_or_else(|| format!("${i}"), |f| field_name(f, i));
        write_str(&name, out);
        out.push(b':');
        write_value(v, field.map(|f| &f.ty), out);
    }
    out.push(b'}');
}

fn write_str(s: &str, out: &mut Vec<u8>) {
    // Writing a str to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

fn write_value(v: &Value, ty: Option<&PigType>, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Int(_) | Value::Long(_) | Value::BigInteger(_) | Value::BigDecimal(_) => {
            out.extend_from_slice(v.to_string().as_bytes())
        }
        Value::Float(_) | Value::Double(_) => {
            let s = v.to_string();
            if s.contains(['N', 'I']) {
                // NaN and Infinity are not JSON numbers: quoted, as Jackson writes them.
                write_str(&s, out);
            } else {
                out.extend_from_slice(s.as_bytes());
            }
        }
        Value::Chararray(s) => write_str(s, out),
        Value::Bytearray(b) => write_str(&String::from_utf8_lossy(b), out),
        Value::Datetime(_) => write_str(&v.to_string(), out),
        Value::Tuple(t) => {
            let s = match ty {
                Some(PigType::Tuple(s)) => s.as_ref(),
                _ => None,
            };
            write_object(t, s, out);
        }
        Value::Bag(b) => {
            let s = match ty {
                Some(PigType::Bag(s)) => s.as_ref(),
                _ => None,
            };
            out.push(b'[');
            for (i, t) in b.all().iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_object(t, s, out);
            }
            out.push(b']');
        }
        Value::Map(m) => {
            let vt = match ty {
                Some(PigType::Map(Some(t))) => Some(&**t),
                _ => None,
            };
            out.push(b'{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(k, out);
                out.push(b':');
                write_value(x, vt, out);
            }
            out.push(b'}');
        }
    }
}

/// Pig's type codes (`org.apache.pig.data.DataType`) as `.pig_schema` stores them.
fn type_code(t: &PigType) -> u8 {
    match t {
        PigType::Boolean => 5,
        PigType::Int => 10,
        PigType::Long => 15,
        PigType::Float => 20,
        PigType::Double => 25,
        PigType::Datetime => 30,
        PigType::Bytearray => 50,
        PigType::Chararray => 55,
        PigType::BigInteger => 65,
        PigType::BigDecimal => 70,
        PigType::Map(_) => 100,
        PigType::Tuple(_) => 110,
        PigType::Bag(_) => 120,
    }
}

fn schema_json(s: &Schema) -> Json {
    let fields: Vec<Json> = s.fields.iter().map(field_json).collect();
    serde_json::json!({
        "fields": fields,
        "version": 0,
        "sortKeys": [],
        "sortKeyOrders": [],
    })
}

fn field_json(f: &Field) -> Json {
    let inner = match &f.ty {
        PigType::Tuple(Some(s)) => schema_json(s),
        // Pig's bag schema holds one tuple field with the tuples' schema.
        PigType::Bag(Some(s)) => schema_json(&Schema::new(vec![Field::new(
            "t",
            PigType::Tuple(Some(s.clone())),
        )])),
        PigType::Map(Some(v)) => schema_json(&Schema::new(vec![Field::unnamed((**v).clone())])),
        _ => Json::Null,
    };
    serde_json::json!({
        "name": f.name,
        "type": type_code(&f.ty),
        "description": "autogenerated from Pig Field Schema",
        "schema": inner,
    })
}

/// The text of a `.pig_schema` file (Pig's `ResourceSchema` as JSON) for `schema`.
pub fn pig_schema_json(schema: &Schema) -> String {
    schema_json(schema).to_string()
}

/// Reads the text of a `.pig_schema` file.
pub fn parse_pig_schema_json(text: &str) -> Result<Schema, String> {
    let v: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
    schema_from_json(&v)
}

fn schema_from_json(v: &Json) -> Result<Schema, String> {
    let fields = v
        .get("fields")
        .and_then(Json::as_array)
        .ok_or_else(|| "a schema without \"fields\"".to_string())?;
    let mut out = Vec::with_capacity(fields.len());
    for f in fields {
        let name = f.get("name").and_then(Json::as_str).map(str::to_string);
        let code = f
            .get("type")
            .and_then(Json::as_u64)
            .ok_or("a field without a \"type\"")?;
        let inner = match f.get("schema") {
            Some(s) if !s.is_null() => Some(schema_from_json(s)?),
            _ => None,
        };
        let ty = match code {
            5 => PigType::Boolean,
            10 => PigType::Int,
            15 => PigType::Long,
            20 => PigType::Float,
            25 => PigType::Double,
            30 => PigType::Datetime,
            50 | 1 | 0 => PigType::Bytearray,
            55 => PigType::Chararray,
            65 => PigType::BigInteger,
            70 => PigType::BigDecimal,
            100 => PigType::Map(
                inner
                    .and_then(|s| s.fields.into_iter().next())
                    .map(|f| Box::new(f.ty)),
            ),
            110 => PigType::Tuple(inner),
            120 => PigType::Bag(inner.map(|s| match s.fields.as_slice() {
                [
                    Field {
                        ty: PigType::Tuple(t),
                        ..
                    },
                ] => t.clone().unwrap_or_default(),
                _ => s,
            })),
            other => return Err(format!("unknown Pig type code {other}")),
        };
        out.push(Field { name, ty });
    }
    Ok(Schema::new(out))
}

/// The `.pig_schema` beside a LOAD location, if there is one: in the location itself when
/// it is a directory, else in the directory of its first file.
pub fn read_pig_schema(location: &str, base_dir: &Path) -> Result<Option<Schema>, IoError> {
    for candidate in schema_candidates(location, base_dir) {
        if candidate.is_file() {
            let text =
                std::fs::read_to_string(&candidate).map_err(|e| IoError::io(&candidate, e))?;
            let schema =
                parse_pig_schema_json(&text).map_err(|e| IoError::format(&candidate, None, e))?;
            return Ok(Some(schema));
        }
    }
    Ok(None)
}

fn schema_candidates(location: &str, base_dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(files) = super::input::resolve_input(location, base_dir) {
        for loc in location.split(',') {
            let loc = loc.trim();
            let loc = loc
                .strip_prefix("file://")
                .or_else(|| loc.strip_prefix("file:"))
                .unwrap_or(loc);
            let p = base_dir.join(loc);
            if p.is_dir() {
                out.push(p.join(".pig_schema"));
            }
        }
        for f in files {
            if let Some(parent) = f.path.parent() {
                let c = parent.join(".pig_schema");
                if !out.contains(&c) {
                    out.push(c);
                }
            }
        }
    }
    out
}

/// The schema a load function itself declares for `location`, as Pig's `getSchema` does:
/// JsonLoader's argument (or else the input's `.pig_schema`, which it then requires);
/// PigStorage's `.pig_schema` unless `-noschema` (required with `-schema`); BinStorage's
/// `.pig_schema`, or else the types of its first record as Pig finds them; none for the
/// others.
pub fn load_schema(
    load: &LoadFunc,
    location: &str,
    base_dir: &Path,
) -> Result<Option<Schema>, IoError> {
    match load {
        LoadFunc::JsonLoader { schema: Some(s) } => parse_schema(s)
            .map(Some)
            .map_err(|e| IoError::format(location, None, format!("JsonLoader schema: {e}"))),
        LoadFunc::JsonLoader { schema: None } => match read_pig_schema(location, base_dir)? {
            Some(s) => Ok(Some(s)),
            None => Err(IoError::format(
                location,
                None,
                "JsonLoader needs a schema argument or a .pig_schema file beside the input",
            )),
        },
        LoadFunc::PigStorage { options, .. } if !options.noschema => {
            match read_pig_schema(location, base_dir)? {
                Some(s) => Ok(Some(s)),
                None if options.schema => Err(IoError::format(
                    location,
                    None,
                    "PigStorage -schema: no .pig_schema file beside the input",
                )),
                None => Ok(None),
            }
        }
        LoadFunc::BinStorage => match read_pig_schema(location, base_dir)? {
            Some(s) => Ok(Some(s)),
            // A location that does not exist yet (stored earlier in the script) has none.
            None => match super::input::resolve_input(location, base_dir) {
                Ok(files) => super::read::bin_first_record_schema(&files),
                Err(_) => Ok(None),
            },
        },
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_schema() -> Schema {
        parse_schema("a:int,b:chararray,c:{(x:int,y:double)},d:map[],e:(p:long,q:bytearray),f:boolean,g:map[int]")
            .unwrap()
    }

    #[test]
    fn pig_schema_round_trip() {
        let s = sample_schema();
        let text = pig_schema_json(&s);
        assert!(text.contains("\"type\":10"), "{text}");
        assert!(text.contains("autogenerated from Pig Field Schema"));
        assert_eq!(parse_pig_schema_json(&text).unwrap(), s);
        // Pig's own layout, as Pig writes it.
        let pig = r#"{"fields":[{"name":"name","type":55,"description":"autogenerated from Pig Field Schema","schema":null},{"name":"age","type":10,"description":"autogenerated from Pig Field Schema","schema":null}],"version":0,"sortKeys":[],"sortKeyOrders":[]}"#;
        assert_eq!(
            parse_pig_schema_json(pig).unwrap(),
            Schema::new(vec![
                Field::new("name", PigType::Chararray),
                Field::new("age", PigType::Int)
            ])
        );
        assert!(parse_pig_schema_json("{}").is_err());
        assert!(parse_pig_schema_json("nope").is_err());
    }

    #[test]
    fn record_with_nested_types() {
        let s = sample_schema();
        let line = r#"{"a":1,"b":"x","c":[{"x":1,"y":2.5},{"x":2,"y":null}],"d":{"k":"v","n":3},"e":{"p":9,"q":"raw"},"f":true,"g":{"z":7}}"#;
        let v: Json = serde_json::from_str(line).unwrap();
        let mut fails = 0;
        let t = record_to_tuple(&v, Some(&s), &mut fails);
        assert_eq!(fails, 0);
        assert_eq!(t.len(), 7);
        assert!(matches!(t[0], Value::Int(1)));
        assert!(matches!(&t[1], Value::Chararray(x) if x == "x"));
        match &t[2] {
            Value::Bag(b) => {
                assert_eq!(b.len(), 2);
                assert!(matches!(b.in_memory()[0][0], Value::Int(1)));
                assert!(matches!(b.in_memory()[0][1], Value::Double(y) if y == 2.5));
                assert!(matches!(b.in_memory()[1][1], Value::Null));
            }
            other => panic!("{other:?}"),
        }
        match &t[3] {
            Value::Map(m) => {
                assert_eq!(m.len(), 2);
                assert!(matches!(&m[1].1, Value::Chararray(x) if x == "3"));
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(&t[4], Value::Tuple(x) if matches!(x[1], Value::Bytearray(_))));
        assert!(matches!(t[5], Value::Boolean(true)));
        assert!(matches!(&t[6], Value::Map(m) if matches!(m[0].1, Value::Int(7))));

        // Missing fields are null; a wrongly typed one is null and counted.
        let v: Json = serde_json::from_str(r#"{"a":"zz","b":"y"}"#).unwrap();
        let t = record_to_tuple(&v, Some(&s), &mut fails);
        assert_eq!(fails, 1);
        assert!(matches!(t[0], Value::Null));
        assert!(matches!(t[6], Value::Null));
    }

    #[test]
    fn write_layout() {
        let s = parse_schema("a:int,b:chararray,c:{(x:int)},m:map[]").unwrap();
        let t: Tuple = vec![
            Value::Int(1),
            Value::Chararray("q\"x".into()),
            Value::Bag(Box::new(pigrs_udf::Bag::from(vec![
                vec![Value::Int(5)],
                vec![Value::Null],
            ]))),
            Value::Map(Box::new(vec![("k".into(), Value::Chararray("v".into()))])),
        ];
        let mut out = Vec::new();
        write_record(&t, Some(&s), &mut out);
        assert_eq!(
            String::from_utf8(out.clone()).unwrap(),
            r#"{"a":1,"b":"q\"x","c":[{"x":5},{"x":null}],"m":{"k":"v"}}"#
        );
        let v: Json = serde_json::from_slice(&out).unwrap();
        let mut fails = 0;
        let back = record_to_tuple(&v, Some(&s), &mut fails);
        assert_eq!(fails, 0);
        assert_eq!(format!("{back:?}"), format!("{t:?}"));

        let mut out = Vec::new();
        write_record(&vec![Value::Double(f64::NAN), Value::Null], None, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"$0":"NaN","$1":null}"#);
    }
}
