//! Prints the AST back as canonical Pig Latin: uppercase keywords, one statement per
//! line ending in `;`, and only the parentheses the grammar needs. Printing then parsing
//! gives back an equal tree (spans aside).

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::*;
use crate::lexer::escape;
use crate::span::Spanned;

/// Binding strength of an expression, low to high; an operand weaker than its context
/// needs parentheses.
fn prec(e: &ExprKind) -> u8 {
    match e {
        ExprKind::Bincond { .. } => 9, // always printed in parentheses
        ExprKind::Binary {
            op: BinaryOp::Or, ..
        } => 1,
        ExprKind::Binary {
            op: BinaryOp::And, ..
        } => 2,
        ExprKind::Unary {
            op: UnaryOp::Not, ..
        } => 3,
        ExprKind::Binary {
            op:
                BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge,
            ..
        }
        | ExprKind::IsNull { .. }
        | ExprKind::Matches { .. }
        | ExprKind::In { .. } => 4,
        ExprKind::Binary {
            op: BinaryOp::Add | BinaryOp::Sub,
            ..
        } => 5,
        ExprKind::Binary { .. } => 6,
        ExprKind::Unary {
            op: UnaryOp::Neg, ..
        }
        | ExprKind::Cast { .. } => 7,
        ExprKind::Literal(l) if is_negative(l) => 7,
        ExprKind::Deref { .. } | ExprKind::MapLookup { .. } => 8,
        _ => 9,
    }
}

/// Whether a literal prints with a leading minus sign.
fn is_negative(l: &Literal) -> bool {
    match l {
        Literal::Int(v) => *v < 0,
        Literal::Long(v) => *v < 0,
        Literal::Float(v) => v.is_sign_negative(),
        Literal::Double(v) => v.is_sign_negative(),
        Literal::BigInteger(s) | Literal::BigDecimal(s) => s.starts_with('-'),
        _ => false,
    }
}

fn is_number(l: &Literal) -> bool {
    !matches!(l, Literal::Null | Literal::Boolean(_) | Literal::String(_))
}

/// Writes `e`, in parentheses if it binds more loosely than `min`.
fn expr_at(f: &mut Formatter<'_>, e: &ExprKind, min: u8) -> fmt::Result {
    if prec(e) < min {
        write!(f, "(")?;
        write_expr(f, e)?;
        write!(f, ")")
    } else {
        write_expr(f, e)
    }
}

fn comma<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    mut each: impl FnMut(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (i, it) in items.iter().enumerate() {
        if i > 0 {
            write!(f, ", ")?;
        }
        each(f, it)?;
    }
    Ok(())
}

fn write_expr(f: &mut Formatter<'_>, e: &ExprKind) -> fmt::Result {
    match e {
        ExprKind::Literal(l) => write!(f, "{l}"),
        ExprKind::Field(r) => write!(f, "{r}"),
        ExprKind::Star => write!(f, "*"),
        ExprKind::Range { from, to } => {
            if let Some(a) = from {
                write!(f, "{a} ")?;
            }
            write!(f, "..")?;
            if let Some(b) = to {
                write!(f, " {b}")?;
            }
            Ok(())
        }
        ExprKind::Deref { expr, fields } => {
            expr_at(f, expr, 8)?;
            if fields.len() == 1 {
                write!(f, ".{}", fields[0])
            } else {
                write!(f, ".(")?;
                comma(f, fields, |f, r| write!(f, "{r}"))?;
                write!(f, ")")
            }
        }
        ExprKind::MapLookup { expr, key } => {
            expr_at(f, expr, 8)?;
            write!(f, "#'{}'", escape(key))
        }
        ExprKind::Binary { op, left, right } => {
            let (l, r) = match op {
                BinaryOp::Or => (1, 2),
                BinaryOp::And => (2, 3),
                BinaryOp::Add | BinaryOp::Sub => (5, 6),
                BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => (6, 7),
                _ => (5, 5),
            };
            expr_at(f, left, l)?;
            write!(f, " {op} ")?;
            expr_at(f, right, r)
        }
        ExprKind::Unary {
            op: UnaryOp::Not,
            expr,
        } => {
            write!(f, "NOT ")?;
            expr_at(f, expr, 3)
        }
        ExprKind::Unary {
            op: UnaryOp::Neg,
            expr,
        } => {
            // `- 1` keeps the minus an operator: `-1` would read back as a literal.
            let spaced = matches!(&expr.node, ExprKind::Literal(l) if is_number(l))
                || matches!(
                    &expr.node,
                    ExprKind::Unary {
                        op: UnaryOp::Neg,
                        ..
                    }
                );
            write!(f, "{}", if spaced { "- " } else { "-" })?;
            expr_at(f, expr, 7)
        }
        ExprKind::Cast { ty, expr } => {
            write!(f, "({ty})")?;
            // After `)` a minus is an operator, so a negative literal needs parentheses.
            let min = if matches!(&expr.node, ExprKind::Literal(l) if is_negative(l)) {
                8
            } else {
                7
            };
            expr_at(f, expr, min)
        }
        ExprKind::IsNull { expr, negated } => {
            expr_at(f, expr, 5)?;
            write!(f, " IS {}NULL", if *negated { "NOT " } else { "" })
        }
        ExprKind::Matches { expr, pattern } => {
            expr_at(f, expr, 5)?;
            write!(f, " MATCHES ")?;
            expr_at(f, pattern, 5)
        }
        ExprKind::In { expr, list } => {
            expr_at(f, expr, 5)?;
            write!(f, " IN (")?;
            comma(f, list, |f, e| write!(f, "{e}"))?;
            write!(f, ")")
        }
        ExprKind::Bincond {
            cond,
            then,
            otherwise,
        } => {
            write!(f, "(")?;
            expr_at(f, cond, 1)?;
            write!(f, " ? {then} : {otherwise})")
        }
        ExprKind::Case {
            operand,
            whens,
            otherwise,
        } => {
            write!(f, "CASE")?;
            if let Some(o) = operand {
                write!(f, " {o}")?;
            }
            for (w, t) in whens {
                write!(f, " WHEN {w} THEN {t}")?;
            }
            if let Some(e) = otherwise {
                write!(f, " ELSE {e}")?;
            }
            write!(f, " END")
        }
        ExprKind::Call { func, args } => {
            write!(f, "{}(", func.node)?;
            comma(f, args, |f, e| write!(f, "{e}"))?;
            write!(f, ")")
        }
        ExprKind::Flatten(e) => write!(f, "FLATTEN({e})"),
        ExprKind::Tuple(items) => {
            write!(f, "(")?;
            comma(f, items, |f, e| write!(f, "{e}"))?;
            write!(f, ")")
        }
        ExprKind::Bag(items) => {
            write!(f, "{{")?;
            comma(f, items, |f, e| match &e.node {
                ExprKind::Tuple(_) => write!(f, "{e}"),
                other => {
                    write!(f, "(")?;
                    write_expr(f, other)?;
                    write!(f, ")")
                }
            })?;
            write!(f, "}}")
        }
        ExprKind::Map(entries) => {
            write!(f, "[")?;
            comma(f, entries, |f, (k, v)| {
                match &k.node {
                    ExprKind::Literal(_) | ExprKind::Field(_) => write!(f, "{k}")?,
                    other => {
                        write!(f, "(")?;
                        write_expr(f, other)?;
                        write!(f, ")")?;
                    }
                }
                write!(f, "#{v}")
            })?;
            write!(f, "]")
        }
    }
}

impl Display for ExprKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_expr(f, self)
    }
}

impl Display for Spanned<ExprKind> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_expr(f, &self.node)
    }
}

impl Display for BinaryOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::And => "AND",
            BinaryOp::Or => "OR",
        })
    }
}

impl Display for FieldRef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            FieldRef::Name(n) => f.write_str(&n.node),
            FieldRef::Position(p) => write!(f, "${}", p.node),
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Boolean(b) => f.write_str(if *b { "true" } else { "false" }),
            Literal::Int(v) => write!(f, "{v}"),
            Literal::Long(v) => write!(f, "{v}L"),
            Literal::Float(v) => write!(f, "{v:?}F"),
            Literal::Double(v) => write!(f, "{v:?}"),
            Literal::BigInteger(s) => write!(f, "{s}BI"),
            Literal::BigDecimal(s) => write!(f, "{s}BD"),
            Literal::String(s) => write!(f, "'{}'", escape(s)),
        }
    }
}

impl Display for ScalarType {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ScalarType::Int => "int",
            ScalarType::Long => "long",
            ScalarType::Float => "float",
            ScalarType::Double => "double",
            ScalarType::BigInteger => "biginteger",
            ScalarType::BigDecimal => "bigdecimal",
            ScalarType::Chararray => "chararray",
            ScalarType::Bytearray => "bytearray",
            ScalarType::Boolean => "boolean",
            ScalarType::Datetime => "datetime",
        })
    }
}

impl Display for TypeAst {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            TypeAst::Scalar(s) => write!(f, "{s}"),
            TypeAst::Tuple(None) => f.write_str("tuple()"),
            TypeAst::Tuple(Some(s)) => write!(f, "tuple{s}"),
            TypeAst::Bag { tuple_name, schema } => {
                f.write_str("bag{")?;
                match (tuple_name, schema) {
                    (None, None) => {}
                    (Some(n), None) => write!(f, "{}:()", n.node)?,
                    (None, Some(s)) => write!(f, "{s}")?,
                    (Some(n), Some(s)) => write!(f, "{}:{s}", n.node)?,
                }
                f.write_str("}")
            }
            TypeAst::Map(None) => f.write_str("map[]"),
            TypeAst::Map(Some(t)) => write!(f, "map[{t}]"),
        }
    }
}

impl Display for FieldSchema {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match (&self.name, &self.ty) {
            (Some(n), Some(t)) => write!(f, "{}:{t}", n.node),
            (Some(n), None) => f.write_str(&n.node),
            (None, Some(t)) => write!(f, "{t}"),
            (None, None) => f.write_str("bytearray"),
        }
    }
}

impl Display for SchemaAst {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "(")?;
        comma(f, &self.fields, |f, x| write!(f, "{x}"))?;
        write!(f, ")")
    }
}

impl Display for FuncSpec {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}(", self.name.node)?;
        comma(f, &self.args, |f, a| write!(f, "'{}'", escape(&a.node)))?;
        write!(f, ")")
    }
}

impl Display for RelRef {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            RelRef::Alias(a) => f.write_str(&a.node),
            RelRef::Inline(op) => write!(f, "({})", op.node),
        }
    }
}

impl Display for OrderKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if self.desc {
            f.write_str(" DESC")?;
        }
        Ok(())
    }
}

impl Display for GenerateItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        match &self.alias {
            None => Ok(()),
            Some(v) if v.len() == 1 && v[0].name.is_some() => write!(f, " AS {}", v[0]),
            Some(v) => {
                f.write_str(" AS (")?;
                comma(f, v, |f, x| write!(f, "{x}"))?;
                f.write_str(")")
            }
        }
    }
}

/// Writes keys as `k` or `(k1, k2)`.
fn keys(f: &mut Formatter<'_>, keys: &[Expr]) -> fmt::Result {
    if keys.len() == 1 {
        write!(f, "{}", keys[0])
    } else {
        f.write_str("(")?;
        comma(f, keys, |f, e| write!(f, "{e}"))?;
        f.write_str(")")
    }
}

/// Writes an expression that directly follows an alias (LIMIT/SAMPLE counts), where a
/// leading minus would be read as subtraction.
fn trailing_expr(f: &mut Formatter<'_>, e: &Expr) -> fmt::Result {
    let needs = matches!(&e.node, ExprKind::Literal(l) if is_negative(l))
        || matches!(
            &e.node,
            ExprKind::Unary {
                op: UnaryOp::Neg,
                ..
            }
        )
        || prec(&e.node) < 9;
    if needs {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

fn tail(
    f: &mut Formatter<'_>,
    partition_by: &Option<Ident>,
    parallel: &Option<Spanned<u32>>,
) -> fmt::Result {
    if let Some(p) = partition_by {
        write!(f, " PARTITION BY {}", p.node)?;
    }
    if let Some(n) = parallel {
        write!(f, " PARALLEL {}", n.node)?;
    }
    Ok(())
}

impl Display for NestedOp {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            NestedOp::Expr(e) => write!(f, "{e}"),
            NestedOp::Filter { input, cond } => write!(f, "FILTER {input} BY {cond}"),
            NestedOp::Order { input, keys } => {
                write!(f, "ORDER {input} BY ")?;
                comma(f, keys, |f, k| write!(f, "{k}"))
            }
            NestedOp::Limit { input, count } => {
                write!(f, "LIMIT {input} ")?;
                trailing_expr(f, count)
            }
            NestedOp::Distinct { input } => write!(f, "DISTINCT {input}"),
            NestedOp::Sample { input, fraction } => {
                write!(f, "SAMPLE {input} ")?;
                trailing_expr(f, fraction)
            }
            NestedOp::Cross { inputs } => {
                f.write_str("CROSS ")?;
                comma(f, inputs, |f, e| write!(f, "{e}"))
            }
            NestedOp::Foreach { input, generate } => {
                write!(f, "FOREACH {input} GENERATE ")?;
                comma(f, generate, |f, g| write!(f, "{g}"))
            }
        }
    }
}

impl Display for Op {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Op::Load { path, func, schema } => {
                write!(f, "LOAD '{}'", escape(&path.node))?;
                if let Some(func) = func {
                    write!(f, " USING {func}")?;
                }
                if let Some(s) = schema {
                    write!(f, " AS {s}")?;
                }
                Ok(())
            }
            Op::Filter { input, cond } => write!(f, "FILTER {input} BY {cond}"),
            Op::Foreach {
                input,
                nested,
                generate,
            } => {
                write!(f, "FOREACH {input} ")?;
                if nested.is_empty() {
                    f.write_str("GENERATE ")?;
                    comma(f, generate, |f, g| write!(f, "{g}"))
                } else {
                    f.write_str("{ ")?;
                    for n in nested {
                        write!(f, "{} = {}; ", n.alias.node, n.op)?;
                    }
                    f.write_str("GENERATE ")?;
                    comma(f, generate, |f, g| write!(f, "{g}"))?;
                    f.write_str("; }")
                }
            }
            Op::Group {
                cogroup,
                inputs,
                using,
                partition_by,
                parallel,
            } => {
                f.write_str(if *cogroup { "COGROUP " } else { "GROUP " })?;
                comma(f, inputs, |f, g| {
                    write!(f, "{}", g.input)?;
                    match &g.key {
                        GroupKey::All(_) => f.write_str(" ALL")?,
                        GroupKey::Exprs(k) => {
                            f.write_str(" BY ")?;
                            keys(f, k)?;
                        }
                    }
                    if g.inner {
                        f.write_str(" INNER")?;
                    }
                    Ok(())
                })?;
                if let Some(u) = using {
                    write!(f, " USING '{}'", escape(&u.node))?;
                }
                tail(f, partition_by, parallel)
            }
            Op::Join {
                inputs,
                kind,
                using,
                partition_by,
                parallel,
            } => {
                f.write_str("JOIN ")?;
                for (i, j) in inputs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} BY ", j.input)?;
                    keys(f, &j.keys)?;
                    if i == 0 {
                        f.write_str(match kind {
                            JoinKind::Inner => "",
                            JoinKind::Left => " LEFT OUTER",
                            JoinKind::Right => " RIGHT OUTER",
                            JoinKind::Full => " FULL OUTER",
                        })?;
                    }
                }
                if let Some(u) = using {
                    write!(f, " USING '{}'", escape(&u.node))?;
                }
                tail(f, partition_by, parallel)
            }
            Op::Cross {
                inputs,
                partition_by,
                parallel,
            } => {
                f.write_str("CROSS ")?;
                comma(f, inputs, |f, r| write!(f, "{r}"))?;
                tail(f, partition_by, parallel)
            }
            Op::Union {
                onschema,
                inputs,
                parallel,
            } => {
                f.write_str(if *onschema {
                    "UNION ONSCHEMA "
                } else {
                    "UNION "
                })?;
                comma(f, inputs, |f, r| write!(f, "{r}"))?;
                tail(f, &None, parallel)
            }
            Op::Order {
                input,
                keys,
                using,
                parallel,
            } => {
                write!(f, "ORDER {input} BY ")?;
                comma(f, keys, |f, k| write!(f, "{k}"))?;
                if let Some(u) = using {
                    write!(f, " USING {u}")?;
                }
                tail(f, &None, parallel)
            }
            Op::Limit { input, count } => {
                write!(f, "LIMIT {input} ")?;
                trailing_expr(f, count)
            }
            Op::Distinct {
                input,
                partition_by,
                parallel,
            } => {
                write!(f, "DISTINCT {input}")?;
                tail(f, partition_by, parallel)
            }
            Op::Sample { input, fraction } => {
                write!(f, "SAMPLE {input} ")?;
                trailing_expr(f, fraction)
            }
            Op::Rank { input, keys, dense } => {
                write!(f, "RANK {input}")?;
                if !keys.is_empty() {
                    f.write_str(" BY ")?;
                    comma(f, keys, |f, k| write!(f, "{k}"))?;
                    if *dense {
                        f.write_str(" DENSE")?;
                    }
                }
                Ok(())
            }
            Op::Cube { input, specs } => {
                write!(f, "CUBE {input} BY ")?;
                comma(f, specs, |f, s| {
                    f.write_str(if s.rollup { "ROLLUP(" } else { "CUBE(" })?;
                    comma(f, &s.dims, |f, e| write!(f, "{e}"))?;
                    f.write_str(")")
                })
            }
            Op::Assert {
                input,
                cond,
                message,
            } => {
                write!(f, "ASSERT {input} BY {cond}")?;
                if let Some(m) = message {
                    write!(f, ", '{}'", escape(&m.node))?;
                }
                Ok(())
            }
            Op::Stream {
                input,
                command,
                schema,
            } => {
                write!(f, "STREAM {input} THROUGH ")?;
                match command {
                    StreamThrough::Inline(c) => write!(f, "`{}`", c.node)?,
                    StreamThrough::Defined(a) => f.write_str(&a.node)?,
                }
                if let Some(s) = schema {
                    write!(f, " AS {s}")?;
                }
                Ok(())
            }
            Op::Alias(r) => write!(f, "{r}"),
        }
    }
}

impl Display for MacroArg {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            MacroArg::Name(n) | MacroArg::Number(n) => f.write_str(n),
            MacroArg::String(s) => write!(f, "'{}'", escape(s)),
        }
    }
}

fn io_specs(
    f: &mut Formatter<'_>,
    kw: &str,
    specs: &[(Spanned<String>, Option<FuncSpec>)],
) -> fmt::Result {
    if specs.is_empty() {
        return Ok(());
    }
    write!(f, " {kw}(")?;
    comma(f, specs, |f, (t, func)| {
        if t.node == "stdin" || t.node == "stdout" {
            f.write_str(&t.node)?;
        } else {
            write!(f, "'{}'", escape(&t.node))?;
        }
        if let Some(func) = func {
            write!(f, " USING {func}")?;
        }
        Ok(())
    })?;
    f.write_str(")")
}

fn quoted_list(f: &mut Formatter<'_>, kw: &str, items: &[Spanned<String>]) -> fmt::Result {
    if items.is_empty() {
        return Ok(());
    }
    write!(f, " {kw}(")?;
    comma(f, items, |f, s| write!(f, "'{}'", escape(&s.node)))?;
    f.write_str(")")
}

impl Display for ScriptCall {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for p in &self.params {
            write!(f, " -param {}", p.node)?;
        }
        for p in &self.param_files {
            write!(f, " -param_file {}", p.node)?;
        }
        if let Some(s) = &self.script {
            write!(f, " {}", s.node)?;
        }
        Ok(())
    }
}

impl Display for StatementKind {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            StatementKind::Assign { alias, op } => write!(f, "{} = {op};", alias.node),
            StatementKind::MacroCall {
                outputs,
                name,
                args,
            } => {
                if !outputs.is_empty() {
                    comma(f, outputs, |f, o| f.write_str(&o.node))?;
                    f.write_str(" = ")?;
                }
                write!(f, "{}(", name.node)?;
                comma(f, args, |f, a| write!(f, "{}", a.node))?;
                f.write_str(");")
            }
            StatementKind::MacroDef(m) => {
                write!(f, "DEFINE {}(", m.name.node)?;
                comma(f, &m.params, |f, p| f.write_str(&p.node))?;
                f.write_str(") RETURNS ")?;
                if m.returns.is_empty() {
                    f.write_str("void")?;
                } else {
                    comma(f, &m.returns, |f, p| f.write_str(&p.node))?;
                }
                write!(f, " {{{}}};", m.body.node)
            }
            StatementKind::Store {
                relation,
                path,
                func,
            } => {
                write!(f, "STORE {relation} INTO '{}'", escape(&path.node))?;
                if let Some(func) = func {
                    write!(f, " USING {func}")?;
                }
                f.write_str(";")
            }
            StatementKind::Dump(r) => write!(f, "DUMP {r};"),
            StatementKind::Describe(parts) => {
                f.write_str("DESCRIBE")?;
                for (i, p) in parts.iter().enumerate() {
                    f.write_str(if i == 0 { " " } else { "::" })?;
                    f.write_str(&p.node)?;
                }
                f.write_str(";")
            }
            StatementKind::Explain { options, alias } => {
                f.write_str("EXPLAIN")?;
                for o in options {
                    write!(f, " {}", o.node)?;
                }
                if let Some(a) = alias {
                    write!(f, " {}", a.node)?;
                }
                f.write_str(";")
            }
            StatementKind::Illustrate(a) => match a {
                Some(a) => write!(f, "ILLUSTRATE {};", a.node),
                None => f.write_str("ILLUSTRATE;"),
            },
            StatementKind::Split {
                input,
                branches,
                otherwise,
            } => {
                write!(f, "SPLIT {input} INTO ")?;
                comma(f, branches, |f, (a, c)| write!(f, "{} IF {c}", a.node))?;
                if let Some(o) = otherwise {
                    write!(f, ", {} OTHERWISE", o.node)?;
                }
                f.write_str(";")
            }
            StatementKind::Define { alias, target } => {
                write!(f, "DEFINE {} ", alias.node)?;
                match target {
                    DefineTarget::Func(func) => write!(f, "{func}")?,
                    DefineTarget::Command(c) => {
                        write!(f, "`{}`", c.command.node)?;
                        io_specs(f, "INPUT", &c.input)?;
                        io_specs(f, "OUTPUT", &c.output)?;
                        quoted_list(f, "SHIP", &c.ship)?;
                        quoted_list(f, "CACHE", &c.cache)?;
                        if let Some(s) = &c.stderr {
                            write!(f, " STDERR({})", s.node)?;
                        }
                    }
                }
                f.write_str(";")
            }
            StatementKind::Register { path, using } => {
                write!(f, "REGISTER '{}'", escape(&path.node))?;
                if let Some((lang, ns)) = using {
                    write!(f, " USING {} AS {}", lang.node, ns.node)?;
                }
                f.write_str(";")
            }
            StatementKind::Import(p) => write!(f, "IMPORT '{}';", escape(&p.node)),
            StatementKind::Set { key, value } => {
                if key.node.is_empty() {
                    return f.write_str("SET;");
                }
                write!(f, "SET {}", key.node)?;
                if let Some(v) = value {
                    write!(f, " {}", v.node)?;
                }
                f.write_str(";")
            }
            StatementKind::Fs(t) => write!(f, "fs {};", t.node),
            StatementKind::Sh(t) => write!(f, "sh {};", t.node),
            StatementKind::Rmf(t) => write!(f, "rmf {};", t.node),
            StatementKind::FileCommand { command, args } => {
                f.write_str(command.node.name())?;
                for a in args {
                    if a.node.contains('\'') {
                        write!(f, " \"{}\"", a.node)?;
                    } else if a.node.contains(char::is_whitespace) || a.node.is_empty() {
                        write!(f, " '{}'", a.node)?;
                    } else {
                        write!(f, " {}", a.node)?;
                    }
                }
                f.write_str(";")
            }
            StatementKind::Exec(c) => write!(f, "exec{c};"),
            StatementKind::Run(c) => write!(f, "run{c};"),
        }
    }
}

impl Display for Spanned<StatementKind> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.node)
    }
}

impl Display for Script {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for s in &self.statements {
            writeln!(f, "{}", s.node)?;
        }
        Ok(())
    }
}

/// Prints a script as canonical Pig Latin (same as its `Display`).
pub fn to_pig(script: &Script) -> String {
    let mut s = String::new();
    let _ = write!(s, "{script}");
    s
}
