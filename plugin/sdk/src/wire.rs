//! The payloads of plugin ABI v1 as Pig values, written with the value codec: the library's
//! description, types, and failures. Both the SDK and pigrs's loader use these functions,
//! so the two sides cannot disagree on the layout.

use pigrs_value::codec;
use pigrs_value::{Field, PigType, Schema, Value};

/// What a library says about itself ([`crate::abi::PluginV1::describe`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Descriptor {
    /// The codec version of its payloads ([`crate::abi::CODEC_VERSION`] when built).
    pub codec_version: u32,
    /// The version of the `pigrs-plugin` crate it was built with.
    pub sdk_version: String,
    /// `std::env::consts::OS` of its build.
    pub os: String,
    /// `std::env::consts::ARCH` of its build.
    pub arch: String,
    /// Whether it was built with `panic = "unwind"` (so its panics can be caught).
    pub panic_unwind: bool,
    /// The prefix scripts call its functions with: `myudfs` in `myudfs.Reverse(x)`.
    pub namespace: String,
    /// Its functions; `new_instance` takes a position in this list.
    pub functions: Vec<FunctionInfo>,
}

/// One exported function.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionInfo {
    /// The name after the namespace: `Reverse`.
    pub name: String,
    /// Its kind, one of [`crate::abi::kind`].
    pub kind: u32,
    /// The argument types it declares, one entry per overload (empty: it types its
    /// arguments itself, in `RETURN_TYPE`).
    pub signatures: Vec<Signature>,
}

/// One overload: argument types and the result type.
#[derive(Clone, Debug, PartialEq)]
pub struct Signature {
    /// The argument types; `None` takes any type.
    pub args: Vec<Option<PigType>>,
    /// The result type.
    pub output: PigType,
}

/// Why a call failed: the position of the row (for `EVAL`) and the message.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The row of the batch that failed, when the call evaluates rows.
    pub row: Option<usize>,
    /// What went wrong (for a panic: the panic's message and location).
    pub message: String,
}

fn text(v: &Value, what: &str) -> Result<String, String> {
    match v {
        Value::Chararray(s) => Ok(s.clone()),
        _ => Err(format!("{what} is not a chararray")),
    }
}

fn int(v: &Value, what: &str) -> Result<u32, String> {
    match v {
        Value::Int(i) => u32::try_from(*i).map_err(|_| format!("{what} is negative")),
        _ => Err(format!("{what} is not an int")),
    }
}

fn fields<'a>(v: &'a Value, n: usize, what: &str) -> Result<&'a [Value], String> {
    match v {
        Value::Tuple(t) if t.len() == n => Ok(t),
        _ => Err(format!("{what} is not a tuple of {n} fields")),
    }
}

fn bag<'a>(v: &'a Value, what: &str) -> Result<&'a [Vec<Value>], String> {
    match v {
        // Decoded from bytes: all in memory.
        Value::Bag(b) => Ok(b.in_memory()),
        _ => Err(format!("{what} is not a bag")),
    }
}

/// Decodes the codec bytes of a payload.
pub fn decode(bytes: &[u8], what: &str) -> Result<Value, String> {
    codec::decode(bytes).map_err(|e| format!("malformed {what}: {e}"))
}

impl Descriptor {
    /// The description as a value: `(codec_version, sdk_version, os, arch, panic_unwind,
    /// namespace, {(name, kind, {(args, output)})})`.
    pub fn to_value(&self) -> Value {
        let functions = self
            .functions
            .iter()
            .map(|f| {
                let sigs = f
                    .signatures
                    .iter()
                    .map(|s| {
                        let args = s
                            .args
                            .iter()
                            .map(|a| a.as_ref().map_or(Value::Null, type_to_value))
                            .collect();
                        vec![Value::Tuple(Box::new(args)), type_to_value(&s.output)]
                    })
                    .collect();
                vec![
                    Value::Chararray(f.name.clone()),
                    Value::Int(f.kind as i32),
                    Value::Bag(Box::new(sigs)),
                ]
            })
            .collect();
        Value::Tuple(Box::new(vec![
            Value::Int(self.codec_version as i32),
            Value::Chararray(self.sdk_version.clone()),
            Value::Chararray(self.os.clone()),
            Value::Chararray(self.arch.clone()),
            Value::Boolean(self.panic_unwind),
            Value::Chararray(self.namespace.clone()),
            Value::Bag(Box::new(functions)),
        ]))
    }

    /// Reads a description written by [`Descriptor::to_value`].
    pub fn from_value(v: &Value) -> Result<Self, String> {
        let f = fields(v, 7, "the description")?;
        let mut functions = Vec::new();
        for t in bag(&f[6], "the function list")? {
            let [name, kind, sigs] = t.as_slice() else {
                return Err("a function entry is not (name, kind, signatures)".into());
            };
            let mut signatures = Vec::new();
            for s in bag(sigs, "a signature list")? {
                let [args, output] = s.as_slice() else {
                    return Err("a signature is not (args, output)".into());
                };
                let Value::Tuple(args) = args else {
                    return Err("a signature's arguments are not a tuple".into());
                };
                let args = args
                    .iter()
                    .map(|a| match a {
                        Value::Null => Ok(None),
                        a => type_from_value(a).map(Some),
                    })
                    .collect::<Result<_, _>>()?;
                signatures.push(Signature {
                    args,
                    output: type_from_value(output)?,
                });
            }
            functions.push(FunctionInfo {
                name: text(name, "a function name")?,
                kind: int(kind, "a function kind")?,
                signatures,
            });
        }
        Ok(Descriptor {
            codec_version: int(&f[0], "the codec version")?,
            sdk_version: text(&f[1], "the SDK version")?,
            os: text(&f[2], "the OS")?,
            arch: text(&f[3], "the architecture")?,
            panic_unwind: matches!(f[4], Value::Boolean(true)),
            namespace: text(&f[5], "the namespace")?,
            functions,
        })
    }
}

impl Failure {
    /// The failure as a value: `(row or null, message)`.
    pub fn to_value(&self) -> Value {
        Value::Tuple(Box::new(vec![
            self.row.map_or(Value::Null, |r| Value::Long(r as i64)),
            Value::Chararray(self.message.clone()),
        ]))
    }

    /// Reads a failure written by [`Failure::to_value`].
    pub fn from_value(v: &Value) -> Result<Self, String> {
        let f = fields(v, 2, "the failure")?;
        let row = match &f[0] {
            Value::Null => None,
            Value::Long(r) => Some(usize::try_from(*r).map_err(|_| "a negative row")?),
            _ => return Err("the failure's row is not a long".into()),
        };
        Ok(Failure {
            row,
            message: text(&f[1], "the failure's message")?,
        })
    }
}

/// A type as a value: a flat type is its name (`int`); a tuple or a bag is `(name, schema)`
/// with the schema a bag of `(field name or null, type)` or null; a map is `("map", value
/// type or null)`.
pub fn type_to_value(t: &PigType) -> Value {
    let schema = |s: &Option<Schema>| match s {
        None => Value::Null,
        Some(s) => Value::Bag(Box::new(
            s.fields
                .iter()
                .map(|f| {
                    vec![
                        f.name.clone().map_or(Value::Null, Value::Chararray),
                        type_to_value(&f.ty),
                    ]
                })
                .collect(),
        )),
    };
    let pair =
        |inner: Value| Value::Tuple(Box::new(vec![Value::Chararray(t.name().into()), inner]));
    match t {
        PigType::Tuple(s) | PigType::Bag(s) => pair(schema(s)),
        PigType::Map(v) => pair(v.as_deref().map_or(Value::Null, type_to_value)),
        flat => Value::Chararray(flat.name().into()),
    }
}

/// Reads a type written by [`type_to_value`].
pub fn type_from_value(v: &Value) -> Result<PigType, String> {
    let schema = |v: &Value| -> Result<Option<Schema>, String> {
        match v {
            Value::Null => Ok(None),
            v => {
                let mut out = Vec::new();
                for f in bag(v, "a schema")? {
                    let [name, ty] = f.as_slice() else {
                        return Err("a schema field is not (name, type)".into());
                    };
                    let ty = type_from_value(ty)?;
                    out.push(match name {
                        Value::Null => Field::unnamed(ty),
                        n => Field::new(text(n, "a field name")?, ty),
                    });
                }
                Ok(Some(Schema::new(out)))
            }
        }
    };
    match v {
        Value::Chararray(name) => match pigrs_value::types::parse_type(name)? {
            t if !t.is_complex() => Ok(t),
            _ => Err(format!("`{name}` is not a flat type")),
        },
        Value::Tuple(t) => match t.as_slice() {
            [Value::Chararray(name), inner] => match name.as_str() {
                "tuple" => Ok(PigType::Tuple(schema(inner)?)),
                "bag" => Ok(PigType::Bag(schema(inner)?)),
                "map" => Ok(PigType::Map(match inner {
                    Value::Null => None,
                    t => Some(Box::new(type_from_value(t)?)),
                })),
                other => Err(format!("unknown complex type `{other}`")),
            },
            _ => Err("a complex type is not (name, inner)".into()),
        },
        _ => Err("a type is neither a name nor (name, inner)".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pigrs_value::types::parse_type;

    #[test]
    fn types_round_trip() {
        for s in [
            "int",
            "bytearray",
            "datetime",
            "{(word: chararray,n: long)}",
            "(a: int,t: (b: bag{}),m: map[int])",
            "map[]",
            "tuple()",
        ] {
            let t = parse_type(s).expect(s);
            let bytes = codec::encode_to_vec(&type_to_value(&t));
            let back = type_from_value(&decode(&bytes, "type").expect("decodes")).expect(s);
            assert_eq!(back, t, "{s}");
        }
    }

    #[test]
    fn descriptor_round_trips_and_refuses_garbage() {
        let d = Descriptor {
            codec_version: 1,
            sdk_version: "0.1.0".into(),
            os: "linux".into(),
            arch: "x86_64".into(),
            panic_unwind: true,
            namespace: "myudfs".into(),
            functions: vec![FunctionInfo {
                name: "Add".into(),
                kind: crate::abi::kind::EVAL,
                signatures: vec![Signature {
                    args: vec![Some(PigType::Int), None],
                    output: PigType::Long,
                }],
            }],
        };
        assert_eq!(Descriptor::from_value(&d.to_value()), Ok(d));
        assert!(Descriptor::from_value(&Value::Int(3)).is_err());
        let f = Failure {
            row: Some(4),
            message: "boom".into(),
        };
        assert_eq!(Failure::from_value(&f.to_value()), Ok(f));
        assert!(type_from_value(&Value::Chararray("{(a: int)}".into())).is_err());
    }
}
