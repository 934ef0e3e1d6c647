//! multipathd at scale (simulated): start-up on a generated tree of 4,096
//! and 16,384 paths (4 per LUN: 1,024 and 4,096 maps), then how fast the
//! control socket answers while the daemon checks every path.
//!
//! The kernel seams are the fakes (`MPATH_SYSROOT`, in-memory device
//! mapper, scripted SCSI; checker `tur` answered by the fake), so this
//! measures our code, not I/O. The reference daemon cannot run on a fake
//! tree, so there is no ratio: each number is printed against the target
//! (replies in milliseconds at 16,384 paths).
//!
//! Run: `cargo bench -p multipathd --bench socket`.

#[path = "../../benches/support/gen.rs"]
mod gen;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CONF: &str = "defaults {\n\tuser_friendly_names yes\n\tfind_multipaths off\n\tpolling_interval 5\n}\noverrides {\n\tpath_checker tur\n\tprio sysfs\n\tdetect_prio no\n}\n";

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn ask(sock: &str, cmd: &str) -> String {
    let name = mpath::ctl::SocketName::parse(sock);
    let mut s = name.connect().expect("connect");
    mpath::ctl::request(&mut s, cmd, Duration::from_secs(60)).expect("reply")
}

fn run(paths: u32) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let luns = paths / 4;
    gen::generate(root, 4, luns);
    std::fs::create_dir_all(root.join("etc/multipath")).unwrap();
    std::fs::write(root.join("etc/multipath.conf"), CONF).unwrap();
    let mut scsi = String::from("{\n");
    for i in 0..paths {
        let sep = if i + 1 == paths { "" } else { "," };
        scsi.push_str(&format!(
            "  \"{}\": {{ \"tur\": \"ok\" }}{sep}\n",
            gen::disk_name(i)
        ));
    }
    scsi.push_str("}\n");
    std::fs::write(root.join("scsi.json"), scsi).unwrap();
    let sock = root.join("sock").display().to_string();

    let t0 = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_multipathd"))
        .args(["-d", "-s", "-v1"])
        .env("MPATH_SYSROOT", root)
        .env("MPATH_FAKE_DM", root.join("dm.json"))
        .env("MPATH_FAKE_SCSI", root.join("scsi.json"))
        .env("MULTIPATH_SOCKET_NAME", &sock)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _d = Daemon(child);
    loop {
        let up = mpath::ctl::SocketName::parse(&sock)
            .connect()
            .ok()
            .and_then(|mut s| {
                mpath::ctl::request(&mut s, "show daemon", Duration::from_secs(5)).ok()
            })
            .is_some_and(|r| r.contains("idle") || r.contains("running"));
        if up {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(600),
            "daemon did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let startup = t0.elapsed();
    let maps = ask(&sock, "show maps raw format %n").lines().count();
    println!(
        "{paths} paths, {maps} maps: start-up to first answer {:.2} s",
        startup.as_secs_f64()
    );
    for cmd in [
        "show daemon",
        "show maps",
        "show paths",
        "show topology",
        "show maps json",
    ] {
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..15 {
            let t = Instant::now();
            bytes = ask(&sock, cmd).len();
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "  {cmd:<16} median {:>8.2} ms  max {:>8.2} ms  ({bytes} bytes)",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3
        );
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    for n in [4096, 16384] {
        run(n);
    }
}
