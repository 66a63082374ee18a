//! The logical plan: a DAG of relational operators with checked schemas.
//!
//! Pig scripts reuse aliases freely (`B` feeds both `C` and `D`), so the plan is an arena of
//! nodes addressed by [`NodeId`]; sinks (STORE, DUMP) are nodes too.

use std::fmt::{self, Write as _};

use pigrs_grammar::{Span, Spanned};
use pigrs_udf::Schema;

use crate::expr::Expr;

/// Index of a node in [`LogicalPlan::nodes`].
pub type NodeId = usize;

/// A load or store function as the script names it: `PigStorage(',')`.
#[derive(Clone, Debug, PartialEq)]
pub struct FuncRef {
    /// The function name as written (possibly dotted), after DEFINE aliases are resolved.
    pub name: String,
    /// Constructor arguments.
    pub args: Vec<String>,
    /// Where the script names it.
    pub span: Span,
    /// The instance of a UDF plugin's load or store function it names, if it names one.
    pub plugin: Option<pigrs_udf::func::RecordFuncRef>,
}

/// A LIMIT count or a SAMPLE fraction: a constant, or a scalar expression (Pig's
/// `LIMIT A C.n / 10`) over relations used as scalars, evaluated once when the query runs.
#[derive(Clone, Debug)]
pub enum Amount<T> {
    /// Written as a number.
    Const(T),
    /// Computed from scalars; its type is the amount's (long or double).
    Scalar(Expr),
}

impl<T: fmt::Display> fmt::Display for Amount<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Const(v) => write!(f, "{v}"),
            Amount::Scalar(e) => write!(f, "{e}"),
        }
    }
}

/// One item of a GENERATE list.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct GenItem {
    /// The value generated.
    pub expr: Expr,
    /// Whether it is flattened (bags into rows, tuples into fields).
    pub flatten: bool,
    /// How many output fields it gives when flattened (`None`: unknown, the bag's schema is).
    pub width: Option<usize>,
}

/// A sort key.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct SortKey {
    /// The key expression, over the input row.
    pub expr: Expr,
    /// Descending.
    pub desc: bool,
}

/// A statement inside a nested FOREACH block; its value goes into the next slot.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub enum NestedStep {
    /// `x = expr;`
    Expr(Expr),
    /// `x = FILTER bag BY cond;` (cond over the bag's tuples)
    Filter {
        /// The bag.
        input: Expr,
        /// The condition.
        cond: Expr,
    },
    /// `x = ORDER bag BY keys;`
    Order {
        /// The bag.
        input: Expr,
        /// Keys over the bag's tuples.
        keys: Vec<SortKey>,
    },
    /// `x = LIMIT bag n;`
    Limit {
        /// The bag.
        input: Expr,
        /// How many tuples to keep.
        n: u64,
    },
    /// `x = DISTINCT bag;`
    Distinct {
        /// The bag.
        input: Expr,
    },
    /// `x = SAMPLE bag f;`
    Sample {
        /// The bag.
        input: Expr,
        /// The fraction kept.
        #[serde(with = "crate::wire::f64_bits")]
        fraction: f64,
    },
    /// `x = CROSS a, b;`
    Cross {
        /// The bags.
        inputs: Vec<Expr>,
    },
    /// `x = FOREACH bag GENERATE ...;`
    Foreach {
        /// The bag.
        input: Expr,
        /// The GENERATE list, over the bag's tuples.
        generate: Vec<GenItem>,
    },
}

/// One aggregate of an [`Operator::Aggregate`].
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct AggCall {
    /// The algebraic function.
    pub func: crate::func::Func,
    /// Which input fields make the tuples of the bag it aggregates (`None`: whole rows).
    pub fields: Option<Vec<usize>>,
    /// The result type.
    pub ty: pigrs_udf::PigType,
    /// The call in the script, for its errors.
    pub span: pigrs_grammar::Span,
    /// Only the input rows for which this is true go into the bag (a nested FILTER of the
    /// bag the function reads); `None`: every row.
    pub filter: Option<Expr>,
}

/// GROUP keys of one input.
#[derive(Clone, Debug)]
pub enum GroupKeys {
    /// `ALL`
    All,
    /// `BY expr` / `BY (e1, e2)`
    Exprs(Vec<Expr>),
}

/// Join types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinType {
    /// Inner.
    Inner,
    /// LEFT OUTER.
    Left,
    /// RIGHT OUTER.
    Right,
    /// FULL OUTER.
    Full,
    /// LEFT OUTER keeping only the left rows with no match (made by the `anti_join` rule):
    /// their right-side fields are null.
    LeftAnti,
}

/// How a join is executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinStrategy {
    /// Both sides shuffled by key.
    Hash,
    /// Every input but the first is broadcast to every task of the first (`USING 'replicated'`).
    Replicated,
}

/// One side of a streaming command: where the rows go or come from, and the delimiter of
/// its PigStreaming (de)serializer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamHandle {
    /// A file in the command's folder (`INPUT('file')`, `OUTPUT('file')`); `None`:
    /// stdin or stdout.
    pub file: Option<String>,
    /// The (de)serializer's delimiter argument as written (`PigStreaming(',')`); `None`:
    /// TAB. The runtime decodes it as PigStorage's.
    pub delimiter: Option<Spanned<String>>,
}

/// A STREAM's options, from the DEFINE of its command.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StreamSpec {
    /// `INPUT(...)`.
    pub input: StreamHandle,
    /// `OUTPUT(...)`.
    pub output: StreamHandle,
    /// `SHIP('path', ...)`: local files copied into the command's folder.
    pub ship: Vec<Spanned<String>>,
    /// `CACHE('path#name', ...)`: files placed in the command's folder under `name`
    /// (paths resolved against the folder `cd` made current).
    pub cache: Vec<Spanned<String>>,
}

impl StreamSpec {
    /// Whether the command needs a folder of its own: it reads or writes files there, or
    /// gets files shipped or cached into it.
    pub fn needs_own_dir(&self) -> bool {
        self.input.file.is_some()
            || self.output.file.is_some()
            || !self.ship.is_empty()
            || !self.cache.is_empty()
    }
}

/// The relational operators.
#[derive(Clone, Debug)]
pub enum Operator {
    /// Reads files.
    Load {
        /// Location as written (file, folder, glob, comma list).
        location: String,
        /// The load function (PigStorage when the script names none).
        func: FuncRef,
        /// The fields anything reads (set by the `prune_columns` rule); the others need
        /// not be converted and load as null. `None`: all.
        columns: Option<Vec<usize>>,
        /// A condition the FILTER above checks, also checked while reading (set by the
        /// `filter_into_scan` rule): lines failing it need not be converted.
        filter: Option<Expr>,
    },
    /// Keeps rows where the condition is true.
    Filter {
        /// The condition.
        cond: Expr,
    },
    /// Computes new rows, with an optional nested block.
    Foreach {
        /// Nested statements, evaluated in order into slots.
        nested: Vec<NestedStep>,
        /// The GENERATE list.
        generate: Vec<GenItem>,
    },
    /// GROUP / COGROUP.
    Group {
        /// Keys per input.
        keys: Vec<GroupKeys>,
        /// Per input: drop groups where this input has no rows.
        inner: Vec<bool>,
        /// Requested reducers.
        parallel: Option<u32>,
    },
    /// JOIN.
    Join {
        /// Keys per input.
        keys: Vec<Vec<Expr>>,
        /// Inner or outer.
        join_type: JoinType,
        /// Execution strategy.
        strategy: JoinStrategy,
        /// Requested reducers.
        parallel: Option<u32>,
    },
    /// CROSS.
    Cross {
        /// Requested reducers.
        parallel: Option<u32>,
    },
    /// UNION: rows of every input, converted to the output schema.
    Union,
    /// ORDER BY.
    Order {
        /// Sort keys.
        keys: Vec<SortKey>,
        /// Requested reducers.
        parallel: Option<u32>,
    },
    /// LIMIT.
    Limit {
        /// How many rows.
        n: Amount<u64>,
    },
    /// DISTINCT.
    Distinct {
        /// Requested reducers.
        parallel: Option<u32>,
    },
    /// SAMPLE.
    Sample {
        /// Fraction kept.
        fraction: Amount<f64>,
    },
    /// GROUP of one input whose bags only feed algebraic aggregates, followed by the
    /// FOREACH using them (made by the `combiner` rule): partial aggregates are computed
    /// before the shuffle and merged after it, so no bag is ever built.
    Aggregate {
        /// The group keys.
        keys: GroupKeys,
        /// The aggregates, in the order they appear in `generate` (as columns 1..).
        aggs: Vec<AggCall>,
        /// The GENERATE list, over the row `(group, agg0, agg1, ...)`.
        generate: Vec<GenItem>,
        /// Requested reducers.
        parallel: Option<u32>,
    },
    /// GROUP of one input feeding a nested `ORDER ... LIMIT n` (made by the `top_k` rule):
    /// before the shuffle each task keeps only the first `n` rows of each key.
    TopKGroup {
        /// The group keys.
        keys: GroupKeys,
        /// The nested ORDER's keys, over the input rows.
        order: Vec<SortKey>,
        /// The nested LIMIT.
        n: u64,
        /// Requested reducers.
        parallel: Option<u32>,
    },
    /// RANK: prepends a `long` rank to every row (in one task).
    Rank {
        /// Rank keys; empty numbers rows in input order.
        keys: Vec<SortKey>,
        /// DENSE: tied rows share a rank and no ranks are skipped after them.
        dense: bool,
    },
    /// STREAM ... THROUGH: rows piped through an external command.
    Stream {
        /// The command line (run by the shell).
        command: String,
        /// How rows reach it and come back, and the files it needs (DEFINE's options).
        spec: StreamSpec,
    },
    /// STORE (a sink).
    Store {
        /// The output location.
        location: String,
        /// The store function.
        func: FuncRef,
    },
    /// DUMP (a sink).
    Dump,
}

/// A node of the plan.
#[derive(Clone, Debug)]
pub struct Node {
    /// The operator.
    pub op: Operator,
    /// Its inputs.
    pub inputs: Vec<NodeId>,
    /// The output schema; `None` when unknown (Pig's "Schema for A unknown").
    pub schema: Option<Schema>,
    /// The alias the script bound it to, if any.
    pub alias: Option<String>,
    /// The statement it came from.
    pub span: Span,
}

/// The plan: an arena of nodes.
#[derive(Clone, Debug, Default)]
pub struct LogicalPlan {
    /// Every node; inputs always come before the nodes using them.
    pub nodes: Vec<Node>,
}

impl LogicalPlan {
    /// Adds a node and returns its id.
    pub fn add(&mut self, node: Node) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    /// The node with this id.
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// How many nodes read this node's output.
    pub fn consumers(&self, id: NodeId) -> usize {
        self.nodes.iter().filter(|n| n.inputs.contains(&id)).count()
    }

    /// Prints the tree under `root`, one node per line, indented by depth.
    pub fn display_tree(&self, root: NodeId, verbose: bool) -> String {
        let mut out = String::new();
        self.write_tree(&mut out, root, 0, verbose);
        out
    }

    fn write_tree(&self, out: &mut String, id: NodeId, depth: usize, verbose: bool) {
        let node = &self.nodes[id];
        let _ = write!(out, "{:indent$}{}", "", OpLine(node), indent = depth * 2);
        if verbose {
            match &node.schema {
                Some(s) => {
                    let _ = write!(out, " schema={{{s}}}");
                }
                None => out.push_str(" schema=unknown"),
            }
        }
        out.push('\n');
        for &input in &node.inputs {
            self.write_tree(out, input, depth + 1, verbose);
        }
    }
}

impl Operator {
    /// The expressions the operator evaluates (nested blocks included), in no particular order.
    pub fn exprs(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        match self {
            Operator::Filter { cond } => out.push(cond),
            Operator::Foreach { nested, generate } => {
                for step in nested {
                    step.exprs(&mut out);
                }
                out.extend(generate.iter().map(|g| &g.expr));
            }
            Operator::Group { keys, .. } => {
                for k in keys {
                    if let GroupKeys::Exprs(es) = k {
                        out.extend(es);
                    }
                }
            }
            Operator::Aggregate { keys, generate, .. } => {
                if let GroupKeys::Exprs(es) = keys {
                    out.extend(es);
                }
                out.extend(generate.iter().map(|g| &g.expr));
            }
            Operator::TopKGroup { keys, order, .. } => {
                if let GroupKeys::Exprs(es) = keys {
                    out.extend(es);
                }
                out.extend(order.iter().map(|k| &k.expr));
            }
            Operator::Join { keys, .. } => out.extend(keys.iter().flatten()),
            Operator::Order { keys, .. } | Operator::Rank { keys, .. } => {
                out.extend(keys.iter().map(|k| &k.expr));
            }
            Operator::Limit {
                n: Amount::Scalar(e),
            }
            | Operator::Sample {
                fraction: Amount::Scalar(e),
            } => out.push(e),
            Operator::Load { .. }
            | Operator::Cross { .. }
            | Operator::Union
            | Operator::Limit { .. }
            | Operator::Distinct { .. }
            | Operator::Sample { .. }
            | Operator::Stream { .. }
            | Operator::Store { .. }
            | Operator::Dump => {}
        }
        out
    }
}

impl NestedStep {
    fn exprs<'a>(&'a self, out: &mut Vec<&'a Expr>) {
        match self {
            NestedStep::Expr(e) => out.push(e),
            NestedStep::Filter { input, cond } => out.extend([input, cond]),
            NestedStep::Order { input, keys } => {
                out.push(input);
                out.extend(keys.iter().map(|k| &k.expr));
            }
            NestedStep::Limit { input, .. }
            | NestedStep::Distinct { input }
            | NestedStep::Sample { input, .. } => out.push(input),
            NestedStep::Cross { inputs } => out.extend(inputs),
            NestedStep::Foreach { input, generate } => {
                out.push(input);
                out.extend(generate.iter().map(|g| &g.expr));
            }
        }
    }
}

/// The operator's line in EXPLAIN: `Op: key=value, ...`.
pub struct OpLine<'a>(pub &'a Node);

impl fmt::Display for OpLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let node = self.0;
        let alias = node
            .alias
            .as_deref()
            .map(|a| format!(" [{a}]"))
            .unwrap_or_default();
        match &node.op {
            Operator::Load {
                location,
                func,
                columns,
                filter,
            } => {
                write!(
                    f,
                    "Load{alias}: location='{location}', func={}",
                    func_text(func)
                )?;
                if let Some(cs) = columns {
                    write!(
                        f,
                        ", columns=[{}]",
                        cs.iter()
                            .map(|c| format!("${c}"))
                            .collect::<Vec<_>>()
                            .join(",")
                    )?;
                }
                match filter {
                    Some(cond) => write!(f, ", filter={cond}"),
                    None => Ok(()),
                }
            }
            Operator::Filter { cond } => write!(f, "Filter{alias}: {cond}"),
            Operator::Foreach { nested, generate } => {
                write!(f, "Foreach{alias}: ")?;
                if !nested.is_empty() {
                    write!(
                        f,
                        "nested=[{}], ",
                        nested
                            .iter()
                            .map(nested_text)
                            .collect::<Vec<_>>()
                            .join("; ")
                    )?;
                }
                write!(f, "generate=[{}]", gen_text(generate))
            }
            Operator::Group {
                keys,
                inner,
                parallel,
            } => {
                write!(f, "Group{alias}: keys=[")?;
                for (i, k) in keys.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    match k {
                        GroupKeys::All => f.write_str("ALL")?,
                        GroupKeys::Exprs(es) => f.write_str(&exprs_text(es))?,
                    }
                    if inner[i] {
                        f.write_str(" INNER")?;
                    }
                }
                f.write_str("]")?;
                parallel_text(f, *parallel)
            }
            Operator::Join {
                keys,
                join_type,
                strategy,
                parallel,
            } => {
                write!(
                    f,
                    "Join{alias}: type={join_type:?}, strategy={strategy:?}, keys=["
                )?;
                let ks: Vec<String> = keys.iter().map(|k| exprs_text(k)).collect();
                write!(f, "{}]", ks.join("; "))?;
                parallel_text(f, *parallel)
            }
            Operator::Cross { parallel } => {
                write!(f, "Cross{alias}")?;
                parallel_text(f, *parallel)
            }
            Operator::Union => write!(f, "Union{alias}"),
            Operator::Order { keys, parallel } => {
                write!(f, "Order{alias}: keys=[{}]", sort_text(keys))?;
                parallel_text(f, *parallel)
            }
            Operator::Limit { n } => write!(f, "Limit{alias}: {n}"),
            Operator::Distinct { parallel } => {
                write!(f, "Distinct{alias}")?;
                parallel_text(f, *parallel)
            }
            Operator::Sample { fraction } => write!(f, "Sample{alias}: {fraction}"),
            Operator::Aggregate {
                keys,
                aggs,
                generate,
                parallel,
            } => {
                write!(f, "Aggregate{alias}: keys=[{}], aggs=[", keys_text(keys))?;
                let names: Vec<String> = aggs
                    .iter()
                    .map(|a| {
                        let call = match &a.fields {
                            Some(fs) => format!(
                                "{}({})",
                                a.func.name(),
                                fs.iter()
                                    .map(|i| format!("${i}"))
                                    .collect::<Vec<_>>()
                                    .join(",")
                            ),
                            None => format!("{}(*)", a.func.name()),
                        };
                        match &a.filter {
                            Some(cond) => format!("{call} FILTER {cond}"),
                            None => call,
                        }
                    })
                    .collect();
                write!(
                    f,
                    "{}], generate=[{}]",
                    names.join(", "),
                    gen_text(generate)
                )?;
                parallel_text(f, *parallel)
            }
            Operator::TopKGroup {
                keys,
                order,
                n,
                parallel,
            } => {
                write!(
                    f,
                    "TopKGroup{alias}: keys=[{}], order=[{}], k={n}",
                    keys_text(keys),
                    sort_text(order)
                )?;
                parallel_text(f, *parallel)
            }
            Operator::Rank { keys, dense } => {
                write!(f, "Rank{alias}")?;
                if !keys.is_empty() {
                    write!(f, ": keys=[{}]", sort_text(keys))?;
                }
                if *dense {
                    f.write_str(" DENSE")?;
                }
                Ok(())
            }
            Operator::Stream { command, .. } => write!(f, "Stream{alias}: `{command}`"),
            Operator::Store { location, func } => {
                write!(f, "Store: location='{location}', func={}", func_text(func))
            }
            Operator::Dump => write!(f, "Dump"),
        }
    }
}

fn parallel_text(f: &mut fmt::Formatter<'_>, parallel: Option<u32>) -> fmt::Result {
    match parallel {
        Some(p) => write!(f, ", parallel={p}"),
        None => Ok(()),
    }
}

fn keys_text(keys: &GroupKeys) -> String {
    match keys {
        GroupKeys::All => "ALL".to_string(),
        GroupKeys::Exprs(es) => exprs_text(es),
    }
}

fn func_text(func: &FuncRef) -> String {
    let args: Vec<String> = func.args.iter().map(|a| format!("'{a}'")).collect();
    format!("{}({})", func.name, args.join(","))
}

fn exprs_text(es: &[Expr]) -> String {
    es.iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn sort_text(keys: &[SortKey]) -> String {
    keys.iter()
        .map(|k| format!("{}{}", k.expr, if k.desc { " DESC" } else { "" }))
        .collect::<Vec<_>>()
        .join(", ")
}

fn gen_text(items: &[GenItem]) -> String {
    items
        .iter()
        .map(|g| {
            if g.flatten {
                format!("FLATTEN({})", g.expr)
            } else {
                g.expr.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn nested_text(step: &NestedStep) -> String {
    match step {
        NestedStep::Expr(e) => e.to_string(),
        NestedStep::Filter { input, cond } => format!("FILTER {input} BY {cond}"),
        NestedStep::Order { input, keys } => format!("ORDER {input} BY {}", sort_text(keys)),
        NestedStep::Limit { input, n } => format!("LIMIT {input} {n}"),
        NestedStep::Distinct { input } => format!("DISTINCT {input}"),
        NestedStep::Sample { input, fraction } => format!("SAMPLE {input} {fraction}"),
        NestedStep::Cross { inputs } => format!("CROSS {}", exprs_text(inputs)),
        NestedStep::Foreach { input, generate } => {
            format!("FOREACH {input} GENERATE {}", gen_text(generate))
        }
    }
}
