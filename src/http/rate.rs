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
