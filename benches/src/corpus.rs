//! The corpora: deterministic, generated in code from fixed seeds, so every run on every machine measures the
//! same bytes. Each generator takes a target size and returns about that many bytes of complete events (the
//! input always ends with a blank line).

/// A corpus generator: called with the target size in bytes.
pub type Generate = fn(target_len: usize) -> Vec<u8>;

/// The corpora by name, in the order reports list them.
pub const CORPORA: &[(&str, Generate)] = &[
    ("llm", llm),
    ("llm_crlf", llm_crlf),
    ("notify", notify),
    ("unicode", unicode),
    ("multiline", multiline),
    ("big", big),
];

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

/// Tokens as a language model streams them: mostly a word with its leading space, some pieces of words and
/// punctuation, JSON escapes (`\n`, `\"`), an occasional `\u` escape and a rarer raw UTF-8 character.
const TOKENS: &[&str] = &[
    " the",
    " model",
    " stream",
    "s",
    " token",
    " as",
    " server",
    "-sent",
    " events",
    " quick",
    " brown",
    " fox",
    " jumps",
    " over",
    " a",
    " lazy",
    " dog",
    " and",
    " then",
    " some",
    " more",
    " text",
    " arrives",
    " in",
    " small",
    " pieces",
    " while",
    " the",
    " client",
    " renders",
    " each",
    " delta",
    ".",
    ",",
    " is",
    " to",
    " of",
    " that",
    " it",
    " for",
    " you",
    " can",
    " with",
    " this",
    " on",
    " be",
    " not",
    " are",
    " or",
    " data",
    " function",
    " return",
    " value",
    "ing",
    "ed",
    "ly",
    " I",
    " We",
    " Here",
    "'s",
    ":",
    "\\n",
    "\\n\\n",
    "**",
    " `",
    "`",
    " (",
    ")",
    " \\\"",
    "\\\"",
    " 1",
    "2",
    " example",
    " request",
    " response",
    " error",
    " first",
];

/// A `\u` escape, as a serializer that keeps its output ASCII writes a non-ASCII character.
const ESCAPED: &[&str] = &[" caf\\u00e9", " na\\u00efve", " \\u2014", "\\u2019s", " \\u00fcber", " \\u201cyes\\u201d"];

/// Raw UTF-8, as a serializer that does not escape writes it.
const RAW_UTF8: &[&str] = &[" café", " —", "’s", " naïve", " 🙂", " über"];

/// One token: about one in 40 a `\u` escape, one in 100 raw UTF-8, the rest ASCII.
fn token(rng: &mut Rng) -> &'static str {
    match rng.below(200) {
        0..=4 => ESCAPED[rng.below(ESCAPED.len())],
        5..=6 => RAW_UTF8[rng.below(RAW_UTF8.len())],
        _ => TOKENS[rng.below(TOKENS.len())],
    }
}

/// `n` tokens of model output, as JSON string content.
fn tokens(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| token(rng)).collect()
}

/// `len` random characters from `alphabet`: the random parts of IDs.
fn random_id(rng: &mut Rng, alphabet: &[u8], len: usize) -> String {
    (0..len).map(|_| char::from(alphabet[rng.below(alphabet.len())])).collect()
}

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8] = b"0123456789abcdef";

/// One OpenAI Chat Completions stream (`stream: true`): `data:` lines only, one `chat.completion.chunk` per
/// token (about 250 bytes each), a first chunk with the role, a last with the finish reason, then `[DONE]`.
fn openai_chat(rng: &mut Rng, out: &mut String, created: u64) {
    let id = random_id(rng, ALNUM, 29);
    let obfuscation = |rng: &mut Rng| {
        let len = 1 + rng.below(12);
        random_id(rng, ALNUM, len)
    };
    let chunk = |out: &mut String, delta: &str, finish: &str, obfuscation: String| {
        out.push_str(&format!(
            "data: {{\"id\":\"chatcmpl-{id}\",\"object\":\"chat.completion.chunk\",\"created\":{created},\
             \"model\":\"gpt-4o-2024-08-06\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_eb9dce56a8\",\
             \"choices\":[{{\"index\":0,\"delta\":{delta},\"logprobs\":null,\"finish_reason\":{finish}}}],\
             \"obfuscation\":\"{obfuscation}\"}}\n\n"
        ));
    };
    chunk(out, "{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null}", "null", obfuscation(rng));
    for _ in 0..20 + rng.below(100) {
        let content = tokens(rng, 1);
        chunk(out, &format!("{{\"content\":\"{content}\"}}"), "null", obfuscation(rng));
    }
    chunk(out, "{}", "\"stop\"", obfuscation(rng));
    out.push_str("data: [DONE]\n\n");
}

/// One Anthropic Messages stream: every event typed (`event:` before its `data:`), `message_start`, a
/// `ping`, text deltas of a few tokens each, and the closing events.
fn anthropic(rng: &mut Rng, out: &mut String) {
    let id = random_id(rng, ALNUM, 24);
    let mut event = |name: &str, data: &str| out.push_str(&format!("event: {name}\ndata: {data}\n\n"));
    event(
        "message_start",
        &format!(
            "{{\"type\":\"message_start\",\"message\":{{\"id\":\"msg_01{id}\",\"type\":\"message\",\
             \"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-20250514\",\"stop_reason\":null,\
             \"stop_sequence\":null,\"usage\":{{\"input_tokens\":{},\"cache_creation_input_tokens\":0,\
             \"cache_read_input_tokens\":0,\"output_tokens\":1}}}}}}",
            10 + rng.below(2000)
        ),
    );
    event(
        "content_block_start",
        "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
    );
    event("ping", "{\"type\": \"ping\"}");
    let deltas = 10 + rng.below(40);
    for _ in 0..deltas {
        let n = 3 + rng.below(12);
        let text = tokens(rng, n);
        event(
            "content_block_delta",
            &format!(
                "{{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"{text}\"}}}}"
            ),
        );
    }
    event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}");
    event(
        "message_delta",
        &format!(
            "{{\"type\":\"message_delta\",\"delta\":{{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}},\
             \"usage\":{{\"output_tokens\":{}}}}}",
            deltas * 7
        ),
    );
    event("message_stop", "{\"type\":\"message_stop\"}");
}

/// One OpenAI Responses stream: every event typed, its name repeated in the JSON with a sequence number;
/// `response.created`, then one `response.output_text.delta` per token (about 270 bytes each), then the
/// text whole in `response.output_text.done`.
fn openai_responses(rng: &mut Rng, out: &mut String, created: u64) {
    let response = random_id(rng, HEX, 48);
    let item = random_id(rng, HEX, 48);
    let mut sequence = 0;
    let mut event = |out: &mut String, name: &str, fields: &str| {
        out.push_str(&format!(
            "event: {name}\ndata: {{\"type\":\"{name}\",\"sequence_number\":{sequence},{fields}}}\n\n"
        ));
        sequence += 1;
    };
    event(
        out,
        "response.created",
        &format!(
            "\"response\":{{\"id\":\"resp_{response}\",\"object\":\"response\",\"created_at\":{created},\
             \"status\":\"in_progress\",\"model\":\"gpt-4.1-2025-04-14\",\"output\":[],\"parallel_tool_calls\":true,\
             \"temperature\":1.0,\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":1.0,\"usage\":null}}"
        ),
    );
    let mut text = String::new();
    for _ in 0..20 + rng.below(100) {
        let delta = tokens(rng, 1);
        text.push_str(&delta);
        let len = 1 + rng.below(12);
        let obfuscation = random_id(rng, ALNUM, len);
        event(
            out,
            "response.output_text.delta",
            &format!(
                "\"item_id\":\"msg_{item}\",\"output_index\":0,\"content_index\":0,\"delta\":\"{delta}\",\
                 \"logprobs\":[],\"obfuscation\":\"{obfuscation}\""
            ),
        );
    }
    event(
        out,
        "response.output_text.done",
        &format!(
            "\"item_id\":\"msg_{item}\",\"output_index\":0,\"content_index\":0,\"text\":\"{text}\",\"logprobs\":[]"
        ),
    );
}

/// LLM token streaming as OpenAI's and Anthropic's APIs send it, one response after another: Chat Completions
/// streams (untyped `data:` chunks of about 250 bytes, three in five responses), Anthropic Messages streams
/// and OpenAI Responses streams (every event typed with an `event:` line, one in five each). About a third of
/// the events are typed. JSON, nearly all ASCII: about one token in 40 is a `\u` escape, one in 100 raw
/// UTF-8. Neither API sends `id:` fields (their IDs are in the JSON), so there are none. LF line ends. About
/// `target_len` bytes.
#[must_use]
pub fn llm(target_len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x55E_C0DEC);
    let mut out = String::with_capacity(target_len + 64 * 1024);
    let mut created = 1_741_569_952;
    while out.len() < target_len {
        created += 1 + rng.below(60) as u64;
        match rng.below(5) {
            0..=2 => openai_chat(&mut rng, &mut out, created),
            3 => anthropic(&mut rng, &mut out),
            _ => openai_responses(&mut rng, &mut out, created),
        }
    }
    out.into_bytes()
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

const FIRST_NAMES: &[&str] = &["Alice", "Bob", "Carmen", "Deepak", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas"];
const LAST_NAMES: &[&str] = &["Martin", "Smith", "Garcia", "Patel", "Johnson", "Haddad", "Lee", "Tanaka", "Silva"];
const REPOS: &[&str] = &["acme/web", "acme/api", "acme/mobile", "tools/ci", "infra/terraform"];
const WORDS: &[&str] = &[
    "fix",
    "flaky",
    "test",
    "in",
    "the",
    "login",
    "flow",
    "update",
    "dependencies",
    "and",
    "add",
    "retry",
    "to",
    "payment",
    "webhook",
    "handler",
    "refactor",
    "cache",
    "layer",
    "for",
    "search",
    "results",
    "please",
    "review",
];

/// Some ASCII words, about `len` bytes: a message's or a title's text.
fn words(rng: &mut Rng, len: usize) -> String {
    let mut text = String::new();
    while text.len() < len {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(WORDS[rng.below(WORDS.len())]);
    }
    text
}

/// Typed notifications as an application server pushes them: `event:` and `id:` on every event, a JSON
/// `data:` line of 150-300 bytes in one of six shapes (orders, shipments, users, messages, presence, builds),
/// ASCII only, and a `retry:` now and then. LF line ends. About `target_len` bytes.
#[must_use]
pub fn notify(target_len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x0071_F1CA_7104);
    let mut out = String::with_capacity(target_len + 512);
    let mut n = 0u64;
    while out.len() < target_len {
        n += 1;
        let ts = 1_735_689_600 + n * 3;
        let user = format!(
            "{{\"id\":\"usr_{}\",\"name\":\"{} {}\"}}",
            random_id(&mut rng, ALNUM, 12),
            FIRST_NAMES[rng.below(FIRST_NAMES.len())],
            LAST_NAMES[rng.below(LAST_NAMES.len())]
        );
        let (kind, body) = match rng.below(6) {
            0 => (
                "order.created",
                format!(
                    "\"order\":{{\"id\":\"ord_{}\",\"customer\":{user},\"items\":{},\"total\":{{\"amount\":{},\
                     \"currency\":\"usd\"}},\"status\":\"pending\"}}",
                    random_id(&mut rng, ALNUM, 14),
                    1 + rng.below(9),
                    100 + rng.below(100_000)
                ),
            ),
            1 => (
                "order.shipped",
                format!(
                    "\"order\":{{\"id\":\"ord_{}\",\"customer\":{user},\"carrier\":\"ups\",\
                     \"tracking\":\"1Z{}\",\"eta\":\"2025-01-{:02}\"}}",
                    random_id(&mut rng, ALNUM, 14),
                    random_id(&mut rng, ALNUM, 16).to_uppercase(),
                    1 + rng.below(28)
                ),
            ),
            2 => (
                "user.updated",
                format!(
                    "\"user\":{user},\"changes\":{{\"email\":\"user{}@example.com\",\"plan\":\"pro\"}},\
                     \"by\":\"usr_{}\"",
                    rng.below(100_000),
                    random_id(&mut rng, ALNUM, 12)
                ),
            ),
            3 => {
                let len = 40 + rng.below(80);
                (
                    "message.new",
                    format!(
                        "\"channel\":\"ch_{}\",\"from\":{user},\"text\":\"{}\",\"unread\":{}",
                        random_id(&mut rng, ALNUM, 10),
                        words(&mut rng, len),
                        rng.below(100)
                    ),
                )
            }
            4 => (
                "presence.changed",
                format!(
                    "\"user\":{user},\"status\":\"{}\",\"device\":\"{}\",\"last_seen\":{ts}",
                    ["online", "away", "offline"][rng.below(3)],
                    ["web", "ios", "android", "desktop"][rng.below(4)]
                ),
            ),
            _ => {
                let len = 20 + rng.below(40);
                (
                    "build.finished",
                    format!(
                        "\"repo\":\"{}\",\"build\":{},\"commit\":\"{}\",\"title\":\"{}\",\"conclusion\":\"{}\",\
                         \"duration_ms\":{}",
                        REPOS[rng.below(REPOS.len())],
                        10_000 + n,
                        random_id(&mut rng, HEX, 40),
                        words(&mut rng, len),
                        ["success", "failure", "cancelled"][rng.below(3)],
                        rng.below(900_000)
                    ),
                )
            }
        };
        out.push_str(&format!("event: {kind}\nid: {}\n", 1_000_000 + n));
        if n % 250 == 0 {
            out.push_str("retry: 5000\n");
        }
        out.push_str(&format!("data: {{\"type\":\"{kind}\",\"seq\":{n},\"ts\":{ts},{body}}}\n\n"));
    }
    out.into_bytes()
}

/// Words of text-heavy streams in many scripts: accented Latin, Greek, Cyrillic, Arabic, Hindi, Chinese,
/// Japanese, Korean, and emoji.
const UNICODE_WORDS: &[&str] = &[
    "naïve",
    "café",
    "über",
    "façade",
    "señor",
    "ça",
    "Straße",
    "γειά",
    "σου",
    "κόσμε",
    "привет",
    "мир",
    "сообщение",
    "مرحبا",
    "بالعالم",
    "नमस्ते",
    "दुनिया",
    "你好",
    "世界",
    "消息",
    "流式",
    "こんにちは",
    "世界",
    "トークン",
    "안녕하세요",
    "세계",
    "🙂",
    "🚀",
    "👍🏽",
    "the",
    "and",
    "ok",
    "42",
    "!",
    "?",
    ",",
];

/// Text-heavy streams: chat messages and model output in many scripts, raw UTF-8 (about half the
/// data's bytes outside ASCII), an `event:` line on every other event and an `id:` on each, 100-250-byte
/// JSON events. Kept apart from `llm` and `notify`, where non-ASCII text is rare, so that this case shows on
/// its own. LF line ends. About `target_len` bytes.
#[must_use]
pub fn unicode(target_len: usize) -> Vec<u8> {
    let mut rng = Rng::new(0x0_C0DE_F00D);
    let mut out = String::with_capacity(target_len + 512);
    let mut n = 0u64;
    while out.len() < target_len {
        n += 1;
        let typed = n % 2 == 0;
        if typed {
            out.push_str("event: message.new\n");
        }
        out.push_str(&format!("id: {n}\n"));
        let len = 40 + rng.below(120);
        let mut text = String::new();
        while text.len() < len {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(UNICODE_WORDS[rng.below(UNICODE_WORDS.len())]);
        }
        out.push_str(&format!(
            "data: {{\"room\":\"r{}\",\"from\":\"u{}\",\"seq\":{n},\"text\":\"{text}\"}}\n\n",
            rng.below(100),
            rng.below(10_000)
        ));
    }
    out.into_bytes()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// What a corpus looks like: events (blocks with data), mean block length in bytes with its blank line,
    /// the share of events with an `event:` line, with an `id:` line, and of data bytes outside ASCII.
    fn shape(corpus: &[u8]) -> (usize, f64, f64, f64, f64) {
        let text = std::str::from_utf8(corpus).expect("every corpus is UTF-8");
        let blocks: Vec<&str> = text.split("\n\n").filter(|b| b.contains("data:")).collect();
        let share = |n: usize, of: usize| n as f64 / of as f64;
        let typed = blocks.iter().filter(|b| b.starts_with("event:") || b.contains("\nevent:")).count();
        let with_id = blocks.iter().filter(|b| b.starts_with("id:") || b.contains("\nid:")).count();
        let data: Vec<u8> = blocks
            .iter()
            .flat_map(|b| b.lines().filter_map(|l| l.strip_prefix("data: ")).flat_map(str::bytes))
            .collect();
        let non_ascii = data.iter().filter(|b| !b.is_ascii()).count();
        let mean = share(blocks.iter().map(|b| b.len() + 2).sum(), blocks.len());
        (blocks.len(), mean, share(typed, blocks.len()), share(with_id, blocks.len()), share(non_ascii, data.len()))
    }

    #[test]
    fn corpora_have_the_shapes_their_docs_give() {
        let len = 1 << 20;
        let (_, mean, typed, with_id, non_ascii) = shape(&llm(len));
        eprintln!("llm: mean {mean:.0} B, typed {typed:.2}, id {with_id:.2}, non-ASCII {non_ascii:.4}");
        assert!((200.0..=300.0).contains(&mean) && (0.25..=0.45).contains(&typed) && with_id == 0.0);
        assert!(non_ascii > 0.0 && non_ascii < 0.01);
        let (_, mean, typed, with_id, non_ascii) = shape(&notify(len));
        eprintln!("notify: mean {mean:.0} B, typed {typed:.2}, id {with_id:.2}, non-ASCII {non_ascii:.4}");
        assert!((200.0..=350.0).contains(&mean) && typed == 1.0 && with_id == 1.0 && non_ascii == 0.0);
        let (_, mean, typed, with_id, non_ascii) = shape(&unicode(len));
        eprintln!("unicode: mean {mean:.0} B, typed {typed:.2}, id {with_id:.2}, non-ASCII {non_ascii:.4}");
        assert!((100.0..=300.0).contains(&mean) && with_id == 1.0 && non_ascii > 0.5);
        assert_eq!(llm(len), llm(len), "deterministic");
    }
}
