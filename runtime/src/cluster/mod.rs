//! Running pigrs's plans on a Ballista cluster: what of a plan crosses the wire, and how the
//! rest is made again on the other side.
//!
//! A job's physical plan is encoded on the client, decoded by the scheduler (which splits it
//! into stages) and decoded again by each executor for each task. DataFusion's and
//! Ballista's own nodes travel as protobuf; pigrs's nodes will go through pigrs's
//! `PhysicalExtensionCodec`, which frames the data they hold as JSON: `serde_json` is
//! already a dependency, no compact serde format is in the tree, a plan's data is a few KiB
//! of expressions and schemas (not rows), and JSON can be read in a log. Its two gaps are
//! closed in the types: exact floats (SAMPLE fractions) go as their bits, Pig values as
//! their value-codec bytes.
//!
//! # What is data and travels
//!
//! Everything the nodes hold that describes *what* to compute derives `serde`:
//! - the planner's checked expressions ([`pigrs_planner::expr::Expr`], with its constants as
//!   Pig values in the value codec, `MATCHES` patterns as text) and FOREACH/ORDER pieces
//!   ([`pigrs_planner::logical::NestedStep`], `GenItem`, `SortKey`, `AggCall`);
//! - eval functions as their [`pigrs_planner::func::FuncSpec`] (built-in name and DEFINE
//!   arguments, or plugin `namespace.Name` and arguments), made again on decoding;
//! - Pig schemas and types, [`crate::layout::Layout`] (as its Pig schema: the Arrow schema is
//!   a function of it), the row [`crate::exec::Step`]s, [`crate::io::LoadFunc`],
//!   [`crate::io::Split`]s (paths, which every executor must see: a shared file system),
//!   group columns ([`crate::ops::bags::BagColumns`]) and STREAM commands.
//!
//! # What is process-local, and how each side makes it
//!
//! | state | held by | made again on the executor |
//! | --- | --- | --- |
//! | `Arc<StageStats>` (Pig's counters, progress) | `PigExec`, `TeeExec` branches | a fresh one per task; the counts go back as the node's `ExecutionPlan::metrics()`, which Ballista returns in the task status, and the client adds them up per stage for the run statistics |
//! | `Arc<Warnings>`, `EvalCtx::casts` (bad-data counters and the first bad file/line) | scans, `EvalCtx` | fresh counters per task, reported as metrics like the stats, the first location as a metric label |
//! | `EvalCtx::scalars` (rows of relations used as scalars) | `EvalCtx` | data: computed by an earlier job before the query that uses them, and sent with the plan |
//! | `EvalCtx::bags` (bag memory and spill folder) | `EvalCtx` | the executor's task memory pool and its `--work-dir` |
//! | plugin functions (`Arc<dyn EvalFunc>`, `RecordFuncRef`) | `Func`, `FuncRef`, `LoadFunc::Plugin` | the executor loads the libraries the script REGISTERed (sent with the job as paths and SHA-256s, which must match) and makes each function from its spec through [`pigrs_planner::func::with_plugins`]; plugin *load* functions have no spec yet and refuse to encode |
//! | `Fanout` (multi-query tee: branches handing batches to readers in one process) | `Output::Split`, `TeeExec` | not sent: a cluster job runs each branch as its own plan over the shared stage's materialized shuffle output |
//! | `stream::Command`'s running process | STREAM | started by the task that runs it |
//! | `Cancel`, progress bars | the driver | stay on the client: cancelling cancels the Ballista job |
//!

pub mod wire;

#[cfg(test)]
mod tests;
