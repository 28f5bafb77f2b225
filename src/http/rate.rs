//! Rate limits per key (a client address, or an address and an e-mail): token buckets in memory,
//! per process (with N instances a client gets N times the rate, which is fine for abuse control),
//! swept of idle keys so that memory stays bounded however many keys an attacker invents.

use std::hash::Hash;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// A token bucket per key: `per_minute` sustained, `burst` at once.
pub struct RateLimits<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> RateLimits<K> {
    pub fn per_minute(per_minute: u32, burst: u32) -> Self {
        Self::new(Quota::per_minute(nonzero(per_minute)).allow_burst(nonzero(burst)))
    }

    pub fn per_hour(per_hour: u32, burst: u32) -> Self {
        Self::new(Quota::per_hour(nonzero(per_hour)).allow_burst(nonzero(burst)))
    }

    fn new(quota: Quota) -> Self {
        RateLimits {
            limiter: RateLimiter::keyed(quota),
        }
    }

    /// Takes one token for `key`; on refusal, how long until the next one.
    pub fn check(&self, key: &K) -> Result<(), Duration> {
        self.limiter
            .check_key(key)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Drops the buckets of keys that are back to full.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// How many keys are remembered (for tests and metrics).
    pub fn len(&self) -> usize {
        self.limiter.len()
    }

    pub fn is_empty(&self) -> bool {
        self.limiter.is_empty()
    }
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A guessing run from a thousand invented keys leaves nothing behind once their buckets
    /// have refilled, while a key still being refused is remembered.
    #[test]
    fn the_sweep_forgets_keys_whose_buckets_refilled() {
        let period = Duration::from_secs(1);
        let limits = RateLimits::new(
            Quota::with_period(period)
                .expect("a non-zero period")
                .allow_burst(nonzero(1)),
        );
        for key in 0..1_000u32 {
            assert!(limits.check(&key).is_ok());
        }
        assert!(limits.check(&999).is_err(), "a second try at once waits");
        limits.forget_idle();
        assert!(!limits.is_empty(), "nothing has refilled yet");
        std::thread::sleep(period * 3);
        limits.forget_idle();
        assert_eq!(limits.len(), 0);
        assert!(limits.check(&999).is_ok(), "a forgotten key starts afresh");
    }
}
