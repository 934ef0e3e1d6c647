//! The daemon on a generated SAN (fixture root, fake device mapper and
//! scripted SCSI; no root): start-up creates the maps, `show` commands
//! answer from its state, `fail path` / `reinstate path` reach the (fake)
//! kernel, the checker fails a path whose TEST UNIT READY fails, `shutdown`
//! ends it.

#[path = "../../multipath-cli/tests/common/mod.rs"]
mod common;

use common::San;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Daemon {
    child: Child,
    sock: String,
    san: San,
}

impl Daemon {
    fn start(san: San) -> Daemon {
        let sock = san.root().join("multipathd.sock").display().to_string();
        let child = Command::new(env!("CARGO_BIN_EXE_multipathd"))
            .args(["-d", "-s", "-v3"])
            .env("MPATH_SYSROOT", san.root())
            .env("MPATH_FAKE_DM", san.dm_file())
            .env("MPATH_FAKE_SCSI", san.root().join("fake-scsi.json"))
            .env("MULTIPATH_SOCKET_NAME", &sock)
            .stdout(Stdio::null())
            .stderr(Stdio::from(
                std::fs::File::create(san.root().join("daemon.log")).unwrap(),
            ))
            .spawn()
            .unwrap();
        let d = Daemon { child, sock, san };
        d.wait_for("daemon idle", |d| d.cmd("show daemon").1.contains("idle"));
        d
    }

    /// (exit status, stdout) of `multipathd <cmd>`.
    fn cmd(&self, cmd: &str) -> (i32, String) {
        let o = Command::new(env!("CARGO_BIN_EXE_multipathd"))
            .args(cmd.split(' '))
            .env("MULTIPATH_SOCKET_NAME", &self.sock)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    }

    fn wait_for(&self, what: &str, f: impl Fn(&Daemon) -> bool) {
        let end = Instant::now() + Duration::from_secs(20);
        while Instant::now() < end {
            if f(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "timed out waiting for {what}; daemon log:\n{}",
            self.san.read("/daemon.log")
        );
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const CONF: &str =
    "defaults {\n\tuser_friendly_names yes\n\tfind_multipaths off\n\tpolling_interval 1\n}\n";

#[test]
fn startup_show_fail_reinstate_shutdown() {
    let mut d = Daemon::start(San::new(2, 1, CONF));
    let (rc, out) = d.cmd("show maps");
    assert_eq!(rc, 0);
    assert_eq!(
        out,
        "name   sysfs uuid                  \nmpatha dm-0  1Linux_scsi_debug_2000\n"
    );
    d.wait_for("both paths ready", |d| {
        d.cmd("show paths raw format %d:%T").1 == "sda:ready\nsdb:ready\n"
    });
    let (_, topo) = d.cmd("show topology");
    assert!(
        topo.starts_with("mpatha (1Linux_scsi_debug_2000) dm-0 Linux,scsi_debug\n"),
        "{topo}"
    );
    assert!(topo.contains("policy='service-time 0' prio=50"), "{topo}");

    assert_eq!(d.cmd("fail path sdb"), (0, "ok\n".into()));
    assert_eq!(
        d.cmd("show paths raw format %d:%t").1,
        "sda:active\nsdb:failed\n"
    );
    // The checker leaves a path failed by hand alone.
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        d.cmd("show paths raw format %d:%t").1,
        "sda:active\nsdb:failed\n"
    );
    assert_eq!(d.cmd("reinstate path sdb"), (0, "ok\n".into()));
    assert_eq!(
        d.cmd("show paths raw format %d:%t").1,
        "sda:active\nsdb:active\n"
    );

    // sda goes offline: the checker fails it in the map; back, reinstated.
    let state = d.san.root().join("sys/block/sda/device/state");
    std::fs::write(&state, "offline\n").unwrap();
    d.wait_for("sda failed by the checker", |d| {
        d.cmd("show paths raw format %d:%t:%T:%o").1
            == "sda:failed:faulty:offline\nsdb:active:ready:running\n"
    });
    std::fs::write(&state, "running\n").unwrap();
    d.wait_for("sda reinstated", |d| {
        d.cmd("show paths raw format %d:%t:%T:%o").1
            == "sda:active:ready:running\nsdb:active:ready:running\n"
    });

    assert_eq!(d.cmd("fail path sdz").0, 1);
    assert_eq!(d.cmd("shutdown"), (0, "ok\n".into()));
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(st) = d.child.try_wait().unwrap() {
            assert!(st.success());
            break;
        }
        assert!(Instant::now() < end, "daemon did not exit");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn show_config_local_blacklist_devices() {
    let d = Daemon::start(San::new(2, 1, CONF));
    assert_eq!(
        d.cmd("show devices"),
        (
            0,
            "available block devices:\n    sda  devnode whitelisted, monitored\n    \
             sdb  devnode whitelisted, monitored\n"
                .into()
        )
    );
    let (rc, bl) = d.cmd("show blacklist");
    assert_eq!(rc, 0);
    assert!(
        bl.starts_with(
            "device node rules:\n- blacklist:\n        \
             (default rule)     !^(sd[a-z]|dasd[a-z]|nvme[0-9])\n- exceptions:\n        <empty>\n"
        ),
        "{bl}"
    );
    // The configuration limited to this host: no built-in entry matches
    // scsi_debug, and one map.
    let (rc, local) = d.cmd("show config local");
    assert_eq!(rc, 0);
    let (_, full) = d.cmd("show config");
    let head = full.split_once("devices {\n").unwrap().0;
    assert_eq!(
        local,
        format!(
            "{head}devices {{\n}}\noverrides {{\n}}\nmultipaths {{\n\tmultipath {{\n\t\t\
             wwid \"1Linux_scsi_debug_2000\"\n\t\t# alias \"mpatha\"\n\t}}\n}}\n"
        )
    );
}
