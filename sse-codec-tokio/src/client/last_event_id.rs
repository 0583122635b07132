//! The `Last-Event-ID` header a reconnection sends: when it goes out, and what becomes of an ID that an HTTP
//! header cannot carry as it is.
//!
//! The stream's rules allow any ID without CR, LF or NUL; HTTP's field values (RFC 9110, section 5.5) are
//! narrower. Which bytes those are is HTTP's rule, not the event stream's, so it is checked here.

use sse_codec::EventId;

/// What [`EventSource`](super::EventSource) does with a last event ID that holds a byte no HTTP header can
/// carry: a control byte other than tab, such as 0x01 (leading and trailing spaces and tabs are not such bytes:
/// they are trimmed, as HTTP trims them on arrival anyway).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UnsendableId {
    /// End the stream with [`SourceError::UnsendableId`](super::SourceError::UnsendableId) instead of
    /// reconnecting: the client cannot resume where it stopped, and says so. The default.
    #[default]
    End,
    /// Reconnect without `Last-Event-ID`, as after an empty `id:`: the server starts wherever it starts a new
    /// client, so events may be missed or repeated.
    Omit,
}

/// The header value to send for `id`: `Ok(None)` when no header goes out (no ID, or an empty one after
/// trimming), `Err(id)` when the ID holds a byte that no header can carry.
pub(crate) fn header_value(id: Option<&EventId>) -> Result<Option<&[u8]>, &EventId> {
    let Some(id) = id else { return Ok(None) };
    let value = trim(id.as_bytes());
    if value.iter().any(|&byte| is_forbidden(byte)) {
        return Err(id);
    }
    Ok(if value.is_empty() { None } else { Some(value) })
}

/// Trims HTTP's optional whitespace, spaces and tabs (and nothing else: a form feed is a control byte here).
fn trim(mut value: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = value {
        value = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = value {
        value = rest;
    }
    value
}

/// Whether a field value cannot hold `byte`: a control byte other than tab, or DEL.
const fn is_forbidden(byte: u8) -> bool {
    (byte < 0x20 && byte != b'\t') || byte == 0x7f
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header sent for `id`, or `Err(())` when none can be.
    fn sent(id: &[u8]) -> Result<Option<&[u8]>, ()> {
        // Leaked so that the borrowed answer can be compared with literals.
        let id: &'static EventId = Box::leak(Box::new(EventId::new(id.to_vec()).unwrap()));
        header_value(Some(id)).map_err(|refused| assert_eq!(refused, id))
    }

    #[test]
    fn no_header_without_an_id_or_with_an_empty_one() {
        assert_eq!(header_value(None), Ok(None));
        assert_eq!(sent(b""), Ok(None));
        assert_eq!(sent(b" \t "), Ok(None));
    }

    #[test]
    fn an_id_goes_out_exactly_but_for_the_whitespace_http_trims() {
        assert_eq!(sent(b"42"), Ok(Some(&b"42"[..])));
        assert_eq!(sent(b"a b\tc"), Ok(Some(&b"a b\tc"[..])));
        assert_eq!(sent(b" \t7 \t"), Ok(Some(&b"7"[..])));
        assert_eq!(sent("é€😀".as_bytes()), Ok(Some("é€😀".as_bytes())));
        assert_eq!(sent(b"\xff"), Ok(Some(&b"\xff"[..])));
    }

    #[test]
    fn control_bytes_cannot_go_out() {
        for byte in (0x01..0x20).chain([0x7f]).filter(|&byte| !matches!(byte, b'\t' | b'\r' | b'\n')) {
            assert_eq!(sent(&[b'1', byte, b'2']), Err(()), "{byte:#x}");
            assert_eq!(sent(&[byte, b'2']), Err(()), "leading {byte:#x}");
            assert_eq!(sent(&[b'1', byte]), Err(()), "trailing {byte:#x}");
        }
    }
}
