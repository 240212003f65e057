//! Just enough HTTP/1.1 over `std::net::TcpStream` for the lab: POST a JSON body to a local node, and read or
//! write one message on a socket (the test relay is a tiny server built from the same two functions).
//!
//! Why not reqwest/alloy here: the lab is blocking code called from tests, the demo and the benches, talks only to
//! processes it started on 127.0.0.1, and must not need an async runtime of its own. Every read and connect has a
//! deadline, so a wedged node turns into an error instead of a hung test.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long one exchange with a local node may take before it is an error.
pub const IO_TIMEOUT: Duration = Duration::from_secs(20);

/// One HTTP message: the start line, the headers (names lowercased) and the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    pub start_line: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Message {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The status code of a response's start line (`HTTP/1.1 200 OK` -> 200).
    pub fn status(&self) -> Option<u16> {
        self.start_line.split_whitespace().nth(1)?.parse().ok()
    }
}

/// The socket address and request target of an `http://host:port/path?query` URL.
pub fn target_of(url: &url::Url) -> std::io::Result<(SocketAddr, String)> {
    if url.scheme() != "http" {
        return Err(std::io::Error::other(format!("the lab speaks plain http only, not {}", url.scheme())));
    }
    let host = url.host_str().unwrap_or("127.0.0.1");
    let port = url.port_or_known_default().unwrap_or(80);
    let addr = (host, port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("{host} has no address")))?;
    let mut path = url.path().to_string();
    if let Some(q) = url.query() {
        path.push('?');
        path.push_str(q);
    }
    Ok((addr, path))
}

/// POSTs `body` as JSON and returns the response (any status). One connection per request (`Connection: close`):
/// the lab's traffic is tiny, and no pooled connection can go stale between two tests.
pub fn post_json(url: &url::Url, body: &[u8]) -> std::io::Result<Message> {
    let (addr, path) = target_of(url)?;
    let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    read_message(&mut BufReader::new(stream))?
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the server closed without answering"))
}

/// Reads one message (request or response). `Ok(None)` when the peer closed before sending anything: an idle
/// keep-alive connection ending is not an error. Bodies framed by `Content-Length`, chunked, or (responses only)
/// by the end of the stream.
pub fn read_message(reader: &mut impl BufRead) -> std::io::Result<Option<Message>> {
    let mut start_line = String::new();
    if reader.read_line(&mut start_line)? == 0 {
        return Ok(None);
    }
    let mut message = Message { start_line: start_line.trim_end().to_string(), ..Message::default() };
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "headers cut short"));
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            message.headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
    }
    message.body = read_body(reader, &message)?;
    Ok(Some(message))
}

fn read_body(reader: &mut impl BufRead, message: &Message) -> std::io::Result<Vec<u8>> {
    let mut body = Vec::new();
    if message.header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or(""), 16)
                .map_err(|_| std::io::Error::other("bad chunk size"))?;
            let mut chunk = vec![0; n + 2];
            reader.read_exact(&mut chunk)?;
            if n == 0 {
                return Ok(body);
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    match message.header("content-length") {
        Some(len) => {
            let n: usize = len.parse().map_err(|_| std::io::Error::other("bad content-length"))?;
            body.resize(n, 0);
            reader.read_exact(&mut body)?;
        }
        None if message.start_line.starts_with("HTTP/") => {
            reader.read_to_end(&mut body)?;
        }
        None => {}
    }
    Ok(body)
}

/// Writes a complete response and asks the client to close the connection afterwards.
pub fn write_response(stream: &mut impl Write, status: u16, content_type: &str, body: &[u8]) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_content_length_and_chunked_bodies() {
        let plain = b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcextra";
        let m = read_message(&mut &plain[..]).unwrap().unwrap();
        assert_eq!((m.status(), m.body.as_slice()), (Some(200), &b"abc"[..]));
        let chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n";
        assert_eq!(read_message(&mut &chunked[..]).unwrap().unwrap().body, b"abc");
        assert_eq!(read_message(&mut &b""[..]).unwrap(), None);
    }

    #[test]
    fn target_keeps_path_and_query() {
        let url = url::Url::parse("http://127.0.0.1:8545/key/abc?x=1").unwrap();
        let (addr, path) = target_of(&url).unwrap();
        assert_eq!((addr.port(), path.as_str()), (8545, "/key/abc?x=1"));
    }
}
