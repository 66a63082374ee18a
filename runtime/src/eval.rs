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
use pigrs_udf::func::{EvalFunc, UdfError};
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

/// How long the input shown in a function's error may be.
const MAX_INPUT_TEXT: usize = 200;

/// The error of a call of `func` that failed on the arguments `args` (`None`: not on one
/// row's: a whole batch, a merge of partial aggregates): names the function and shows the
/// input, so that the user can find the row.
#[cold]
pub fn call_error(
    func: &dyn EvalFunc,
    args: Option<&[Value]>,
    err: &UdfError,
    span: Span,
) -> EvalError {
    // ASSERT's failure is the script's own message.
    if func.name() == "Assert" {
        return EvalError {
            message: err.to_string(),
            span,
        };
    }
    let input = match args {
        Some(args) => {
            let mut text = Value::Tuple(Box::new(args.to_vec())).to_string();
            if text.len() > MAX_INPUT_TEXT {
                let cut = (0..=MAX_INPUT_TEXT)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                text.truncate(cut);
                text.push_str("...");
            }
            format!("on input {text}")
        }
        None => {
            return EvalError {
                message: format!("{} failed: {err}", func.name()),
                span,
            };
        }
    };
    EvalError {
        message: format!("{} failed {input}: {err}", func.name()),
        span,
    }
}

/// A call of a function that prefers batches ([`EvalFunc::prefers_batches`]: a plugin's),
/// taken out of an expression evaluated on many rows by [`hoist`]: it is called once for
/// all the rows, and the expression reads each row's result from a slot.
#[derive(Debug)]
pub struct HoistedCall {
    func: Arc<dyn EvalFunc>,
    /// The arguments, whose own hoisted calls are slots.
    args: Vec<Expr>,
    span: Span,
    /// The rows it runs on: those where every guard holds (a call under a branch runs only
    /// on the rows that take the branch, as the row evaluator would run it).
    guards: Vec<Guard>,
}

/// A condition on a row for a hoisted call under a branch, over the hoisted expressions
/// (their own calls' slots filled already).
#[derive(Clone, Debug)]
enum Guard {
    /// The expression is not false: `AND`'s right side runs.
    NotFalse(Expr),
    /// The expression is not true: `OR`'s right side runs.
    NotTrue(Expr),
    /// The expression is true: a bincond's first branch runs.
    True(Expr),
    /// The expression is false: a bincond's second branch runs; `IN`'s candidate runs when
    /// the operand is in none of the candidates before it.
    False(Expr),
}

/// `e` with the calls of functions that prefer batches replaced by slots `first + k`, the
/// calls pushed to `calls` (a call's arguments and guards read only the slots of calls
/// before it). A call under a branch that some rows skip (the right side of `AND`/`OR`, a
/// bincond's branches, `IN`'s candidates) is guarded by the branch's condition, so that it
/// runs, and fails, on exactly the rows it would.
pub fn hoist(e: &Expr, first: usize, calls: &mut Vec<HoistedCall>) -> Expr {
    hoist_guarded(e, first, calls, &[])
}

fn hoist_guarded(e: &Expr, first: usize, calls: &mut Vec<HoistedCall>, guards: &[Guard]) -> Expr {
    let rebuilt = |kind: ExprKind| Expr::new(kind, e.ty.clone(), e.span);
    // The guards of a branch: these, and the branch's condition.
    let with = |g: Guard| -> Vec<Guard> {
        let mut all = guards.to_vec();
        all.push(g);
        all
    };
    match &e.kind {
        ExprKind::Call { func, args } if func.prefers_batches() => {
            let args = args
                .iter()
                .map(|a| hoist_guarded(a, first, calls, guards))
                .collect();
            calls.push(HoistedCall {
                func: func.instance().clone(),
                args,
                span: e.span,
                guards: guards.to_vec(),
            });
            rebuilt(ExprKind::Slot(first + calls.len() - 1))
        }
        ExprKind::And(l, r) => {
            let l = hoist_guarded(l, first, calls, guards);
            let r = hoist_guarded(r, first, calls, &with(Guard::NotFalse(l.clone())));
            rebuilt(ExprKind::And(Box::new(l), Box::new(r)))
        }
        ExprKind::Or(l, r) => {
            let l = hoist_guarded(l, first, calls, guards);
            let r = hoist_guarded(r, first, calls, &with(Guard::NotTrue(l.clone())));
            rebuilt(ExprKind::Or(Box::new(l), Box::new(r)))
        }
        ExprKind::In { expr, list } => {
            let x = hoist_guarded(expr, first, calls, guards);
            let mut done: Vec<Expr> = Vec::with_capacity(list.len());
            for item in list {
                let before = Expr::new(
                    ExprKind::In {
                        expr: Box::new(x.clone()),
                        list: done.clone(),
                    },
                    PigType::Boolean,
                    item.span,
                );
                done.push(hoist_guarded(
                    item,
                    first,
                    calls,
                    &with(Guard::False(before)),
                ));
            }
            rebuilt(ExprKind::In {
                expr: Box::new(x),
                list: done,
            })
        }
        ExprKind::Cond {
            cond,
            then,
            otherwise,
        } => {
            let c = hoist_guarded(cond, first, calls, guards);
            let t = hoist_guarded(then, first, calls, &with(Guard::True(c.clone())));
            let o = hoist_guarded(otherwise, first, calls, &with(Guard::False(c.clone())));
            rebuilt(ExprKind::Cond {
                cond: Box::new(c),
                then: Box::new(t),
                otherwise: Box::new(o),
            })
        }
        _ => e
            .map_children(&mut |c| Some(hoist_guarded(c, first, calls, guards)))
            .unwrap_or_else(|| e.clone()),
    }
}

/// Whether `e` calls a function that prefers batches anywhere.
pub fn calls_batched(e: &Expr) -> bool {
    let mut found = false;
    e.visit(&mut |x| {
        found |= matches!(&x.kind, ExprKind::Call { func, .. } if func.prefers_batches())
    });
    found
}

impl HoistedCall {
    /// The function's arguments on a row.
    pub fn args(&self, ctx: &EvalCtx, row: &[Value], slots: &[Value]) -> R<Tuple> {
        self.args.iter().map(|a| ctx.eval(a, row, slots)).collect()
    }

    /// Whether it runs on every row (it is under no branch).
    pub fn unguarded(&self) -> bool {
        self.guards.is_empty()
    }

    /// Whether the row takes the branches the call is under.
    fn runs_on(&self, ctx: &EvalCtx, row: &[Value], slots: &[Value]) -> R<bool> {
        for g in &self.guards {
            let holds = match g {
                Guard::NotFalse(e) => ctx.eval(e, row, slots)?.as_bool() != Some(false),
                Guard::NotTrue(e) => ctx.eval(e, row, slots)?.as_bool() != Some(true),
                Guard::True(e) => ctx.eval(e, row, slots)?.as_bool() == Some(true),
                Guard::False(e) => ctx.eval(e, row, slots)?.as_bool() == Some(false),
            };
            if !holds {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The arguments, as expressions (their hoisted calls are slots).
    pub fn arg_exprs(&self) -> &[Expr] {
        &self.args
    }

    /// The call's result on `rows` rows of arguments encoded as a bag, if the function
    /// takes encoded input ([`EvalFunc::eval_encoded`]); `row_args(i)` gives row `i`'s
    /// arguments for an error.
    pub fn eval_encoded(
        &self,
        bag: &[u8],
        rows: usize,
        row_args: impl Fn(usize) -> Tuple,
    ) -> Option<R<Vec<Value>>> {
        let results = match self.func.eval_encoded(bag, rows)? {
            Ok(results) => results,
            Err(e) => {
                let input = e.row.map(row_args);
                return Some(Err(call_error(
                    &*self.func,
                    input.as_deref(),
                    &e.error,
                    self.span,
                )));
            }
        };
        Some(self.check_len(results, rows))
    }

    fn check_len(&self, results: Vec<Value>, rows: usize) -> R<Vec<Value>> {
        if results.len() != rows {
            return Err(EvalError {
                message: format!(
                    "internal error: {} gave {} results for {} rows",
                    self.func.name(),
                    results.len(),
                    rows
                ),
                span: self.span,
            });
        }
        Ok(results)
    }

    /// The call's result on each row of arguments in `args`.
    pub fn eval(&self, args: &[Tuple]) -> R<Vec<Value>> {
        let results = self.func.eval_batch(args).map_err(|e| {
            let input = e.row.and_then(|r| args.get(r)).map(Vec::as_slice);
            call_error(&*self.func, input, &e.error, self.span)
        })?;
        self.check_len(results, args.len())
    }
}

/// How many tuples' sort keys one batch of calls to batched (plugin) functions computes.
const KEY_BATCH: usize = 4096;

impl EvalCtx {
    /// The sort keys of `rows`, in order. A key that calls a function preferring batches (a
    /// plugin's) has the calls made once per [`KEY_BATCH`] rows, not once per row.
    pub fn sort_keys(&self, keys: &[SortKey], rows: &[Tuple]) -> R<Vec<Vec<Value>>> {
        if !keys.iter().any(|k| calls_batched(&k.expr)) {
            return rows
                .iter()
                .map(|r| keys.iter().map(|k| self.eval(&k.expr, r, &[])).collect())
                .collect();
        }
        let mut calls = Vec::new();
        let hoisted: Vec<Expr> = keys.iter().map(|k| hoist(&k.expr, 0, &mut calls)).collect();
        let mut out = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(KEY_BATCH) {
            let mut slots = vec![Vec::new(); chunk.len()];
            self.eval_hoisted(&calls, chunk, &mut slots)?;
            for (r, s) in chunk.iter().zip(&slots) {
                out.push(
                    hoisted
                        .iter()
                        .map(|e| self.eval(e, r, s))
                        .collect::<R<Vec<_>>>()?,
                );
            }
        }
        Ok(out)
    }

    /// Evaluates hoisted `calls` on `rows`, in order, appending each call's result on row
    /// `i` to `slots[i]` (which already holds the row's slots before the calls').
    pub fn eval_hoisted(
        &self,
        calls: &[HoistedCall],
        rows: &[Tuple],
        slots: &mut [Vec<Value>],
    ) -> R<()> {
        for call in calls {
            if call.unguarded() {
                let args = rows
                    .iter()
                    .zip(slots.iter())
                    .map(|(row, s)| call.args(self, row, s))
                    .collect::<R<Vec<Tuple>>>()?;
                for (s, v) in slots.iter_mut().zip(call.eval(&args)?) {
                    s.push(v);
                }
                continue;
            }
            // Under a branch: one call for the rows that take it; the others' slots are
            // never read.
            let mut runs = Vec::with_capacity(rows.len());
            let mut args = Vec::new();
            for (row, s) in rows.iter().zip(slots.iter()) {
                let run = call.runs_on(self, row, s)?;
                if run {
                    args.push(call.args(self, row, s)?);
                }
                runs.push(run);
            }
            let results = if args.is_empty() {
                Vec::new()
            } else {
                call.eval(&args)?
            };
            let mut results = results.into_iter();
            for (s, run) in slots.iter_mut().zip(runs) {
                s.push(if run {
                    results.next().unwrap_or(Value::Null)
                } else {
                    Value::Null
                });
            }
        }
        Ok(())
    }
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
                func.eval(&args)
                    .map_err(|err| call_error(&**func.instance(), Some(&args), &err, e.span))?
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

    /// The rows on which `cond` is true, in order. Calls of functions that prefer batches
    /// run once for all the rows.
    pub fn filter(&self, cond: &Expr, rows: Vec<Tuple>) -> R<Vec<Tuple>> {
        let mut kept = Vec::with_capacity(rows.len());
        if !calls_batched(cond) {
            for r in rows {
                if self.test(cond, &r, &[])? {
                    kept.push(r);
                }
            }
            return Ok(kept);
        }
        let mut calls = Vec::new();
        let cond = hoist(cond, 0, &mut calls);
        let mut slots = vec![Vec::with_capacity(calls.len()); rows.len()];
        self.eval_hoisted(&calls, &rows, &mut slots)?;
        for (r, s) in rows.into_iter().zip(&slots) {
            if self.test(&cond, &r, s)? {
                kept.push(r);
            }
        }
        Ok(kept)
    }

    /// Runs a nested block's steps on each of `rows`, giving each row's slot values. A
    /// step's plugin calls run once for all the rows.
    pub fn nested(&self, steps: &[NestedStep], rows: &[Tuple]) -> R<Vec<Vec<Value>>> {
        let mut slots: Vec<Vec<Value>> = vec![Vec::with_capacity(steps.len()); rows.len()];
        for (k, step) in steps.iter().enumerate() {
            match step {
                NestedStep::Expr(e) if calls_batched(e) => {
                    // The calls' results go to slots k.., read by the expression, then
                    // give way to its value.
                    let mut calls = Vec::new();
                    let e = hoist(e, k, &mut calls);
                    self.eval_hoisted(&calls, rows, &mut slots)?;
                    for (row, s) in rows.iter().zip(&mut slots) {
                        let v = self.eval(&e, row, s)?;
                        s.truncate(k);
                        s.push(v);
                    }
                }
                _ => {
                    for (row, s) in rows.iter().zip(&mut slots) {
                        let v = self.nested_step(step, row, s)?;
                        s.push(v);
                    }
                }
            }
        }
        Ok(slots)
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

    /// One nested-block step on one row whose earlier steps gave `slots`.
    fn nested_step(&self, step: &NestedStep, row: &[Value], slots: &[Value]) -> R<Value> {
        Ok(match step {
            NestedStep::Expr(e) => self.eval(e, row, slots)?,
            NestedStep::Filter { input, cond } => {
                self.chunk_bag(input, row, slots, |chunk, out| {
                    for t in self.filter(cond, chunk)? {
                        out.push(t)?;
                    }
                    Ok(true)
                })?
            }
            NestedStep::Order { input, keys } => self.map_bag(input, row, slots, |bag| {
                self.order_bag(bag, keys, input.span)
            })?,
            NestedStep::Limit { input, n } => {
                let n = usize::try_from(*n).unwrap_or(usize::MAX);
                self.chunk_bag(input, row, slots, |chunk, out| {
                    for t in chunk {
                        if out.len() >= n {
                            break;
                        }
                        out.push(t)?;
                    }
                    Ok(out.len() < n)
                })?
            }
            NestedStep::Distinct { input } => self.map_bag(input, row, slots, |bag| {
                let Some(memory) = self.bags_for(&bag) else {
                    let tuples = bag.into_tuples().map_err(|e| bag_error(e, input.span))?;
                    return Ok(Bag::from(distinct(tuples)));
                };
                let tuples = bag.iter().map(|t| t.map(Cow::into_owned).map_err(bag_err));
                sort_tuples(tuples, &memory, &|a, b| compare_tuples(a, b), true, 0)
                    .map_err(|e| bag_error(e, input.span))
            })?,
            NestedStep::Sample { input, fraction } => {
                self.chunk_bag(input, row, slots, |chunk, out| {
                    for t in chunk {
                        if rand_unit() < *fraction {
                            out.push(t)?;
                        }
                    }
                    Ok(true)
                })?
            }
            NestedStep::Cross { inputs } => {
                let mut out: Vec<Tuple> = vec![vec![]];
                for input in inputs {
                    let Value::Bag(b) = self.eval(input, row, slots)? else {
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
                self.chunk_bag(input, row, slots, |chunk, out| {
                    let none = vec![Vec::new(); chunk.len()];
                    for t in self.generate_rows(generate, &chunk, none, 0)? {
                        out.push(t)?;
                    }
                    Ok(true)
                })?
            }
        })
    }

    /// The bag `input` evaluates to, passed through `f` a batch of tuples at a time into a
    /// new bag (which spills when large); `f` returns whether it wants more tuples. Null
    /// when `input` is not a bag.
    fn chunk_bag(
        &self,
        input: &Expr,
        row: &[Value],
        slots: &[Value],
        mut f: impl FnMut(Vec<Tuple>, &mut Pushed) -> R<bool>,
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
        let mut chunk = Vec::with_capacity(bag.len().min(BATCH_ROWS));
        let mut more = true;
        for t in bag.iter() {
            chunk.push(t.map_err(|e| bag_error(e, input.span))?.into_owned());
            if chunk.len() == BATCH_ROWS {
                more = f(std::mem::take(&mut chunk), &mut out)?;
                if !more {
                    break;
                }
            }
        }
        if more && !chunk.is_empty() {
            f(chunk, &mut out)?;
        }
        let bag = out.bag.finish().map_err(|e| bag_error(e, input.span))?;
        Ok(Value::Bag(Box::new(bag)))
    }

    /// GENERATE on each of `rows`, whose slots (`first` of them each) are `slots`, in
    /// order. Plugin calls run once for all the rows, their results in slots after those.
    pub fn generate_rows(
        &self,
        items: &[GenItem],
        rows: &[Tuple],
        slots: Vec<Vec<Value>>,
        first: usize,
    ) -> R<Vec<Tuple>> {
        let mut out = Vec::with_capacity(rows.len());
        self.generate_rows_into(items, rows, slots, first, &mut out, &mut |_| Ok(true))?;
        Ok(out)
    }

    /// Like [`EvalCtx::generate_rows`], appending to `out`; the FLATTEN of a large bag
    /// hands `out` to `full` each time it holds a batch (see [`EvalCtx::generate_into`]).
    pub fn generate_rows_into(
        &self,
        items: &[GenItem],
        rows: &[Tuple],
        mut slots: Vec<Vec<Value>>,
        first: usize,
        out: &mut Vec<Tuple>,
        full: &mut dyn FnMut(&mut Vec<Tuple>) -> R<bool>,
    ) -> R<()> {
        let items: Cow<'_, [GenItem]> = if items.iter().any(|g| calls_batched(&g.expr)) {
            let mut calls = Vec::new();
            let hoisted = items
                .iter()
                .map(|g| GenItem {
                    expr: hoist(&g.expr, first, &mut calls),
                    ..g.clone()
                })
                .collect();
            self.eval_hoisted(&calls, rows, &mut slots)?;
            Cow::Owned(hoisted)
        } else {
            Cow::Borrowed(items)
        };
        for (r, s) in rows.iter().zip(&slots) {
            self.generate_into(&items, r, s, out, full)?;
        }
        Ok(())
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
        let failed: std::cell::RefCell<Option<EvalError>> = std::cell::RefCell::new(None);
        let mut tuples = bag.iter();
        // The keys of a chunk of tuples at a time (plugin calls in them once per chunk),
        // each tuple with its keys in front.
        let keyed = std::iter::from_fn(|| {
            if failed.borrow().is_some() {
                return None;
            }
            let mut chunk = Vec::with_capacity(KEY_BATCH);
            for t in tuples.by_ref().take(KEY_BATCH) {
                match t {
                    Ok(t) => chunk.push(t.into_owned()),
                    Err(e) => return Some(vec![Err(bag_err(e))]),
                }
            }
            if chunk.is_empty() {
                return None;
            }
            match self.sort_keys(keys, &chunk) {
                Ok(ks) => Some(
                    ks.into_iter()
                        .zip(chunk)
                        .map(|(mut keyed, t)| {
                            keyed.extend(t);
                            Ok(keyed)
                        })
                        .collect(),
                ),
                Err(e) => {
                    *failed.borrow_mut() = Some(e);
                    None
                }
            }
        })
        .flatten();
        let sorted = sort_tuples(
            keyed,
            &memory,
            &|a, b| compare_keys(&a[..k], &b[..k], keys),
            false,
            k,
        );
        if let Some(e) = failed.into_inner() {
            return Err(e);
        }
        sorted.map_err(|e| bag_error(e, span))
    }

    /// Sorts tuples by keys (stable; nulls first ascending, last descending).
    pub fn sort(&self, bag: Vec<Tuple>, keys: &[SortKey]) -> R<Vec<Tuple>> {
        let mut keyed: Vec<(Vec<Value>, Tuple)> =
            self.sort_keys(keys, &bag)?.into_iter().zip(bag).collect();
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
                // A map flattens to one row per key/value pair, as a bag of pairs would.
                Value::Map(m) => {
                    if m.is_empty() {
                        return Ok(());
                    }
                    parts.push(
                        m.into_iter()
                            .map(|(k, v)| vec![Value::Chararray(k), v])
                            .collect(),
                    );
                }
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering as Relaxed;

    use super::*;
    use crate::expr::tests::{batched, call_of};

    fn chars(s: &str) -> Value {
        Value::Chararray(s.into())
    }

    /// The row operators' path: a GENERATE item reading a nested block's slot, with its
    /// plugin call hoisted after the nested slots.
    #[test]
    fn hoisted_calls_run_once_for_many_rows_after_the_nested_slots() {
        let f = batched("LCFIRST", None);
        let slot = Expr::new(ExprKind::Slot(0), PigType::Chararray, Span::new(1, 2));
        let item = GenItem {
            expr: call_of(&f, vec![slot]),
            flatten: false,
            width: None,
        };
        let ctx = EvalCtx::default();
        let rows: Vec<Tuple> = (0..5).map(|i| vec![Value::Int(i)]).collect();
        let mut slots: Vec<Vec<Value>> = (0..5).map(|i| vec![chars(&format!("AB{i}"))]).collect();
        let mut want = Vec::new();
        for (r, s) in rows.iter().zip(&slots) {
            ctx.generate(std::slice::from_ref(&item), r, s, &mut want)
                .expect("row by row");
        }
        assert_eq!(f.row_calls.load(Relaxed::Relaxed), 5);

        assert!(calls_batched(&item.expr));
        let mut calls = Vec::new();
        let hoisted = GenItem {
            expr: hoist(&item.expr, 1, &mut calls),
            ..item.clone()
        };
        assert!(matches!(hoisted.expr.kind, ExprKind::Slot(1)));
        ctx.eval_hoisted(&calls, &rows, &mut slots)
            .expect("hoisted");
        let mut got = Vec::new();
        for (r, s) in rows.iter().zip(&slots) {
            ctx.generate(std::slice::from_ref(&hoisted), r, s, &mut got)
                .expect("from slots");
        }
        assert_eq!(got, want);
        assert_eq!(got[0], vec![chars("aB0")]);
        assert_eq!(f.batches.load(Relaxed::Relaxed), 1);
        assert_eq!(f.row_calls.load(Relaxed::Relaxed), 5);
    }

    /// Calls on the right of an OR and among IN's candidates run in one batch of the rows
    /// that reach them, and give what row-by-row evaluation gives.
    #[test]
    fn calls_under_or_and_in_run_on_the_rows_that_reach_them() {
        let f = batched("LCFIRST", None);
        let g = batched("LCFIRST", None);
        let sp = Span::new(1, 2);
        let s0 = Expr::new(ExprKind::Column(0), PigType::Chararray, sp);
        let b1 = Expr::new(ExprKind::Column(1), PigType::Boolean, sp);
        let or = Expr::new(
            ExprKind::Or(
                Box::new(b1),
                Box::new(Expr::new(
                    ExprKind::IsNull {
                        expr: Box::new(call_of(&f, vec![s0.clone()])),
                        negated: false,
                    },
                    PigType::Boolean,
                    sp,
                )),
            ),
            PigType::Boolean,
            sp,
        );
        let a = Expr::new(ExprKind::Const(chars("Ab")), PigType::Chararray, sp);
        let ab = Expr::new(ExprKind::Const(chars("ab")), PigType::Chararray, sp);
        let is_in = Expr::new(
            ExprKind::In {
                expr: Box::new(call_of(&g, vec![s0.clone()])),
                list: vec![ab, call_of(&f, vec![a])],
            },
            PigType::Boolean,
            sp,
        );
        let rows: Vec<Tuple> = vec![
            vec![chars("Ab"), Value::Boolean(true)],
            vec![chars("Cd"), Value::Boolean(false)],
            vec![Value::Null, Value::Null],
            vec![chars("Ef"), Value::Boolean(false)],
        ];
        let ctx = EvalCtx::default();
        let by_row: Vec<(Value, Value)> = rows
            .iter()
            .map(|r| {
                (
                    ctx.eval(&or, r, &[]).unwrap(),
                    ctx.eval(&is_in, r, &[]).unwrap(),
                )
            })
            .collect();
        let f_rows = f.row_calls.load(Relaxed::Relaxed);
        let mut calls = Vec::new();
        let or_h = hoist(&or, 0, &mut calls);
        let in_h = hoist(&is_in, 0, &mut calls);
        let mut slots = vec![Vec::new(); rows.len()];
        ctx.eval_hoisted(&calls, &rows, &mut slots)
            .expect("hoisted");
        let batched: Vec<(Value, Value)> = rows
            .iter()
            .zip(&slots)
            .map(|(r, s)| {
                (
                    ctx.eval(&or_h, r, s).unwrap(),
                    ctx.eval(&in_h, r, s).unwrap(),
                )
            })
            .collect();
        assert_eq!(batched, by_row);
        // OR's right side: the three rows whose left is not true. IN's second candidate:
        // the rows whose operand is not null and not `ab` (two).
        assert_eq!(f.batches.load(Relaxed::Relaxed), 2);
        assert_eq!(f.batch_rows.load(Relaxed::Relaxed), 3 + 2);
        assert_eq!(f.row_calls.load(Relaxed::Relaxed), f_rows);
        assert_eq!(g.batch_rows.load(Relaxed::Relaxed), 4);
    }

    /// Sort keys that call a plugin function (a nested ORDER's, RANK's) call it once per
    /// batch of rows, and order as the keys evaluated row by row do.
    #[test]
    fn sort_keys_call_plugins_once_per_batch() {
        let f = batched("LCFIRST", None);
        let col = Expr::new(ExprKind::Column(0), PigType::Chararray, Span::new(1, 2));
        let keys = vec![SortKey {
            expr: call_of(&f, vec![col]),
            desc: true,
        }];
        let words = ["Bb", "aC", "Ab", "ba", "Ca"];
        let rows: Vec<Tuple> = (0..3 * KEY_BATCH)
            .map(|i| vec![chars(words[i % words.len()]), Value::Int(i as i32)])
            .collect();
        let ctx = EvalCtx::default();
        let sorted = ctx.sort(rows.clone(), &keys).expect("sorts");
        assert_eq!(f.batches.load(Relaxed::Relaxed), 3);
        assert_eq!(f.row_calls.load(Relaxed::Relaxed), 0);
        // Descending by the key, ties in input order (a stable sort).
        assert_eq!(sorted[0], vec![chars("Ca"), Value::Int(4)]);
        let mut want = rows;
        want.sort_by(|a, b| {
            let lc = |t: &Tuple| match &t[0] {
                Value::Chararray(s) => {
                    let mut c = s.chars();
                    c.next()
                        .map(|f| f.to_lowercase().chain(c).collect::<String>())
                }
                _ => None,
            };
            lc(b).cmp(&lc(a))
        });
        assert_eq!(sorted, want);
    }

    /// A nested block's assignment calls its plugin function once for all the rows, after
    /// the slots of the steps before it.
    #[test]
    fn nested_assignments_call_plugins_once_for_many_rows() {
        let f = batched("LCFIRST", None);
        let col = Expr::new(ExprKind::Column(0), PigType::Chararray, Span::new(1, 2));
        let slot = Expr::new(ExprKind::Slot(0), PigType::Chararray, Span::new(1, 2));
        let steps = vec![
            NestedStep::Expr(col),
            NestedStep::Expr(call_of(&f, vec![slot])),
        ];
        let rows: Vec<Tuple> = (0..4).map(|i| vec![chars(&format!("XY{i}"))]).collect();
        let slots = EvalCtx::default().nested(&steps, &rows).expect("nested");
        assert_eq!(slots[3], vec![chars("XY3"), chars("xY3")]);
        assert_eq!(f.batches.load(Relaxed::Relaxed), 1);
        assert_eq!(f.row_calls.load(Relaxed::Relaxed), 0);
    }
}
