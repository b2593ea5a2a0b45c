//! Request-rate limits: a token bucket per enrolled issuer (checked once its signature has
//! verified, so nobody can spend another issuer's budget by claiming its name), and one
//! bucket for audit entries of refused requests (so a flood of unsigned requests cannot
//! turn into a flood of database writes; the refusals beyond it are counted in the
//! metrics instead).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// The service's limits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Sustained write requests per second per issuer.
    pub issuer_rate: f64,
    /// Requests an issuer may send at once after a quiet period.
    pub issuer_burst: f64,
    /// Refused requests per second written to the audit log (all callers together).
    pub refusal_log_rate: f64,
    /// Refusals logged at once after a quiet period.
    pub refusal_log_burst: f64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { issuer_rate: 50.0, issuer_burst: 100.0, refusal_log_rate: 20.0, refusal_log_burst: 100.0 }
    }
}

/// A token bucket.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Token buckets by key.
#[derive(Debug)]
pub struct Buckets {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Buckets {
    /// Buckets that refill at `rate` per second up to `burst`.
    pub fn new(rate: f64, burst: f64) -> Buckets {
        Buckets { rate: rate.max(0.0), burst: burst.max(1.0), buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one token for `key`; `Err(seconds)` says when the next one is due.
    pub fn take(&self, key: &str) -> Result<(), f64> {
        self.take_at(key, Instant::now())
    }

    fn take_at(&self, key: &str, now: Instant) -> Result<(), f64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket { tokens: self.burst, at: now });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate).min(self.burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else if self.rate > 0.0 {
            Err((1.0 - bucket.tokens) / self.rate)
        } else {
            Err(f64::INFINITY)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let b = Buckets::new(2.0, 3.0);
        let t0 = Instant::now();
        for _ in 0..3 {
            b.take_at("a", t0).unwrap();
        }
        let wait = b.take_at("a", t0).unwrap_err();
        assert!((wait - 0.5).abs() < 1e-9, "{wait}");
        // Another key has its own bucket.
        b.take_at("b", t0).unwrap();
        // Half a second later one token is back, not more.
        let t1 = t0 + Duration::from_millis(500);
        b.take_at("a", t1).unwrap();
        assert!(b.take_at("a", t1).is_err());
        // A long pause refills to the burst, never beyond.
        let t2 = t1 + Duration::from_secs(60);
        for _ in 0..3 {
            b.take_at("a", t2).unwrap();
        }
        assert!(b.take_at("a", t2).is_err());
    }
}
