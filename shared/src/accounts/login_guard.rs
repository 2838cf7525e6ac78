//! The rule against password guessing: a login name may be tried 5 times from one client
//! within 15 minutes; then that client waits until the window that began with the first
//! attempt is over. A correct password clears the count. The same rule applies whether
//! or not the account exists, so the lock reveals nothing about which accounts exist.
//! How attempts are counted and reserved: [`super::attempts`].

/// Attempts a window allows; the next is refused with `Retry-After`.
pub const MAX_FAILURES: u32 = 5;
/// Length of the window, in seconds.
pub const WINDOW_SECS: i64 = 15 * 60;
