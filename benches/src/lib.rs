//! Deterministic corpora for the benchmarks: generated in code from a fixed seed, so every run on every
//! machine measures the same bytes.

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

/// Counts line ends with `memchr2` over CR and LF: the physical limit a line-based decoder is compared with.
#[must_use]
pub fn count_line_ends(input: &[u8]) -> usize {
    memchr::memchr2_iter(b'\r', b'\n', input).count()
}
