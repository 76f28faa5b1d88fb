//! Per-call latencies and their percentiles.

use std::time::Duration;

/// Latencies of every call of a run.
#[derive(Debug, Default)]
pub(crate) struct Latencies {
    sorted: Vec<Duration>,
}

impl Latencies {
    /// Takes the latencies in any order.
    pub(crate) fn new(mut all: Vec<Duration>) -> Self {
        all.sort_unstable();
        Latencies { sorted: all }
    }

    /// The nearest-rank percentile (`q` from 0 to 1): the smallest latency that at least `q` of the calls met.
    pub(crate) fn percentile(&self, q: f64) -> Duration {
        let n = self.sorted.len();
        if n == 0 {
            return Duration::ZERO;
        }
        // Nearest rank: ceil(q * n), counted from 1. The f64 round trip is exact for any n a run can have.
        let rank = (q.clamp(0.0, 1.0) * n as f64).ceil() as usize;
        self.sorted
            .get(rank.clamp(1, n) - 1)
            .copied()
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let ms = Duration::from_millis;
        let latencies = Latencies::new((1..=100).rev().map(ms).collect());
        assert_eq!(latencies.percentile(0.5), ms(50));
        assert_eq!(latencies.percentile(0.99), ms(99));
        assert_eq!(latencies.percentile(1.0), ms(100));
        assert_eq!(latencies.percentile(0.0), ms(1));
        assert_eq!(Latencies::new(vec![ms(7)]).percentile(0.99), ms(7));
        assert_eq!(Latencies::default().percentile(0.5), Duration::ZERO);
    }
}
