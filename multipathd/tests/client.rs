//! The `multipathd` and `multipathc` clients against a tiny in-test server
//! on a private socket (`MULTIPATH_SOCKET_NAME`): framing, reply printing,
//! exit status, connect failures and timeouts. No root, no daemon.

use mpathd::proto::{self, SocketName};
use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

fn unique_abstract() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!(
        "@/mpathd-test/client-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// A server that answers each request of one connection with the next of
/// `replies` (`None`: answer nothing, hold the connection a while), and
/// returns the raw requests (length prefix included) it received.
fn serve(socket: &str, replies: Vec<Option<&'static str>>) -> JoinHandle<Vec<Vec<u8>>> {
    let listener = proto::listen_on(&[SocketName::parse(socket)]).unwrap();
    let listener: UnixListener = listener.into_iter().next().unwrap();
    std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut raw = Vec::new();
        for reply in replies {
            let mut len = [0u8; std::mem::size_of::<usize>()];
            if s.read_exact(&mut len).is_err() {
                break;
            }
            let n = usize::from_ne_bytes(len);
            let mut body = vec![0u8; n];
            s.read_exact(&mut body).unwrap();
            let mut msg = len.to_vec();
            msg.extend_from_slice(&body);
            raw.push(msg);
            match reply {
                Some(r) => s.write_all(&proto::encode(r)).unwrap(),
                None => std::thread::sleep(Duration::from_millis(1500)),
            }
        }
        raw
    })
}

fn run(bin: &str, socket: &str, args: &[&str], stdin: &str) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin)
        .args(args)
        .env(proto::SOCKET_ENV, socket)
        // An empty root: no multipath.conf, so the default reply wait.
        .env("MPATH_SYSROOT", dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn multipathd(socket: &str, args: &[&str]) -> Output {
    run(env!("CARGO_BIN_EXE_multipathd"), socket, args, "")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The request exactly as it must be on the wire.
fn wire(cmd: &str) -> Vec<u8> {
    let mut m = (cmd.len() + 1).to_ne_bytes().to_vec();
    m.extend_from_slice(cmd.as_bytes());
    m.push(0);
    m
}

#[test]
fn words_are_sent_and_the_reply_printed() {
    let sock = unique_abstract();
    let server = serve(&sock, vec![Some("name sysfs\nsda  sda\n")]);
    let out = multipathd(&sock, &["show", "paths", "format", "%d %t"]);
    assert_eq!(text(&out.stdout), "name sysfs\nsda  sda\n");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let raw = server.join().unwrap();
    assert_eq!(raw, vec![wire("show paths format \"%d %t\" \n")]);
}

#[test]
fn k_sends_the_command_as_written() {
    let sock = unique_abstract();
    let server = serve(&sock, vec![Some("ok\n")]);
    let out = multipathd(&sock, &["-kshow maps"]);
    assert_eq!(text(&out.stdout), "ok\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(server.join().unwrap(), vec![wire("show maps")]);
}

#[test]
fn fail_reply_exits_1_and_prints_the_rest() {
    let sock = unique_abstract();
    let server = serve(&sock, vec![Some("fail\ndevice not found\n")]);
    let out = multipathd(&sock, &["del", "map", "nosuch"]);
    assert_eq!(text(&out.stdout), "device not found\n");
    assert_eq!(out.status.code(), Some(1));
    server.join().unwrap();

    let sock = unique_abstract();
    let server = serve(&sock, vec![Some("fail\n")]);
    let out = multipathd(&sock, &["fail", "path", "sdx"]);
    assert_eq!(text(&out.stdout), "");
    assert_eq!(out.status.code(), Some(1));
    server.join().unwrap();
}

#[test]
fn pathname_socket() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("mpathd.sock");
    let sock = sock.to_str().unwrap();
    let server = serve(sock, vec![Some("pid 1 idle\n")]);
    let out = multipathd(sock, &["show", "daemon"]);
    assert_eq!(text(&out.stdout), "pid 1 idle\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(server.join().unwrap(), vec![wire("show daemon \n")]);
}

#[test]
fn connect_failure() {
    let sock = unique_abstract();
    let out = multipathd(&sock, &["show", "paths"]);
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        text(&out.stderr),
        "ERROR: failed to connect to multipathd\n"
    );
    assert_eq!(out.status.code(), Some(1));
    let out = run(env!("CARGO_BIN_EXE_multipathc"), &sock, &[], "");
    assert_eq!(
        text(&out.stderr),
        "ERROR: failed to connect to multipathd\n"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn command_too_large() {
    let sock = unique_abstract();
    let long = "x".repeat(200);
    let out = multipathd(&sock, &["show", "map", &long]);
    assert_eq!(text(&out.stderr), "multipathd command too large\n");
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn interactive_session_on_one_connection() {
    let sock = unique_abstract();
    let server = serve(&sock, vec![Some("ok\n"), Some("fail\nno\n")]);
    let out = run(
        env!("CARGO_BIN_EXE_multipathc"),
        &sock,
        &[],
        "show maps\n\nreconfigure\nquit\nshow paths\n",
    );
    assert_eq!(
        text(&out.stdout),
        "multipathd> ok\nmultipathd> multipathd> no\nmultipathd> "
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        server.join().unwrap(),
        vec![wire("show maps"), wire("reconfigure")]
    );
}

#[test]
fn interactive_via_k_ends_at_eof() {
    let sock = unique_abstract();
    let server = serve(&sock, vec![Some("\x1b[1mmpatha\x1b[0m\n")]);
    let out = run(
        env!("CARGO_BIN_EXE_multipathd"),
        &sock,
        &["-k"],
        "show topology\n",
    );
    // Not a terminal: colours are stripped.
    assert_eq!(text(&out.stdout), "multipathd> mpatha\nmultipathd> ");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(server.join().unwrap(), vec![wire("show topology")]);
}

#[test]
fn timeout_receiving_packet() {
    let sock = unique_abstract();
    let server = serve(&sock, vec![None]);
    let out = run(
        env!("CARGO_BIN_EXE_multipathc"),
        &sock,
        &["300"],
        "show paths\n",
    );
    assert_eq!(text(&out.stderr), "timeout receiving packet\n");
    assert_eq!(out.status.code(), Some(1));
    server.join().unwrap();
}
