//! Metrics in the Prometheus text format (`GET /metrics`): requests by route and status,
//! latency histograms by route, rate-limited requests by issuer, refusals the audit log
//! did not record, leaves appended. Routes are the templates (`/v1/path/{index}`), never
//! the leaf a holder asked for.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 10] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.5];

#[derive(Default, Debug)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default, Debug)]
struct Inner {
    requests: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    rate_limited: BTreeMap<String, u64>,
    refusals_unlogged: u64,
    leaves_appended: u64,
}

/// The service's counters.
#[derive(Default, Debug)]
pub struct Metrics(Mutex<Inner>);

impl Metrics {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Counts a finished request.
    pub fn request(&self, route: &str, status: u16, seconds: f64) {
        self.with(|m| {
            *m.requests.entry((route.to_string(), status)).or_default() += 1;
            let h = m.latency.entry(route.to_string()).or_default();
            h.count += 1;
            h.sum += seconds;
            for (bound, count) in BUCKETS.iter().zip(h.counts.iter_mut()) {
                if seconds <= *bound {
                    *count += 1;
                }
            }
        })
    }

    /// Counts a request refused by an issuer's rate limit.
    pub fn rate_limited(&self, issuer: &str) {
        self.with(|m| *m.rate_limited.entry(issuer.to_string()).or_default() += 1)
    }

    /// Counts a refusal the audit log did not record (over its own rate limit).
    pub fn refusal_unlogged(&self) {
        self.with(|m| m.refusals_unlogged += 1)
    }

    /// Counts appended leaves.
    pub fn appended(&self, leaves: u64) {
        self.with(|m| m.leaves_appended += leaves)
    }

    /// The text exposition, with the registry's size and latest checkpoint.
    pub fn render(&self, leaves: u64, checkpoint_seq: u64, started: i64) -> String {
        let mut out = String::new();
        let w = &mut out;
        self.with(|m| {
            let _ = writeln!(w, "# HELP medzk_http_requests_total HTTP requests answered, by route and status.");
            let _ = writeln!(w, "# TYPE medzk_http_requests_total counter");
            for ((route, status), n) in &m.requests {
                let _ = writeln!(w, "medzk_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
            }
            let _ = writeln!(w, "# HELP medzk_http_request_duration_seconds Time to answer, by route.");
            let _ = writeln!(w, "# TYPE medzk_http_request_duration_seconds histogram");
            for (route, h) in &m.latency {
                for (bound, count) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(
                        w,
                        "medzk_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                    );
                }
                let _ = writeln!(
                    w,
                    "medzk_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(w, "medzk_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
                let _ = writeln!(w, "medzk_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
            }
            let _ = writeln!(w, "# HELP medzk_rate_limited_total Write requests refused by an issuer's rate limit.");
            let _ = writeln!(w, "# TYPE medzk_rate_limited_total counter");
            for (issuer, n) in &m.rate_limited {
                let _ = writeln!(w, "medzk_rate_limited_total{{issuer=\"{}\"}} {n}", escape(issuer));
            }
            let _ = writeln!(
                w,
                "# HELP medzk_audit_refusals_unlogged_total Refused requests over the audit log's own rate limit."
            );
            let _ = writeln!(w, "# TYPE medzk_audit_refusals_unlogged_total counter");
            let _ = writeln!(w, "medzk_audit_refusals_unlogged_total {}", m.refusals_unlogged);
            let _ = writeln!(w, "# HELP medzk_leaves_appended_total Leaves appended through this process.");
            let _ = writeln!(w, "# TYPE medzk_leaves_appended_total counter");
            let _ = writeln!(w, "medzk_leaves_appended_total {}", m.leaves_appended);
        });
        let _ = writeln!(w, "# HELP medzk_registry_leaves Leaves in the registry (revoked ones included).");
        let _ = writeln!(w, "# TYPE medzk_registry_leaves gauge");
        let _ = writeln!(w, "medzk_registry_leaves {leaves}");
        let _ = writeln!(w, "# HELP medzk_registry_checkpoint_seq Sequence number of the latest checkpoint.");
        let _ = writeln!(w, "# TYPE medzk_registry_checkpoint_seq gauge");
        let _ = writeln!(w, "medzk_registry_checkpoint_seq {checkpoint_seq}");
        let _ = writeln!(w, "# HELP medzk_start_time_seconds When this process started (Unix seconds).");
        let _ = writeln!(w, "# TYPE medzk_start_time_seconds gauge");
        let _ = writeln!(w, "medzk_start_time_seconds {started}");
        out
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.request("/v1/path/{index}", 200, 0.002);
        m.request("/v1/path/{index}", 200, 0.2);
        m.request("/v1/append", 401, 0.0001);
        m.rate_limited("clinic:\"a\"");
        m.appended(3);
        let text = m.render(10, 4, 99);
        for line in [
            "medzk_http_requests_total{route=\"/v1/path/{index}\",status=\"200\"} 2",
            "medzk_http_requests_total{route=\"/v1/append\",status=\"401\"} 1",
            "medzk_http_request_duration_seconds_bucket{route=\"/v1/path/{index}\",le=\"0.0025\"} 1",
            "medzk_http_request_duration_seconds_bucket{route=\"/v1/path/{index}\",le=\"0.5\"} 2",
            "medzk_http_request_duration_seconds_bucket{route=\"/v1/path/{index}\",le=\"+Inf\"} 2",
            "medzk_http_request_duration_seconds_count{route=\"/v1/path/{index}\"} 2",
            "medzk_rate_limited_total{issuer=\"clinic:\\\"a\\\"\"} 1",
            "medzk_leaves_appended_total 3",
            "medzk_registry_leaves 10",
            "medzk_registry_checkpoint_seq 4",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
        }
    }
}
