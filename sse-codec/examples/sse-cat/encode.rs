//! `sse-cat --encode`: JSON lines in, an event stream out.

use std::io::{self, BufRead, Write};

use serde_json::{Map, Value};
use sse_codec::EventRef;

/// Encodes every JSON line of `input` to `out`, flushing after each block. A line longer than `max_line`
/// bytes, a line that is not UTF-8, or an object that cannot be sent is refused on standard error, naming
/// the line, and the run goes on. Returns whether nothing was refused; an I/O error ends the run.
pub(crate) fn run(input: &mut impl BufRead, out: &mut impl Write, max_line: usize) -> bool {
    let mut ok = true;
    let mut line = Vec::new();
    let mut block = Vec::new();
    for line_number in 1.. {
        let refused = match read_line(input, &mut line, max_line) {
            Ok(Line::End) => return ok,
            Ok(Line::TooLong) => Some(format!("longer than the limit of {max_line} bytes (--max-line)")),
            Ok(Line::Complete) => {
                block.clear();
                match std::str::from_utf8(&line) {
                    Err(error) => Some(format!("not UTF-8 ({error})")),
                    Ok(text) if text.trim().is_empty() => continue,
                    Ok(text) => encode_line(text, &mut block).err(),
                }
            }
            Err(error) => {
                eprintln!("sse-cat: reading input line {line_number}: {error}");
                return false;
            }
        };
        if let Some(reason) = refused {
            eprintln!("sse-cat: input line {line_number} refused: {reason}");
            ok = false;
            continue;
        }
        if let Err(error) = out.write_all(&block).and_then(|()| out.flush()) {
            eprintln!("sse-cat: writing input line {line_number}: {error}");
            return false;
        }
    }
    ok
}

/// What [`read_line`] found.
enum Line {
    /// A line, in the buffer without its line end.
    Complete,
    /// A line over the limit, skipped to its end without being kept.
    TooLong,
    /// The end of the input.
    End,
}

/// Reads the next line into `line`, keeping at most `max_line` bytes of it in memory: a longer line is read
/// to its end and dropped.
fn read_line(input: &mut impl BufRead, line: &mut Vec<u8>, max_line: usize) -> io::Result<Line> {
    line.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if available.is_empty() {
            break;
        }
        any = true;
        let (piece, used, done) = match memchr::memchr(b'\n', available) {
            Some(end) => (&available[..end], end + 1, true),
            None => (available, available.len(), false),
        };
        if !too_long && line.len() + piece.len() <= max_line {
            line.extend_from_slice(piece);
        } else {
            too_long = true;
            line.clear();
        }
        input.consume(used);
        if done {
            break;
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(match (any, too_long) {
        (false, _) => Line::End,
        (true, true) => Line::TooLong,
        (true, false) => Line::Complete,
    })
}

/// Encodes one JSON object as one block into `block`, or says why it cannot be sent.
fn encode_line(line: &str, block: &mut Vec<u8>) -> Result<(), String> {
    let object: Map<String, Value> = serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
    if object.is_empty() {
        // A block without a field is a lone blank line: it dispatches nothing and a receiver cannot see it.
        return Err("an empty object sends nothing (give at least one of type, data, id, comment, retry)".to_owned());
    }
    let mut event = EventRef::default();
    for (key, value) in &object {
        match key.as_str() {
            "type" => event.event_type = Some(string(key, value)?),
            "data" => event.data = Some(string(key, value)?),
            "id" => event.id = Some(string(key, value)?),
            "comment" => event.comment = Some(string(key, value)?),
            "retry" => {
                event.retry =
                    Some(value.as_u64().ok_or_else(|| format!("\"retry\" must be a whole number, not {value}"))?);
            }
            other => return Err(format!("unknown key {other:?}")),
        }
    }
    event.encode(block).map_err(|e| e.to_string())
}

/// The value of `key` as bytes, if it is a string.
fn string<'a>(key: &str, value: &'a Value) -> Result<&'a [u8], String> {
    value.as_str().map(str::as_bytes).ok_or_else(|| format!("{key:?} must be a string, not {value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(input: &[u8], max_line: usize) -> (String, bool) {
        let mut out = Vec::new();
        let ok = run(&mut &input[..], &mut out, max_line);
        (String::from_utf8(out).unwrap(), ok)
    }

    #[test]
    fn a_refused_line_is_skipped_and_the_next_ones_still_written() {
        let input = b"{\"data\":\"a\"}\n\xff\xfe\n{}\n{\"data\":\"far too long for the limit\"}\n{\"data\":\"b\"}\r\n";
        assert_eq!(encode(input, 24), ("data: a\n\ndata: b\n\n".to_owned(), false));
        assert_eq!(encode(b"{\"data\":\"a\"}\n\n{\"data\":\"b\"}", 24), ("data: a\n\ndata: b\n\n".to_owned(), true));
    }

    #[test]
    fn a_long_line_is_not_kept_in_memory() {
        let mut line = Vec::new();
        let long = [b'x'; 100_000];
        let mut input = io::BufReader::with_capacity(64, &long[..]);
        assert!(matches!(read_line(&mut input, &mut line, 1000).unwrap(), Line::TooLong));
        assert!(line.capacity() <= 2048, "kept {} bytes", line.capacity());
        assert!(matches!(read_line(&mut input, &mut line, 1000).unwrap(), Line::End));
    }

    #[test]
    fn an_empty_object_is_refused_with_a_reason() {
        let error = encode_line("{}", &mut Vec::new()).unwrap_err();
        assert!(error.contains("sends nothing"), "{error}");
    }
}
