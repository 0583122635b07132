//! The peer encoders from the caller's strings (see [`strings`](crate::strings)): each builds, per event and
//! inside the timing, what its API takes from the `&str`s, as its documentation has a server do, and writes
//! it into the output as in the pre-built scenario (the peer's own module says how).

use std::convert::Infallible;
use std::time::Duration;

use axum::response::IntoResponse as _;
use axum::response::sse::{Event as AxumEvent, Sse};
use futures_codec::Encoder as _;
use tokio_util::codec::Encoder as _;

use super::poll::drain;
use crate::encode::Output;
use crate::strings::Fields;

/// sse-stream: an `Sse` of `String`s copied from the fields, `Sse::encode` into a frame of its own.
///
/// # Errors
///
/// sse-stream's error.
pub fn encode_sse_stream(fields: &[Fields], out: &mut Output) -> Result<(), String> {
    for f in fields {
        let block = sse_stream::Sse {
            event: f.event_type.as_deref().map(str::to_owned),
            data: Some(f.data.clone()),
            id: f.id.as_deref().map(str::to_owned),
            retry: f.retry,
        };
        out.frames.push(block.encode().map_err(|e| e.to_string())?);
    }
    Ok(())
}

/// The crates.io sse-codec 0.3.3: its `Event::Message` of `String`s copied from the fields (an event's
/// `retry` first, as an `Event::Retry` of its own), encoded into the output buffer.
///
/// # Errors
///
/// The codec's error.
pub fn encode_sse_codec_0_3(fields: &[Fields], out: &mut Output) -> Result<(), String> {
    let mut codec = peer_sse_codec::SSECodec::default();
    for f in fields {
        if let Some(retry) = f.retry {
            codec.encode(peer_sse_codec::Event::Retry { retry }, &mut out.buf).map_err(|e| e.to_string())?;
        }
        let message = peer_sse_codec::Event::Message {
            id: f.id.as_deref().map(str::to_owned),
            event: f.event_type.as_deref().unwrap_or("message").to_owned(),
            data: f.data.clone(),
        };
        codec.encode(message, &mut out.buf).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// russe: a `Message` of `ByteString`s copied from the fields, encoded into the output buffer.
///
/// # Errors
///
/// russe's error.
pub fn encode_russe(fields: &[Fields], out: &mut Output) -> Result<(), String> {
    let mut encoder = russe::Encoder::default();
    for f in fields {
        let message = russe::Message {
            data: f.data.as_str().into(),
            event: f.event_type.as_deref().map(Into::into),
            id: f.id.as_deref().map(Into::into),
            retry: f.retry.map(Duration::from_millis),
        };
        encoder.encode(russe::Event::Message(message), &mut out.buf).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// axum: its `Event` builder over the borrowed fields (it takes `impl AsRef<str>`), the `Sse` response's body
/// streamed into the output's frames. The body wants a `'static` stream, so the events are built first, into
/// a `Vec`, then streamed.
///
/// # Errors
///
/// None in practice (the body's error type is axum's).
pub fn encode_axum(fields: &[Fields], out: &mut Output) -> Result<(), String> {
    let built: Vec<_> = fields
        .iter()
        .map(|f| {
            let mut event = AxumEvent::default();
            if let Some(name) = &f.event_type {
                event = event.event(name);
            }
            if let Some(id) = &f.id {
                event = event.id(id);
            }
            if let Some(millis) = f.retry {
                event = event.retry(Duration::from_millis(millis));
            }
            Ok::<_, Infallible>(event.data(&f.data))
        })
        .collect();
    let events = futures::stream::iter(built);
    let body = Sse::new(events).into_response().into_body();
    drain(body.into_data_stream(), |frame| {
        out.frames.push(frame.map_err(|e| e.to_string())?);
        Ok(())
    })
}
