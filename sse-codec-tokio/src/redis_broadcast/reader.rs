//! The reader task: one per process, it reads the Redis stream with a blocking `XREAD` from the last entry it
//! saw and sends each entry's event to the process's broadcaster, so an entry is read and encoded once per
//! process. When the connection fails it reconnects with backoff and goes on from the same entry.

use std::time::Duration;

use ::redis::streams::{StreamRangeReply, StreamReadReply};
use ::redis::{AsyncConnectionConfig, Client, RedisResult, aio::MultiplexedConnection};
use tokio::sync::watch;

use super::entry;
use crate::{BroadcastError, Broadcaster};

/// Entries read by one `XREAD`, at most.
const BATCH: usize = 512;

/// What the reader needs.
#[derive(Debug)]
pub(super) struct Reader {
    pub(super) client: Client,
    pub(super) key: String,
    pub(super) block: Duration,
    pub(super) timeout: Duration,
    pub(super) backoff: (Duration, Duration),
    pub(super) broadcaster: Broadcaster,
    /// The number of the last entry the reader has passed: at first the stream's last entry when the reader
    /// first reached Redis (it sends only what comes after), then each entry it sent. `None` until then.
    pub(super) position: watch::Sender<Option<u64>>,
}

impl Reader {
    /// Reads until the broadcaster is closed.
    pub(super) async fn run(self) {
        let mut delay = self.backoff.0;
        let mut last: Option<String> = None;
        loop {
            match self.session(&mut last, &mut delay).await {
                Ok(()) => return, // the broadcaster is closed
                Err(_) if self.broadcaster.is_closed() => return,
                Err(_) => {}
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(self.backoff.1);
        }
    }

    /// One connection: finds where to start (the first time), then reads and sends until an error.
    async fn session(&self, last: &mut Option<String>, delay: &mut Duration) -> RedisResult<()> {
        let config = AsyncConnectionConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.block + self.timeout));
        let mut connection = self.client.get_multiplexed_async_connection_with_config(&config).await?;
        let mut from = match last {
            Some(from) => from.clone(),
            None => {
                let head: StreamRangeReply = ::redis::cmd("XREVRANGE")
                    .arg(&self.key)
                    .arg("+")
                    .arg("-")
                    .arg("COUNT")
                    .arg(1)
                    .query_async(&mut connection)
                    .await?;
                let from = head.ids.first().map_or_else(|| "0-0".to_owned(), |entry| entry.id.clone());
                self.position.send_replace(Some(entry::number(&from).unwrap_or(0)));
                last.insert(from).clone()
            }
        };
        *delay = self.backoff.0;
        loop {
            let reply = self.read(&mut connection, &from).await?;
            for entry in reply.into_iter().flat_map(|key| key.ids) {
                if let Some(event) = entry::event(&entry) {
                    // Another refusal (too large for the log) comes only from an entry that publish did not
                    // write, since publish refuses such events: it is passed over.
                    if let Err(BroadcastError::Closed) = self.broadcaster.send(event) {
                        return Ok(());
                    }
                }
                if let Some(number) = entry::number(&entry.id) {
                    self.position.send_replace(Some(number));
                }
                from = entry.id;
                *last = Some(from.clone());
            }
        }
    }

    /// One blocking `XREAD` of the entries after `from`; empty when none came within the block time.
    async fn read(
        &self,
        connection: &mut MultiplexedConnection,
        from: &str,
    ) -> RedisResult<Vec<::redis::streams::StreamKey>> {
        let block = u64::try_from(self.block.as_millis()).unwrap_or(u64::MAX).max(1);
        let reply: Option<StreamReadReply> = ::redis::cmd("XREAD")
            .arg("COUNT")
            .arg(BATCH)
            .arg("BLOCK")
            .arg(block)
            .arg("STREAMS")
            .arg(&self.key)
            .arg(from)
            .query_async(connection)
            .await?;
        Ok(reply.map(|reply| reply.keys).unwrap_or_default())
    }
}
