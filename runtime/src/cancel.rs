//! Cancelling a running job from outside the runner: the shell's Ctrl-C handler calls
//! [`Cancel::cancel`] on another thread, and the runner's wait for the job returns
//! [`RunError::cancelled`](crate::RunError::cancelled) at once. Dropping the job's future
//! drops its streams and aborts its tasks; a STORE's temporary output is removed.

use std::sync::Arc;

use tokio::sync::watch;

/// A cancellation flag shared between a [`Runner`](crate::Runner) and whoever may cancel
/// its jobs. Clones share the flag.
#[derive(Clone, Debug)]
pub struct Cancel(Arc<watch::Sender<bool>>);

impl Default for Cancel {
    fn default() -> Self {
        Cancel(Arc::new(watch::Sender::new(false)))
    }
}

impl Cancel {
    /// A flag that is not set.
    pub fn new() -> Self {
        Cancel::default()
    }

    /// Asks the job running now (or the next one, until [`Cancel::reset`]) to stop.
    /// Safe to call from any thread, including a signal handler's thread.
    pub fn cancel(&self) {
        self.0.send_replace(true);
    }

    /// Clears the flag, before the next job starts.
    pub fn reset(&self) {
        self.0.send_replace(false);
    }

    /// Whether the flag is set.
    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Completes once the flag is set.
    pub(crate) async fn cancelled(&self) {
        let mut rx = self.0.subscribe();
        // The sender lives in `self`, so the channel cannot close while this waits.
        let _ = rx.wait_for(|set| *set).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancel_from_another_thread_ends_the_wait() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let cancel = Cancel::new();
        let other = cancel.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            other.cancel();
        });
        rt.block_on(cancel.cancelled());
        assert!(cancel.is_cancelled());
        t.join().unwrap();
        cancel.reset();
        assert!(!cancel.is_cancelled());
    }

    #[test]
    fn a_flag_set_before_the_wait_ends_it_at_once() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let cancel = Cancel::new();
        cancel.cancel();
        rt.block_on(cancel.cancelled());
    }
}
