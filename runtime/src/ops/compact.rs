//! `CompactExec`: gives each batch's chararray columns buffers of their own strings, before
//! an operator that holds on to batches (a sort, a join's build side).
//!
//! A chararray column is a `Utf8View` whose long strings are views into buffers shared with
//! the column it came from: a FILTER's or a shuffle's output points into the scan's buffers,
//! most of which it no longer uses. Streaming through, that costs nothing. Held by a sort,
//! each batch keeps all of those buffers alive and is charged for them in the memory pool, so
//! a sort after a selective FILTER, or the two halves of a batch split by a shuffle, would
//! hold and be charged for far more than their rows. This operator copies a column's strings
//! into a compact buffer when its buffers hold more than a quarter more than it uses, and
//! passes every other column through.
//!
//! ```text
//! SortExec: expr=[k@0 ASC], preserve_partitioning=[true]
//!   CompactExec
//!     RepartitionExec: partitioning=Hash([k@0], 2), input_partitions=2
//! ```

use std::fmt;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, GenericByteViewArray};
use arrow::datatypes::{ByteViewType, DataType};
use arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::error::Result as DFResult;
use datafusion::execution::TaskContext;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PhysicalExpr, PlanProperties,
    SendableRecordBatchStream,
};
use futures::StreamExt;

/// Passes its input through, with sparse view columns compacted.
#[derive(Debug)]
pub struct CompactExec {
    input: Arc<dyn ExecutionPlan>,
}

impl CompactExec {
    /// Compacts `input`'s batches.
    pub fn new(input: Arc<dyn ExecutionPlan>) -> Arc<Self> {
        Arc::new(CompactExec { input })
    }
}

/// `batch` with each sparse view column compacted (the same batch when none is).
pub fn compact(batch: RecordBatch) -> DFResult<RecordBatch> {
    let mut columns: Option<Vec<ArrayRef>> = None;
    for (i, c) in batch.columns().iter().enumerate() {
        let compacted = match c.data_type() {
            DataType::Utf8View => compacted(c.as_string_view()),
            DataType::BinaryView => compacted(c.as_binary_view()),
            _ => None,
        };
        if let Some(new) = compacted {
            columns.get_or_insert_with(|| batch.columns().to_vec())[i] = new;
        }
    }
    Ok(match columns {
        Some(columns) => RecordBatch::try_new(batch.schema(), columns)?,
        None => batch,
    })
}

/// The array with its strings in one compact buffer, when its buffers hold more than a
/// quarter more bytes than its views use. A buffer is counted at its capacity, as the
/// memory pool charges it: arrow's batch coalescer copies strings into blocks that grow to
/// megabytes and may be half empty.
fn compacted<T: ByteViewType>(a: &GenericByteViewArray<T>) -> Option<ArrayRef> {
    let held: usize = a.data_buffers().iter().map(|b| b.capacity()).sum();
    if held == 0 {
        return None;
    }
    let used = a.total_buffer_bytes_used();
    (held > used + used / 4).then(|| Arc::new(a.gc()) as ArrayRef)
}

impl DisplayAs for CompactExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CompactExec")
    }
}

impl ExecutionPlan for CompactExec {
    fn name(&self) -> &str {
        "CompactExec"
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
        Ok(CompactExec::new(super::one_child(children, "CompactExec")?))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> DFResult<SendableRecordBatchStream> {
        let input = self.input.execute(partition, context)?;
        let schema = input.schema();
        let stream = input.map(|batch| compact(batch?));
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, stream)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{StringViewArray, UInt32Array};
    use arrow::compute::take;
    use arrow::datatypes::{Field, Schema};

    fn long(i: usize) -> String {
        format!("a string longer than a view holds, number {i}")
    }

    fn batch(strings: ArrayRef) -> RecordBatch {
        let schema = Arc::new(Schema::new(vec![Field::new("s", DataType::Utf8View, true)]));
        RecordBatch::try_new(schema, vec![strings]).unwrap()
    }

    #[test]
    fn a_sparse_column_gets_its_own_buffer_and_keeps_its_values() {
        let all: StringViewArray = (0..1000).map(|i| Some(long(i))).collect();
        let some = take(&all, &UInt32Array::from(vec![3, 500, 999]), None).unwrap();
        let held = |b: &RecordBatch| -> usize {
            b.column(0)
                .as_string_view()
                .data_buffers()
                .iter()
                .map(|b| b.len())
                .sum()
        };
        let before = batch(some);
        let after = compact(before.clone()).unwrap();
        assert!(held(&after) < held(&before) / 100);
        assert_eq!(after, before);
    }

    #[test]
    fn a_dense_column_is_passed_through() {
        let all: StringViewArray = (0..100).map(|i| (i % 7 != 0).then(|| long(i))).collect();
        // Exactly as large as its strings.
        let before = batch(Arc::new(all.gc()));
        let after = compact(before.clone()).unwrap();
        assert!(Arc::ptr_eq(before.column(0), after.column(0)));
    }
}
