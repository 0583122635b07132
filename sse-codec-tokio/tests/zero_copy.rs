//! What the adapters copy: `EventStream` hands a chunk to the core as it is, so an event inside a chunk the
//! core reads in place shares the chunk's memory; `EventReader` and `SseCodec` cut events out of the buffer
//! they read into, without a further copy.
//!
//! These tests check `SseCodec` beside the other adapters, so they need feature `codec`, as the README's test
//! command (`--all-features`) gives them.
#![cfg(feature = "codec")]

mod common;

use std::ops::Range;

use bytes::Bytes;
use common::{ChunkedReader, Scripted};
use futures::StreamExt;
use futures::executor::block_on;
use sse_codec::{Event, Frame};
use sse_codec_tokio::{EventReader, EventStream, SseCodec};
use tokio_util::codec::FramedRead;

fn address_range(bytes: &Bytes) -> Range<usize> {
    let start = bytes.as_ptr() as usize;
    start..start + bytes.len()
}

fn events<E: std::fmt::Debug>(frames: Vec<Result<Frame, E>>) -> Vec<Event> {
    frames
        .into_iter()
        .filter_map(|frame| match frame.unwrap() {
            Frame::Event(event) => Some(event),
            _ => None,
        })
        .collect()
}

#[test]
fn event_stream_reads_a_chunk_in_place() {
    // A chunk that begins a stream is read in place (nothing is carried over to it), and so is a large one.
    let first = Bytes::from(b"data: one\n\ndata: two\n\ndata: thr".to_vec());
    let large = Bytes::from([&b"ee\n\n"[..], &b"data: four\n\n".repeat(2000)].concat());
    let chunks = [first.clone(), large.clone()].map(Ok::<_, std::io::Error>);
    let events = events(block_on(EventStream::new(Scripted::new(chunks)).collect()));
    assert_eq!(events.len(), 2003);
    for (i, event) in events.iter().enumerate() {
        let data = address_range(event.data());
        let within = |chunk: &Bytes| {
            let chunk = address_range(chunk);
            chunk.start <= data.start && data.end <= chunk.end
        };
        match i {
            0 | 1 => assert!(within(&first), "event {i} was copied out of the first chunk"),
            // The event that straddles the two chunks is put together in the carried-over buffer.
            2 => assert!(!within(&first) && !within(&large)),
            _ => assert!(within(&large), "event {i} was copied out of the large chunk"),
        }
    }
}

#[test]
fn event_reader_and_the_codec_cut_events_out_of_one_read_buffer() {
    let input = b"data: one\n\ndata: two\n\ndata: three\n\n";
    for events in [
        events(block_on(EventReader::new(ChunkedReader::new(input, &[])).collect())),
        events(block_on(FramedRead::new(ChunkedReader::new(input, &[]), SseCodec::new()).collect())),
    ] {
        let [one, two, three] = &events[..] else { panic!("three events: {events:?}") };
        // One after the other in the same buffer, each 11 bytes ("data: " and the blank line) past the last.
        let starts = [one, two, three].map(|event| event.data().as_ptr() as usize);
        assert_eq!([starts[1] - starts[0], starts[2] - starts[1]], [3 + 6 + 2, 3 + 6 + 2]);
    }
}
