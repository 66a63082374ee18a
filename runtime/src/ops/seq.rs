//! `SeqExec`: appends each row's position, `task << 40 | row`, as a last `__seq` column.
//!
//! DataFusion's sorts are not stable (arrow sorts with `sort_unstable_by`); Pig's ORDER BY
//! keeps rows with equal keys in input order, and ORDER ... LIMIT keeps the first of them.
//! A last sort key on the position makes the order total and the sort stable across the
//! tasks merged.

use std::fmt;
use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::Result as DFResult;
use datafusion::execution::TaskContext;
use datafusion::physical_expr::EquivalenceProperties;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PhysicalExpr, PlanProperties,
    SendableRecordBatchStream,
};
use futures::StreamExt;

/// The name of the position column.
pub const SEQ: &str = "__seq";

/// Passes its input's batches through with a `__seq` column of row positions appended.
#[derive(Debug)]
pub struct SeqExec {
    input: Arc<dyn ExecutionPlan>,
    schema: SchemaRef,
    props: Arc<PlanProperties>,
}

impl SeqExec {
    /// Numbers the rows of each task of `input`.
    pub fn new(input: Arc<dyn ExecutionPlan>) -> Arc<Self> {
        let mut fields: Vec<Field> = input
            .schema()
            .fields()
            .iter()
            .map(|f| f.as_ref().clone())
            .collect();
        fields.push(Field::new(SEQ, DataType::Int64, false));
        let schema = Arc::new(Schema::new(fields));
        let props = PlanProperties::new(
            EquivalenceProperties::new(schema.clone()),
            input.properties().partitioning.clone(),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Arc::new(SeqExec {
            input,
            schema,
            props: Arc::new(props),
        })
    }
}

impl DisplayAs for SeqExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SeqExec")
    }
}

impl ExecutionPlan for SeqExec {
    fn name(&self) -> &str {
        "SeqExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.props
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
        Ok(SeqExec::new(super::one_child(children, "SeqExec")?))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let schema = self.schema.clone();
        let mut next = (partition as i64) << 40;
        let out = schema.clone();
        let stream = input.map(move |batch| {
            let batch = batch?;
            let n = batch.num_rows() as i64;
            let seq: ArrayRef = Arc::new(Int64Array::from_iter_values(next..next + n));
            next += n;
            let mut cols = batch.columns().to_vec();
            cols.push(seq);
            Ok(RecordBatch::try_new(out.clone(), cols)?)
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{AsArray, Int32Array};
    use arrow::datatypes::Int64Type;
    use datafusion::physical_plan::test::TestMemoryExec;

    #[tokio::test]
    async fn numbers_rows_per_task_across_batches() {
        let schema = Arc::new(Schema::new(vec![Field::new("x", DataType::Int32, true)]));
        let batch = |v: Vec<i32>| {
            RecordBatch::try_new(schema.clone(), vec![Arc::new(Int32Array::from(v))]).unwrap()
        };
        let input = TestMemoryExec::try_new_exec(
            &[
                vec![batch(vec![1, 2]), batch(vec![3])],
                vec![batch(vec![4])],
            ],
            schema.clone(),
            None,
        )
        .unwrap();
        let seq = SeqExec::new(input);
        let parts =
            datafusion::physical_plan::collect_partitioned(seq, Arc::new(TaskContext::default()))
                .await
                .unwrap();
        let seqs: Vec<Vec<i64>> = parts
            .iter()
            .map(|p| {
                p.iter()
                    .flat_map(|b| b.column(1).as_primitive::<Int64Type>().values().to_vec())
                    .collect()
            })
            .collect();
        assert_eq!(seqs, vec![vec![0, 1, 2], vec![1 << 40]]);
    }
}
