//! The corpora: deterministic, generated in code from fixed seeds, so every run on every machine measures the
//! same bytes. Each generator takes a target size and returns about that many bytes of complete events (the
//! input always ends with a blank line).

/// A corpus generator: called with the target size in bytes.
pub type Generate = fn(target_len: usize) -> Vec<u8>;

/// The corpora by name, in the order reports list them.
pub const CORPORA: &[(&str, Generate)] =
    &[("llm", llm), ("llm_crlf", llm_crlf), ("notify", notify), ("multiline", multiline), ("big", big)];

/// A small, fast, deterministic pseudo-random generator (SplitMix64); benchmarks need repeatable input,
/// not statistical quality.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a fixed seed.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "the",
    "model",
    "streams",
    "tokens",
    "as",
    "server",
    "sent",
    "events",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dog",
    "and",
    "then",
    "some",
    "more",
    "text",
    "arrives",
    "in",
    "small",
    "pieces",
    "while",
    "client",
    "renders",
    "each",
    "delta",
    "\\\"quoted\\\"",
    "naïve",
    "café",
    "über",
    "🙂",
    "\\n",
];

/// LLM token streaming as the large APIs send it: many small `data: {json}` events with 1-8 word deltas,
/// an occasional `event:` and `id:` line and `: ping` comment, LF line ends. About `target_len` bytes.
#[must_use]
pub fn llm(target_len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x55E_C0DEC);
    let mut out = Vec::with_capacity(target_len + 256);
    let mut n = 0u64;
    while out.len() < target_len {
        n += 1;
        if n % 97 == 0 {
            out.extend_from_slice(b": ping\n\n");
        }
        if n % 50 == 0 {
            out.extend_from_slice(b"event: content_block_delta\n");
        }
        if n % 20 == 0 {
            out.extend_from_slice(format!("id: {n}\n").as_bytes());
        }
        let words = 1 + rng.below(8);
        let mut content = String::new();
        for i in 0..words {
            if i > 0 {
                content.push(' ');
            }
            content.push_str(WORDS[rng.below(WORDS.len())]);
        }
        out.extend_from_slice(
            format!(
                "data: {{\"id\":\"chatcmpl-{n:08}\",\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{content}\"}}}}]}}\n\n"
            )
            .as_bytes(),
        );
    }
    out
}

/// The `llm` corpus with CRLF line ends (a Windows or .NET server).
#[must_use]
pub fn llm_crlf(target_len: usize) -> Vec<u8> {
    let lf = llm(target_len);
    let mut out = Vec::with_capacity(lf.len() + lf.len() / 16);
    for line in lf.split_inclusive(|&b| b == b'\n') {
        out.extend_from_slice(&line[..line.len() - 1]);
        out.extend_from_slice(b"\r\n");
    }
    out
}

const NOTIFY_TYPES: &[&str] =
    &["order.created", "order.shipped", "user.updated", "message.new", "presence.changed", "build.finished"];

/// Typed notifications as an application server pushes them: `event:` and `id:` on every event, a JSON
/// `data:` line of about 200 bytes, and a `retry:` now and then. LF line ends. About `target_len` bytes.
#[must_use]
pub fn notify(target_len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x0071_F1CA_7104);
    let mut out = Vec::with_capacity(target_len + 512);
    let mut n = 0u64;
    while out.len() < target_len {
        n += 1;
        let kind = NOTIFY_TYPES[rng.below(NOTIFY_TYPES.len())];
        out.extend_from_slice(format!("event: {kind}\nid: {}\n", 1_000_000 + n).as_bytes());
        if n % 250 == 0 {
            out.extend_from_slice(b"retry: 5000\n");
        }
        let note_len = 60 + rng.below(40);
        let mut note = String::new();
        while note.len() < note_len {
            if !note.is_empty() {
                note.push(' ');
            }
            note.push_str(WORDS[rng.below(WORDS.len())]);
        }
        out.extend_from_slice(
            format!(
                "data: {{\"type\":\"{kind}\",\"seq\":{n},\"user\":{{\"id\":{},\"name\":\"user{:05}\"}},\
                 \"ts\":\"2025-01-{:02}T{:02}:{:02}:{:02}Z\",\"unread\":{},\"note\":\"{note}\"}}\n\n",
                rng.below(100_000),
                rng.below(100_000),
                1 + rng.below(28),
                rng.below(24),
                rng.below(60),
                rng.below(60),
                rng.below(100),
            )
            .as_bytes(),
        );
    }
    out
}

/// Pushes random text of exactly `len` bytes (ASCII letters, digits, spaces and punctuation).
fn push_text(rng: &mut Rng, out: &mut Vec<u8>, len: usize) {
    const TEXT: &[u8] = b"abcdefghijklmnopqrstuvwxyz    ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;-'\"()[]{}";
    out.extend((0..len).map(|_| TEXT[rng.below(TEXT.len())]));
}

/// Multi-line events, as a log tail or a pretty-printed document sends them: 20-50 `data:` lines of 40-120
/// characters each, an `id:` now and then. LF line ends. About `target_len` bytes.
#[must_use]
pub fn multiline(target_len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x0307_1711_11E5);
    let mut out = Vec::with_capacity(target_len + 8 * 1024);
    let mut n = 0u64;
    while out.len() < target_len {
        n += 1;
        if n % 10 == 0 {
            out.extend_from_slice(format!("id: {n}\n").as_bytes());
        }
        for _ in 0..20 + rng.below(31) {
            out.extend_from_slice(b"data: ");
            let len = 40 + rng.below(81);
            push_text(&mut rng, &mut out, len);
            out.push(b'\n');
        }
        out.push(b'\n');
    }
    out
}

/// The length of the one `data` line of each event of [`big`].
pub const BIG_LINE_LEN: usize = 64 * 1024;

/// Big events: one `data:` line of 64 KiB each (base64 text, as an image or audio chunk is sent). LF line
/// ends. About `target_len` bytes, at least one event.
#[must_use]
pub fn big(target_len: usize) -> Vec<u8> {
    const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut rng = Rng::new(0xB16_DA7A);
    let mut out = Vec::with_capacity(target_len + BIG_LINE_LEN + 16);
    loop {
        out.extend_from_slice(b"data: ");
        // Eight base64 characters from one random number.
        for _ in 0..BIG_LINE_LEN / 8 {
            let mut bits = rng.next_u64();
            for _ in 0..8 {
                out.push(BASE64[(bits & 63) as usize]);
                bits >>= 6;
            }
        }
        out.extend_from_slice(b"\n\n");
        if out.len() >= target_len {
            return out;
        }
    }
}

/// Big multi-line events: 64 KiB of text each ([`BIG_LINE_LEN`] bytes of data once its lines are joined),
/// broken by a line feed every 60-100 bytes (about 80), as a log excerpt or a pretty-printed document is
/// sent. LF line ends. About `target_len` bytes, at least one event. Not one of [`CORPORA`]: the encode
/// benches use it, where the line breaks are what the encoder has to find.
#[must_use]
pub fn big_lines(target_len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0xB16_11E5);
    let mut out = Vec::with_capacity(target_len + BIG_LINE_LEN * 2);
    let mut data = Vec::with_capacity(BIG_LINE_LEN);
    loop {
        data.clear();
        loop {
            let room = BIG_LINE_LEN - data.len();
            let len = 60 + rng.below(41);
            if room <= len + 1 + 60 {
                // The last line takes the rest: 61 to 161 bytes.
                push_text(&mut rng, &mut data, room);
                break;
            }
            push_text(&mut rng, &mut data, len);
            data.push(b'\n');
        }
        for line in data.split(|&b| b == b'\n') {
            out.extend_from_slice(b"data: ");
            out.extend_from_slice(line);
            out.push(b'\n');
        }
        out.push(b'\n');
        if out.len() >= target_len {
            return out;
        }
    }
}
