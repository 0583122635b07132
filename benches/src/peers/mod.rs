//! The peers: other SSE decoders and encoders on crates.io, each driven the way its documentation has a
//! caller drive it, the decoders behind the one [`Decode`] signature ([`PEERS`]), the encoders behind the one
//! [`Prepare`] signature ([`ENCODERS`]; see [`encode`](crate::encode) for what is timed). Versions are
//! pinned exactly in `Cargo.toml`.
//!
//! Stream-only peers read a `futures::stream::iter` over the borrowed chunks, polled in place with a no-op
//! waker (the source never pends), so no executor's cost is measured.
//!
//! Every harness, ours included, counts each item where it lies ([`Counts::count`](crate::Counts::count)):
//! a codec through [`drive_codec`](crate::drive_codec), a stream through `poll::count_stream`.

use crate::Decode;
use crate::encode::Prepare;

mod async_sse;
mod axum;
mod eventsource_stream;
mod eventsrc;
pub(crate) mod poll;
mod russe;
mod sse_codec_0_3;
mod sse_core;
mod sse_stream;
pub mod strings;

pub use self::async_sse::decode_async_sse;
pub use self::axum::prepare_axum;
pub use self::eventsource_stream::decode_eventsource_stream;
pub use self::eventsrc::decode_eventsrc;
pub use self::russe::{decode_russe, prepare_russe};
pub use self::sse_codec_0_3::{decode_sse_codec_0_3, prepare_sse_codec_0_3};
pub use self::sse_core::decode_sse_core;
pub use self::sse_stream::{decode_sse_stream, prepare_sse_stream};

/// Every peer decoder with its benchmark id (the crate's name; the crates.io `sse-codec` carries its version
/// so it is not taken for ours).
pub const PEERS: &[(&str, Decode)] = &[
    ("sse-core", decode_sse_core),
    ("sse-stream", decode_sse_stream),
    ("eventsrc", decode_eventsrc),
    ("eventsource-stream", decode_eventsource_stream),
    ("async-sse", decode_async_sse),
    ("sse-codec-0.3.3", decode_sse_codec_0_3),
    ("russe", decode_russe),
];

/// Every peer encoder with its benchmark id (a crate that also decodes keeps its decoder's id, so both
/// directions share its column in the report).
pub const ENCODERS: &[(&str, Prepare)] = &[
    ("sse-stream", prepare_sse_stream),
    ("sse-codec-0.3.3", prepare_sse_codec_0_3),
    ("russe", prepare_russe),
    ("axum", prepare_axum),
];

/// `bytes` as a `String`, for a peer encoder that takes text: `what` names the value and `peer` the API in
/// the error an encoder that cannot express the value gets.
fn owned_text(bytes: &[u8], what: &str, peer: &str) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|_| format!("{what} is not UTF-8 ({peer})"))
}

#[cfg(test)]
mod tests {
    use sse_codec::{Event, EventId, EventType};

    use super::*;
    use crate::encode::vet;
    use crate::gate::Verdict;

    /// Every peer encoder against the gate on the events the corpora do not have: which ones it turns away.
    /// The corpora are plain (one-line or LF-joined UTF-8 data, never empty), and every peer passes there;
    /// these are where they part, and the gate must see it.
    #[test]
    fn the_gate_turns_peers_away_where_they_lose_something() {
        let cases: &[(&str, Event, &[&str])] = &[
            ("empty data", Event::new(""), &["sse-codec-0.3.3", "axum"]),
            ("a trailing LF", Event::new("a\n"), &["sse-codec-0.3.3"]),
            ("a CRLF", Event::new("a\r\nb"), &["axum"]),
            ("a CR", Event::new("a\rb"), &["sse-codec-0.3.3"]),
            ("an empty line", Event::new("a\n\nb"), &[]),
            ("a leading space", Event::new(" a"), &[]),
            ("an empty id", Event::new("a").with_id(EventId::new("").unwrap()), &[]),
            ("a type with a leading space", Event::new("a").with_event_type(EventType::new(" t").unwrap()), &[]),
            ("a retry", Event::new("a").with_retry(1), &[]),
            ("data that is not UTF-8", Event::new(&b"\xff"[..]), &["sse-stream", "sse-codec-0.3.3", "russe", "axum"]),
        ];
        for (what, event, wrong) in cases {
            let events = [event.clone(), Event::new("next")];
            for &(peer, prepare) in ENCODERS {
                let verdict = vet(prepare, &events);
                let expected_wrong = wrong.contains(&peer);
                assert_eq!(matches!(verdict, Verdict::Wrong(_)), expected_wrong, "{peer} on {what}: {verdict:?}");
                assert!(expected_wrong || matches!(verdict, Verdict::Pass(_)), "{peer} on {what}: {verdict:?}");
            }
        }
    }
}
