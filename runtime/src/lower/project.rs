//! A FOREACH ... GENERATE without nested block on DataFusion: `ProjectionExec` when it
//! flattens no bag (each generated field one `PhysicalExpr`, see `crate::expr`), pigrs's
//! `FlattenExec` when it flattens one bag.

use std::sync::Arc;

use datafusion::physical_plan::PhysicalExpr;
use pigrs_planner::expr::{Expr, ExprKind};
use pigrs_planner::logical::GenItem;
use pigrs_udf::{PigType, arrow_layout};

use crate::error::RunError;
use crate::eval::EvalCtx;
use crate::expr::physical_expr;
use crate::layout::Layout;
use crate::ops::flatten::{BagSource, Item};

/// A GENERATE list lowered onto batches.
pub enum Generate {
    /// One expression per output field.
    Projection(Vec<(Arc<dyn PhysicalExpr>, String)>),
    /// One bag flattened into rows, with the other fields per input row.
    Flatten {
        /// The generated items in order.
        items: Vec<Item>,
        /// The bag.
        bag: BagSource,
    },
}

/// What one GENERATE item gives.
enum Part {
    /// One field.
    Field(Expr),
    /// The fields of a flattened bag (of this many fields).
    Bag(Expr, usize),
}

/// `generate` over batches in `input`, giving batches in `output` (named and typed as its
/// fields), or `None` when the list flattens a map, several bags, or a bag or tuple of
/// unknown width, or gives a field of another Arrow type than the output's: those run
/// row by row.
pub fn generate(
    generate: &[GenItem],
    input: &Layout,
    output: &Layout,
    ctx: &EvalCtx,
) -> Result<Option<Generate>, RunError> {
    let Some(out_schema) = &output.schema else {
        return Ok(None);
    };
    let mut parts = Vec::new();
    for item in generate {
        if !item.flatten {
            parts.push(Part::Field(item.expr.clone()));
            continue;
        }
        match (&item.expr.ty, item.width) {
            (PigType::Tuple(Some(schema)), Some(width)) if width == schema.fields.len() => {
                parts.extend(schema.fields.iter().enumerate().map(|(i, f)| {
                    Part::Field(Expr::new(
                        ExprKind::TupleField {
                            expr: Box::new(item.expr.clone()),
                            index: i,
                        },
                        f.ty.clone(),
                        item.expr.span,
                    ))
                }));
            }
            (PigType::Bag(Some(schema)), Some(width)) if width == schema.fields.len() => {
                parts.push(Part::Bag(item.expr.clone(), width));
            }
            // FLATTEN of a value that is never a bag or tuple is the value itself (an
            // untyped field may hold either).
            (t, _) if !t.is_complex() && *t != PigType::Bytearray => {
                parts.push(Part::Field(item.expr.clone()));
            }
            _ => return Ok(None),
        }
    }
    let width: usize = parts
        .iter()
        .map(|p| match p {
            Part::Field(_) => 1,
            Part::Bag(_, w) => *w,
        })
        .sum();
    let bags = parts.iter().filter(|p| matches!(p, Part::Bag(..))).count();
    if width != out_schema.fields.len() || bags > 1 {
        return Ok(None);
    }
    let fields = output.arrow.fields();
    let mut at = 0;
    let mut items = Vec::with_capacity(parts.len());
    let mut bag = None;
    for part in parts {
        match part {
            Part::Field(e) => {
                let p = physical_expr(&e, input, ctx)?;
                if p.data_type(&input.arrow).ok().as_ref() != Some(fields[at].data_type()) {
                    return Ok(None);
                }
                items.push((Item::Field(p), fields[at].name().clone()));
                at += 1;
            }
            Part::Bag(e, w) => {
                let types: Vec<PigType> = out_schema.fields[at..at + w]
                    .iter()
                    .map(|f| f.ty.clone())
                    .collect();
                let source = BagSource::new(&e, input, ctx)?;
                if matches!(source, BagSource::Tokenize { .. })
                    && *fields[at].data_type() != arrow_layout::arrow_type(&PigType::Chararray)
                {
                    return Ok(None);
                }
                bag = Some(source);
                items.push((Item::Bag(types), String::new()));
                at += w;
            }
        }
    }
    Ok(Some(match bag {
        None => Generate::Projection(
            items
                .into_iter()
                .filter_map(|(i, name)| match i {
                    Item::Field(p) => Some((p, name)),
                    Item::Bag(_) => None,
                })
                .collect(),
        ),
        Some(bag) => Generate::Flatten {
            items: items.into_iter().map(|(i, _)| i).collect(),
            bag,
        },
    }))
}
