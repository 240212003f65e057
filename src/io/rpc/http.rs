//! One HTTP POST of a JSON-RPC body: a timeout over the whole exchange, the response body capped (an endless body
//! is cut off, never buffered), `Retry-After` read, and every failure described without the URL.

use serde_json::Value;
use std::time::Duration;

/// What one POST gave.
#[derive(Debug)]
pub enum Exchange {
    /// The server answered (any status); the body parsed as JSON, or `None` when it is not JSON.
    Answer { status: u16, body: Option<Value>, text: String, retry_after: Option<Duration> },
    /// No answer: connection refused, reset, timed out, or the body was too large.
    Lost { reason: String, dropped: bool },
}

/// The first bytes of a body that is not JSON, for a reason (bounded; the caller scrubs and escapes it).
fn excerpt(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(200)]).into_owned();
    if bytes.len() > 200 {
        format!("{text}…")
    } else {
        text
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by JSON-RPC providers and is ignored).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let text = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    text.trim().parse::<f64>().ok().filter(|s| s.is_finite() && *s >= 0.0).map(Duration::from_secs_f64)
}

/// POSTs `body` and reads at most `max_body` bytes of the answer within `timeout`.
pub async fn post(
    client: &reqwest::Client,
    url: &url::Url,
    body: Vec<u8>,
    timeout: Duration,
    max_body: usize,
) -> Exchange {
    match tokio::time::timeout(timeout, exchange(client, url, body, max_body)).await {
        Ok(result) => result,
        Err(_) => Exchange::Lost { reason: format!("no answer within {timeout:?}"), dropped: false },
    }
}

async fn exchange(client: &reqwest::Client, url: &url::Url, body: Vec<u8>, max_body: usize) -> Exchange {
    let sent = client.post(url.clone()).header(reqwest::header::CONTENT_TYPE, "application/json").body(body).send();
    let mut response = match sent.await {
        Ok(r) => r,
        Err(e) => {
            let dropped = !e.is_connect() && !e.is_timeout();
            return Exchange::Lost { reason: describe(e), dropped };
        }
    };
    let status = response.status().as_u16();
    let retry_after = retry_after(response.headers());
    if response.content_length().is_some_and(|n| n > max_body as u64) {
        let reason = format!(
            "HTTP {status} with a body of {} bytes, over the cap of {max_body}",
            response.content_length().unwrap_or(0)
        );
        return Exchange::Lost { reason, dropped: false };
    }
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if bytes.len() + chunk.len() > max_body {
                    let reason = format!("HTTP {status} with a body over the cap of {max_body} bytes (cut off)");
                    return Exchange::Lost { reason, dropped: false };
                }
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Err(e) => return Exchange::Lost { reason: describe(e), dropped: true },
        }
    }
    let parsed = serde_json::from_slice::<Value>(&bytes).ok();
    Exchange::Answer { status, text: excerpt(&bytes), body: parsed, retry_after }
}

/// A reqwest error in words, without its URL (the caller scrubs what is left), with its causes.
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text = format!("{text}: {more}");
        }
        source = cause.source();
    }
    text
}
