//! Named, timed steps that stop at the first failure, with a summary at the end.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow};

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded.
    Passed,
    /// It failed, and the run stopped there.
    Failed,
}

/// One finished step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepReport {
    /// The step's name.
    pub name: String,
    /// How long it took.
    pub elapsed: Duration,
    /// How it ended.
    pub outcome: Outcome,
}

/// Runs steps one after the other and keeps their reports.
#[derive(Debug)]
pub struct Steps {
    total: usize,
    reports: Vec<StepReport>,
}

impl Steps {
    /// A run of `total` steps, for the `[n/total]` counter.
    pub fn new(total: usize) -> Self {
        Self {
            total,
            reports: Vec::new(),
        }
    }

    /// Runs `step` under `name`, printing the name before and the time after.
    ///
    /// # Errors
    ///
    /// The step's error, prefixed with the step's name.
    pub fn run(
        &mut self,
        name: &str,
        detail: &str,
        step: impl FnOnce() -> Result<()>,
    ) -> Result<()> {
        println!(
            "\n==> [{}/{}] {name}: {detail}",
            self.reports.len() + 1,
            self.total
        );
        let start = Instant::now();
        let result = step();
        let elapsed = start.elapsed();
        let outcome = if result.is_ok() {
            Outcome::Passed
        } else {
            Outcome::Failed
        };
        println!(
            "<== {name}: {} in {}",
            if outcome == Outcome::Passed {
                "ok"
            } else {
                "FAILED"
            },
            Seconds(elapsed)
        );
        self.reports.push(StepReport {
            name: name.to_owned(),
            elapsed,
            outcome,
        });
        result.map_err(|error| anyhow!("step `{name}` failed: {error:#}"))
    }

    /// The reports so far.
    pub fn reports(&self) -> &[StepReport] {
        &self.reports
    }
}

impl fmt::Display for Steps {
    /// A table of every step run, with its time and outcome, and the total.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .reports
            .iter()
            .map(|report| report.name.len())
            .max()
            .unwrap_or(0);
        let mut total = Duration::ZERO;
        for report in &self.reports {
            total += report.elapsed;
            let outcome = match report.outcome {
                Outcome::Passed => "ok",
                Outcome::Failed => "FAILED",
            };
            writeln!(
                f,
                "  {:<width$}  {:>8}  {outcome}",
                report.name,
                Seconds(report.elapsed).to_string()
            )?;
        }
        let skipped = self.total.saturating_sub(self.reports.len());
        if skipped > 0 {
            writeln!(f, "  ({skipped} steps not run)")?;
        }
        write!(
            f,
            "  {:<width$}  {:>8}",
            "total",
            Seconds(total).to_string()
        )
    }
}

/// A duration as seconds with one decimal.
struct Seconds(Duration);

impl fmt::Display for Seconds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1}s", self.0.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_names_the_step_and_stays_in_the_summary() {
        let mut steps = Steps::new(3);
        steps.run("fmt", "cargo fmt", || Ok(())).unwrap();
        let error = steps
            .run("clippy", "cargo clippy", || Err(anyhow!("exit 101")))
            .unwrap_err();
        assert_eq!(error.to_string(), "step `clippy` failed: exit 101");
        let outcomes: Vec<Outcome> = steps
            .reports()
            .iter()
            .map(|report| report.outcome)
            .collect();
        assert_eq!(outcomes, [Outcome::Passed, Outcome::Failed]);
        let summary = steps.to_string();
        assert!(summary.contains("FAILED"), "{summary}");
        assert!(summary.contains("(1 steps not run)"), "{summary}");
    }
}
