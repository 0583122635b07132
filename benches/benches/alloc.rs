//! Heap allocations per event: decodes the `llm` corpus in 1460-byte chunks with our decoder, our Tokio
//! adapters and each peer, each event read in both modes (its data's length; its type, ID and data as text),
//! and encodes the `notify` and `llm` events from the caller's strings with our encoder (borrowed and owned)
//! and each peer (see `sse_codec_benches::strings`), under a global allocator that counts, and prints Markdown
//! tables. No timing, so no criterion.
//!
//! Only the decoding or encoding is counted: the corpus, its chunk list or its strings, and an output buffer
//! with room for the whole stream, are made before the counters are read.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use bytes::Bytes;
use sse_codec_benches::adapters::ADAPTERS;
use sse_codec_benches::encode::{self, Output};
use sse_codec_benches::peers::PEERS;
use sse_codec_benches::strings::{self, STRING_ENCODERS};
use sse_codec_benches::{
    APPENDED, CORPUS_LEN, Decode, LENT, OURS, READINGS, Reading, decode, decode_appended, decode_lent, llm, split,
};

/// The system allocator, counting calls and bytes.
struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);
static REALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is passed on unchanged to `System`, which upholds the contract; the counters are atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(layout.size() as u64, Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        REALLOCS.fetch_add(1, Relaxed);
        BYTES.fetch_add(new_size.saturating_sub(layout.size()) as u64, Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations, reallocations and bytes allocated (a reallocation counts its growth) while `f` runs.
fn counted<T>(f: impl FnOnce() -> T) -> (T, [u64; 3]) {
    let before = [ALLOCS.load(Relaxed), REALLOCS.load(Relaxed), BYTES.load(Relaxed)];
    let result = f();
    let after = [ALLOCS.load(Relaxed), REALLOCS.load(Relaxed), BYTES.load(Relaxed)];
    (result, [0, 1, 2].map(|i| after[i] - before[i]))
}

const CHUNK: usize = 1460;

fn main() {
    let input = Bytes::from(llm(CORPUS_LEN));
    let chunks = split(&input, Some(CHUNK));
    for &(mode, reading) in READINGS {
        table(&input, &chunks, mode, reading);
    }
    for corpus in ["notify", "llm"] {
        encode_table(corpus);
    }
}

/// The table for one reading mode.
fn table(input: &Bytes, chunks: &[Bytes], mode: &str, reading: Reading) {
    let expected = decode(chunks.to_vec(), reading).expect("our decoder decodes the corpus");
    println!(
        "\nHeap allocations decoding `llm` ({} KiB, {} events) in {CHUNK}-byte chunks, `{mode}` mode:\n",
        input.len() >> 10,
        expected.events
    );
    println!("| decoder | allocations | per event | reallocations | per event | bytes allocated per event |");
    println!("|---|--:|--:|--:|--:|--:|");
    let ours: [(&str, Decode); 3] = [(OURS, decode), (APPENDED, decode_appended), (LENT, decode_lent)];
    let all: Vec<(&str, Decode)> =
        ours.into_iter().chain(ADAPTERS.iter().copied()).chain(PEERS.iter().copied()).collect();
    for (name, decoder) in all {
        let owned = chunks.to_vec();
        let (counts, [allocs, reallocs, bytes]) = counted(|| decoder(owned, reading));
        let per_event = |n: u64| n as f64 / expected.events as f64;
        let caveat = match counts {
            Ok(counts) if counts.agrees_with(&expected) => String::new(),
            Ok(counts) => format!(" (decodes wrongly: {counts})"),
            Err(e) => format!(" (failed: {e})"),
        };
        println!(
            "| {name}{caveat} | {allocs} | {:.2} | {reallocs} | {:.2} | {:.0} |",
            per_event(allocs),
            per_event(reallocs),
            per_event(bytes)
        );
    }
}

/// The allocations of every encoder from strings on the events of `corpus`.
fn encode_table(corpus: &str) {
    let generate = encode::CORPORA.iter().find(|(name, _)| *name == corpus).expect("a corpus").1;
    let events = encode::events_of(&generate(CORPUS_LEN)).expect("our decoder reads every corpus");
    let fields = strings::fields_of(&events).expect("text");
    let len = encode::encoded(&events).len();
    println!(
        "\nHeap allocations encoding `{corpus}` ({} events) from strings, into a buffer with room for all:\n",
        events.len()
    );
    println!("| encoder | allocations | per event | reallocations | bytes allocated per event |");
    println!("|---|--:|--:|--:|--:|");
    for &(name, encoder) in STRING_ENCODERS {
        // Twice the stream's length: room for every encoder's output, so the buffer never grows while counted.
        let mut out = Output { buf: bytes::BytesMut::with_capacity(2 * len), frames: Vec::with_capacity(events.len()) };
        let (result, [allocs, reallocs, bytes]) = counted(|| encoder(&fields, &mut out));
        let caveat = result.err().map(|e| format!(" (failed: {e})")).unwrap_or_default();
        let per_event = |n: u64| n as f64 / events.len() as f64;
        println!("| {name}{caveat} | {allocs} | {:.2} | {reallocs} | {:.0} |", per_event(allocs), per_event(bytes));
    }
}
