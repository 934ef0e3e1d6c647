//! `multipath -r/-f/-F` with multipathd running: the command goes to the
//! daemon (`reconfigure all`, `del map <map>`, `del maps`) over the control
//! socket; a timeout falls back to doing it here. The daemon is a stand-in
//! thread on the socket `MULTIPATH_SOCKET_NAME` names, replying from a
//! script and recording the exact bytes it received.

mod common;
use common::*;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A message as it must be on the wire: length (text + NUL) as a
/// native-endian `usize`, the text, a NUL.
fn wire(text: &str) -> Vec<u8> {
    let mut m = (text.len() + 1).to_ne_bytes().to_vec();
    m.extend_from_slice(text.as_bytes());
    m.push(0);
    m
}

/// The stand-in daemon: answers requests, over any number of connections,
/// with the scripted replies in turn (`None`: no answer, the connection is
/// held until the daemon stops; past the script: the connection is closed).
struct Daemon {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Vec<Vec<u8>>>,
}

impl Daemon {
    fn start(socket: &Path, script: &[Option<&'static str>]) -> Daemon {
        let _ = std::fs::remove_file(socket);
        let listener = UnixListener::bind(socket).unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let script = script.to_vec();
        let thread = std::thread::spawn(move || {
            let mut script = script.into_iter();
            let mut requests = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((s, _)) => serve(s, &mut script, &mut requests, &flag),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(10))
                    }
                    Err(e) => panic!("accept: {e}"),
                }
            }
            requests
        });
        Daemon { stop, thread }
    }

    /// Stop; the raw requests received (length prefix included).
    fn requests(self) -> Vec<Vec<u8>> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().unwrap()
    }
}

/// One connection: requests until the client closes it (a connect-only
/// "is multipathd running?" check sends none).
fn serve(
    mut s: UnixStream,
    script: &mut impl Iterator<Item = Option<&'static str>>,
    requests: &mut Vec<Vec<u8>>,
    stop: &AtomicBool,
) {
    s.set_nonblocking(false).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    loop {
        let mut len = [0u8; std::mem::size_of::<usize>()];
        if s.read_exact(&mut len).is_err() {
            return;
        }
        let mut body = vec![0u8; usize::from_ne_bytes(len).min(4096)];
        s.read_exact(&mut body).unwrap();
        let mut raw = len.to_vec();
        raw.extend_from_slice(&body);
        requests.push(raw);
        match script.next() {
            Some(Some(reply)) => s.write_all(&wire(reply)).unwrap(),
            Some(None) => {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return;
            }
            None => return,
        }
    }
}

/// A SAN with `mpatha` created (no daemon yet).
fn with_map() -> San {
    let san = San::new(2, 1, FRIENDLY);
    let r = san.run(&[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(san.maps().len(), 1);
    san
}

#[track_caller]
fn check(r: &Run, code: i32, stdout: &str) {
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (code, stdout),
        "stderr: {}",
        r.stderr
    );
}

#[test]
fn reload_is_sent_as_reconfigure_all() {
    let san = with_map();
    let calls = san.dm_calls();
    let d = Daemon::start(&san.socket(), &[Some("ok\n")]);
    check(&san.run(&["-r"]), 0, "");
    assert_eq!(d.requests(), [wire("reconfigure all")]);
    // Nothing was reloaded here.
    assert_eq!(san.dm_calls(), calls);

    // A success reply other than `ok` is printed as it came.
    let d = Daemon::start(&san.socket(), &[Some("reconfigure scheduled\n")]);
    check(&san.run(&["-r", "-v2"]), 0, "reconfigure scheduled\n");
    assert_eq!(d.requests(), [wire("reconfigure all")]);
}

#[test]
fn reload_falls_back_when_the_daemon_times_out() {
    let san = with_map();
    let d = Daemon::start(&san.socket(), &[Some("fail\ntimeout\n")]);
    let r = san.run(&["-r"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("reload: mpatha "), "{}", r.stdout);
    assert_eq!(d.requests(), [wire("reconfigure all")]);
    assert_eq!(
        san.dm_calls(),
        [
            "create mpatha",
            "resume mpatha",
            "message mpatha",
            "load mpatha",
            "resume mpatha",
            "message mpatha"
        ]
    );
}

#[test]
fn dry_run_and_no_delegate_flag_are_never_delegated() {
    let san = with_map();
    let d = Daemon::start(&san.socket(), &[Some("ok\n")]);
    let r = san.run(&["-r", "-d"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with(": mpatha "), "{}", r.stdout);
    check(&san.run(&["-D", "-f", "mpatha"]), 0, "");
    assert!(san.maps().is_empty());
    assert!(d.requests().is_empty());
}

#[test]
fn flush_one_is_sent_as_del_map() {
    let san = with_map();
    let d = Daemon::start(&san.socket(), &[Some("ok\n")]);
    check(&san.run(&["-f", "mpatha"]), 0, "");
    assert_eq!(d.requests(), [wire("del map mpatha")]);
    // The daemon's job: the stand-in removed nothing, nor did multipath.
    assert_eq!(san.maps().len(), 1);
}

#[test]
fn flush_falls_back_when_the_daemon_replies_timeout() {
    let san = with_map();
    let d = Daemon::start(&san.socket(), &[Some("fail\ntimeout\n")]);
    check(&san.run(&["-f", "mpatha"]), 0, "");
    assert_eq!(d.requests(), [wire("del map mpatha")]);
    assert!(san.maps().is_empty());
    assert_eq!(
        san.dm_calls().last().map(String::as_str),
        Some("remove mpatha")
    );
}

#[test]
fn flush_failure_reply_is_printed() {
    let san = with_map();
    let d = Daemon::start(&san.socket(), &[Some("fail\nmap or partition in use\n")]);
    let r = san.run(&["-f", "mpatha"]);
    check(&r, 1, "map or partition in use\n");
    assert_eq!(r.stderr, "");
    assert_eq!(d.requests(), [wire("del map mpatha")]);
    assert_eq!(san.maps().len(), 1);

    // A bare `fail` is printed whole; the daemon judges what is a map.
    let d = Daemon::start(&san.socket(), &[Some("fail\n")]);
    check(&san.run(&["-f", "nosuchmap"]), 1, "fail\n");
    assert_eq!(d.requests(), [wire("del map nosuchmap")]);
}

#[test]
fn flush_needs_a_map_argument_before_asking_the_daemon() {
    let san = with_map();
    let d = Daemon::start(&san.socket(), &[Some("ok\n")]);
    for args in [&["-f", "/dev/sda"][..], &["-f", "8:16"], &["-f"]] {
        let r = san.run(args);
        check(&r, 1, "");
        assert_eq!(r.stderr, "the -f option requires a map name to remove\n");
    }
    let r = san.run(&["-f", "/dev/nothing"]);
    check(&r, 1, "");
    assert_eq!(r.stderr, "'/dev/nothing' is not a valid argument\n\n");
    assert!(d.requests().is_empty());
}

#[test]
fn flush_retries_resend_the_command() {
    let san = with_map();
    let d = Daemon::start(
        &san.socket(),
        &[Some("fail\nmap or partition in use\n"), Some("ok\n")],
    );
    // The failure that is retried is not printed.
    check(&san.run(&["-R", "1", "-f", "mpatha"]), 0, "");
    assert_eq!(
        d.requests(),
        [wire("del map mpatha"), wire("del map mpatha")]
    );
}

#[test]
fn flush_all_is_sent_as_del_maps_and_falls_back_on_a_socket_timeout() {
    let san = with_map();
    let d = Daemon::start(&san.socket(), &[Some("ok\n")]);
    check(&san.run(&["-F"]), 0, "");
    assert_eq!(d.requests(), [wire("del maps")]);
    assert_eq!(san.maps().len(), 1);

    // No reply within uxsock_timeout (4 s at least): done here.
    let d = Daemon::start(&san.socket(), &[None]);
    let r = san.run(&["-F"]);
    check(&r, 0, "");
    assert_eq!(
        r.stderr,
        "error in multipath command del maps: Connection timed out\n"
    );
    assert_eq!(d.requests(), [wire("del maps")]);
    assert!(san.maps().is_empty());
}
