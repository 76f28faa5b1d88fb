//! Read before sending again: the termination loop shared by the providers that can read a call.
//!
//! A cancel or abort whose answer leaves doubt (a timeout or reset after sending, a 5xx, an unclear 2xx) may have
//! ended the call. Sending it again blind could make the provider act twice, and its answer ("not active") would
//! then stand in for the truth. So a provider client sends the request as [`Idempotency::ReadFirst`], and
//! [`read_first`] reads the call after a doubtful answer and sends again only while the call is still live.
//!
//! [`Idempotency::ReadFirst`]: crate::http::Idempotency::ReadFirst

use std::future::Future;

use crate::{Error, Result};

/// What [`read_first`] ended with, for the provider to turn into its answer.
#[derive(Debug)]
pub enum ReadFirst<C> {
    /// The provider accepted the request. `attempts` counts every request sent, reads included.
    Accepted {
        /// Every request sent.
        attempts: u32,
    },
    /// The request failed with an answer that needs no read (a 401, a 429 after retries, a connection that never
    /// opened, or whatever the provider's `doubtful` says is clear). Its attempts count every request sent.
    Failed(Error),
    /// The request's answer left doubt and the read answered.
    Read {
        /// The call as read after the last request.
        call: C,
        /// The last request's error.
        error: Error,
        /// Every request sent, reads included.
        attempts: u32,
        /// Whether an earlier request of ours may have reached the provider: a retry of the last request, or a
        /// request of an earlier round.
        earlier_may_have_landed: bool,
    },
    /// The request's answer left doubt and the read failed too.
    ReadFailed {
        /// The last request's error.
        error: Error,
        /// The read's error.
        read: Error,
        /// Every request sent, reads included.
        attempts: u32,
    },
}

/// Sends a terminating request and resolves doubt by reading the call, for at most `rounds` requests.
///
/// Each round calls `send` (answering the number of requests it sent, or its error); an error `doubtful` accepts is
/// followed by `read` (the call, and the requests it sent). When that error [is ambiguous](Error::is_ambiguous) (the
/// request may have landed: a timeout, a reset, a 5xx, an unclear 2xx) and `still_live` says the call is still
/// running, the next round sends again; otherwise the read decides, and the provider resolves
/// [`ReadFirst::Read`] into its answer. So the request is never sent again straight after a doubtful answer.
///
/// ```
/// use call_core::read_first::{ReadFirst, read_first};
/// use call_core::{Error, Result};
///
/// # tokio_test_block_on(async {
/// // A call that is live: every cancel times out after sending, the read says it is still live.
/// let answer = read_first(
///     3,
///     || async { Err::<u32, _>(Error::from_status(502).with_attempts(1)) },
///     || async { Ok::<_, Error>(("live", 1)) },
///     |_| true,
///     |call: &&str| *call == "live",
/// )
/// .await;
/// match answer {
///     ReadFirst::Read { attempts, .. } => assert_eq!(attempts, 6), // three cancels, three reads
///     other => panic!("{other:?}"),
/// }
/// # });
/// # fn tokio_test_block_on(f: impl std::future::Future<Output = ()>) {
/// #     tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
/// # }
/// ```
pub async fn read_first<C, S, SF, R, RF>(
    rounds: u32,
    mut send: S,
    mut read: R,
    doubtful: impl Fn(&Error) -> bool,
    still_live: impl Fn(&C) -> bool,
) -> ReadFirst<C>
where
    S: FnMut() -> SF,
    SF: Future<Output = Result<u32>>,
    R: FnMut() -> RF,
    RF: Future<Output = Result<(C, u32)>>,
{
    let rounds = rounds.max(1);
    // Requests sent in earlier rounds.
    let mut spent = 0;
    let mut round = 1;
    loop {
        let error = match send().await {
            Ok(attempts) => {
                return ReadFirst::Accepted {
                    attempts: spent + attempts,
                };
            }
            Err(error) => error,
        };
        if !doubtful(&error) {
            let attempts = spent + error.attempts();
            return ReadFirst::Failed(error.with_attempts(attempts));
        }
        let (call, read_attempts) = match read().await {
            Ok(found) => found,
            Err(read) => {
                let attempts = spent + error.attempts() + read.attempts();
                return ReadFirst::ReadFailed {
                    error,
                    read,
                    attempts,
                };
            }
        };
        let earlier_may_have_landed = spent > 0 || error.attempts() > 1;
        let attempts = spent + error.attempts() + read_attempts;
        if round < rounds && error.is_ambiguous() && still_live(&call) {
            spent = attempts;
            round += 1;
            continue;
        }
        return ReadFirst::Read {
            call,
            error,
            attempts,
            earlier_may_have_landed,
        };
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::ErrorKind;

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("a runtime")
            .block_on(future)
    }

    /// Runs `read_first` over scripted answers: `sends` in order, the call read as `states` in order.
    fn run(
        sends: Vec<Result<u32>>,
        states: Vec<Result<(&'static str, u32)>>,
    ) -> (ReadFirst<&'static str>, usize, usize) {
        let sends = std::cell::RefCell::new(sends.into_iter());
        let states = std::cell::RefCell::new(states.into_iter());
        let (sent, read) = (Cell::new(0), Cell::new(0));
        let answer = block_on(read_first(
            3,
            || {
                sent.set(sent.get() + 1);
                let next = sends.borrow_mut().next();
                async move { next.unwrap_or_else(|| Err(Error::new(ErrorKind::Transport, "no more"))) }
            },
            || {
                read.set(read.get() + 1);
                let next = states.borrow_mut().next();
                async move { next.unwrap_or_else(|| Err(Error::new(ErrorKind::Transport, "no more"))) }
            },
            |error| error.is_ambiguous() || error.status() == Some(400),
            |call| *call == "live",
        ));
        (answer, sent.get(), read.get())
    }

    fn bad_gateway(attempts: u32) -> Error {
        Error::from_status(502).with_attempts(attempts)
    }

    #[test]
    fn an_accepted_request_reads_nothing() {
        let (answer, sent, read) = run(vec![Ok(2)], vec![]);
        assert!(matches!(answer, ReadFirst::Accepted { attempts: 2 }));
        assert_eq!((sent, read), (1, 0));
    }

    #[test]
    fn a_clear_failure_is_returned_without_a_read() {
        let (answer, sent, read) = run(vec![Err(Error::from_status(401).with_attempts(1))], vec![]);
        match answer {
            ReadFirst::Failed(error) => {
                assert_eq!((error.status(), error.attempts()), (Some(401), 1))
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((sent, read), (1, 0));
    }

    #[test]
    fn a_doubtful_answer_on_an_ended_call_is_read_and_not_sent_again() {
        let (answer, sent, read) = run(vec![Err(bad_gateway(1))], vec![Ok(("ended", 1))]);
        match answer {
            ReadFirst::Read {
                call,
                attempts,
                earlier_may_have_landed,
                ..
            } => {
                assert_eq!(
                    (call, attempts, earlier_may_have_landed),
                    ("ended", 2, false)
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((sent, read), (1, 1));
    }

    #[test]
    fn a_live_call_is_sent_again_after_each_read_until_it_lands() {
        let (answer, sent, read) = run(
            vec![Err(bad_gateway(1)), Err(bad_gateway(1)), Ok(1)],
            vec![Ok(("live", 1)), Ok(("live", 1))],
        );
        assert!(matches!(answer, ReadFirst::Accepted { attempts: 5 }));
        assert_eq!((sent, read), (3, 2));
    }

    #[test]
    fn rounds_are_bounded_and_every_request_is_counted() {
        let (answer, sent, read) = run(
            vec![
                Err(bad_gateway(1)),
                Err(bad_gateway(1)),
                Err(bad_gateway(1)),
                Ok(1),
            ],
            vec![Ok(("live", 1)), Ok(("live", 1)), Ok(("live", 1))],
        );
        match answer {
            ReadFirst::Read {
                call,
                attempts,
                earlier_may_have_landed,
                ..
            } => {
                assert_eq!((call, attempts, earlier_may_have_landed), ("live", 6, true));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((sent, read), (3, 3));
    }

    #[test]
    fn an_unambiguous_doubt_is_read_once_and_left_to_the_provider() {
        // A 400 ("not active") on a call the read shows live is not sent again: it did not land.
        let refused = Error::from_status(400).with_attempts(1);
        let (answer, sent, read) = run(vec![Err(refused)], vec![Ok(("live", 1))]);
        assert!(matches!(answer, ReadFirst::Read { attempts: 2, .. }));
        assert_eq!((sent, read), (1, 1));
    }

    #[test]
    fn a_failed_read_keeps_both_errors_and_counts_both() {
        let unreachable = Error::from_status(503).with_attempts(3);
        let (answer, sent, read) = run(vec![Err(bad_gateway(1))], vec![Err(unreachable)]);
        match answer {
            ReadFirst::ReadFailed {
                error,
                read,
                attempts,
            } => {
                assert_eq!(
                    (error.status(), read.status(), attempts),
                    (Some(502), Some(503), 4)
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!((sent, read), (1, 1));
    }
}
