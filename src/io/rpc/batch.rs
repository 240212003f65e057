//! Reads a list of JSON-RPC calls from one endpoint within its limits: batches of at most the endpoint's batch
//! size, sent concurrently (a semaphore shared by every network caps requests in flight), paced to the endpoint's
//! `rps`, paused for its `Retry-After`. A refused batch (see `core::onchain::reads::batch_verdict`, or a dropped
//! connection) is halved and sent again, and the smaller size is kept for the rest of the run. Each call ends
//! answered, reverted or failed; failed calls are asked again on their own, with backoff and jitter, up to the
//! retry limit.

use super::http::{post, Exchange};
use super::Endpoint;
use crate::core::onchain::reads::{
    backoff_ms, batch_ranges, batch_verdict, classify_error, next_batch_size, BatchVerdict, FailureKind, ReadOutcome,
};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, Semaphore};
use tokio::time::Instant;

/// One JSON-RPC call.
pub type Call = (&'static str, Value);

/// How a connection to one endpoint behaves.
#[derive(Debug, Clone)]
pub struct ConnOptions {
    pub timeout: Duration,
    pub retries: u32,
    pub backoff: Duration,
    pub max_body: usize,
    /// The longest `Retry-After` honoured.
    pub retry_after_cap: Duration,
}

/// The pace of one endpoint: at most `burst` requests in any `burst / rps` seconds (so `rps = 5, burst = 300` is
/// "300 requests a minute", as providers state their limits; the default burst is one second's worth); and a pause
/// the server asked for (`Retry-After`).
struct Pace {
    /// `(burst, window)` when the endpoint has an `rps`.
    limit: Option<(usize, Duration)>,
    /// Send times of the requests of the current window, and the end of a pause.
    state: Mutex<(std::collections::VecDeque<Instant>, Instant)>,
}

impl Pace {
    fn new(rps: Option<f64>, burst: Option<u32>) -> Pace {
        let limit = rps.filter(|r| *r > 0.0 && r.is_finite()).map(|rps| {
            let burst = burst.map_or_else(|| rps.ceil().max(1.0), |b| f64::from(b.max(1)));
            (burst as usize, Duration::from_secs_f64(burst / rps))
        });
        Pace { limit, state: Mutex::new((std::collections::VecDeque::new(), Instant::now())) }
    }

    /// Waits until the window probably has room (nothing is counted: see [`Pace::take`]).
    async fn ready(&self) {
        loop {
            let sleep_until = {
                let mut s = self.state.lock().await;
                let now = Instant::now();
                if s.1 > now {
                    s.1
                } else if let Some((burst, window)) = self.limit {
                    while s.0.front().is_some_and(|t| now.duration_since(*t) >= window) {
                        s.0.pop_front();
                    }
                    if s.0.len() < burst {
                        return;
                    }
                    s.0[0] + window
                } else {
                    return;
                }
            };
            tokio::time::sleep_until(sleep_until).await;
        }
    }

    /// Counts a request that goes out now, if the window has room and no pause holds: the time recorded is the
    /// time of sending (after waiting for the concurrency cap), the time the server counts too.
    async fn take(&self) -> bool {
        let mut s = self.state.lock().await;
        let now = Instant::now();
        if s.1 > now {
            return false;
        }
        let Some((burst, window)) = self.limit else { return true };
        while s.0.front().is_some_and(|t| now.duration_since(*t) >= window) {
            s.0.pop_front();
        }
        let room = s.0.len() < burst;
        if room {
            s.0.push_back(now);
        }
        room
    }

    /// No request before `for_` from now (a `Retry-After`).
    async fn pause(&self, for_: Duration) {
        let mut s = self.state.lock().await;
        s.1 = s.1.max(Instant::now() + for_);
    }
}

/// One endpoint's connection: client, limits, learnt batch size and traffic counters.
pub struct Conn {
    pub endpoint: Endpoint,
    client: reqwest::Client,
    options: ConnOptions,
    pace: Pace,
    batch_size: AtomicUsize,
    limit: Arc<Semaphore>,
    pub round_trips: AtomicU32,
    pub requests: AtomicU32,
    pub retried: AtomicU32,
    seed: std::collections::hash_map::RandomState,
}

impl Conn {
    pub fn new(endpoint: Endpoint, options: ConnOptions, limit: Arc<Semaphore>) -> Result<Conn, String> {
        super::install_tls_provider();
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {}", e.without_url()))?;
        let limits = endpoint.limits;
        Ok(Conn {
            client,
            pace: Pace::new(limits.rps, limits.burst),
            batch_size: AtomicUsize::new(limits.max_batch.max(1)),
            limit,
            round_trips: AtomicU32::new(0),
            requests: AtomicU32::new(0),
            retried: AtomicU32::new(0),
            seed: std::collections::hash_map::RandomState::new(),
            endpoint,
            options,
        })
    }

    /// The batch size in use (the configured limit, or less after refusals).
    pub fn batch_size(&self) -> usize {
        self.batch_size.load(Ordering::SeqCst)
    }

    /// A number in [0, 1) that differs from call to call.
    fn jitter(&self, salt: u64) -> f64 {
        use std::hash::BuildHasher;
        let n = self.seed.hash_one((salt, self.round_trips.load(Ordering::SeqCst)));
        (n >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Retries of a failed read.
    pub fn retries(&self) -> u32 {
        self.options.retries
    }

    /// Waits before retry `attempt` (0-based): exponential backoff with jitter.
    pub async fn back_off(&self, attempt: u32) {
        let cap = self.options.retry_after_cap.max(self.options.backoff).as_millis() as u64;
        let wait = backoff_ms(self.options.backoff.as_millis() as u64, attempt, cap, self.jitter(attempt.into()));
        tokio::time::sleep(Duration::from_millis(wait)).await;
    }

    /// Every call answered, reverted or failed (after retries), in the order given.
    pub async fn read_all(self: &Arc<Self>, calls: &[Call]) -> Vec<ReadOutcome> {
        let mut outcomes: Vec<Option<ReadOutcome>> = vec![None; calls.len()];
        let mut pending: Vec<usize> = (0..calls.len()).collect();
        let mut attempt = 0;
        while !pending.is_empty() {
            let answers = self.send_all(calls, &pending).await;
            let mut again = Vec::new();
            for (index, outcome) in pending.iter().zip(answers) {
                let retry = matches!(&outcome, ReadOutcome::Failed(kind, _) if kind.transient());
                if retry && attempt < self.options.retries {
                    again.push(*index);
                }
                outcomes[*index] = Some(outcome);
            }
            if again.is_empty() {
                break;
            }
            self.back_off(attempt).await;
            self.retried.fetch_add(again.len() as u32, Ordering::SeqCst);
            pending = again;
            attempt += 1;
        }
        outcomes.into_iter().map(|o| o.expect("every call has an outcome")).collect()
    }

    /// One attempt at every call of `pending`: batches sent concurrently.
    async fn send_all(self: &Arc<Self>, calls: &[Call], pending: &[usize]) -> Vec<ReadOutcome> {
        let mut tasks = tokio::task::JoinSet::new();
        for (n, range) in batch_ranges(pending.len(), self.batch_size()).into_iter().enumerate() {
            let chunk: Vec<Call> = pending[range.clone()].iter().map(|i| calls[*i].clone()).collect();
            let conn = self.clone();
            tasks.spawn(async move { (n, range, conn.send_chunk(chunk).await) });
        }
        let mut out: Vec<Option<ReadOutcome>> = vec![None; pending.len()];
        while let Some(done) = tasks.join_next().await {
            let (_, range, outcomes) = done.expect("batch tasks do not panic");
            for (slot, outcome) in out[range].iter_mut().zip(outcomes) {
                *slot = Some(outcome);
            }
        }
        out.into_iter().map(|o| o.expect("every batch answers for each call")).collect()
    }

    /// Sends one batch; a refusal halves it (for the rest of the run too) and sends the halves.
    async fn send_chunk(&self, chunk: Vec<Call>) -> Vec<ReadOutcome> {
        let mut out: Vec<ReadOutcome> = Vec::with_capacity(chunk.len());
        let mut queue: Vec<Vec<Call>> = vec![chunk];
        while let Some(part) = queue.pop() {
            match self.round_trip(&part).await {
                Sent::Outcomes(outcomes) => out.extend(outcomes),
                Sent::Refused(reason) => match next_batch_size(part.len()) {
                    Some(size) => {
                        self.batch_size.fetch_min(size, Ordering::SeqCst);
                        // Halves go back in order: the last pushed is sent first.
                        let halves: Vec<Vec<Call>> = part.chunks(size).map(<[Call]>::to_vec).collect();
                        queue.extend(halves.into_iter().rev());
                    }
                    None => {
                        out.extend(part.iter().map(|_| ReadOutcome::Failed(FailureKind::BatchRefused, reason.clone())))
                    }
                },
            }
        }
        out
    }

    /// One HTTP round trip of `calls` (ids 1..=n).
    async fn round_trip(&self, calls: &[Call]) -> Sent {
        let methods: Vec<&str> = calls.iter().map(|(method, _)| method.as_ref()).collect();
        tracing::trace!(target: "rpc", calls = calls.len(), ?methods, "sending a batch");
        let body: Value = if calls.len() == 1 {
            json!({"jsonrpc": "2.0", "id": 1, "method": calls[0].0, "params": calls[0].1})
        } else {
            let items: Vec<Value> = calls
                .iter()
                .enumerate()
                .map(|(i, (method, params))| json!({"jsonrpc": "2.0", "id": i + 1, "method": method, "params": params}))
                .collect();
            Value::Array(items)
        };
        let bytes = serde_json::to_vec(&body).expect("JSON serializes");
        let permit = loop {
            self.pace.ready().await;
            let permit = self.limit.acquire().await.expect("the semaphore is never closed");
            if self.pace.take().await {
                break permit;
            }
        };
        let exchange = {
            let _permit = permit;
            self.round_trips.fetch_add(1, Ordering::SeqCst);
            self.requests.fetch_add(calls.len() as u32, Ordering::SeqCst);
            post(&self.client, &self.endpoint.url, bytes, self.options.timeout, self.options.max_body).await
        };
        let all = |kind: FailureKind, reason: String| {
            Sent::Outcomes(calls.iter().map(|_| ReadOutcome::Failed(kind, reason.clone())).collect())
        };
        match exchange {
            Exchange::Lost { reason, dropped } => {
                if dropped && calls.len() > 1 {
                    return Sent::Refused(format!("connection dropped on a batch of {}: {reason}", calls.len()));
                }
                all(FailureKind::Other, reason)
            }
            Exchange::Answer { status, body, text, retry_after } => {
                if let Some(wait) = retry_after.filter(|_| status == 429 || status == 503) {
                    self.pace.pause(wait.min(self.options.retry_after_cap)).await;
                }
                if status == 429 {
                    return all(FailureKind::RateLimited, format!("HTTP 429: {text}"));
                }
                if let BatchVerdict::Refused(reason) = batch_verdict(status, body.as_ref(), calls.len()) {
                    return Sent::Refused(reason);
                }
                match body {
                    Some(body) if (200..300).contains(&status) => Sent::Outcomes(items(calls.len(), body)),
                    Some(Value::Object(one)) if one.contains_key("error") => {
                        Sent::Outcomes(items(calls.len(), Value::Object(one)))
                    }
                    _ => all(FailureKind::Other, format!("HTTP {status}: {text}")),
                }
            }
        }
    }
}

enum Sent {
    Outcomes(Vec<ReadOutcome>),
    Refused(String),
}

/// The outcome of each of `n` calls (ids 1..=n) from an answer: an array matched by id, or one object.
fn items(n: usize, body: Value) -> Vec<ReadOutcome> {
    let answers: Vec<Value> = match body {
        Value::Array(a) => a,
        one => vec![one],
    };
    (1..=n)
        .map(|id| {
            let answer = answers.iter().find(|a| a.get("id").and_then(Value::as_u64) == Some(id as u64));
            let answer = answer.or_else(|| (n == 1 && answers.len() == 1).then(|| &answers[0]));
            match answer {
                None => {
                    ReadOutcome::Failed(FailureKind::Missing, format!("no answer for call {id} of {n} in the batch"))
                }
                Some(a) => match (a.get("result"), a.get("error")) {
                    (_, Some(e)) if !e.is_null() => classify_error(
                        e.get("code").and_then(Value::as_i64).unwrap_or(0),
                        e.get("message").and_then(Value::as_str).unwrap_or("(no message)"),
                        e.get("data"),
                    ),
                    (Some(r), _) => ReadOutcome::Answered(r.clone()),
                    _ => ReadOutcome::Failed(FailureKind::Malformed, "an answer with neither result nor error".into()),
                },
            }
        })
        .collect()
}
