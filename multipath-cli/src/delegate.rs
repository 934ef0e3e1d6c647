//! Handing `-r`, `-f` and `-F` to a running multipathd, as upstream does:
//! changing maps behind the daemon's back would leave it with a stale view,
//! and `multipath -r` would load a configuration the daemon does not run.
//!
//! - Nothing is delegated with `-D` (undocumented), nor when the control
//!   socket does not connect.
//! - `-r` (create mode) is sent as `reconfigure all`, `-f <map>` as
//!   `del map <map>` (the argument as given), `-F` as `del maps`.
//! - The reply `fail\ntimeout\n`, or none within `uxsock_timeout`: the
//!   daemon did not get to it, so `multipath` does the work itself.
//! - Another `fail` reply: its reason (the text after `fail\n`; `fail\n`
//!   itself when there is none) goes to stdout, exit 1. While removal
//!   retries are left (`-R n`, else `remove_retries`), a failed `del map` or
//!   `del maps` is instead sent again a second later, silently; every try
//!   uses up one retry, and what is left applies if the work falls back to
//!   `multipath`.
//! - Success: exit 0; a reply other than `ok\n` is printed as it came.

use crate::ctx::{Ctx, Fail, Res};
use mpath::ctl;
use nix::errno::Errno;
use std::io::{self, Write};
use std::time::Duration;

/// What became of a command offered to the daemon.
pub enum Delegated {
    /// The daemon answered: the command's result (its reply was printed).
    Done(Res),
    /// Not delegated, or the daemon did not get to it: do it here.
    Local,
}

/// Offer `cmd` to multipathd. `retries`: the removal retries left, for the
/// commands that may be re-sent (`None` for `reconfigure all`).
pub fn delegate(ctx: &Ctx, cmd: &str, mut retries: Option<&mut i32>) -> Delegated {
    if ctx.args.no_delegate {
        return Delegated::Local;
    }
    loop {
        let retry = match retries.as_deref_mut() {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        };
        let Ok(mut stream) = ctl::connect() else {
            return Delegated::Local;
        };
        ctx.log(3, "delegating command to multipathd");
        let reply = ctl::request(&mut stream, cmd, ctl::uxsock_timeout(&ctx.cfg));
        drop(stream);
        let reply = match reply {
            Ok(r) => r,
            Err(e) => {
                ctx.error(format!(
                    "error in multipath command {cmd}: {}",
                    strerror(&e)
                ));
                if e.kind() == io::ErrorKind::TimedOut {
                    return Delegated::Local;
                }
                if retry {
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
                return Delegated::Done(Err(Fail));
            }
        };
        match judge(&reply, retry) {
            Verdict::Ok(text) => {
                print(text);
                return Delegated::Done(Ok(()));
            }
            Verdict::Failed(text) => {
                print(text);
                return Delegated::Done(Err(Fail));
            }
            Verdict::Local => return Delegated::Local,
            Verdict::Retry => std::thread::sleep(Duration::from_secs(1)),
        }
    }
}

/// Print a reply's text as it came (upstream's `printf("%s")`).
fn print(text: &str) {
    let mut out = io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// What a reply means, and the text to print.
#[derive(Debug, PartialEq, Eq)]
enum Verdict<'a> {
    Ok(&'a str),
    Failed(&'a str),
    Local,
    Retry,
}

/// Upstream's reading of a reply: anything not starting with `fail\n`
/// succeeded (printed unless `ok\n`); an empty reply failed silently.
fn judge(reply: &str, retry: bool) -> Verdict<'_> {
    if reply.is_empty() {
        return if retry {
            Verdict::Retry
        } else {
            Verdict::Failed("")
        };
    }
    let Some(reason) = reply.strip_prefix(ctl::REPLY_FAIL) else {
        return Verdict::Ok(if reply == ctl::REPLY_OK { "" } else { reply });
    };
    if reply == ctl::REPLY_TIMEOUT {
        Verdict::Local
    } else if retry {
        Verdict::Retry
    } else if reason.is_empty() {
        Verdict::Failed(reply)
    } else {
        Verdict::Failed(reason)
    }
}

/// The C library's text for what went wrong on the socket, as upstream
/// reports it (`Connection timed out`, `Input/output error` for a reply cut
/// short, `Numerical result out of range` for a bad length).
fn strerror(e: &io::Error) -> String {
    let errno = e.raw_os_error().unwrap_or(match e.kind() {
        io::ErrorKind::TimedOut => Errno::ETIMEDOUT as i32,
        io::ErrorKind::InvalidData => Errno::ERANGE as i32,
        _ => Errno::EIO as i32,
    });
    // std words it as the C library does, then adds " (os error N)".
    let text = io::Error::from_raw_os_error(errno).to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies() {
        assert_eq!(judge("ok\n", false), Verdict::Ok(""));
        assert_eq!(judge("ok\n", true), Verdict::Ok(""));
        assert_eq!(judge("some text\n", false), Verdict::Ok("some text\n"));
        assert_eq!(judge("fail\ntimeout\n", false), Verdict::Local);
        assert_eq!(judge("fail\ntimeout\n", true), Verdict::Local);
        assert_eq!(
            judge("fail\nmap or partition in use\n", false),
            Verdict::Failed("map or partition in use\n")
        );
        assert_eq!(
            judge("fail\nmap or partition in use\n", true),
            Verdict::Retry
        );
        assert_eq!(judge("fail\n", false), Verdict::Failed("fail\n"));
        assert_eq!(judge("", false), Verdict::Failed(""));
        assert_eq!(judge("", true), Verdict::Retry);
    }

    #[test]
    fn errors() {
        let t = io::Error::from(io::ErrorKind::TimedOut);
        assert_eq!(strerror(&t), "Connection timed out");
        let eof = io::Error::from(io::ErrorKind::UnexpectedEof);
        assert_eq!(strerror(&eof), "Input/output error");
        let pipe = io::Error::from_raw_os_error(nix::libc::EPIPE);
        assert_eq!(strerror(&pipe), "Broken pipe");
    }
}
