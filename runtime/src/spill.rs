//! Bags that spill: a task's bags share one reservation of the memory pool; a bag whose
//! tuples no longer fit moves them to a temporary file of DataFusion's disk manager and goes
//! on growing there, as Pig's spillable bags do.
//!
//! A GROUP's reduce builds each group's bags with a [`BagBuilder`] (`ops::bags`), and so do
//! the nested FILTER, FOREACH, LIMIT and SAMPLE of a block (`eval`). The file holds the
//! tuples in order, each as a little-endian `u32` length and its [`codec`] encoding; it is
//! deleted when the last bag reading it is dropped. Spilled tuples count as the stage's
//! spilled records.

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

/// The file of a bag being spilled.
struct Spill {
    file: Arc<dyn SpillFile>,
    writer: BufWriter<Box<dyn SpillWriter>>,
    count: usize,
    buf: Vec<u8>,
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
        let Some(memory) = self.memory.clone() else {
            self.tuples.push(t);
            return Ok(());
        };
        let size = tuple_size(&t);
        self.tuples.push(t);
        if memory.reservation.try_grow(size).is_ok() {
            self.reserved += size;
            return Ok(());
        }
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
            None => {
                let file = memory
                    .context
                    .runtime_env()
                    .disk_manager
                    .create_tmp_file("pigrs bag")?;
                let writer = BufWriter::new(file.open_writer()?);
                self.spill.insert(Spill {
                    file,
                    writer,
                    count: 0,
                    buf: Vec::new(),
                })
            }
        };
        let n = self.tuples.len();
        for t in self.tuples.drain(..) {
            spill.buf.clear();
            codec::encode_tuple(&t, &mut spill.buf);
            let len = u32::try_from(spill.buf.len()).map_err(|_| {
                DataFusionError::ResourcesExhausted("a tuple of over 4 GiB in a bag".into())
            })?;
            spill.writer.write_all(&len.to_le_bytes())?;
            spill.writer.write_all(&spill.buf)?;
        }
        spill.count += n;
        memory.stats.add_spilled(n as u64);
        memory.reservation.shrink(self.reserved);
        self.reserved = 0;
        Ok(())
    }

    /// The bag.
    pub fn finish(mut self) -> DFResult<Bag> {
        let tuples = std::mem::take(&mut self.tuples);
        let Some(mut spill) = self.spill.take() else {
            // The bag's memory now belongs to whoever holds it.
            self.release();
            return Ok(Bag::from(tuples));
        };
        spill.writer.flush()?;
        let writer = spill.writer.get_mut();
        writer.finish()?;
        let path = spill.file.path().map(ToOwned::to_owned).ok_or_else(|| {
            DataFusionError::NotImplemented("bags spill to local temporary files only".into())
        })?;
        let on_disk = Arc::new(SpilledBag {
            _file: spill.file,
            path,
            count: spill.count,
        });
        self.release();
        Ok(Bag::with_spilled(on_disk, tuples))
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
