//! SIGINT, SIGTERM and SIGHUP while the crate works: CI systems cancel a job with SIGTERM
//! (a Jenkins abort, a GitHub Actions cancel, `timeout`), a closed terminal sends SIGHUP,
//! and each must get what Ctrl-C gets: what the run created is removed, the run says so
//! and fails.
//!
//! The handlers are installed for the time one entry point of the crate runs and the
//! previous ones restored after, so that the rest of the binary keeps the default action
//! (a signal between two stages still ends the process). A handler only records the
//! signal; the async code polls for it ([`received`]).

use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The signals a run treats as "stop now".
const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The last signal received while handlers were installed, 0 for none.
static RECEIVED: AtomicI32 = AtomicI32::new(0);

extern "C" fn record(signal: libc::c_int) {
    RECEIVED.store(signal, Ordering::SeqCst);
}

/// The handlers of [`SIGNALS`], installed while it lives.
pub(crate) struct Handlers {
    previous: Vec<(libc::c_int, libc::sigaction)>,
}

impl Handlers {
    pub(crate) fn install() -> Self {
        RECEIVED.store(0, Ordering::SeqCst);
        let mut previous = Vec::new();
        for signal in SIGNALS {
            #[allow(unsafe_code)]
            // SAFETY: `sigaction` with a zeroed struct whose handler is a plain function that
            // only stores into an atomic (async-signal-safe); `old` is written by the kernel.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = record as extern "C" fn(libc::c_int) as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(signal, &action, &mut old) == 0 {
                    previous.push((signal, old));
                }
            }
        }
        Self { previous }
    }
}

impl Drop for Handlers {
    fn drop(&mut self) {
        for (signal, old) in &self.previous {
            #[allow(unsafe_code)]
            // SAFETY: restores the action `sigaction` returned for this signal at install.
            unsafe {
                libc::sigaction(*signal, old, std::ptr::null_mut());
            }
        }
    }
}

/// A signal that asked the run to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signal(pub i32);

impl Signal {
    /// How people know the signal: Ctrl-C for SIGINT.
    pub fn describe(self) -> &'static str {
        match self.0 {
            libc::SIGINT => "Ctrl-C",
            libc::SIGTERM => "SIGTERM",
            libc::SIGHUP => "SIGHUP",
            _ => "a signal",
        }
    }
}

/// The signal received since the handlers were installed, if one was.
pub(crate) fn pending() -> Option<Signal> {
    match RECEIVED.load(Ordering::SeqCst) {
        0 => None,
        signal => Some(Signal(signal)),
    }
}

/// Resolves when one of [`SIGNALS`] arrives.
pub(crate) async fn received() -> Signal {
    loop {
        if let Some(signal) = pending() {
            return signal;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What a cleanup run from a destructor (a build folder dropped by a signal) could not
/// do: the entry point reports it instead of claiming everything was removed.
static CLEANUP_FAILURES: Mutex<Vec<String>> = Mutex::new(Vec::new());

pub(crate) fn record_cleanup_failure(message: String) {
    CLEANUP_FAILURES.lock().expect("cleanup failure list lock").push(message);
}

pub(crate) fn take_cleanup_failures() -> Vec<String> {
    std::mem::take(&mut *CLEANUP_FAILURES.lock().expect("cleanup failure list lock"))
}
