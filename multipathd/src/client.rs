//! Clients of the control socket: one-shot commands (`multipathd show
//! paths`, `multipathd -k"show maps"`) and the interactive shell
//! (`multipathd -k`, `multipathc`).
//!
//! Reply conventions (upstream's): the reply is printed as sent; one that
//! starts with `fail\n` makes the exit status 1 and only the rest is printed.

use crate::proto;
use std::io::{self, BufRead, IsTerminal, Write};
use std::os::unix::net::UnixStream;
use std::time::Duration;

/// How long a client waits for a reply when the configuration cannot say:
/// the daemon's default `uxsock_timeout` plus 100 ms.
pub const DEFAULT_TIMEOUT_MS: u64 = proto::DEFAULT_UXSOCK_TIMEOUT_MS + 100;

/// The interactive prompt.
pub const PROMPT: &str = "multipathd> ";

/// The reply wait for clients: `uxsock_timeout` from the configuration
/// (`/etc/multipath.conf` and `conf.d`, under `MPATH_SYSROOT` if set; at
/// least the default) plus 100 ms.
pub fn timeout_from_config() -> u64 {
    let conf = mpath::Config::load(&mpath::SysRoot::from_env());
    let ms = u64::try_from(mpath::ctl::uxsock_timeout(&conf).as_millis()).unwrap_or(u64::MAX);
    ms.saturating_add(100)
}

fn connect() -> Option<UnixStream> {
    match proto::connect() {
        Ok(s) => Some(s),
        Err(_) => {
            eprintln!("ERROR: failed to connect to multipathd");
            None
        }
    }
}

/// Send one command, wait for the reply; print it or the error. Returns the
/// exit status, or `None` when the connection is unusable (the error was
/// printed).
fn exchange(stream: &mut UnixStream, cmd: &str, timeout_ms: u64, tty: bool) -> Option<i32> {
    match proto::request(stream, cmd, Duration::from_millis(timeout_ms)) {
        Ok(reply) => Some(print_reply(&reply, tty)),
        Err(e) if e.kind() == io::ErrorKind::TimedOut => {
            eprintln!("timeout receiving packet");
            None
        }
        Err(e) => {
            eprintln!("error receiving packet: {e}");
            None
        }
    }
}

/// Print a reply as the clients do; the exit status it stands for.
fn print_reply(reply: &str, tty: bool) -> i32 {
    let (text, code) = match reply.strip_prefix(proto::REPLY_FAIL) {
        Some(rest) => (rest, 1),
        None => (reply, 0),
    };
    let text = if tty {
        text.to_string()
    } else {
        strip_ansi(text)
    };
    let mut out = io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
    code
}

/// Remove ANSI escape sequences (`ESC [ ... final`) so colours do not end up
/// in files and pipes.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if ('\x40'..='\x7e').contains(&c) {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

/// `multipathd <command>`: send one command and print the reply. Returns
/// the exit status: 0, or 1 on a `fail` reply, a connect failure
/// (`ERROR: failed to connect to multipathd` on stderr) or a timeout
/// (`timeout receiving packet` on stderr).
pub fn one_shot(cmd: &str, timeout_ms: u64) -> i32 {
    let Some(mut stream) = connect() else {
        return 1;
    };
    // The reply is printed verbatim, as upstream does (colours included).
    exchange(&mut stream, cmd, timeout_ms, true).unwrap_or(1)
}

/// `multipathc` / `multipathd -k`: read commands from standard input on one
/// connection, prompt `multipathd> `, until `quit`, `exit` or end of input.
/// Returns 0, or 1 if the daemon cannot be reached or stops answering.
pub fn interactive(timeout_ms: u64) -> i32 {
    let Some(mut stream) = connect() else {
        return 1;
    };
    let tty = io::stdout().is_terminal();
    let stdin = io::stdin();
    let mut input = stdin.lock();
    let mut line = String::new();
    loop {
        print!("{PROMPT}");
        let _ = io::stdout().flush();
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) => {
                if io::stdin().is_terminal() {
                    println!();
                }
                return 0;
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("error reading input: {e}");
                return 1;
            }
        }
        let cmd = line.trim_end_matches(['\n', '\r']);
        if cmd.trim().is_empty() {
            continue;
        }
        if crate::cli::parse(cmd) == Ok(crate::cli::Request::Quit) {
            return 0;
        }
        if exchange(&mut stream, cmd, timeout_ms, tty).is_none() {
            return 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi() {
        assert_eq!(strip_ansi("\x1b[1mmpatha\x1b[0m (x)\n"), "mpatha (x)\n");
        assert_eq!(strip_ansi("plain"), "plain");
        assert_eq!(strip_ansi("a\x1b"), "a\x1b");
    }
}
