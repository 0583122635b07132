//! Structured fuzz input, shared by the targets: `arbitrary` stays inside the fuzz crate.

#![allow(dead_code)]

use arbitrary::Arbitrary;
use bytes::Bytes;
use sse_codec::{Event, EventId, EventType, Limits};

/// Bytes to decode, where the chunks end, the limits to decode them under, and the size from which chunks
/// are read in place.
#[derive(Arbitrary, Debug)]
pub struct Chunked {
    pub max_line: u16,
    pub max_event: u16,
    pub in_place_from: u8,
    pub cuts: Vec<u16>,
    pub input: Vec<u8>,
}

impl Chunked {
    /// Small limits, so that the fuzzer reaches them; 0 stands for the default.
    pub fn limits(&self) -> Limits {
        let pick = |n: u16, default: usize| if n == 0 { default } else { usize::from(n) };
        Limits::default()
            .max_line_len(pick(self.max_line, Limits::DEFAULT_MAX_LINE_LEN))
            .max_event_len(pick(self.max_event, Limits::DEFAULT_MAX_EVENT_LEN))
    }

    pub fn cuts(&self) -> Vec<usize> {
        self.cuts.iter().map(|&c| usize::from(c)).collect()
    }
}

/// One piece of text: the line breaks and field syntax that matter, or anything.
#[derive(Arbitrary, Debug)]
pub enum Piece {
    Lf,
    Cr,
    CrLf,
    Space,
    Colon,
    Nul,
    Text(String),
    Bytes(Vec<u8>),
}

/// Text made of pieces.
#[derive(Arbitrary, Debug)]
pub struct Text(pub Vec<Piece>);

impl Text {
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in &self.0 {
            match piece {
                Piece::Lf => out.push(b'\n'),
                Piece::Cr => out.push(b'\r'),
                Piece::CrLf => out.extend_from_slice(b"\r\n"),
                Piece::Space => out.push(b' '),
                Piece::Colon => out.push(b':'),
                Piece::Nul => out.push(0),
                Piece::Text(text) => out.extend_from_slice(text.as_bytes()),
                Piece::Bytes(bytes) => out.extend_from_slice(bytes),
            }
        }
        out
    }
}

/// An event as a server would describe it; its type and ID may be invalid.
#[derive(Arbitrary, Debug)]
pub struct RawEvent {
    pub data: Text,
    pub event_type: Option<Text>,
    pub id: Option<Text>,
    pub retry: Option<u64>,
    pub comment: Option<Text>,
}

impl RawEvent {
    /// The event, or the error its type or ID gets.
    pub fn build(&self) -> Result<Event, sse_codec::EncodeError> {
        let mut event = Event::new(self.data.bytes());
        if let Some(event_type) = &self.event_type {
            event = event.with_event_type(EventType::new(event_type.bytes())?);
        }
        if let Some(id) = &self.id {
            event = event.with_id(EventId::new(id.bytes())?);
        }
        if let Some(retry) = self.retry {
            event = event.with_retry(retry);
        }
        if let Some(comment) = &self.comment {
            event = event.with_comment(Bytes::from(comment.bytes()));
        }
        Ok(event)
    }
}
