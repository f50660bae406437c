//! Deep trees without stack overflows: recursive code (lowering, printing, checking,
//! dropping) runs each level through [`guarded`], which moves to a fresh heap-allocated
//! stack segment when the current one runs low.

/// Room left on the stack below which a new segment is allocated.
const RED_ZONE: usize = 128 * 1024;
/// Size of each new stack segment.
const SEGMENT: usize = 4 * 1024 * 1024;

/// Runs `f`, first growing the stack if less than [`RED_ZONE`] is left.
#[inline]
pub fn guarded<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}
