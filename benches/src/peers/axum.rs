//! axum 0.8.9's `axum::response::sse`: `Event` is a builder that encodes as it builds (each call appends its
//! field to the event's own `BytesMut`), and the only public way to its bytes is the response body:
//! `Sse::new(stream).into_response()`, whose body yields one `Bytes` frame per event. That is the path
//! measured, the body polled in place with a no-op waker (the source never pends), so no executor's cost is
//! counted; the boxed body and the response's headers are part of it (once per stream, not per event).

use std::convert::Infallible;
use std::time::Duration;

use axum::response::IntoResponse as _;
use axum::response::sse::{Event as AxumEvent, Sse};
use sse_codec::Event;

use super::poll::drain;
use crate::encode::{Output, Prepared};

/// What a handler holds before it builds axum's `Event`: the texts its builder takes. axum's builder only
/// borrows them (`impl AsRef<str>`), so building the `Event` from them is timed, being axum's encoding.
#[derive(Clone, Debug)]
struct Fields {
    data: String,
    event: Option<String>,
    id: Option<String>,
    retry: Option<u64>,
}

impl Fields {
    /// Builds the event, fields in the order our encoder writes them.
    fn into_event(self) -> AxumEvent {
        let mut event = AxumEvent::default();
        if let Some(name) = &self.event {
            event = event.event(name);
        }
        if let Some(id) = &self.id {
            event = event.id(id);
        }
        if let Some(millis) = self.retry {
            event = event.retry(Duration::from_millis(millis));
        }
        event.data(&self.data)
    }
}

/// axum: our events as the texts axum's builder takes (outside timing); building each `Event` and
/// streaming the `Sse` response's body into [`Output::frames`] is timed.
///
/// # Errors
///
/// When a value is not UTF-8 (axum takes `str`).
pub fn prepare_axum(events: &[Event]) -> Result<Prepared, String> {
    let text = |bytes: &[u8], what: &str| super::owned_text(bytes, what, "axum takes str");
    let fields = events
        .iter()
        .map(|e| {
            Ok(Fields {
                data: text(e.data(), "data")?,
                event: (!e.event_type().is_message())
                    .then(|| text(e.event_type().as_bytes(), "an event type"))
                    .transpose()?,
                id: e.id().map(|id| text(id.as_bytes(), "an id")).transpose()?,
                retry: e.retry(),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Prepared::new(fields, encode_axum))
}

fn encode_axum(fields: Vec<Fields>, out: &mut Output) -> Result<(), String> {
    let events = futures::stream::iter(fields.into_iter().map(|f| Ok::<_, Infallible>(f.into_event())));
    let body = Sse::new(events).into_response().into_body();
    drain(body.into_data_stream(), |frame| {
        out.frames.push(frame.map_err(|e| e.to_string())?);
        Ok(())
    })
}
