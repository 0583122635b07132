//! `sse-cat --encode`: JSON lines in, an event stream out.

use std::io::{BufRead, Write};

use serde_json::{Map, Value};
use sse_codec::EventRef;

/// Encodes every JSON line of `input` to `out`, flushing after each block; reports refused lines on standard
/// error and returns whether there were none.
pub(crate) fn run(input: &mut impl BufRead, out: &mut impl Write) -> bool {
    let mut ok = true;
    let mut block = Vec::new();
    for (index, line) in input.lines().enumerate() {
        let line_number = index + 1;
        let line = match line {
            Ok(line) => line,
            Err(error) => {
                eprintln!("sse-cat: input line {line_number}: {error}");
                return false;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        block.clear();
        if let Err(reason) = encode_line(&line, &mut block) {
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

/// Encodes one JSON object as one block into `block`, or says why it cannot be sent.
fn encode_line(line: &str, block: &mut Vec<u8>) -> Result<(), String> {
    let object: Map<String, Value> = serde_json::from_str(line).map_err(|e| format!("not a JSON object: {e}"))?;
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
