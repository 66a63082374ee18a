//! Checked, typed expressions: what the planner makes of the script's expressions and the
//! runtime evaluates row by row.

use std::fmt;
use std::sync::Arc;

use pigrs_grammar::Span;
use pigrs_udf::{PigType, Value};

/// A checked expression with its result type.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// The type of its result.
    pub ty: PigType,
    /// Where the script wrote it (for runtime errors).
    pub span: Span,
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// The forms of a checked expression.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum ExprKind {
    /// A constant.
    Const(Value),
    /// Field `i` of the tuple the expression is evaluated on.
    Column(usize),
    /// The value of a nested-block alias (slot `i`) of the enclosing FOREACH.
    Slot(usize),
    /// A field of the outer row, from inside a nested block's inner expressions.
    Outer(usize),
    /// The whole current tuple (`*` where one value is wanted).
    WholeRow,
    /// Field `index` of a tuple-valued expression.
    TupleField {
        /// The tuple.
        expr: Box<Expr>,
        /// Which field.
        index: usize,
    },
    /// A bag of the given fields of each tuple of a bag-valued expression (`B.x`, `B.(x,y)`).
    BagProject {
        /// The bag.
        expr: Box<Expr>,
        /// Which fields.
        indices: Vec<usize>,
    },
    /// `m#'key'`.
    MapLookup {
        /// The map.
        expr: Box<Expr>,
        /// The key.
        key: String,
    },
    /// A cast (Pig's rules; a failure gives null and is counted).
    Cast(Box<Expr>),
    /// Arithmetic on two operands of the result type.
    Arith {
        /// Operator.
        op: ArithOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// Unary minus.
    Neg(Box<Expr>),
    /// A comparison of two operands of one type.
    Cmp {
        /// Operator.
        op: CmpOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
    },
    /// `AND` (three-valued).
    And(Box<Expr>, Box<Expr>),
    /// `OR` (three-valued).
    Or(Box<Expr>, Box<Expr>),
    /// `NOT`.
    Not(Box<Expr>),
    /// `IS [NOT] NULL`.
    IsNull {
        /// Operand.
        expr: Box<Expr>,
        /// `IS NOT NULL`.
        negated: bool,
    },
    /// `MATCHES`: the whole string matches the regex.
    Matches {
        /// Operand.
        expr: Box<Expr>,
        /// The compiled pattern, anchored at both ends.
        #[serde(with = "crate::wire::regex_pattern")]
        regex: Arc<regex::Regex>,
    },
    /// `x IN (a, b)`.
    In {
        /// Operand.
        expr: Box<Expr>,
        /// Candidates, of the operand's type.
        list: Vec<Expr>,
    },
    /// `c ? a : b` (and CASE, lowered to nested conditionals).
    Cond {
        /// Condition.
        cond: Box<Expr>,
        /// When true.
        then: Box<Expr>,
        /// When false.
        otherwise: Box<Expr>,
    },
    /// A function call.
    Call {
        /// The function.
        func: crate::func::Func,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// A tuple constructor.
    MakeTuple(Vec<Expr>),
    /// A bag constructor: each element becomes one tuple (a non-tuple is wrapped).
    MakeBag(Vec<Expr>),
    /// A map constructor.
    MakeMap(Vec<(Expr, Expr)>),
    /// A relation used as a scalar: the single value of column `column` of the sink
    /// `relation` (the runtime computes it before the query that uses it).
    Scalar {
        /// The relation's node.
        relation: usize,
        /// The column.
        column: usize,
    },
}

impl Expr {
    /// A new expression.
    pub fn new(kind: ExprKind, ty: PigType, span: Span) -> Self {
        Expr { kind, ty, span }
    }

    /// A cast of `self` to `ty`, or `self` when it already has that type.
    pub fn cast_to(self, ty: &PigType) -> Expr {
        if &self.ty == ty {
            return self;
        }
        let span = self.span;
        Expr::new(ExprKind::Cast(Box::new(self)), ty.clone(), span)
    }

    /// Visits every sub-expression, depth first (children before parents).
    pub fn visit(&self, f: &mut dyn FnMut(&Expr)) {
        for child in self.children() {
            child.visit(f);
        }
        f(self);
    }

    /// The direct sub-expressions.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Const(_)
            | ExprKind::Column(_)
            | ExprKind::Slot(_)
            | ExprKind::Outer(_)
            | ExprKind::WholeRow
            | ExprKind::Scalar { .. } => vec![],
            ExprKind::TupleField { expr, .. }
            | ExprKind::BagProject { expr, .. }
            | ExprKind::MapLookup { expr, .. }
            | ExprKind::Cast(expr)
            | ExprKind::Neg(expr)
            | ExprKind::Not(expr)
            | ExprKind::IsNull { expr, .. }
            | ExprKind::Matches { expr, .. } => vec![expr],
            ExprKind::Arith { left, right, .. }
            | ExprKind::Cmp { left, right, .. }
            | ExprKind::And(left, right)
            | ExprKind::Or(left, right) => vec![left, right],
            ExprKind::In { expr, list } => std::iter::once(&**expr).chain(list).collect(),
            ExprKind::Cond {
                cond,
                then,
                otherwise,
            } => vec![cond, then, otherwise],
            ExprKind::Call { args, .. } | ExprKind::MakeTuple(args) | ExprKind::MakeBag(args) => {
                args.iter().collect()
            }
            ExprKind::MakeMap(pairs) => pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
        }
    }

    /// A copy with every direct sub-expression replaced by `f` of it, or `None` when `f`
    /// refuses one.
    pub fn map_children(&self, f: &mut dyn FnMut(&Expr) -> Option<Expr>) -> Option<Expr> {
        let mut b = |e: &Expr| f(e).map(Box::new);
        let kind = match &self.kind {
            ExprKind::Const(_)
            | ExprKind::Column(_)
            | ExprKind::Slot(_)
            | ExprKind::Outer(_)
            | ExprKind::WholeRow
            | ExprKind::Scalar { .. } => self.kind.clone(),
            ExprKind::TupleField { expr, index } => ExprKind::TupleField {
                expr: b(expr)?,
                index: *index,
            },
            ExprKind::BagProject { expr, indices } => ExprKind::BagProject {
                expr: b(expr)?,
                indices: indices.clone(),
            },
            ExprKind::MapLookup { expr, key } => ExprKind::MapLookup {
                expr: b(expr)?,
                key: key.clone(),
            },
            ExprKind::Cast(e) => ExprKind::Cast(b(e)?),
            ExprKind::Neg(e) => ExprKind::Neg(b(e)?),
            ExprKind::Not(e) => ExprKind::Not(b(e)?),
            ExprKind::IsNull { expr, negated } => ExprKind::IsNull {
                expr: b(expr)?,
                negated: *negated,
            },
            ExprKind::Matches { expr, regex } => ExprKind::Matches {
                expr: b(expr)?,
                regex: regex.clone(),
            },
            ExprKind::Arith { op, left, right } => ExprKind::Arith {
                op: *op,
                left: b(left)?,
                right: b(right)?,
            },
            ExprKind::Cmp { op, left, right } => ExprKind::Cmp {
                op: *op,
                left: b(left)?,
                right: b(right)?,
            },
            ExprKind::And(l, r) => ExprKind::And(b(l)?, b(r)?),
            ExprKind::Or(l, r) => ExprKind::Or(b(l)?, b(r)?),
            ExprKind::In { expr, list } => ExprKind::In {
                expr: b(expr)?,
                list: list.iter().map(&mut *f).collect::<Option<_>>()?,
            },
            ExprKind::Cond {
                cond,
                then,
                otherwise,
            } => ExprKind::Cond {
                cond: b(cond)?,
                then: b(then)?,
                otherwise: b(otherwise)?,
            },
            ExprKind::Call { func, args } => ExprKind::Call {
                func: func.clone(),
                args: args.iter().map(&mut *f).collect::<Option<_>>()?,
            },
            ExprKind::MakeTuple(args) => {
                ExprKind::MakeTuple(args.iter().map(&mut *f).collect::<Option<_>>()?)
            }
            ExprKind::MakeBag(args) => {
                ExprKind::MakeBag(args.iter().map(&mut *f).collect::<Option<_>>()?)
            }
            ExprKind::MakeMap(pairs) => ExprKind::MakeMap(
                pairs
                    .iter()
                    .map(|(k, v)| Some((f(k)?, f(v)?)))
                    .collect::<Option<_>>()?,
            ),
        };
        Some(Expr {
            kind,
            ty: self.ty.clone(),
            span: self.span,
        })
    }

    /// The input columns this expression reads (`None` when it reads the whole row).
    pub fn columns(&self) -> Option<Vec<usize>> {
        let mut cols = Vec::new();
        let mut whole = false;
        self.visit(&mut |e| match e.kind {
            ExprKind::Column(i) => cols.push(i),
            ExprKind::WholeRow => whole = true,
            _ => {}
        });
        if whole {
            return None;
        }
        cols.sort_unstable();
        cols.dedup();
        Some(cols)
    }
}

impl ArithOp {
    /// The operator's name in Pig's messages ("incompatible types in Add Operator").
    pub fn pig_name(self) -> &'static str {
        match self {
            ArithOp::Add => "Add",
            ArithOp::Sub => "Subtract",
            ArithOp::Mul => "Multiply",
            ArithOp::Div => "Divide",
            ArithOp::Mod => "Mod",
        }
    }
}

impl fmt::Display for ArithOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        })
    }
}

impl fmt::Display for CmpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        })
    }
}

/// Prints an expression compactly for EXPLAIN: `$0`, `($1 + 1)`, `COUNT($1)`.
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Const(Value::Chararray(s)) => write!(f, "'{s}'"),
            ExprKind::Const(Value::Null) => f.write_str("null"),
            ExprKind::Const(v) => write!(f, "{v}"),
            ExprKind::Column(i) => write!(f, "${i}"),
            ExprKind::Slot(i) => write!(f, "#{i}"),
            ExprKind::Outer(i) => write!(f, "outer.${i}"),
            ExprKind::WholeRow => f.write_str("*"),
            ExprKind::TupleField { expr, index } => write!(f, "{expr}.${index}"),
            ExprKind::BagProject { expr, indices } => {
                write!(f, "{expr}.(")?;
                for (n, i) in indices.iter().enumerate() {
                    if n > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "${i}")?;
                }
                f.write_str(")")
            }
            ExprKind::MapLookup { expr, key } => write!(f, "{expr}#'{key}'"),
            ExprKind::Cast(e) => write!(f, "({}){e}", self.ty),
            ExprKind::Arith { op, left, right } => write!(f, "({left} {op} {right})"),
            ExprKind::Neg(e) => write!(f, "-{e}"),
            ExprKind::Cmp { op, left, right } => write!(f, "({left} {op} {right})"),
            ExprKind::And(l, r) => write!(f, "({l} AND {r})"),
            ExprKind::Or(l, r) => write!(f, "({l} OR {r})"),
            ExprKind::Not(e) => write!(f, "NOT {e}"),
            ExprKind::IsNull { expr, negated } => {
                write!(f, "{expr} IS {}NULL", if *negated { "NOT " } else { "" })
            }
            ExprKind::Matches { expr, regex } => {
                let p = regex.as_str();
                write!(f, "{expr} MATCHES '{}'", &p[4..p.len() - 2])
            }
            ExprKind::In { expr, list } => {
                write!(f, "{expr} IN (")?;
                comma(f, list)?;
                f.write_str(")")
            }
            ExprKind::Cond {
                cond,
                then,
                otherwise,
            } => write!(f, "({cond} ? {then} : {otherwise})"),
            ExprKind::Call { func, args } => {
                write!(f, "{}(", func.name())?;
                comma(f, args)?;
                f.write_str(")")
            }
            ExprKind::MakeTuple(args) => {
                f.write_str("TOTUPLE(")?;
                comma(f, args)?;
                f.write_str(")")
            }
            ExprKind::MakeBag(args) => {
                f.write_str("TOBAG(")?;
                comma(f, args)?;
                f.write_str(")")
            }
            ExprKind::MakeMap(pairs) => {
                f.write_str("TOMAP(")?;
                for (n, (k, v)) in pairs.iter().enumerate() {
                    if n > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{k},{v}")?;
                }
                f.write_str(")")
            }
            ExprKind::Scalar { relation, column } => write!(f, "scalar(node{relation}.${column})"),
        }
    }
}

fn comma(f: &mut fmt::Formatter<'_>, list: &[Expr]) -> fmt::Result {
    for (n, e) in list.iter().enumerate() {
        if n > 0 {
            f.write_str(",")?;
        }
        write!(f, "{e}")?;
    }
    Ok(())
}
