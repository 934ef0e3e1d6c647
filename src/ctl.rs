//! multipathd's control socket, client side: where it lives, how messages
//! are framed, and one blocking request/reply exchange. Used by every client
//! (`multipath` delegating `-r`/`-f`/`-F`, `multipathd -k`, `multipathc`);
//! the daemon's listeners and async readers build on the same framing.
//!
//! - Addresses: the pathname socket `/run/multipathd.socket` and the abstract
//!   socket `@/org/kernel/linux/storage/multipathd`. `MULTIPATH_SOCKET_NAME`
//!   replaces both, for the daemon and for clients (a leading `@` names an
//!   abstract socket). Clients try the pathname socket first.
//! - Framing, both ways: the length as a native-endian `usize`, then that
//!   many bytes, the last a NUL (`len = strlen(text) + 1`). The length is raw
//!   host data, as upstream sends it; there is no magic or version.
//! - Limits: the daemon drops a request of length 0 or more than
//!   [`MAX_REQUEST_LEN`]; clients refuse a reply of length 0 or
//!   [`REPLY_LIMIT`] and more.
//! - Replies: `ok\n` for success without output, else the output; a failure
//!   starts with [`REPLY_FAIL`], possibly followed by its reason
//!   ([`REPLY_TIMEOUT`]: the daemon could not get to the command in time).
//!
//! A connection carries any number of request/reply pairs (`multipathc`
//! keeps one). Everything here is blocking std I/O; no runtime.

use crate::Config;
use std::fmt;
use std::io::{self, Read, Write};
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The pathname socket.
pub const SOCKET_PATH: &str = "/run/multipathd.socket";
/// The abstract socket's name (without the leading NUL).
pub const ABSTRACT_NAME: &str = "/org/kernel/linux/storage/multipathd";
/// Names the one socket to use instead of both; a leading `@` = abstract.
pub const SOCKET_ENV: &str = "MULTIPATH_SOCKET_NAME";
/// The longest request the daemon accepts, NUL included.
pub const MAX_REQUEST_LEN: usize = 512;
/// Replies must be shorter than this, NUL included.
pub const REPLY_LIMIT: usize = 32 * 1024 * 1024;
/// The daemon's `uxsock_timeout` default, in milliseconds (also its minimum).
pub const DEFAULT_UXSOCK_TIMEOUT_MS: u64 = 4000;
/// The reply to a command that succeeded and has nothing to say.
pub const REPLY_OK: &str = "ok\n";
/// How every failure reply starts; the reason, if any, follows.
pub const REPLY_FAIL: &str = "fail\n";
/// The failure reply of a command the daemon gave up waiting for.
pub const REPLY_TIMEOUT: &str = "fail\ntimeout\n";

/// One control socket address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketName {
    /// A filesystem socket.
    Path(PathBuf),
    /// An abstract socket; the name without the leading NUL (or `@`).
    Abstract(Vec<u8>),
}

impl SocketName {
    /// The socket `MULTIPATH_SOCKET_NAME` would name: `@name` is abstract,
    /// anything else a path.
    pub fn parse(s: &str) -> SocketName {
        match s.strip_prefix('@') {
            Some(name) => SocketName::Abstract(name.as_bytes().to_vec()),
            None => SocketName::Path(PathBuf::from(s)),
        }
    }

    /// The std socket address (abstract: no trailing NUL in its length).
    pub fn to_addr(&self) -> io::Result<SocketAddr> {
        match self {
            SocketName::Path(p) => SocketAddr::from_pathname(p),
            SocketName::Abstract(n) => SocketAddr::from_abstract_name(n),
        }
    }

    /// Connect a client to this socket.
    pub fn connect(&self) -> io::Result<UnixStream> {
        UnixStream::connect_addr(&self.to_addr()?)
    }
}

impl fmt::Display for SocketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocketName::Path(p) => write!(f, "{}", p.display()),
            SocketName::Abstract(n) => write!(f, "@{}", String::from_utf8_lossy(n)),
        }
    }
}

/// The sockets to use given the value of `MULTIPATH_SOCKET_NAME` (`None` or
/// empty: unset): that one socket, else the pathname then the abstract one.
pub fn socket_names_from(env: Option<&str>) -> Vec<SocketName> {
    match env {
        Some(s) if !s.is_empty() => vec![SocketName::parse(s)],
        _ => vec![
            SocketName::Path(PathBuf::from(SOCKET_PATH)),
            SocketName::Abstract(ABSTRACT_NAME.as_bytes().to_vec()),
        ],
    }
}

/// The sockets to use, honouring `MULTIPATH_SOCKET_NAME`, in the order
/// clients try them.
pub fn socket_names() -> Vec<SocketName> {
    let env = std::env::var(SOCKET_ENV).ok();
    socket_names_from(env.as_deref())
}

/// Connect to the daemon: each of [`socket_names`] in turn. The error is
/// the last socket's.
pub fn connect() -> io::Result<UnixStream> {
    let mut last = io::Error::from(io::ErrorKind::NotFound);
    for name in socket_names() {
        match name.connect() {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// How long a client of the daemon waits for a reply: the configured
/// `uxsock_timeout` (`defaults` section), never less than
/// [`DEFAULT_UXSOCK_TIMEOUT_MS`], as upstream's keyword handler enforces.
pub fn uxsock_timeout(cfg: &Config) -> Duration {
    let ms = cfg
        .default_value("uxsock_timeout")
        .and_then(|v| v.as_int())
        .and_then(|ms| u64::try_from(ms).ok())
        .map_or(DEFAULT_UXSOCK_TIMEOUT_MS, |ms| {
            ms.max(DEFAULT_UXSOCK_TIMEOUT_MS)
        });
    Duration::from_millis(ms)
}

/// A message as sent: length (text + NUL) as a native-endian `usize`, the
/// text, a NUL.
pub fn encode(text: &str) -> Vec<u8> {
    let len = text.len() + 1;
    let mut out = Vec::with_capacity(std::mem::size_of::<usize>() + len);
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(text.as_bytes());
    out.push(0);
    out
}

/// Check a received length (the native-endian `usize` that starts every
/// message): not 0, not above `max`. The error is `InvalidData`.
pub fn check_len(len: usize, max: usize) -> io::Result<usize> {
    if len == 0 || len > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("invalid message length {len}"),
        ));
    }
    Ok(len)
}

/// The text of a received body (the bytes after the length): up to its
/// first NUL, invalid UTF-8 replaced.
pub fn decode(mut body: Vec<u8>) -> String {
    if let Some(nul) = body.iter().position(|&b| b == 0) {
        body.truncate(nul);
    }
    match String::from_utf8(body) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// Send one message.
pub fn write_message<W: Write>(w: &mut W, text: &str) -> io::Result<()> {
    w.write_all(&encode(text))?;
    w.flush()
}

/// Fill `buf`; `Ok(false)` if the stream ended before the first byte.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<bool> {
    let mut done = 0;
    while done < buf.len() {
        match r.read(&mut buf[done..]) {
            Ok(0) if done == 0 => return Ok(false),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(true)
}

/// Receive one message whose length (NUL included) may be at most `max`.
/// `Ok(None)`: the peer closed the connection between messages. A length of
/// 0 or above `max` is an `InvalidData` error (the daemon then drops the
/// connection).
pub fn read_message<R: Read>(r: &mut R, max: usize) -> io::Result<Option<String>> {
    let mut len = [0u8; std::mem::size_of::<usize>()];
    if !read_full(r, &mut len)? {
        return Ok(None);
    }
    let len = check_len(usize::from_ne_bytes(len), max)?;
    let mut body = vec![0u8; len];
    if !read_full(r, &mut body)? {
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    Ok(Some(decode(body)))
}

/// A blocking stream whose reads all share one deadline.
struct Deadline<'a> {
    stream: &'a UnixStream,
    until: Instant,
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        self.stream.set_read_timeout(Some(left))?;
        let mut s = self.stream;
        match s.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Err(io::ErrorKind::TimedOut.into()),
            r => r,
        }
    }
}

/// Client side: send `cmd` and wait at most `timeout` for the whole reply.
/// A reply that does not come in time is a `TimedOut` error; one the daemon
/// never sends because it closed the connection, `UnexpectedEof`.
pub fn request(stream: &mut UnixStream, cmd: &str, timeout: Duration) -> io::Result<String> {
    write_message(stream, cmd)?;
    let mut r = Deadline {
        stream,
        until: Instant::now() + timeout,
    };
    let reply = read_message(&mut r, REPLY_LIMIT - 1);
    let _ = stream.set_read_timeout(None);
    reply?.ok_or_else(|| io::ErrorKind::UnexpectedEof.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            socket_names_from(None),
            vec![
                SocketName::Path(SOCKET_PATH.into()),
                SocketName::Abstract(ABSTRACT_NAME.as_bytes().to_vec())
            ]
        );
        assert_eq!(socket_names_from(Some("")).len(), 2);
        assert_eq!(
            socket_names_from(Some("@foo")),
            vec![SocketName::Abstract(b"foo".to_vec())]
        );
        assert_eq!(
            socket_names_from(Some("/tmp/x")),
            vec![SocketName::Path("/tmp/x".into())]
        );
        assert_eq!(SocketName::parse("@a/b").to_string(), "@a/b");
        let addr = SocketName::parse("@a/b").to_addr().unwrap();
        assert_eq!(addr.as_abstract_name(), Some(&b"a/b"[..]));
    }

    #[test]
    fn framing() {
        let m = encode("show paths");
        assert_eq!(m.len(), 8 + 11);
        assert_eq!(usize::from_ne_bytes(m[..8].try_into().unwrap()), 11);
        assert_eq!(*m.last().unwrap(), 0);
        let mut r = &m[..];
        assert_eq!(
            read_message(&mut r, MAX_REQUEST_LEN).unwrap().as_deref(),
            Some("show paths")
        );
        assert_eq!(read_message(&mut r, MAX_REQUEST_LEN).unwrap(), None);
        // Limits.
        let long = "x".repeat(511);
        let m = encode(&long);
        assert!(read_message(&mut &m[..], MAX_REQUEST_LEN)
            .unwrap()
            .is_some());
        let m = encode(&"x".repeat(512));
        let e = read_message(&mut &m[..], MAX_REQUEST_LEN).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
        let zero = 0usize.to_ne_bytes();
        assert!(read_message(&mut &zero[..], MAX_REQUEST_LEN).is_err());
        // Torn message.
        let m = encode("abc");
        assert!(read_message(&mut &m[..m.len() - 1], 100).is_err());
        assert!(read_message(&mut &m[..3], 100).is_err());
        // Text stops at the first NUL.
        let mut m = 4usize.to_ne_bytes().to_vec();
        m.extend_from_slice(b"a\0b\0");
        assert_eq!(
            read_message(&mut &m[..], 100).unwrap().as_deref(),
            Some("a")
        );
    }

    #[test]
    fn request_reply_and_timeout() {
        let (mut client, mut server) = UnixStream::pair().unwrap();
        let t = std::thread::spawn(move || {
            let cmd = read_message(&mut server, MAX_REQUEST_LEN).unwrap().unwrap();
            write_message(&mut server, &format!("got {cmd}\n")).unwrap();
            // Second request on the same connection: never answered.
            let _ = read_message(&mut server, MAX_REQUEST_LEN);
            std::thread::sleep(Duration::from_millis(300));
        });
        let r = request(&mut client, "show maps", Duration::from_secs(5)).unwrap();
        assert_eq!(r, "got show maps\n");
        let e = request(&mut client, "again", Duration::from_millis(50)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::TimedOut);
        t.join().unwrap();
    }

    #[test]
    fn request_peer_closes() {
        let (mut client, mut server) = UnixStream::pair().unwrap();
        let t = std::thread::spawn(move || {
            let _ = read_message(&mut server, MAX_REQUEST_LEN);
        });
        let e = request(&mut client, "del maps", Duration::from_secs(5)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        t.join().unwrap();
    }

    #[test]
    fn connect_pathname() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sock");
        let l = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let mut c = SocketName::Path(path.clone()).connect().unwrap();
        let (mut s, _) = l.accept().unwrap();
        write_message(&mut c, "hi").unwrap();
        assert_eq!(read_message(&mut s, 10).unwrap().as_deref(), Some("hi"));
        assert!(SocketName::Path(dir.path().join("none")).connect().is_err());
    }

    #[test]
    fn uxsock_timeout_has_a_floor() {
        let root = tempfile::tempdir().unwrap();
        let sys = crate::SysRoot::new(root.path());
        let load = |conf: &str| {
            std::fs::create_dir_all(root.path().join("etc")).unwrap();
            std::fs::write(root.path().join("etc/multipath.conf"), conf).unwrap();
            uxsock_timeout(&Config::load(&sys))
        };
        assert_eq!(load(""), Duration::from_millis(4000));
        assert_eq!(
            load("defaults {\n\tuxsock_timeout 100\n}\n"),
            Duration::from_millis(4000)
        );
        assert_eq!(
            load("defaults {\n\tuxsock_timeout 6000\n}\n"),
            Duration::from_millis(6000)
        );
    }
}
