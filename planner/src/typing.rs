//! Pig's typing rules: which types operators accept and which implicit casts they insert
//! (Pig's `TypeCheckingExpVisitor`).

use pigrs_grammar::ast::{ScalarType, TypeAst};
use pigrs_udf::{Field, PigType, Schema};

use crate::error::PlanError;

/// The type of a declared schema field or cast target.
pub fn type_of(ast: &TypeAst) -> PigType {
    match ast {
        TypeAst::Scalar(s) => scalar(*s),
        TypeAst::Tuple(schema) => PigType::Tuple(schema.as_ref().map(schema_of)),
        TypeAst::Bag { schema, .. } => PigType::Bag(schema.as_ref().map(schema_of)),
        TypeAst::Map(value) => PigType::Map(value.as_ref().map(|v| Box::new(type_of(v)))),
    }
}

fn scalar(s: ScalarType) -> PigType {
    match s {
        ScalarType::Int => PigType::Int,
        ScalarType::Long => PigType::Long,
        ScalarType::Float => PigType::Float,
        ScalarType::Double => PigType::Double,
        ScalarType::BigInteger => PigType::BigInteger,
        ScalarType::BigDecimal => PigType::BigDecimal,
        ScalarType::Chararray => PigType::Chararray,
        ScalarType::Bytearray => PigType::Bytearray,
        ScalarType::Boolean => PigType::Boolean,
        ScalarType::Datetime => PigType::Datetime,
    }
}

/// Rejects a declared schema naming two fields of one tuple alike, at any depth, as Pig
/// does ("Duplicated alias in schema").
pub fn check_field_names(fields: &[pigrs_grammar::ast::FieldSchema]) -> Result<(), PlanError> {
    let mut seen: Vec<&pigrs_grammar::ast::Ident> = Vec::new();
    for f in fields {
        if let Some(n) = &f.name {
            if let Some(first) = seen.iter().find(|s| s.node == n.node) {
                return Err(PlanError::plan(
                    n.span,
                    format!("Duplicated alias in schema: `{}`", n.node),
                )
                .with_pig_code(1000)
                .with_related(first.span, "first named here")
                .with_help("every field of a tuple needs its own name"));
            }
            seen.push(n);
        }
        if let Some(t) = &f.ty {
            check_type_names(t)?;
        }
    }
    Ok(())
}

/// [`check_field_names`] for the schemas inside a type.
pub fn check_type_names(ty: &TypeAst) -> Result<(), PlanError> {
    match ty {
        TypeAst::Scalar(_) | TypeAst::Tuple(None) | TypeAst::Bag { schema: None, .. } => Ok(()),
        TypeAst::Tuple(Some(s))
        | TypeAst::Bag {
            schema: Some(s), ..
        } => check_field_names(&s.fields),
        TypeAst::Map(v) => v.as_deref().map_or(Ok(()), check_type_names),
    }
}

/// The schema a script declares; fields without a type are bytearray.
pub fn schema_of(ast: &pigrs_grammar::ast::SchemaAst) -> Schema {
    Schema::new(
        ast.fields
            .iter()
            .map(|f| Field {
                name: f.name.as_ref().map(|n| n.node.clone()),
                ty: f.ty.as_ref().map(type_of).unwrap_or(PigType::Bytearray),
            })
            .collect(),
    )
}

fn numeric_rank(t: &PigType) -> Option<u8> {
    match t {
        PigType::Int => Some(1),
        PigType::Long => Some(2),
        PigType::Float => Some(3),
        PigType::Double => Some(4),
        PigType::BigInteger => Some(5),
        PigType::BigDecimal => Some(6),
        _ => None,
    }
}

/// The common type of two arithmetic operands, or `None` when Pig rejects the pair.
///
/// Numbers widen (int < long < float < double); an untyped (bytearray) operand takes the
/// other's type; two untyped operands are doubles.
pub fn arithmetic(a: &PigType, b: &PigType) -> Option<PigType> {
    match (a, b) {
        (PigType::Bytearray, PigType::Bytearray) => Some(PigType::Double),
        (PigType::Bytearray, t) | (t, PigType::Bytearray) if t.is_numeric() => Some(t.clone()),
        _ => {
            let (ra, rb) = (numeric_rank(a)?, numeric_rank(b)?);
            // biginteger and bigdecimal only combine with themselves.
            if (ra > 4 || rb > 4) && a != b {
                return None;
            }
            Some(if ra >= rb { a.clone() } else { b.clone() })
        }
    }
}

/// The common type two values are compared (or unified, as in bincond branches or COGROUP
/// keys) in, or `None` when they cannot be.
pub fn common(a: &PigType, b: &PigType) -> Option<PigType> {
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (PigType::Bytearray, t) | (t, PigType::Bytearray) => Some(t.clone()),
        (PigType::Tuple(_), PigType::Tuple(_)) => Some(PigType::Tuple(None)),
        (PigType::Bag(_), PigType::Bag(_)) => Some(PigType::Bag(None)),
        (PigType::Map(_), PigType::Map(_)) => Some(PigType::Map(None)),
        _ => arithmetic(a, b),
    }
}

/// The type two values are compared in (`==`, `<`, IN ...). As [`common`], except that
/// any two numbers compare: Pig casts the one of lower type to the other's, where
/// biginteger and bigdecimal rank above double (`TypeCheckingExpVisitor`).
pub fn comparable(a: &PigType, b: &PigType) -> Option<PigType> {
    match (numeric_rank(a), numeric_rank(b)) {
        (Some(ra), Some(rb)) => Some(if ra >= rb { a.clone() } else { b.clone() }),
        _ => common(a, b),
    }
}

/// Whether Pig allows an explicit cast from `from` to `to`.
pub fn castable(from: &PigType, to: &PigType) -> bool {
    match (from, to) {
        (PigType::Bytearray, _) => true,
        (_, PigType::Bytearray) => !from.is_complex(),
        (PigType::Tuple(_), PigType::Tuple(_))
        | (PigType::Bag(_), PigType::Bag(_))
        | (PigType::Map(_), PigType::Map(_)) => true,
        (f, t) => !f.is_complex() && !t.is_complex(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_widens_and_rejects_strings() {
        assert_eq!(
            arithmetic(&PigType::Int, &PigType::Long),
            Some(PigType::Long)
        );
        assert_eq!(
            arithmetic(&PigType::Float, &PigType::Int),
            Some(PigType::Float)
        );
        assert_eq!(
            arithmetic(&PigType::Bytearray, &PigType::Int),
            Some(PigType::Int)
        );
        assert_eq!(
            arithmetic(&PigType::Bytearray, &PigType::Bytearray),
            Some(PigType::Double)
        );
        assert_eq!(arithmetic(&PigType::Chararray, &PigType::Float), None);
        assert_eq!(arithmetic(&PigType::BigInteger, &PigType::Int), None);
    }

    #[test]
    fn comparisons_cast_untyped_side() {
        assert_eq!(
            common(&PigType::Bytearray, &PigType::Chararray),
            Some(PigType::Chararray)
        );
        assert_eq!(common(&PigType::Chararray, &PigType::Int), None);
    }
}
