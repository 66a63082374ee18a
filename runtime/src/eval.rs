//! Evaluates checked expressions, nested FOREACH blocks and GENERATE lists on Pig values,
//! row by row, with Pig's null rules.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use pigrs_grammar::Span;
use pigrs_planner::expr::{ArithOp, CmpOp, Expr, ExprKind};
use pigrs_planner::logical::{GenItem, NestedStep, SortKey};
use pigrs_udf::value::{compare, compare_tuples};
use pigrs_udf::{Bag, PigType, Tuple, Value, cast, ops};

use crate::exec::BATCH_ROWS;
use crate::spill::{BagBuilder, BagMemory, bag_err, sort_tuples};

/// A failure while evaluating an expression: a function raised an error.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}")]
pub struct EvalError {
    /// What went wrong.
    pub message: String,
    /// The expression that failed.
    pub span: Span,
}

/// Counts casts that failed inside expressions (they give null, as in Pig).
#[derive(Debug, Default)]
pub struct CastFailures {
    count: AtomicU64,
    first: Mutex<Option<(Span, String)>>,
}

impl CastFailures {
    fn record(&self, span: Span, what: String) {
        if self.count.fetch_add(1, AtomicOrdering::Relaxed) == 0
            && let Ok(mut first) = self.first.lock()
        {
            *first = Some((span, what));
        }
    }

    /// How many casts failed.
    pub fn count(&self) -> u64 {
        self.count.load(AtomicOrdering::Relaxed)
    }

    /// The first failure: where in the script, and what.
    pub fn first(&self) -> Option<(Span, String)> {
        self.first.lock().ok().and_then(|f| f.clone())
    }
}

/// What evaluation needs besides the row.
#[derive(Clone, Debug, Default)]
pub struct EvalCtx {
    /// Failed-cast counter shared by the whole run.
    pub casts: Arc<CastFailures>,
    /// The rows of relations used as scalars, by node (`None`: the relation was empty),
    /// computed before the query that uses them.
    pub scalars: Arc<HashMap<usize, Option<Tuple>>>,
    /// The memory the bags a task builds share, and where they spill (`None`: bags stay
    /// in memory, unaccounted).
    pub bags: Option<Arc<BagMemory>>,
}

type R<T> = Result<T, EvalError>;

/// An error of a bag read back from disk, or spilled to it, at `span`.
fn bag_error(e: impl std::fmt::Display, span: Span) -> EvalError {
    EvalError {
        message: e.to_string(),
        span,
    }
}

impl EvalCtx {
    /// Evaluates `e` on `row`, with the nested-block values `slots`.
    pub fn eval(&self, e: &Expr, row: &[Value], slots: &[Value]) -> R<Value> {
        Ok(match &e.kind {
            ExprKind::Const(v) => v.clone(),
            ExprKind::Column(i) => row.get(*i).cloned().unwrap_or(Value::Null),
            ExprKind::Slot(i) => slots.get(*i).cloned().unwrap_or(Value::Null),
            ExprKind::Scalar { relation, column } => match self.scalars.get(relation) {
                Some(Some(row)) => row.get(*column).cloned().unwrap_or(Value::Null),
                Some(None) => Value::Null,
                None => {
                    return Err(EvalError {
                        message: "internal error: a relation used as a scalar was not computed"
                            .into(),
                        span: e.span,
                    });
                }
            },
            ExprKind::Outer(_) => {
                return Err(EvalError {
                    message: "scalar references are not supported yet".into(),
                    span: e.span,
                });
            }
            ExprKind::WholeRow => Value::Tuple(Box::new(row.to_vec())),
            ExprKind::TupleField { expr, index } => match self.eval(expr, row, slots)? {
                Value::Tuple(t) => t.get(*index).cloned().unwrap_or(Value::Null),
                _ => Value::Null,
            },
            ExprKind::BagProject { expr, indices } => match self.eval_ref(expr, row, slots)? {
                Cow::Borrowed(Value::Bag(b)) => self.project_bag(b, indices, e.span)?,
                Cow::Owned(Value::Bag(b)) => self.project_bag(&b, indices, e.span)?,
                _ => Value::Null,
            },
            ExprKind::MapLookup { expr, key } => match self.eval(expr, row, slots)? {
                Value::Map(m) => m
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .unwrap_or(Value::Null),
                _ => Value::Null,
            },
            ExprKind::Cast(inner) => {
                let v = self.eval(inner, row, slots)?;
                self.cast(v, &e.ty, e.span)
            }
            ExprKind::Arith { op, left, right } => {
                let l = self.eval(left, row, slots)?;
                let r = self.eval(right, row, slots)?;
                match op {
                    ArithOp::Add => ops::add(&l, &r),
                    ArithOp::Sub => ops::sub(&l, &r),
                    ArithOp::Mul => ops::mul(&l, &r),
                    ArithOp::Div => ops::div(&l, &r),
                    ArithOp::Mod => ops::rem(&l, &r),
                }
            }
            ExprKind::Neg(inner) => ops::neg(&self.eval(inner, row, slots)?),
            ExprKind::Cmp { op, left, right } => {
                let l = self.eval_ref(left, row, slots)?;
                let r = self.eval_ref(right, row, slots)?;
                if l.is_null() || r.is_null() {
                    return Ok(Value::Null);
                }
                let ord = compare(&l, &r);
                Value::Boolean(match op {
                    CmpOp::Eq => ord == Ordering::Equal,
                    CmpOp::Ne => ord != Ordering::Equal,
                    CmpOp::Lt => ord == Ordering::Less,
                    CmpOp::Le => ord != Ordering::Greater,
                    CmpOp::Gt => ord == Ordering::Greater,
                    CmpOp::Ge => ord != Ordering::Less,
                })
            }
            ExprKind::And(l, r) => {
                let lv = self.eval(l, row, slots)?.as_bool();
                if lv == Some(false) {
                    return Ok(Value::Boolean(false));
                }
                match (lv, self.eval(r, row, slots)?.as_bool()) {
                    (_, Some(false)) => Value::Boolean(false),
                    (Some(true), Some(true)) => Value::Boolean(true),
                    _ => Value::Null,
                }
            }
            ExprKind::Or(l, r) => {
                let lv = self.eval(l, row, slots)?.as_bool();
                if lv == Some(true) {
                    return Ok(Value::Boolean(true));
                }
                match (lv, self.eval(r, row, slots)?.as_bool()) {
                    (_, Some(true)) => Value::Boolean(true),
                    (Some(false), Some(false)) => Value::Boolean(false),
                    _ => Value::Null,
                }
            }
            ExprKind::Not(inner) => match self.eval(inner, row, slots)?.as_bool() {
                Some(b) => Value::Boolean(!b),
                None => Value::Null,
            },
            ExprKind::IsNull { expr, negated } => {
                Value::Boolean(self.eval(expr, row, slots)?.is_null() != *negated)
            }
            ExprKind::Matches { expr, regex } => match self.eval(expr, row, slots)? {
                Value::Chararray(s) => Value::Boolean(regex.is_match(&s)),
                _ => Value::Null,
            },
            ExprKind::In { expr, list } => {
                let x = self.eval(expr, row, slots)?;
                if x.is_null() {
                    return Ok(Value::Null);
                }
                let mut found = false;
                for item in list {
                    if compare(&x, &self.eval(item, row, slots)?) == Ordering::Equal {
                        found = true;
                        break;
                    }
                }
                Value::Boolean(found)
            }
            ExprKind::Cond {
                cond,
                then,
                otherwise,
            } => match self.eval(cond, row, slots)?.as_bool() {
                Some(true) => self.eval(then, row, slots)?,
                Some(false) => self.eval(otherwise, row, slots)?,
                None => Value::Null,
            },
            ExprKind::Call { func, args } => {
                let args = args
                    .iter()
                    .map(|a| self.eval(a, row, slots))
                    .collect::<R<Vec<_>>>()?;
                func.eval(&args).map_err(|err| EvalError {
                    // ASSERT's failure is the script's own message.
                    message: if func.name() == "Assert" {
                        err.to_string()
                    } else {
                        format!("{} failed: {err}", func.name())
                    },
                    span: e.span,
                })?
            }
            ExprKind::MakeTuple(items) => Value::Tuple(Box::new(
                items
                    .iter()
                    .map(|i| self.eval(i, row, slots))
                    .collect::<R<_>>()?,
            )),
            ExprKind::MakeBag(items) => {
                let mut bag = Bag::with_capacity(items.len());
                for i in items {
                    bag.push(match self.eval(i, row, slots)? {
                        Value::Tuple(t) => *t,
                        other => vec![other],
                    });
                }
                Value::Bag(Box::new(bag))
            }
            ExprKind::MakeMap(pairs) => {
                let mut map: Vec<(String, Value)> = Vec::with_capacity(pairs.len());
                for (k, v) in pairs {
                    let Value::Chararray(k) = self.eval(k, row, slots)? else {
                        continue;
                    };
                    let v = self.eval(v, row, slots)?;
                    match map.iter_mut().find(|(key, _)| *key == k) {
                        Some(entry) => entry.1 = v,
                        None => map.push((k, v)),
                    }
                }
                Value::Map(Box::new(map))
            }
        })
    }

    /// Like [`EvalCtx::eval`], but borrows columns and constants instead of copying them.
    pub fn eval_ref<'a>(
        &self,
        e: &'a Expr,
        row: &'a [Value],
        slots: &'a [Value],
    ) -> R<Cow<'a, Value>> {
        Ok(match &e.kind {
            ExprKind::Const(v) => Cow::Borrowed(v),
            ExprKind::Column(i) => row.get(*i).map_or(Cow::Owned(Value::Null), Cow::Borrowed),
            ExprKind::Slot(i) => slots.get(*i).map_or(Cow::Owned(Value::Null), Cow::Borrowed),
            _ => Cow::Owned(self.eval(e, row, slots)?),
        })
    }

    /// Casts with Pig's rules: a failure gives null and is counted.
    pub fn cast(&self, v: Value, ty: &PigType, span: Span) -> Value {
        if v.is_null() {
            return v;
        }
        match cast::cast(&v, ty) {
            Ok(out) => out,
            Err(err) => {
                self.casts.record(span, err.to_string());
                Value::Null
            }
        }
    }

    /// Evaluates a condition: true keeps the row; false and null drop it.
    pub fn test(&self, cond: &Expr, row: &[Value], slots: &[Value]) -> R<bool> {
        Ok(self.eval(cond, row, slots)?.as_bool() == Some(true))
    }

    /// The fields `indices` of each tuple of `bag`, as a bag (built as the block's other
    /// bags are: a large one spills).
    fn project_bag(&self, bag: &Bag, indices: &[usize], span: Span) -> R<Value> {
        let mut out = BagBuilder::new(self.bags_for(bag));
        for t in bag.iter() {
            let t = t.map_err(|e| bag_error(e, span))?;
            let fields = indices
                .iter()
                .map(|&i| t.get(i).cloned().unwrap_or(Value::Null))
                .collect();
            out.push(fields).map_err(|e| bag_error(e, span))?;
        }
        let bag = out.finish().map_err(|e| bag_error(e, span))?;
        Ok(Value::Bag(Box::new(bag)))
    }

    /// Where a bag made from `input` keeps its tuples: a small bag (all in memory, under a
    /// batch) is built as it is; a larger one counts against the task's bag memory.
    fn bags_for(&self, input: &Bag) -> Option<Arc<BagMemory>> {
        if input.is_spilled() || input.len() > BATCH_ROWS {
            self.bags.clone()
        } else {
            None
        }
    }

    /// Runs a nested block's steps on one input row, giving the slot values.
    pub fn nested(&self, steps: &[NestedStep], row: &[Value]) -> R<Vec<Value>> {
        let mut slots: Vec<Value> = Vec::with_capacity(steps.len());
        for step in steps {
            let v = match step {
                NestedStep::Expr(e) => self.eval(e, row, &slots)?,
                NestedStep::Filter { input, cond } => {
                    self.stream_bag(input, row, &slots, |t, out| {
                        if self.test(cond, &t, &[])? {
                            out.push(t)?;
                        }
                        Ok(true)
                    })?
                }
                NestedStep::Order { input, keys } => self.map_bag(input, row, &slots, |bag| {
                    self.order_bag(bag, keys, input.span)
                })?,
                NestedStep::Limit { input, n } => {
                    let n = usize::try_from(*n).unwrap_or(usize::MAX);
                    self.stream_bag(input, row, &slots, |t, out| {
                        if out.len() < n {
                            out.push(t)?;
                        }
                        Ok(out.len() < n)
                    })?
                }
                NestedStep::Distinct { input } => self.map_bag(input, row, &slots, |bag| {
                    let Some(memory) = self.bags_for(&bag) else {
                        let tuples = bag.into_tuples().map_err(|e| bag_error(e, input.span))?;
                        return Ok(Bag::from(distinct(tuples)));
                    };
                    let tuples = bag.iter().map(|t| t.map(Cow::into_owned).map_err(bag_err));
                    sort_tuples(tuples, &memory, &|a, b| compare_tuples(a, b), true)
                        .map_err(|e| bag_error(e, input.span))
                })?,
                NestedStep::Sample { input, fraction } => {
                    self.stream_bag(input, row, &slots, |t, out| {
                        if rand_unit() < *fraction {
                            out.push(t)?;
                        }
                        Ok(true)
                    })?
                }
                NestedStep::Cross { inputs } => {
                    let mut out: Vec<Tuple> = vec![vec![]];
                    for input in inputs {
                        let Value::Bag(b) = self.eval(input, row, &slots)? else {
                            out.clear();
                            break;
                        };
                        let b = b.tuples().map_err(|e| bag_error(e, input.span))?;
                        out = out
                            .iter()
                            .flat_map(|prefix| {
                                b.iter()
                                    .map(move |t| prefix.iter().chain(t).cloned().collect())
                            })
                            .collect();
                    }
                    Value::Bag(Box::new(Bag::from(out)))
                }
                NestedStep::Foreach { input, generate } => {
                    let mut rows = Vec::new();
                    self.stream_bag(input, row, &slots, |t, out| {
                        self.generate(generate, &t, &[], &mut rows)?;
                        for r in rows.drain(..) {
                            out.push(r)?;
                        }
                        Ok(true)
                    })?
                }
            };
            slots.push(v);
        }
        Ok(slots)
    }

    /// The bag `input` evaluates to, passed through `f` tuple by tuple into a new bag
    /// (which spills when large); `f` returns whether it wants more tuples. Null when
    /// `input` is not a bag.
    fn stream_bag(
        &self,
        input: &Expr,
        row: &[Value],
        slots: &[Value],
        mut f: impl FnMut(Tuple, &mut Pushed) -> R<bool>,
    ) -> R<Value> {
        let bag = match self.eval_ref(input, row, slots)? {
            Cow::Borrowed(Value::Bag(b)) => Cow::Borrowed(&**b),
            Cow::Owned(Value::Bag(b)) => Cow::Owned(*b),
            _ => return Ok(Value::Null),
        };
        let mut out = Pushed {
            bag: BagBuilder::new(self.bags_for(&bag)),
            span: input.span,
        };
        for t in bag.iter() {
            let t = t.map_err(|e| bag_error(e, input.span))?;
            if !f(t.into_owned(), &mut out)? {
                break;
            }
        }
        let bag = out.bag.finish().map_err(|e| bag_error(e, input.span))?;
        Ok(Value::Bag(Box::new(bag)))
    }

    fn map_bag(
        &self,
        input: &Expr,
        row: &[Value],
        slots: &[Value],
        f: impl FnOnce(Bag) -> R<Bag>,
    ) -> R<Value> {
        Ok(match self.eval(input, row, slots)? {
            Value::Bag(b) => Value::Bag(Box::new(f(*b)?)),
            _ => Value::Null,
        })
    }

    /// A nested ORDER of a bag: in memory for a small one; a large one (or one on disk) by
    /// an external sort of its tuples with their keys in front, in bounded memory.
    fn order_bag(&self, bag: Bag, keys: &[SortKey], span: Span) -> R<Bag> {
        let Some(memory) = self.bags_for(&bag) else {
            let tuples = bag.into_tuples().map_err(|e| bag_error(e, span))?;
            return Ok(Bag::from(self.sort(tuples, keys)?));
        };
        let k = keys.len();
        let mut failed: Option<EvalError> = None;
        let keyed = bag.iter().map_while(|t| {
            let t = match t {
                Ok(t) => t.into_owned(),
                Err(e) => return Some(Err(bag_err(e))),
            };
            let mut keyed = Vec::with_capacity(k + t.len());
            for key in keys {
                match self.eval(&key.expr, &t, &[]) {
                    Ok(v) => keyed.push(v),
                    Err(e) => {
                        failed = Some(e);
                        return None;
                    }
                }
            }
            keyed.extend(t);
            Some(Ok(keyed))
        });
        let sorted = sort_tuples(
            keyed,
            &memory,
            &|a, b| compare_keys(&a[..k], &b[..k], keys),
            false,
        );
        if let Some(e) = failed {
            return Err(e);
        }
        let sorted = sorted.map_err(|e| bag_error(e, span))?;
        let mut out = BagBuilder::new(Some(memory));
        for t in sorted.iter() {
            let mut t = t.map_err(|e| bag_error(e, span))?.into_owned();
            t.drain(..k);
            out.push(t).map_err(|e| bag_error(e, span))?;
        }
        out.finish().map_err(|e| bag_error(e, span))
    }

    /// Sorts tuples by keys (stable; nulls first ascending, last descending).
    pub fn sort(&self, bag: Vec<Tuple>, keys: &[SortKey]) -> R<Vec<Tuple>> {
        let mut keyed = Vec::with_capacity(bag.len());
        for t in bag {
            let k = keys
                .iter()
                .map(|k| self.eval(&k.expr, &t, &[]))
                .collect::<R<Vec<_>>>()?;
            keyed.push((k, t));
        }
        keyed.sort_by(|(a, _), (b, _)| compare_keys(a, b, keys));
        Ok(keyed.into_iter().map(|(_, t)| t).collect())
    }

    /// Appends the rows GENERATE makes from one input row (none, one, or many with FLATTEN).
    pub fn generate(
        &self,
        items: &[GenItem],
        row: &[Value],
        slots: &[Value],
        out: &mut Vec<Tuple>,
    ) -> R<()> {
        self.generate_into(items, row, slots, out, &mut |_| Ok(true))
    }

    /// Like [`EvalCtx::generate`]; the rows of the FLATTEN of a large bag (the only item
    /// with several alternatives) are made as the bag is read, and handed to `full` each
    /// time `out` holds a batch of them (`full` takes them, and says whether to go on).
    pub fn generate_into(
        &self,
        items: &[GenItem],
        row: &[Value],
        slots: &[Value],
        out: &mut Vec<Tuple>,
        full: &mut dyn FnMut(&mut Vec<Tuple>) -> R<bool>,
    ) -> R<()> {
        // Each item gives a list of alternatives (field groups); the output is their product.
        let mut parts: Vec<Vec<Vec<Value>>> = Vec::with_capacity(items.len());
        // A flattened bag read as it goes: its item's position, its bag, and its width.
        let mut streamed: Option<(usize, Bag, Option<usize>, Span)> = None;
        for (i, item) in items.iter().enumerate() {
            let v = self.eval(&item.expr, row, slots)?;
            if !item.flatten {
                parts.push(vec![vec![v]]);
                continue;
            }
            match v {
                Value::Bag(b) => {
                    if b.is_empty() {
                        return Ok(());
                    }
                    if streamed.is_none() && (b.is_spilled() || b.len() > BATCH_ROWS) {
                        streamed = Some((i, *b, item.width, item.expr.span));
                        parts.push(Vec::new());
                        continue;
                    }
                    let tuples = b.into_tuples().map_err(|e| bag_error(e, item.expr.span))?;
                    parts.push(tuples.into_iter().map(|t| pad(t, item.width)).collect());
                }
                Value::Tuple(t) => parts.push(vec![pad(*t, item.width)]),
                Value::Null => parts.push(vec![vec![Value::Null; item.width.unwrap_or(1)]]),
                other => parts.push(vec![vec![other]]),
            }
        }
        if let Some((at, bag, width, span)) = streamed {
            if parts
                .iter()
                .enumerate()
                .all(|(i, p)| i == at || p.len() == 1)
            {
                for t in bag.iter() {
                    let t = pad(t.map_err(|e| bag_error(e, span))?.into_owned(), width);
                    let mut r = Vec::new();
                    for (i, p) in parts.iter().enumerate() {
                        if i == at {
                            r.extend(t.iter().cloned());
                        } else {
                            r.extend(p[0].iter().cloned());
                        }
                    }
                    out.push(r);
                    if out.len() >= BATCH_ROWS && !full(out)? {
                        return Ok(());
                    }
                }
                return Ok(());
            }
            // Several items with many alternatives: their product, in memory.
            let tuples = bag.into_tuples().map_err(|e| bag_error(e, span))?;
            parts[at] = tuples.into_iter().map(|t| pad(t, width)).collect();
        }
        if parts.len() == 1 {
            out.extend(parts.pop().unwrap_or_default());
            return Ok(());
        }
        if parts.iter().all(|p| p.len() == 1) {
            out.push(
                parts
                    .into_iter()
                    .flat_map(|mut p| p.pop().unwrap_or_default())
                    .collect(),
            );
            return Ok(());
        }
        let mut rows: Vec<Tuple> = vec![Vec::new()];
        for part in parts {
            rows = rows
                .iter()
                .flat_map(|prefix| {
                    part.iter()
                        .map(move |fields| prefix.iter().chain(fields).cloned().collect())
                })
                .collect();
        }
        out.extend(rows);
        Ok(())
    }
}

/// The bag a nested statement builds, with the statement's place for its errors.
struct Pushed {
    bag: BagBuilder,
    span: Span,
}

impl Pushed {
    fn push(&mut self, t: Tuple) -> R<()> {
        self.bag.push(t).map_err(|e| bag_error(e, self.span))
    }

    fn len(&self) -> usize {
        self.bag.len()
    }
}

fn pad(mut t: Tuple, width: Option<usize>) -> Tuple {
    if let Some(w) = width
        && t.len() < w
    {
        t.resize(w, Value::Null);
    }
    t
}

/// Compares two key lists under the sort keys' directions.
pub fn compare_keys(a: &[Value], b: &[Value], keys: &[SortKey]) -> Ordering {
    for (i, k) in keys.iter().enumerate() {
        let o = compare(&a[i], &b[i]);
        let o = if k.desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// Pig's DISTINCT of a bag: unique tuples, in sorted order (as Pig's distinct bags give them).
pub fn distinct(bag: Vec<Tuple>) -> Vec<Tuple> {
    let mut seen = HashSet::new();
    let mut out: Vec<Tuple> = bag.into_iter().filter(|t| seen.insert(t.clone())).collect();
    out.sort_by(|a, b| compare_tuples(a, b));
    out
}

/// A uniform random number in [0, 1) for SAMPLE (xorshift seeded per thread).
pub fn rand_unit() -> f64 {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = Cell::new(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0x9E37_79B9_7F4A_7C15)
                | 1,
        );
    }
    STATE.with(|s| {
        let mut x = s.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.set(x);
        (x >> 11) as f64 / (1u64 << 53) as f64
    })
}
