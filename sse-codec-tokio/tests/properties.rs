//! Any input, cut into any chunks, through `EventStream`, `EventReader` and `FramedRead<_, SseCodec>` (with
//! `Pending` before every chunk, under small limits or the defaults), gives what the core gives for the whole
//! input in one buffer, up to and including the first error, and then the end.
//!
//! These tests check `SseCodec` beside the other adapters, so they need feature `codec`, as the README's test
//! command (`--all-features`) gives them.
#![cfg(feature = "codec")]

mod common;
#[path = "../../sse-codec/tests/strategy/mod.rs"]
mod strategy;

use common::{ChunkedReader, body, decoded, whole};
use futures::StreamExt;
use futures::executor::block_on;
use proptest::prelude::*;
use sse_codec::{Decoder, Limits};
use sse_codec_tokio::{EventReader, EventStream, SseCodec};
use tokio_util::codec::FramedRead;

/// A decoder with the default limits, or with small ones that random input breaks.
fn decoder() -> impl Strategy<Value = Decoder> {
    prop_oneof![
        Just(Decoder::new()),
        (1usize..40, 1usize..80)
            .prop_map(|(line, event)| Decoder::with_limits(Limits::default().max_line_len(line).max_event_len(event))),
        // Every chunk read in place, however small, so that the in-place path is taken through the adapter.
        Just(Decoder::new().read_in_place_from(0)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_adapter_gives_the_cores_frames_for_the_whole_input(
        input in strategy::stream(120, 300),
        cuts in prop::collection::vec(0usize..400, 0..16),
        decoder in decoder(),
    ) {
        let expected = whole(decoder.clone(), &input);

        let stream = EventStream::with_decoder(body(&input, &cuts), decoder.clone());
        prop_assert_eq!(&decoded(block_on(stream.collect())), &expected, "EventStream");

        let reader = EventReader::with_decoder(ChunkedReader::new(&input, &cuts), decoder.clone());
        prop_assert_eq!(&decoded(block_on(reader.collect())), &expected, "EventReader");

        let codec = FramedRead::new(ChunkedReader::new(&input, &cuts), SseCodec::with_decoder(decoder));
        prop_assert_eq!(&decoded(block_on(codec.collect())), &expected, "SseCodec");
    }
}
