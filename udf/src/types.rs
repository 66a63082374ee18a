//! Pig's data types and schemas, as the planner checks them and the runtime lays them out.

use std::fmt;

/// The type of one Pig field.
///
/// `Tuple` and `Bag` carry the schema of their fields (for a bag: the schema of the tuples
/// in it) when it is known; `Map` carries the type of its values when the map is typed
/// (`map[int]`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    /// The alias, as the script spells it; `None` for a field with no name.
    pub name: Option<String>,
    /// The field's type.
    pub ty: PigType,
}

/// An ordered list of fields: the schema of a relation, a tuple or the tuples of a bag.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
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
