//! The control socket, daemon side: listeners and async message I/O.
//!
//! Addresses, framing, limits and the blocking client exchange live in the
//! core library ([`mpath::ctl`]), shared with `multipath`; they are
//! re-exported here so the daemon and its clients name one module.
//!
//! A connection carries any number of request/reply pairs (`multipathc`
//! keeps one).

pub use mpath::ctl::{
    check_len, connect, decode, encode, read_message, request, socket_names, socket_names_from,
    write_message, SocketName, ABSTRACT_NAME, DEFAULT_UXSOCK_TIMEOUT_MS, MAX_REQUEST_LEN,
    REPLY_FAIL, REPLY_LIMIT, REPLY_OK, REPLY_TIMEOUT, SOCKET_ENV, SOCKET_PATH,
};
use std::io;
use std::os::unix::net::UnixListener;
use std::path::Path;

/// The listen backlog.
const BACKLOG: i32 = 10;

/// Create the daemon's listening sockets: [`socket_names`] (both, or the one
/// `MULTIPATH_SOCKET_NAME` names). A pathname socket is unlinked first and
/// made mode 0666. Fails if any socket cannot be bound, so a second daemon
/// stops at the abstract socket before it touches the pathname one.
///
/// The listeners are blocking; for tokio call `set_nonblocking(true)` and
/// `tokio::net::UnixListener::from_std`.
pub fn listen() -> io::Result<Vec<UnixListener>> {
    listen_on(&socket_names())
}

/// [`listen`] on the given sockets; abstract ones are bound first.
pub fn listen_on(names: &[SocketName]) -> io::Result<Vec<UnixListener>> {
    let mut order: Vec<&SocketName> = names.iter().collect();
    order.sort_by_key(|n| matches!(n, SocketName::Path(_)));
    let mut out = Vec::new();
    for name in order {
        let l = bind(name).map_err(|e| io::Error::new(e.kind(), format!("{name}: {e}")))?;
        out.push(l);
    }
    Ok(out)
}

fn bind(name: &SocketName) -> io::Result<UnixListener> {
    use nix::sys::socket::{self, AddressFamily, Backlog, SockFlag, SockType, UnixAddr};
    use std::os::fd::AsRawFd;
    let addr = match name {
        SocketName::Path(p) => {
            match std::fs::remove_file(p) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
            }
            UnixAddr::new(p.as_path())?
        }
        SocketName::Abstract(n) => UnixAddr::new_abstract(n)?,
    };
    let fd = socket::socket(
        AddressFamily::Unix,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    socket::bind(fd.as_raw_fd(), &addr)?;
    socket::listen(&fd, Backlog::new(BACKLOG)?)?;
    if let SocketName::Path(p) = name {
        set_mode_0666(p)?;
    }
    Ok(UnixListener::from(fd))
}

fn set_mode_0666(p: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o666))
}

/// Server side, async: receive one request (length at most
/// [`MAX_REQUEST_LEN`]). `Ok(None)`: the client closed the connection.
pub async fn read_request_async<R>(r: &mut R) -> io::Result<Option<String>>
where
    R: tokio::io::AsyncRead + Unpin,
{
    read_message_async(r, MAX_REQUEST_LEN).await
}

/// Async [`read_message`].
pub async fn read_message_async<R>(r: &mut R, max: usize) -> io::Result<Option<String>>
where
    R: tokio::io::AsyncRead + Unpin,
{
    use tokio::io::AsyncReadExt;
    let mut len = [0u8; std::mem::size_of::<usize>()];
    // The first byte tells a clean close from a torn message.
    if r.read(&mut len[..1]).await? == 0 {
        return Ok(None);
    }
    r.read_exact(&mut len[1..]).await?;
    let len = check_len(usize::from_ne_bytes(len), max)?;
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await?;
    Ok(Some(decode(body)))
}

/// Async [`write_message`].
pub async fn write_message_async<W>(w: &mut W, text: &str) -> io::Result<()>
where
    W: tokio::io::AsyncWrite + Unpin,
{
    use tokio::io::AsyncWriteExt;
    w.write_all(&encode(text)).await?;
    w.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listen_connect_pathname() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sock");
        std::fs::write(&path, "stale").unwrap();
        let name = SocketName::Path(path.clone());
        let ls = listen_on(std::slice::from_ref(&name)).unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o666);
        let mut c = name.connect().unwrap();
        let (mut s, _) = ls[0].accept().unwrap();
        write_message(&mut c, "hi").unwrap();
        assert_eq!(read_message(&mut s, 10).unwrap().as_deref(), Some("hi"));
    }

    #[test]
    fn listen_abstract_twice_fails() {
        let name =
            SocketName::Abstract(format!("/mpathd-test/proto-{}", std::process::id()).into_bytes());
        let _ls = listen_on(std::slice::from_ref(&name)).unwrap();
        let e = listen_on(std::slice::from_ref(&name)).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AddrInUse);
        assert!(name.connect().is_ok());
    }

    #[tokio::test]
    async fn async_framing() {
        let (mut a, mut b) = tokio::net::UnixStream::pair().unwrap();
        write_message_async(&mut a, "show daemon").await.unwrap();
        drop(a);
        assert_eq!(
            read_request_async(&mut b).await.unwrap().as_deref(),
            Some("show daemon")
        );
        assert_eq!(read_request_async(&mut b).await.unwrap(), None);
    }
}
