//! The rule against password guessing: 5 failed logins within 15 minutes lock the
//! account (or the unknown login name) until the window that began with the first
//! failure is over. The same rule applies whether or not the account exists, so the
//! lock reveals nothing about which accounts exist.

/// Failures that lock.
pub const MAX_FAILURES: u32 = 5;
/// Length of the window, in seconds.
pub const WINDOW_SECS: i64 = 15 * 60;

/// The failure count of one account or login name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoginGuard {
    /// Failures counted in the current window.
    pub failures: u32,
    /// Unix seconds when the current window began.
    pub window_start: i64,
}

impl LoginGuard {
    /// Seconds until a login may be tried again, or `None` when not locked.
    pub fn locked_for(&self, now: i64) -> Option<u64> {
        let window_end = self.window_start + WINDOW_SECS;
        (self.failures >= MAX_FAILURES && now < window_end)
            .then(|| u64::try_from(window_end - now).unwrap_or(1))
    }

    /// Whether a failure at `now` starts a new window rather than adding to this one.
    pub fn window_expired(&self, now: i64) -> bool {
        now >= self.window_start + WINDOW_SECS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_failures_do_not_lock() {
        let guard = LoginGuard {
            failures: 4,
            window_start: 1000,
        };
        assert_eq!(guard.locked_for(1001), None);
    }

    #[test]
    fn five_failures_lock_until_the_window_ends() {
        let guard = LoginGuard {
            failures: 5,
            window_start: 1000,
        };
        assert_eq!(guard.locked_for(1000 + 60), Some((WINDOW_SECS - 60) as u64));
        assert_eq!(guard.locked_for(1000 + WINDOW_SECS), None);
    }

    #[test]
    fn a_failure_after_the_window_starts_a_new_one() {
        let guard = LoginGuard {
            failures: 3,
            window_start: 1000,
        };
        assert!(!guard.window_expired(1000 + WINDOW_SECS - 1));
        assert!(guard.window_expired(1000 + WINDOW_SECS));
    }
}
