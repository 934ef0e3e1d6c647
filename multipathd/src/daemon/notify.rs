//! systemd's notification protocol (`Type=notify`): one datagram per state
//! change to `$NOTIFY_SOCKET` (a path, or `@name` for an abstract socket).
//! Without the variable nothing is sent.

use std::os::unix::net::UnixDatagram;

/// Send `text` (`READY=1\nSTATUS=up`, ...); failures are logged only.
pub fn notify(text: &str) {
    let Some(addr) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    let Some(addr) = addr.to_str().map(str::to_string) else {
        return;
    };
    let r = UnixDatagram::unbound().and_then(|s| {
        if let Some(name) = addr.strip_prefix('@') {
            use std::os::linux::net::SocketAddrExt;
            let a = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
            s.send_to_addr(text.as_bytes(), &a)
        } else {
            s.send_to(text.as_bytes(), &addr)
        }
    });
    if let Err(e) = r {
        tracing::debug!("sd_notify {text:?}: {e}");
    }
}

/// The watchdog interval systemd asks for (`WATCHDOG_USEC`, for this
/// process when `WATCHDOG_PID` is set): half of it, at least one second.
pub fn watchdog_interval() -> Option<std::time::Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    if let Ok(pid) = std::env::var("WATCHDOG_PID") {
        if pid.parse::<u32>().ok()? != std::process::id() {
            return None;
        }
    }
    Some(std::time::Duration::from_micros(usec / 2).max(std::time::Duration::from_secs(1)))
}
