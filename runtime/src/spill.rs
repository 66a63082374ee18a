//! Bags that spill: a task's bags share one reservation of the memory pool; a bag whose
//! tuples no longer fit moves them to a temporary file of DataFusion's disk manager and goes
//! on growing there, as Pig's spillable bags do.
//!
//! A GROUP's reduce builds each group's bags with a [`BagBuilder`] (`ops::bags`), and so do
//! the nested FILTER, FOREACH, LIMIT and SAMPLE of a block (`eval`). The file holds the
//! tuples in order, each as a little-endian `u32` length and its [`codec`] encoding; it is
//! deleted when the last bag reading it is dropped. Spilled tuples count as the stage's
//! spilled records.

use std::cmp::Ordering;
use std::fmt;
use std::io::{BufReader, BufWriter, Read, Write};
use std::sync::Arc;

use datafusion::error::{DataFusionError, Result as DFResult};
use datafusion::execution::TaskContext;
use datafusion::execution::memory_pool::{MemoryConsumer, MemoryReservation};
use datafusion::execution::spill_file::{SpillFile, SpillWriter};
use pigrs_udf::{Bag, BagError, SpilledTuples, Tuple, Value, codec};

use crate::stats::StageStats;

/// The memory a task's bags share, and where they spill.
pub struct BagMemory {
    reservation: MemoryReservation,
    context: Arc<TaskContext>,
    stats: Arc<StageStats>,
}

impl fmt::Debug for BagMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BagMemory({} bytes)", self.reservation.size())
    }
}

impl BagMemory {
    /// The bags of task `partition`, reserving from the task context's pool (as a consumer
    /// that can spill, so the pool gives it a fair share); spills count in `stats`.
    pub fn new(context: Arc<TaskContext>, partition: usize, stats: Arc<StageStats>) -> Arc<Self> {
        let reservation = MemoryConsumer::new(format!("PigBags[{partition}]"))
            .with_can_spill(true)
            .register(context.memory_pool());
        Arc::new(BagMemory {
            reservation,
            context,
            stats,
        })
    }
}

/// A bag being built: its tuples in memory until the pool refuses more, then on disk.
pub struct BagBuilder {
    memory: Option<Arc<BagMemory>>,
    tuples: Vec<Tuple>,
    /// What `tuples` hold against the reservation.
    reserved: usize,
    spill: Option<Spill>,
}

/// A spill file being written: tuples in order.
struct Spill {
    file: Arc<dyn SpillFile>,
    writer: BufWriter<Box<dyn SpillWriter>>,
    count: usize,
    buf: Vec<u8>,
}

impl Spill {
    /// A new file of the task's disk manager.
    fn create(memory: &BagMemory) -> DFResult<Spill> {
        let file = memory
            .context
            .runtime_env()
            .disk_manager
            .create_tmp_file("pigrs bag")?;
        let writer = BufWriter::new(file.open_writer()?);
        Ok(Spill {
            file,
            writer,
            count: 0,
            buf: Vec::new(),
        })
    }

    /// Writes a tuple at the end.
    fn write(&mut self, t: &Tuple) -> DFResult<()> {
        self.buf.clear();
        codec::encode_tuple(t, &mut self.buf);
        let len = u32::try_from(self.buf.len()).map_err(|_| {
            DataFusionError::ResourcesExhausted("a tuple of over 4 GiB in a bag".into())
        })?;
        self.writer.write_all(&len.to_le_bytes())?;
        self.writer.write_all(&self.buf)?;
        self.count += 1;
        Ok(())
    }

    /// The tuples written, to read back.
    fn finish(mut self) -> DFResult<Arc<SpilledBag>> {
        self.writer.flush()?;
        self.writer.get_mut().finish()?;
        let path = self.file.path().map(ToOwned::to_owned).ok_or_else(|| {
            DataFusionError::NotImplemented("bags spill to local temporary files only".into())
        })?;
        Ok(Arc::new(SpilledBag {
            _file: self.file,
            path,
            count: self.count,
        }))
    }
}

impl BagBuilder {
    /// A bag whose memory counts against `memory` (`None`: held in memory, unaccounted, as
    /// for the small bags of a single row).
    pub fn new(memory: Option<Arc<BagMemory>>) -> Self {
        BagBuilder {
            memory,
            tuples: Vec::new(),
            reserved: 0,
            spill: None,
        }
    }

    /// Adds a tuple at the end; moves the bag's tuples to disk when the pool refuses the
    /// memory it needs.
    pub fn push(&mut self, t: Tuple) -> DFResult<()> {
        let Some(memory) = &self.memory else {
            self.tuples.push(t);
            return Ok(());
        };
        let size = tuple_size(&t);
        self.tuples.push(t);
        if memory.reservation.try_grow(size).is_ok() {
            self.reserved += size;
            return Ok(());
        }
        let memory = memory.clone();
        self.spill_tuples(&memory)
    }

    /// Adds each tuple of a bag, in order (a spilled one is read back as it goes).
    pub fn extend_from(&mut self, bag: &Bag) -> DFResult<()> {
        for t in bag.iter() {
            self.push(t.map_err(bag_err)?.into_owned())?;
        }
        Ok(())
    }

    /// How many tuples so far.
    pub fn len(&self) -> usize {
        self.spill.as_ref().map_or(0, |s| s.count) + self.tuples.len()
    }

    /// Whether no tuple was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn spill_tuples(&mut self, memory: &BagMemory) -> DFResult<()> {
        let spill = match &mut self.spill {
            Some(s) => s,
            None => self.spill.insert(Spill::create(memory)?),
        };
        let n = self.tuples.len();
        for t in self.tuples.drain(..) {
            spill.write(&t)?;
        }
        memory.stats.add_spilled(n as u64);
        memory.reservation.shrink(self.reserved);
        self.reserved = 0;
        Ok(())
    }

    /// The bag.
    pub fn finish(mut self) -> DFResult<Bag> {
        let tuples = std::mem::take(&mut self.tuples);
        // The bag's memory now belongs to whoever holds it.
        self.release();
        match self.spill.take() {
            Some(spill) => Ok(Bag::with_spilled(spill.finish()?, tuples)),
            None => Ok(Bag::from(tuples)),
        }
    }

    fn release(&mut self) {
        if let Some(m) = &self.memory {
            m.reservation.shrink(self.reserved);
        }
        self.reserved = 0;
    }
}

impl Drop for BagBuilder {
    fn drop(&mut self) {
        self.release();
    }
}

/// A bag's tuples in a spill file.
struct SpilledBag {
    /// Keeps the file until the last bag reading it is gone.
    _file: Arc<dyn SpillFile>,
    path: std::path::PathBuf,
    count: usize,
}

impl fmt::Debug for SpilledBag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SpilledBag({} tuples at {})",
            self.count,
            self.path.display()
        )
    }
}

impl SpilledTuples for SpilledBag {
    fn len(&self) -> usize {
        self.count
    }

    fn read(&self) -> Result<Box<dyn Iterator<Item = Result<Tuple, BagError>> + '_>, BagError> {
        let file = std::fs::File::open(&self.path)
            .map_err(|e| BagError(format!("{}: {e}", self.path.display())))?;
        let mut reader = BufReader::with_capacity(64 << 10, file);
        let mut left = self.count;
        let mut buf = Vec::new();
        Ok(Box::new(std::iter::from_fn(move || {
            if left == 0 {
                return None;
            }
            left -= 1;
            let mut len = [0u8; 4];
            let read = reader.read_exact(&mut len).and_then(|()| {
                buf.resize(u32::from_le_bytes(len) as usize, 0);
                reader.read_exact(&mut buf)
            });
            let tuple = match read {
                Ok(()) => match codec::decode(&buf) {
                    Ok(Value::Tuple(t)) => Ok(*t),
                    Ok(_) => Err("not a tuple".to_string()),
                    Err(e) => Err(e.to_string()),
                },
                Err(e) => Err(e.to_string()),
            };
            if tuple.is_err() {
                left = 0;
            }
            Some(tuple.map_err(|e| BagError(format!("{}: {e}", self.path.display()))))
        })))
    }
}

/// The tuples of `input` sorted by `cmp` (stably: equal tuples keep their order), each
/// run of equal ones kept once when `dedup`, as a bag. They are sorted in memory while the
/// task's bag memory allows; beyond it, each memory-full is sorted and written to disk as a
/// run, and the runs are merged as they are read back, into a bag that spills in turn (a
/// nested ORDER or DISTINCT of a bag larger than memory, as Pig's sorted and distinct bags
/// do). The first `strip` fields of each tuple (sort keys carried in front of it) are
/// compared but left out of the bag.
pub fn sort_tuples(
    input: impl Iterator<Item = DFResult<Tuple>>,
    memory: &Arc<BagMemory>,
    cmp: &dyn Fn(&Tuple, &Tuple) -> Ordering,
    dedup: bool,
    strip: usize,
) -> DFResult<Bag> {
    let mut chunk: Vec<Tuple> = Vec::new();
    let mut reserved = 0;
    let mut runs: Vec<Arc<SpilledBag>> = Vec::new();
    let sort = |chunk: &mut Vec<Tuple>| {
        chunk.sort_by(|a, b| cmp(a, b));
        if dedup {
            chunk.dedup_by(|a, b| cmp(a, b) == Ordering::Equal);
        }
    };
    let result: DFResult<()> = (|| {
        for t in input {
            let t = t?;
            let size = tuple_size(&t);
            chunk.push(t);
            if memory.reservation.try_grow(size).is_ok() {
                reserved += size;
                continue;
            }
            sort(&mut chunk);
            let mut run = Spill::create(memory)?;
            for t in &chunk {
                run.write(t)?;
            }
            memory.stats.add_spilled(chunk.len() as u64);
            runs.push(run.finish()?);
            chunk.clear();
            memory.reservation.shrink(reserved);
            reserved = 0;
        }
        sort(&mut chunk);
        Ok(())
    })();
    memory.reservation.shrink(reserved);
    result?;
    if runs.is_empty() {
        for t in &mut chunk {
            t.drain(..strip.min(t.len()));
        }
        return Ok(Bag::from(chunk));
    }
    // The runs in input order, then the tuples still in memory: ties go to the earlier.
    let mut sources: Vec<Box<dyn Iterator<Item = DFResult<Tuple>> + '_>> = runs
        .iter()
        .map(
            |r| -> DFResult<Box<dyn Iterator<Item = DFResult<Tuple>> + '_>> {
                Ok(Box::new(
                    r.read().map_err(bag_err)?.map(|t| t.map_err(bag_err)),
                ))
            },
        )
        .collect::<DFResult<_>>()?;
    sources.push(Box::new(chunk.into_iter().map(Ok)));
    let mut heads: Vec<Option<Tuple>> = Vec::with_capacity(sources.len());
    for s in &mut sources {
        heads.push(s.next().transpose()?);
    }
    let mut out = BagBuilder::new(Some(memory.clone()));
    let mut last: Option<Tuple> = None;
    loop {
        // The smallest head, the earliest source among equals (runs are few: a scan).
        let mut best: Option<usize> = None;
        for (i, h) in heads.iter().enumerate() {
            if let Some(t) = h
                && best.is_none_or(|b| {
                    heads[b]
                        .as_ref()
                        .is_some_and(|bt| cmp(t, bt) == Ordering::Less)
                })
            {
                best = Some(i);
            }
        }
        let Some(i) = best else {
            break;
        };
        let next = sources[i].next().transpose()?;
        let Some(t) = std::mem::replace(&mut heads[i], next) else {
            break;
        };
        if dedup {
            if last.as_ref().is_some_and(|l| cmp(l, &t) == Ordering::Equal) {
                continue;
            }
            last = Some(t.clone());
        }
        let mut t = t;
        t.drain(..strip.min(t.len()));
        out.push(t)?;
    }
    out.finish()
}

/// A bag's read failure as the task's error.
pub fn bag_err(e: BagError) -> DataFusionError {
    DataFusionError::External(Box::new(e))
}

/// About how many bytes a tuple takes in memory (its values and what they point to).
pub fn tuple_size(t: &Tuple) -> usize {
    std::mem::size_of::<Tuple>() + t.iter().map(value_size).sum::<usize>()
}

fn value_size(v: &Value) -> usize {
    std::mem::size_of::<Value>()
        + match v {
            Value::Chararray(s) => s.capacity(),
            Value::Bytearray(b) => b.capacity(),
            Value::BigInteger(_) | Value::BigDecimal(_) => 32,
            Value::Tuple(t) => tuple_size(t),
            Value::Bag(b) => b.in_memory().iter().map(tuple_size).sum::<usize>() + 48,
            Value::Map(m) => m
                .iter()
                .map(|(k, v)| k.capacity() + value_size(v) + 24)
                .sum::<usize>(),
            _ => 0,
        }
}

#[cfg(test)]
mod tests {
    use datafusion::execution::memory_pool::FairSpillPool;
    use datafusion::execution::runtime_env::RuntimeEnvBuilder;

    use super::*;

    /// Bag memory of a 64 KiB pool: a few hundred tuples.
    fn small_memory() -> (Arc<BagMemory>, Arc<StageStats>) {
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_pool(Arc::new(FairSpillPool::new(64 << 10)))
            .build_arc()
            .expect("runtime");
        let context = Arc::new(TaskContext::default().with_runtime(runtime));
        let stats = Arc::new(StageStats::detached());
        (BagMemory::new(context, 0, stats.clone()), stats)
    }

    /// (key, position) tuples with many equal keys.
    fn tuples(n: i64) -> Vec<Tuple> {
        let mut x: u64 = 99;
        (0..n)
            .map(|i| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                vec![Value::Long(((x >> 33) % 50) as i64), Value::Long(i)]
            })
            .collect()
    }

    fn by_key(a: &Tuple, b: &Tuple) -> Ordering {
        pigrs_udf::value::compare(&a[0], &b[0])
    }

    fn read(bag: &Bag) -> Vec<Tuple> {
        bag.iter().map(|t| t.expect("read").into_owned()).collect()
    }

    #[test]
    fn a_bag_builder_spills_beyond_its_share_and_keeps_the_order() {
        let (memory, stats) = small_memory();
        let mut b = BagBuilder::new(Some(memory));
        let input = tuples(5000);
        for t in &input {
            b.push(t.clone()).expect("push");
        }
        assert_eq!(b.len(), 5000);
        let bag = b.finish().expect("finish");
        assert!(bag.is_spilled());
        assert!(stats.spilled() > 0);
        assert_eq!(read(&bag), input);
    }

    #[test]
    fn an_external_sort_is_stable_like_the_sort_in_memory() {
        let (memory, stats) = small_memory();
        let input = tuples(5000);
        let bag = sort_tuples(
            input.clone().into_iter().map(Ok),
            &memory,
            &by_key,
            false,
            0,
        )
        .expect("sort");
        assert!(stats.spilled() > 0, "the runs went to disk");
        let mut want = input;
        want.sort_by(by_key);
        assert_eq!(read(&bag), want);
    }

    #[test]
    fn an_external_distinct_keeps_the_first_of_each_run_of_equals() {
        let (memory, _) = small_memory();
        let input = tuples(5000);
        let bag = sort_tuples(input.clone().into_iter().map(Ok), &memory, &by_key, true, 0)
            .expect("distinct");
        let mut want = input;
        want.sort_by(by_key);
        want.dedup_by(|a, b| by_key(a, b) == Ordering::Equal);
        assert_eq!(want.len(), 50);
        assert_eq!(read(&bag), want);
    }

    #[test]
    fn a_failed_read_stops_the_sort_with_its_error() {
        let (memory, _) = small_memory();
        let input =
            tuples(10)
                .into_iter()
                .map(Ok)
                .chain(std::iter::once(Err(DataFusionError::Execution(
                    "disk".into(),
                ))));
        assert!(sort_tuples(input, &memory, &by_key, false, 0).is_err());
    }
}
