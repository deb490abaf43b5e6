//! The streaming pipeline of `assess --jsonl` and `assess --csv`: records
//! in, one output per record out, in input order, using every core, in
//! memory bounded by bytes, and with bounded latency.
//!
//! A [`Source`] splits the input into records (lines, CSV rows), on one
//! thread at a time; an [`Assess`] turns each into its output, on any core.
//! Records are read in chunks. The records of a chunk are assessed in
//! parallel, a few at a time, each batch into one buffer, while the next
//! chunk is read; the buffers go in input order to a writer thread, which
//! writes each straight to stdout while the next chunk is assessed, then
//! hands the emptied buffers back to be filled again.
//!
//! What bounds what:
//! - **Memory.** A chunk ends at [`MAX_CHUNK_RECORDS`] records, at
//!   [`CHUNK_INPUT`] bytes of input, or when the output of the records
//!   before it suggests it would pass [`CHUNK_OUTPUT`] bytes of output. A
//!   record's input is at most the `max_record` bytes the source was made
//!   with. The output of one chunk is held to [`OUTPUT_LIMIT`] bytes per
//!   core plus one record each: past that, no record is started, the
//!   records assessed in order so far are written, and the rest wait for
//!   the next round, ahead of the records read meanwhile (so a chunk
//!   holds at most twice [`MAX_CHUNK_RECORDS`]). At most four chunks are
//!   alive at once (being read, being assessed, waiting, being written),
//!   whatever the length of the input or the size of a report.
//! - **Latency.** A chunk also ends when the source holds no complete
//!   record that it could read without waiting for more input, so that a
//!   program writing one record and waiting for its answer gets it at once.
//!   (A regular file never waits on a program, so its chunks are full.)
//!   The next chunk is read ahead only as far as records are waiting, so
//!   reading ahead never holds back the output of the chunk before.
//!   Every batch ends with a newline, so stdout's line buffering passes it
//!   through to the output in one write, without copying it.
//! - **Throughput.** Batches hold about [`BATCH_OUTPUT`] bytes of output,
//!   so that each write is large and each parallel task worth its cost,
//!   whether records give 14 kB reports or 100-byte rows. Buffers are
//!   reused rather than allocated again for every chunk.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;
use selfcheck::limits;
use selfcheck::{Error, ErrorKind};

use super::{output, Failure};

/// The error for a record (`what`: "the line", "the row") of more than
/// `max` bytes: the limit of answers documents (see [`limits`]).
pub fn too_long(what: &str, max: usize) -> Error {
    limits::too_large(what, u64::try_from(max).unwrap_or(u64::MAX), super::assess::RAISE_DOCUMENT_LIMIT)
}

/// At most this many records per chunk...
const MAX_CHUNK_RECORDS: usize = 4096;
/// ...and at most about this many bytes of input...
const CHUNK_INPUT: usize = 1 << 20;
/// ...and about this many bytes of output, as far as the records before
/// can tell.
const CHUNK_OUTPUT: usize = 1 << 20;
/// What each core may write into one chunk's buffers before it stops
/// starting records (it always finishes the one it is on).
const OUTPUT_LIMIT: usize = 2 << 20;
/// About this many bytes of output per batch...
const BATCH_OUTPUT: usize = 64 << 10;
/// ...in at most this many records.
const MAX_BATCH_RECORDS: usize = 256;
/// What the first chunk assumes a record gives, before any was assessed: a
/// report's size, so that the first chunk of large reports is small.
const FIRST_ESTIMATE: usize = 16 << 10;
/// A batch buffer that grew past this is freed rather than kept.
const KEEP_BATCH: usize = 4 * BATCH_OUTPUT;

/// The records of an input, read one at a time, on one thread at a time.
pub trait Source {
    type Record: Default + Send + Sync;

    /// Reads the next record into `record`, reusing its buffers. Returns
    /// the number of input bytes it took, or `None` at the end of the
    /// input.
    fn read(&mut self, record: &mut Self::Record) -> io::Result<Option<usize>>;

    /// Whether a whole record is already waiting, so that reading it will
    /// not wait for more input.
    fn has_waiting(&self) -> bool;
}

/// What a record becomes: assessed on any core.
pub trait Assess: Sync {
    type Record: Sync;

    /// What a record is called, in one and in many ("row", "rows"), for
    /// the line on stderr that counts the bad ones at the end...
    const RECORD: (&'static str, &'static str);

    /// ...and where their errors are written.
    fn errors(&self) -> &'static str;

    /// Appends the outputs of the first records of `records` (at least
    /// one: as many as are best assessed together), the first numbered
    /// `first` (counted from 1), to `out`, each ending with a newline.
    /// Returns how many it assessed, and how many of those were bad; fails
    /// only on a bug.
    fn assess(&self, first: usize, records: &[Self::Record], out: &mut Vec<u8>) -> Result<Assessed, Failure>;
}

/// What [`Assess::assess`] did: how many records it assessed, and how
/// many of those were bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assessed {
    pub records: usize,
    pub bad: usize,
}

/// The output of a few consecutive records.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    /// How many of its records were assessed: all of them, unless the
    /// chunk reached its output limit first.
    done: usize,
    /// How many of those were bad.
    bad: usize,
}

/// Assesses every record of `source` (called `name` in errors) with
/// `assessor` and writes the outputs to stdout, in order. Fails after the
/// last record if any record was bad, with a line that counts them: their
/// errors are in the output, and a long run's bad records are easily
/// missed there.
pub fn run<S, A>(source: &mut S, name: &str, assessor: &A) -> Result<(), Failure>
where
    S: Source + Send,
    A: Assess<Record = S::Record>,
{
    // Room for one chunk between the assessing and the writing thread; the
    // written chunks come back empty.
    let (sender, receiver) = mpsc::sync_channel::<Vec<Batch>>(1);
    let (give_back, given_back) = mpsc::channel::<Vec<Batch>>();
    let (assessed, written) = std::thread::scope(|scope| {
        let writer = scope.spawn(move || write(receiver, give_back));
        let assessed = assess_chunks(source, name, assessor, &sender, &given_back);
        drop(sender);
        (assessed, writer.join())
    });
    // A failed write is why assessing stopped early, so it is reported
    // first; what was written before a read error is correct output.
    written
        .map_err(|_| Failure::Internal(String::from("the output thread stopped")))?
        .map_err(output::stdout_failure)?;
    let (bad, records) = assessed?;
    if bad == 0 {
        return Ok(());
    }
    let (one, many) = A::RECORD;
    let noun = if records == 1 { one } else { many };
    Err(Failure::Input(format!(
        "{name}: {bad} of {records} {noun} could not be assessed; {}",
        assessor.errors()
    )))
}

/// Reads, assesses and sends every chunk, into the buffers of chunks
/// `given_back` when there are any; returns how many records were bad, of
/// how many.
/// Stops early when the writer has gone (its error says why).
///
/// The next chunk is read while this one is assessed (only records already
/// waiting, so that reading never holds back this chunk's output): reading
/// is the one part that cannot be shared between cores, and this way it
/// takes a core's time only while the other core has records to assess.
fn assess_chunks<S, A>(
    source: &mut S,
    name: &str,
    assessor: &A,
    sender: &mpsc::SyncSender<Vec<Batch>>,
    given_back: &mpsc::Receiver<Vec<Batch>>,
) -> Result<(usize, usize), Failure>
where
    S: Source + Send,
    A: Assess<Record = S::Record>,
{
    let read_error = |e: io::Error| Error::new(ErrorKind::Io, format!("cannot read: {e}")).with_file(name);
    // Records read but not yet written, the first numbered `next`...
    let mut chunk = Held::default();
    let mut next = 1usize;
    // ...and those read after them while they were assessed.
    let mut ahead = Held::default();
    let mut at_end = false;
    let mut bad = 0;
    // Output bytes per record, from the last chunk.
    let mut estimate = FIRST_ESTIMATE;
    loop {
        let wanted = (CHUNK_OUTPUT / estimate).clamp(1, MAX_CHUNK_RECORDS);
        chunk.take_all(&mut ahead);
        if !at_end {
            at_end = chunk.fill(source, wanted, true).map_err(read_error)?;
        }
        if chunk.held == 0 {
            return Ok((bad, next - 1));
        }

        let per_batch = (BATCH_OUTPUT / estimate).clamp(1, MAX_BATCH_RECORDS);
        let mut batches = given_back.try_recv().unwrap_or_default();
        batches.resize_with(chunk.held.div_ceil(per_batch), Batch::default);
        let written = AtomicUsize::new(0);
        let held = chunk.held;
        let records = &chunk.records[..held];
        let (assessed, read) = rayon::join(
            || {
                records.par_chunks(per_batch).zip(batches.par_iter_mut()).enumerate().try_for_each(
                    |(b, (batch_records, batch))| {
                        assess_batch(next + b * per_batch, b == 0, batch_records, assessor, batch, &written)
                    },
                )
            },
            // Whatever this chunk leaves over, the next holds at most
            // twice the records of a chunk.
            || {
                if at_end {
                    Ok(true)
                } else {
                    ahead.fill(source, wanted.min(2 * MAX_CHUNK_RECORDS - held), false)
                }
            },
        );
        assessed?;

        // Send the records assessed in order, up to the first that was
        // not; the others are assessed again next round.
        let mut done = 0;
        let mut sent = 0;
        for batch in &batches {
            done += batch.done;
            sent += 1;
            if batch.done < per_batch {
                break;
            }
        }
        batches.truncate(sent);
        let bytes: usize = batches.iter().map(|batch| batch.bytes.len()).sum();
        estimate = (bytes / done).max(1);
        bad += batches.iter().map(|batch| batch.bad).sum::<usize>();
        if sender.send(batches).is_err() {
            return Ok((bad, next - 1 + done));
        }
        chunk.drop_first(done);
        next += done;
        // What was written before a read error is correct output.
        at_end = read.map_err(read_error)?;
    }
}

/// Records read: `records[..held]`; the slots after them keep their
/// buffers to be read into again.
struct Held<R> {
    records: Vec<R>,
    held: usize,
}

impl<R> Default for Held<R> {
    fn default() -> Self {
        Held { records: Vec::new(), held: 0 }
    }
}

impl<R: Default> Held<R> {
    /// Reads records from `source` until `wanted` are held, about
    /// [`CHUNK_INPUT`] bytes were read, or no whole record is waiting; when
    /// `wait` and none is held, the first is waited for. Returns whether
    /// the input has ended.
    fn fill<S: Source<Record = R>>(&mut self, source: &mut S, wanted: usize, wait: bool) -> io::Result<bool> {
        let mut input = 0;
        while self.held < wanted && input < CHUNK_INPUT && ((wait && self.held == 0) || source.has_waiting())
        {
            if self.records.len() == self.held {
                self.records.push(R::default());
            }
            match source.read(&mut self.records[self.held])? {
                Some(bytes) => {
                    input += bytes;
                    self.held += 1;
                }
                None => return Ok(true),
            }
        }
        Ok(false)
    }

    /// Moves every record `other` holds after those held here, in order
    /// (swapping slots, so that buffers stay in use).
    fn take_all(&mut self, other: &mut Held<R>) {
        for slot in &mut other.records[..other.held] {
            if self.records.len() == self.held {
                self.records.push(R::default());
            }
            std::mem::swap(&mut self.records[self.held], slot);
            self.held += 1;
        }
        other.held = 0;
    }

    /// Lets go of the first `count` records held.
    fn drop_first(&mut self, count: usize) {
        self.records[..self.held].rotate_left(count);
        self.held -= count;
    }
}

/// Fills `batch` with the outputs of consecutive records, the first
/// numbered `first`, until the chunk's output reaches its limit (the first
/// record of a chunk is always assessed, so that every round makes
/// progress).
fn assess_batch<A: Assess>(
    first: usize,
    starts_chunk: bool,
    records: &[A::Record],
    assessor: &A,
    batch: &mut Batch,
    written: &AtomicUsize,
) -> Result<(), Failure> {
    if batch.bytes.capacity() > KEEP_BATCH {
        batch.bytes = Vec::new();
    }
    batch.bytes.clear();
    batch.bad = 0;
    batch.done = 0;
    while batch.done < records.len() {
        let full = batch.bytes.len() + written.load(Ordering::Relaxed) >= OUTPUT_LIMIT;
        if full && !(starts_chunk && batch.done == 0) {
            break;
        }
        let assessed = assessor.assess(first + batch.done, &records[batch.done..], &mut batch.bytes)?;
        if assessed.records == 0 {
            return Err(Failure::Internal(String::from("a record was left unassessed")));
        }
        batch.bad += assessed.bad;
        batch.done += assessed.records;
    }
    written.fetch_add(batch.bytes.len(), Ordering::Relaxed);
    Ok(())
}

/// Writes every batch it receives, in order, and gives each chunk back.
fn write(receiver: mpsc::Receiver<Vec<Batch>>, give_back: mpsc::Sender<Vec<Batch>>) -> io::Result<()> {
    use std::io::Write;
    let mut out = io::stdout().lock();
    for batches in receiver {
        for batch in &batches {
            out.write_all(&batch.bytes)?;
        }
        // The assessing side may have finished and gone.
        let _ = give_back.send(batches);
    }
    out.flush()
}
