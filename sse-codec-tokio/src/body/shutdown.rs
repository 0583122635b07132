//! [`Shutdown`]: one handle that ends every open [`EventBody`](crate::EventBody) watching it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// What a body keeps to be woken by a [`Shutdown`].
pub(crate) type Waiter = Pin<Box<dyn Future<Output = ()> + Send + Sync>>;

struct Inner {
    triggered: AtomicBool,
    notify: Notify,
}

/// A shutdown signal for event-stream bodies: [`Shutdown::trigger`] ends every [`EventBody`](crate::EventBody)
/// given a clone of it, each at a block boundary, so that a server's graceful shutdown is not held up by
/// streams that would otherwise never end.
///
/// Clones share the signal. A body checks it once per chunk it hands out, and is woken by it while idle, so it
/// ends as soon as its server polls it next. The signal stays triggered; dropping every handle does not
/// trigger it.
///
/// # Examples
///
/// Stopping an axum server whose handlers stream events (the server's own graceful shutdown then waits
/// only for bodies that have ended):
///
/// ```no_run
/// # async fn run(listener: tokio::net::TcpListener, app: axum::Router) -> std::io::Result<()> {
/// use sse_codec_tokio::Shutdown;
///
/// let shutdown = Shutdown::new(); // give clones to the handlers' `BodyConfig::shutdown`
/// let ctrl_c = shutdown.clone();
/// tokio::spawn(async move {
///     let _ = tokio::signal::ctrl_c().await;
///     ctrl_c.trigger();
/// });
/// axum::serve(listener, app).with_graceful_shutdown(shutdown.triggered()).await
/// # }
/// ```
#[derive(Clone)]
pub struct Shutdown(Arc<Inner>);

impl Shutdown {
    /// A signal not yet triggered.
    #[must_use]
    pub fn new() -> Self {
        Self(Arc::new(Inner { triggered: AtomicBool::new(false), notify: Notify::new() }))
    }

    /// Triggers the signal: every body watching it ends at its next block boundary. Triggering again does
    /// nothing.
    pub fn trigger(&self) {
        if !self.0.triggered.swap(true, Ordering::AcqRel) {
            self.0.notify.notify_waiters();
        }
    }

    /// Whether the signal has been triggered.
    #[must_use]
    pub fn is_triggered(&self) -> bool {
        self.0.triggered.load(Ordering::Acquire)
    }

    /// A future that completes once the signal is triggered (at once if it already was); it holds a clone
    /// of the handle, so it can be handed to a server's graceful shutdown.
    pub fn triggered(&self) -> impl Future<Output = ()> + Send + Sync + 'static {
        let inner = Arc::clone(&self.0);
        async move {
            loop {
                let notified = inner.notify.notified();
                let mut notified = std::pin::pin!(notified);
                // Registered before the flag is read, so a trigger in between is not missed.
                notified.as_mut().enable();
                if inner.triggered.load(Ordering::Acquire) {
                    return;
                }
                notified.await;
            }
        }
    }

    /// The boxed form of [`Shutdown::triggered`] that a body keeps.
    pub(crate) fn waiter(&self) -> Waiter {
        Box::pin(self.triggered())
    }
}

impl Default for Shutdown {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Shutdown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shutdown").field("triggered", &self.is_triggered()).finish()
    }
}
