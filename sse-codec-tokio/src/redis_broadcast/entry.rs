//! How an event is kept in a Redis stream entry: its fields, and its ID as the entry's ID.
//!
//! An event numbered `N` is the entry `N-0`, with the fields `data`, and `event`, `retry` and `comment` when the
//! event has them. The entry ID and the event ID are then one number: a range of events is a range of entries.

use ::redis::Value;
use ::redis::streams::StreamId;
use bytes::Bytes;
use sse_codec::{Event, EventId, EventType};

/// The entry's fields for `event`, as name and value pairs.
pub(super) fn fields(event: &Event) -> Vec<(&'static str, Vec<u8>)> {
    let mut fields = vec![("data", event.data().to_vec())];
    if !event.event_type().is_message() {
        fields.push(("event", event.event_type().as_bytes().to_vec()));
    }
    if let Some(retry) = event.retry() {
        fields.push(("retry", retry.to_string().into_bytes()));
    }
    if let Some(comment) = event.comment() {
        fields.push(("comment", comment.to_vec()));
    }
    fields
}

/// The event number of an entry ID `N-0`; `None` for any other ID (an entry this crate did not write).
pub(super) fn number(entry_id: &str) -> Option<u64> {
    let (number, seq) = entry_id.split_once('-')?;
    (seq == "0").then(|| number.parse().ok()).flatten()
}

/// The event number a `Last-Event-ID` names: the decimal form an event ID is written in, and nothing else.
pub(super) fn parse_id(id: &str) -> Option<u64> {
    let n: u64 = id.parse().ok()?;
    (n.to_string() == id).then_some(n)
}

/// The event an entry holds, with its ID; `None` when the entry was not written by
/// [`publish`](super::RedisBroadcaster::publish) (another ID form, no `data`, an invalid field).
pub(super) fn event(entry: &StreamId) -> Option<Event> {
    let number = number(&entry.id)?;
    let field = |name: &str| match entry.map.get(name) {
        Some(Value::BulkString(bytes)) => Some(Some(Bytes::copy_from_slice(bytes))),
        Some(_) => None,
        None => Some(None),
    };
    let mut event = Event::new(field("data")??);
    if let Some(event_type) = field("event")? {
        event = event.with_event_type(EventType::new(event_type).ok()?);
    }
    if let Some(retry) = field("retry")? {
        event = event.with_retry(std::str::from_utf8(&retry).ok()?.parse().ok()?);
    }
    if let Some(comment) = field("comment")? {
        event = event.with_comment(comment);
    }
    Some(event.with_id(EventId::new(number.to_string()).ok()?))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn an_event_round_trips_through_its_entry() {
        let event =
            Event::new("a\nb").with_event_type(EventType::from_static("tick")).with_retry(500).with_comment("c");
        let map: HashMap<String, Value> =
            fields(&event).into_iter().map(|(name, value)| (name.to_owned(), Value::BulkString(value))).collect();
        let entry = StreamId { id: "42-0".into(), map, ..StreamId::default() };
        let back = super::event(&entry).unwrap();
        assert_eq!(back, event.with_id(EventId::new("42").unwrap()));
    }

    #[test]
    fn only_ids_this_crate_writes_are_read() {
        assert_eq!(number("17-0"), Some(17));
        assert_eq!(number("17-1"), None);
        assert_eq!(number("17"), None);
        assert_eq!(parse_id("17"), Some(17));
        assert_eq!(parse_id("017"), None);
        assert_eq!(parse_id("+17"), None);
        assert_eq!(parse_id("17-0"), None);
        let entry = StreamId { id: "3-0".into(), ..StreamId::default() };
        assert_eq!(event(&entry), None, "no data field");
    }
}
