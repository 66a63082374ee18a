//! Pig's data types and schemas, as the planner checks them and the runtime lays them out.

use std::fmt;

/// The type of one Pig field.
///
/// `Tuple` and `Bag` carry the schema of their fields (for a bag: the schema of the tuples
/// in it) when it is known; `Map` carries the type of its values when the map is typed
/// (`map[int]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum PigType {
    /// Untyped bytes: the type of a field loaded without a declared type.
    Bytearray,
    /// `boolean`
    Boolean,
    /// `int`, a 32-bit signed integer.
    Int,
    /// `long`, a 64-bit signed integer.
    Long,
    /// `float`, a 32-bit IEEE float.
    Float,
    /// `double`, a 64-bit IEEE float.
    Double,
    /// `biginteger`, an arbitrary-precision integer.
    BigInteger,
    /// `bigdecimal`, an arbitrary-precision decimal.
    BigDecimal,
    /// `chararray`, a Unicode string.
    Chararray,
    /// `datetime`, an instant with a zone offset.
    Datetime,
    /// `tuple`, an ordered list of fields.
    Tuple(Option<Schema>),
    /// `bag`, an unordered collection of tuples; the schema is the tuples' schema.
    Bag(Option<Schema>),
    /// `map`, chararray keys to values of one type (or any type when untyped).
    Map(Option<Box<PigType>>),
}

/// One named (or unnamed) field of a schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Field {
    /// The alias, as the script spells it; `None` for a field with no name.
    pub name: Option<String>,
    /// The field's type.
    pub ty: PigType,
}

/// An ordered list of fields: the schema of a relation, a tuple or the tuples of a bag.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Schema {
    /// The fields, in order.
    pub fields: Vec<Field>,
}

impl Field {
    /// A field with a name.
    pub fn new(name: impl Into<String>, ty: PigType) -> Self {
        Field {
            name: Some(name.into()),
            ty,
        }
    }

    /// A field with no name.
    pub fn unnamed(ty: PigType) -> Self {
        Field { name: None, ty }
    }
}

impl Schema {
    /// A schema of the given fields.
    pub fn new(fields: Vec<Field>) -> Self {
        Schema { fields }
    }

    /// The position of the field with this name, if exactly one has it.
    ///
    /// A name also matches a field named `prefix::name` (the fields a JOIN or a FLATTEN
    /// disambiguates), when only one field does.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        if let Some(i) = self
            .fields
            .iter()
            .position(|f| f.name.as_deref() == Some(name))
        {
            return Some(i);
        }
        let suffix = format!("::{name}");
        let mut hits = self
            .fields
            .iter()
            .enumerate()
            .filter(|(_, f)| f.name.as_deref().is_some_and(|n| n.ends_with(&suffix)));
        match (hits.next(), hits.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }
}

impl PigType {
    /// The name Pig uses for this type in DESCRIBE and in error messages.
    pub fn name(&self) -> &'static str {
        match self {
            PigType::Bytearray => "bytearray",
            PigType::Boolean => "boolean",
            PigType::Int => "int",
            PigType::Long => "long",
            PigType::Float => "float",
            PigType::Double => "double",
            PigType::BigInteger => "biginteger",
            PigType::BigDecimal => "bigdecimal",
            PigType::Chararray => "chararray",
            PigType::Datetime => "datetime",
            PigType::Tuple(_) => "tuple",
            PigType::Bag(_) => "bag",
            PigType::Map(_) => "map",
        }
    }

    /// Whether values of this type are numbers.
    pub fn is_numeric(&self) -> bool {
        matches!(
            self,
            PigType::Int
                | PigType::Long
                | PigType::Float
                | PigType::Double
                | PigType::BigInteger
                | PigType::BigDecimal
        )
    }

    /// Whether this is a tuple, a bag or a map.
    pub fn is_complex(&self) -> bool {
        matches!(self, PigType::Tuple(_) | PigType::Bag(_) | PigType::Map(_))
    }
}

/// Prints a type the way Pig's DESCRIBE does: `int`, `{(a: int)}`, `(a: int,b: chararray)`,
/// `map[]`, `map[int]`.
impl fmt::Display for PigType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PigType::Tuple(s) => write!(f, "({})", SchemaBody(s.as_ref())),
            PigType::Bag(s) => write!(f, "{{({})}}", SchemaBody(s.as_ref())),
            PigType::Map(None) => f.write_str("map[]"),
            PigType::Map(Some(v)) => write!(f, "map[{v}]"),
            other => f.write_str(other.name()),
        }
    }
}

struct SchemaBody<'a>(Option<&'a Schema>);

impl fmt::Display for SchemaBody<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(s) = self.0 {
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

/// Prints the fields the way DESCRIBE does, without the surrounding braces:
/// `name: chararray,age: int`.
impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, field) in self.fields.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            match (&field.name, &field.ty) {
                // Pig prints a bag field as `B: {(...)}` and a tuple field as `t: (...)`.
                (Some(n), ty) => write!(f, "{n}: {ty}")?,
                (None, ty) => write!(f, "{ty}")?,
            }
        }
        Ok(())
    }
}

/// Parses a Pig schema string as load functions take it: `a:int, b:chararray`,
/// `t:(x:int,y:int)`, `b:{(x:int)}` or `b:bag{t:tuple(x:int)}`, `m:map[]`, `m:map[int]`.
/// A field with no type is a bytearray.
pub fn parse_schema(s: &str) -> Result<Schema, String> {
    let mut p = SchemaParser {
        s: s.as_bytes(),
        pos: 0,
    };
    let schema = p.fields(None)?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(format!("unexpected '{}' at {}", &s[p.pos..], p.pos));
    }
    Ok(schema)
}

/// Parses one Pig type as a schema string spells it: `int`, `{(word: chararray)}`,
/// `(a: int, b: chararray)`, `map[long]`.
pub fn parse_type(s: &str) -> Result<PigType, String> {
    let mut p = SchemaParser {
        s: s.as_bytes(),
        pos: 0,
    };
    let ty = p.ty()?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(format!("unexpected '{}' at {}", &s[p.pos..], p.pos));
    }
    Ok(ty)
}

struct SchemaParser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl SchemaParser<'_> {
    fn ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.pos).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected '{}' at {}", c as char, self.pos))
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.ws();
        let start = self.pos;
        while self.pos < self.s.len()
            && (self.s[self.pos].is_ascii_alphanumeric()
                || self.s[self.pos] == b'_'
                || self.s[self.pos] == b'$')
        {
            self.pos += 1;
        }
        (self.pos > start).then(|| String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }

    /// Fields up to `close` (or the end of input).
    fn fields(&mut self, close: Option<u8>) -> Result<Schema, String> {
        let mut fields = Vec::new();
        if self.peek() == close {
            return Ok(Schema::new(fields));
        }
        loop {
            fields.push(self.field()?);
            if !self.eat(b',') {
                break;
            }
        }
        Ok(Schema::new(fields))
    }

    fn field(&mut self) -> Result<Field, String> {
        match self.peek() {
            Some(b'(') | Some(b'{') => return Ok(Field::unnamed(self.ty()?)),
            _ => {}
        }
        let save = self.pos;
        let Some(name) = self.ident() else {
            return Err(format!("expected a field at {}", self.pos));
        };
        if self.eat(b':') {
            let ty = self.ty()?;
            return Ok(Field::new(name, ty));
        }
        // A type with no name (`int`, `tuple(...)`), or a name with no type.
        let next = self.peek();
        if simple_type(&name).is_some()
            || (matches!(next, Some(b'(') | Some(b'{') | Some(b'['))
                && ["tuple", "bag", "map"].contains(&name.to_ascii_lowercase().as_str()))
        {
            self.pos = save;
            return Ok(Field::unnamed(self.ty()?));
        }
        Ok(Field::new(name, PigType::Bytearray))
    }

    fn ty(&mut self) -> Result<PigType, String> {
        match self.peek() {
            Some(b'(') => {
                self.pos += 1;
                let s = self.fields(Some(b')'))?;
                self.expect(b')')?;
                return Ok(PigType::Tuple(Some(s)));
            }
            Some(b'{') => {
                self.pos += 1;
                let s = self.fields(Some(b'}'))?;
                self.expect(b'}')?;
                return Ok(PigType::Bag(Some(bag_inner(s))));
            }
            _ => {}
        }
        let Some(word) = self.ident() else {
            return Err(format!("expected a type at {}", self.pos));
        };
        let lower = word.to_ascii_lowercase();
        if let Some(t) = simple_type(&lower) {
            return Ok(t);
        }
        match lower.as_str() {
            "tuple" => {
                if self.peek() == Some(b'(') {
                    self.ty()
                } else {
                    Ok(PigType::Tuple(None))
                }
            }
            "bag" => {
                if self.peek() == Some(b'{') {
                    self.ty()
                } else {
                    Ok(PigType::Bag(None))
                }
            }
            "map" => {
                if !self.eat(b'[') {
                    return Ok(PigType::Map(None));
                }
                if self.eat(b']') {
                    return Ok(PigType::Map(None));
                }
                let v = self.ty()?;
                self.expect(b']')?;
                Ok(PigType::Map(Some(Box::new(v))))
            }
            _ => Err(format!("unknown type '{word}'")),
        }
    }
}

/// A bag's schema is its tuples' schema: `{t:(a,b)}` and `{(a,b)}` and `{a,b}` are alike.
fn bag_inner(s: Schema) -> Schema {
    if s.fields.len() == 1
        && let PigType::Tuple(inner) = &s.fields[0].ty
    {
        return inner.clone().unwrap_or_default();
    }
    s
}

fn simple_type(word: &str) -> Option<PigType> {
    Some(match word.to_ascii_lowercase().as_str() {
        "bytearray" => PigType::Bytearray,
        "boolean" => PigType::Boolean,
        "int" => PigType::Int,
        "long" => PigType::Long,
        "float" => PigType::Float,
        "double" => PigType::Double,
        "biginteger" => PigType::BigInteger,
        "bigdecimal" => PigType::BigDecimal,
        "chararray" => PigType::Chararray,
        "datetime" => PigType::Datetime,
        _ => return None,
    })
}
