//! The pigrs planner: checks a parsed script against Pig's typing rules and builds the
//! logical plan, optimizes it, and describes it (DESCRIBE, EXPLAIN).
//!
//! It never touches the runtime: the runtime lowers the plans built here onto map and
//! reduce stages of DataFusion physical operators.

pub mod builder;
pub mod error;
pub mod expr;
pub mod features;
pub mod func;
pub mod logical;
pub mod multi_query;
pub mod optimizer;
pub mod paths;
pub mod typing;
pub mod wire;

pub use builder::{Action, SchemaProvider, Session, plan_script, plan_script_with};
pub use error::{ErrorKind, PlanError};
pub use logical::{LogicalPlan, Node, NodeId, Operator};
