//! Arbitrary bytes in arbitrary chunks under arbitrary limits, through `EventStream` with `Pending` before
//! every chunk: never a panic, and the same frames as the core decoding the whole input in one buffer, up to
//! and including the first error, then the end.

#![no_main]

mod input;
#[path = "../../sse-codec/tests/reference/mod.rs"]
mod reference;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use futures_core::Stream;
use input::Chunked;
use libfuzzer_sys::fuzz_target;
use reference::{Feed, decode_fed};
use sse_codec::Decoder;
use sse_codec_tokio::{Error, EventStream};

/// Chunks handed out one at a time, with a `Pending` before each one and before the end.
struct Pended {
    chunks: VecDeque<Bytes>,
    pend: bool,
}

impl Stream for Pended {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.pend = !self.pend;
        if self.pend {
            return Poll::Pending;
        }
        Poll::Ready(self.chunks.pop_front().map(Ok))
    }
}

fuzz_target!(|case: Chunked| {
    let limits = case.limits();
    let decoder = Decoder::with_limits(limits).read_in_place_from(usize::from(case.in_place_from));
    let mut expected = decode_fed(&mut Decoder::with_limits(limits), &case.input, &[], Feed::Appended);
    if let Some(first_error) = expected.iter().position(Result::is_err) {
        expected.truncate(first_error + 1);
    }

    let mut cuts = case.cuts();
    cuts.iter_mut().for_each(|cut| *cut = (*cut).min(case.input.len()));
    cuts.push(case.input.len());
    cuts.sort_unstable();
    let input = Bytes::from(case.input);
    let mut from = 0;
    let chunks = cuts.into_iter().map(|cut| input.slice(std::mem::replace(&mut from, cut)..cut)).collect();

    let mut frames = pin!(EventStream::with_decoder(Pended { chunks, pend: false }, decoder));
    let mut cx = Context::from_waker(Waker::noop());
    let mut got = Vec::new();
    loop {
        match frames.as_mut().poll_next(&mut cx) {
            Poll::Pending => continue,
            Poll::Ready(None) => break,
            Poll::Ready(Some(item)) => got.push(item.map_err(|error| match error {
                Error::Decode(error) => error,
                other => panic!("not a decode error: {other:?}"),
            })),
        }
    }
    assert_eq!(got, expected, "EventStream differs from the core on the whole input");
    assert!(matches!(frames.as_mut().poll_next(&mut cx), Poll::Ready(None)), "an item after the end");
});
