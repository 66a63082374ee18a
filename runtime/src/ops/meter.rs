//! `MeterExec`: counts the rows passing through a point of a stage into the stage's run
//! statistics, and optionally times the stage's tasks.
//!
//! DataFusion's own operators keep metrics per node; pigrs's statistics are per stage (the
//! work between two shuffles, as Pig counts a map or reduce task), so the lowering puts a
//! meter where a stage's records come in, go into or out of the combiner, and leave.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::Result as DFResult;
use datafusion::execution::TaskContext;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PhysicalExpr, PlanProperties,
    SendableRecordBatchStream,
};
use std::task::Poll;

use futures::StreamExt;

use crate::stats::StageStats;

/// Times one task of a stage: it ends when its stream does, or when the stream is dropped
/// after it was polled (a LIMIT above had all the rows it needed, or the job failed):
/// either way the task ran, and the statistics and the report's timeline show it.
struct TaskTimer {
    stage: Arc<StageStats>,
    partition: usize,
    begun: Instant,
    polled: bool,
    ended: bool,
}

impl TaskTimer {
    fn end(&mut self) {
        if !self.ended {
            self.ended = true;
            self.stage.task_done(self.partition, self.begun);
        }
    }
}

impl Drop for TaskTimer {
    fn drop(&mut self) {
        if self.polled {
            self.end();
        }
    }
}

/// Which counter of a stage the rows go to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counter {
    /// Records into the stage.
    In,
    /// Records out of the stage.
    Out,
    /// Records into the combiner.
    CombineIn,
    /// Records out of the combiner.
    CombineOut,
}

/// Passes its input through unchanged, counting rows into one counter of a stage.
#[derive(Debug)]
pub struct MeterExec {
    input: Arc<dyn ExecutionPlan>,
    stage: Arc<StageStats>,
    counter: Counter,
    /// Whether a task of the stage ends when this meter's stream does (its wall time, from
    /// the first poll, is recorded as the task's).
    ends_task: bool,
}

impl MeterExec {
    /// A meter counting `input`'s rows into `counter` of `stage`.
    pub fn new(
        input: Arc<dyn ExecutionPlan>,
        stage: Arc<StageStats>,
        counter: Counter,
        ends_task: bool,
    ) -> Arc<Self> {
        Arc::new(MeterExec {
            input,
            stage,
            counter,
            ends_task,
        })
    }
}

impl MeterExec {
    /// The stage it counts for.
    pub fn stage(&self) -> &Arc<StageStats> {
        &self.stage
    }
}

impl DisplayAs for MeterExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.counter {
            Counter::In => "records_in",
            Counter::Out => "records_out",
            Counter::CombineIn => "combine_records_in",
            Counter::CombineOut => "combine_records_out",
        };
        write!(
            f,
            "StageMeter: stage {} {} {what}",
            self.stage.id, self.stage.name
        )
    }
}

impl ExecutionPlan for MeterExec {
    fn name(&self) -> &str {
        "MeterExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.input.properties()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> DFResult<TreeNodeRecursion>,
    ) -> DFResult<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> DFResult<Arc<dyn ExecutionPlan>> {
        let input = super::one_child(children, "MeterExec")?;
        Ok(MeterExec::new(
            input,
            self.stage.clone(),
            self.counter,
            self.ends_task,
        ))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let schema = input.schema();
        let stage = self.stage.clone();
        let counter = self.counter;
        let mut input = input.map(move |batch| {
            if let Ok(b) = &batch {
                let n = b.num_rows() as u64;
                match counter {
                    Counter::In => stage.add_in(n),
                    Counter::Out => stage.add_out(n),
                    Counter::CombineIn => stage.add_combine_in(n),
                    Counter::CombineOut => stage.add_combine_out(n),
                }
            }
            batch
        });
        let mut timer = self.ends_task.then(|| TaskTimer {
            stage: self.stage.clone(),
            partition,
            begun: Instant::now(),
            polled: false,
            ended: false,
        });
        let stream = futures::stream::poll_fn(move |cx| {
            let next = input.poll_next_unpin(cx);
            if let Some(t) = timer.as_mut() {
                t.polled = true;
                if let Poll::Ready(None) = next {
                    t.end();
                }
            }
            next
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}
