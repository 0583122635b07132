//! [`KeepAlive`]: the comment an idle body sends, and how long it waits first.

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use sse_codec::{EventRef, KEEP_ALIVE};

/// The keep-alive of an [`EventBody`](crate::EventBody): after `interval` without anything sent, a comment
/// block goes out. Receivers ignore comments, but proxies, load balancers and HTTP clients that close
/// connections idle for 60 to 300 seconds see traffic.
///
/// The default is [`KeepAlive::DEFAULT_INTERVAL`] (15 s) and the shortest comment, [`KEEP_ALIVE`] (`:` and a
/// blank line). A keep-alive only ever goes out between blocks, never inside one.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sse_codec::Frame;
/// use sse_codec_tokio::KeepAlive;
///
/// let keep_alive = KeepAlive::new().interval(Duration::from_secs(30)).comment("ping");
/// assert_eq!(keep_alive.get_interval(), Duration::from_secs(30));
/// // A comment block, encoded once by the core.
/// let mut ping = Vec::new();
/// Frame::Comment("ping".into()).encode(&mut ping).unwrap();
/// assert_eq!(keep_alive.encoded()[..], ping[..]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeepAlive {
    interval: Duration,
    /// The comment block, encoded once.
    encoded: Bytes,
}

impl KeepAlive {
    /// The idle interval of [`KeepAlive::new`]: 15 s, well under the 30-60 s after which common proxies and
    /// load balancers close an idle connection.
    pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15);

    /// A keep-alive of [`KeepAlive::DEFAULT_INTERVAL`] with the comment [`KEEP_ALIVE`].
    #[must_use]
    pub fn new() -> Self {
        Self { interval: Self::DEFAULT_INTERVAL, encoded: Bytes::from_static(KEEP_ALIVE) }
    }

    /// Sets the idle interval. A zero interval is raised to 1 ms, so an idle body cannot spin.
    #[must_use]
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Sets the comment's text; line breaks in it start new comment lines.
    #[must_use]
    pub fn comment(mut self, text: impl AsRef<[u8]>) -> Self {
        let block = EventRef::comment(text.as_ref());
        let mut encoded = BytesMut::with_capacity(block.encoded_len());
        block.encode(&mut encoded).expect("a comment is always valid and a BytesMut grows");
        self.encoded = encoded.freeze();
        self
    }

    /// The idle interval.
    #[must_use]
    pub const fn get_interval(&self) -> Duration {
        self.interval
    }

    /// The comment block as it goes out.
    #[must_use]
    pub const fn encoded(&self) -> &Bytes {
        &self.encoded
    }
}

impl Default for KeepAlive {
    fn default() -> Self {
        Self::new()
    }
}
