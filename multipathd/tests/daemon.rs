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
        self.cmd_args(&cmd.split(' ').collect::<Vec<_>>())
    }

    /// (exit status, stdout) of `multipathd <args>...`.
    fn cmd_args(&self, args: &[&str]) -> (i32, String) {
        let o = Command::new(env!("CARGO_BIN_EXE_multipathd"))
            .args(args)
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
    // Made by the daemon at start-up: `create:`, as the reference says.
    assert!(
        topo.starts_with("create: mpatha (1Linux_scsi_debug_2000) dm-0 Linux,scsi_debug\n"),
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

/// The NVMe side of tests/vm 60-nvme-loop once port 4422 is gone: nvmet
/// subsystem 0 with namespaces 1 (`nvme0n1`, 64 MiB) and 5 (`nvme0n2`,
/// 32 MiB), reached through controller nvme0 (ANA non-optimized) and nvme2
/// (optimized). The kernel pads model and serial with blanks.
fn add_nvme_loop(root: &std::path::Path) {
    use std::fs;
    use std::os::unix::fs::symlink;
    const SUBSYS: &str = "sys/devices/virtual/nvme-subsystem/nvme-subsys0";
    const CTL: &str = "sys/devices/virtual/nvme-fabrics/ctl";
    let mut files: Vec<(String, String)> = vec![
        (
            format!("{SUBSYS}/subsysnqn"),
            "nqn.2014-08.org.mpath-vm:nvme-target".into(),
        ),
        (format!("{SUBSYS}/model"), format!("{:<40}", "Linux")),
        (format!("{SUBSYS}/firmware_rev"), "6.1.0-56".into()),
        (format!("{SUBSYS}/serial"), "0123456789abcdef    ".into()),
    ];
    let mut links: Vec<(String, String)> = vec![(
        "sys/class/nvme-subsystem/nvme-subsys0".into(),
        "../../devices/virtual/nvme-subsystem/nvme-subsys0".into(),
    )];
    for (n, nsid, uuid_end, size) in [(1, 1, "c8", 131072), (2, 5, "c9", 65536)] {
        let head = format!("{SUBSYS}/nvme0n{n}");
        let uuid = format!("uuid.6ba7b810-9dad-11d1-80b4-00c04fd430{uuid_end}");
        files.extend([
            (format!("{head}/wwid"), uuid),
            (format!("{head}/nsid"), nsid.to_string()),
            (format!("{head}/size"), size.to_string()),
            (format!("{head}/ro"), "0".into()),
            (format!("{head}/dev"), format!("259:{n}")),
        ]);
        links.push((
            format!("sys/block/nvme0n{n}"),
            format!("../devices/virtual/nvme-subsystem/nvme-subsys0/nvme0n{n}"),
        ));
        for (c, ana) in [(0, "non-optimized"), (2, "optimized")] {
            let path = format!("{CTL}/nvme{c}/nvme0c{c}n{n}");
            files.push((format!("{path}/ana_state"), ana.into()));
            files.push((format!("{path}/hidden"), "1".into()));
            links.push((
                format!("sys/block/nvme0c{c}n{n}"),
                format!("../devices/virtual/nvme-fabrics/ctl/nvme{c}/nvme0c{c}n{n}"),
            ));
        }
    }
    for c in [0, 2] {
        files.push((format!("{CTL}/nvme{c}/state"), "live".into()));
        files.push((format!("{CTL}/nvme{c}/transport"), "tcp".into()));
        files.push((
            format!("{CTL}/nvme{c}/address"),
            format!("traddr=127.0.0.1,trsvcid=442{},src_addr=127.0.0.1", c + 1),
        ));
        files.push((
            format!("{CTL}/nvme{c}/serial"),
            "0123456789abcdef    ".into(),
        ));
        links.push((
            format!("{SUBSYS}/nvme{c}"),
            format!("../../nvme-fabrics/ctl/nvme{c}"),
        ));
    }
    for (rel, text) in files {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, format!("{text}\n")).unwrap();
    }
    for (rel, target) in links {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        symlink(target, p).unwrap();
    }
}

const FOREIGN_CONF: &str = "defaults {\n\tuser_friendly_names yes\n\tfind_multipaths off\n\t\
                            enable_foreign \"nvme\"\n}\n";

/// The NVMe namespaces follow the native map in `show topology`, `show
/// paths` and `show maps`, in columns as wide as the widest value of both;
/// `show devices` says which devices the library claims. Foreign lines as
/// the reference printed them (tests/vm 60-nvme-loop).
#[test]
fn foreign_nvme_maps_in_the_listings() {
    let san = San::new(2, 1, FOREIGN_CONF);
    add_nvme_loop(san.root());
    let d = Daemon::start(san);
    d.wait_for("both paths ready", |d| {
        d.cmd("show paths raw format %d:%T")
            .1
            .starts_with("sda:ready\nsdb:ready\n")
    });
    let (rc, topo) = d.cmd("show topology");
    assert_eq!(rc, 0);
    // The daemon made the native map at start-up: `create:`, as the
    // reference prints it (VM probe 97).
    assert_eq!(
        topo.split_once("uuid.").unwrap().0,
        "create: mpatha (1Linux_scsi_debug_2000) dm-0 Linux,scsi_debug\n\
         size=64M features='0' hwhandler='1 alua' wp=rw\n\
         |-+- policy='service-time 0' prio=50 status=enabled\n\
         | `- 0:0:0:0 sda       8:0  active ready         running\n\
         `-+- policy='service-time 0' prio=10 status=enabled\n\
         \x20 `- 1:0:0:0 sdb       8:16 active ready         running\n",
        "{topo}"
    );
    assert!(
        topo.ends_with(
            "uuid.6ba7b810-9dad-11d1-80b4-00c04fd430c9 [nvme]:nvme0n2 NVMe,Linux,6.1.0-56\n\
             size=65536 features='n/a' hwhandler='ANA' wp=rw\n\
             |-+- policy='n/a' prio=10 status=non-optimized\n\
             | `- 0:0:2   nvme0c0n2 0:0  n/a    non-optimized live   \n\
             `-+- policy='n/a' prio=50 status=optimized\n\
             \x20 `- 0:2:2   nvme0c2n2 0:0  n/a    optimized     live   \n"
        ),
        "{topo}"
    );
    assert_eq!(d.cmd("show maps topology").1, topo);
    assert_eq!(
        d.cmd("show devices").1,
        "available block devices:\n    sda  devnode whitelisted, monitored\n    \
         sdb  devnode whitelisted, monitored\n    nvme0c0n1 hidden, unmonitored\n    \
         nvme0c0n2 hidden, unmonitored\n    nvme0c2n1 hidden, unmonitored\n    \
         nvme0c2n2 hidden, unmonitored\n    nvme0n1 foreign, monitored\n    \
         nvme0n2 foreign, monitored\n"
    );
    let (_, paths) = d.cmd("show paths");
    let lines: Vec<&str> = paths.lines().collect();
    // next_check is as wide as the native paths' countdowns make it.
    let width = lines[0].len();
    assert!(
        lines[0].starts_with("hcil    dev       dev_t pri dm_st  chk_st        dev_st  next_check"),
        "{paths}"
    );
    let foreign: Vec<String> = [
        "0:0:1   nvme0c0n1 0:0   10  n/a    non-optimized live    n/a",
        "0:2:1   nvme0c2n1 0:0   50  n/a    optimized     live    n/a",
        "0:0:2   nvme0c0n2 0:0   10  n/a    non-optimized live    n/a",
        "0:2:2   nvme0c2n2 0:0   50  n/a    optimized     live    n/a",
    ]
    .iter()
    .map(|l| format!("{l:<width$}"))
    .collect();
    assert_eq!(&lines[3..], foreign, "{paths}");
    assert_eq!(
        d.cmd_args(&["show", "paths", "format", "%d %G %w %i %P %s %z %T"])
            .1
            .lines()
            .nth(3),
        Some(
            "nvme0c0n1 [nvme]  uuid.6ba7b810-9dad-11d1-80b4-00c04fd430c8 0:0:1   n/a         \
             NVMe,Linux,6.1.0-56   0123456789abcdef     non-optimized"
        )
    );
    assert_eq!(
        d.cmd("show maps").1,
        "name                                        sysfs   uuid                                     \n\
         mpatha                                      dm-0    1Linux_scsi_debug_2000                   \n\
         nqn.2014-08.org.mpath-vm:nvme-target:nsid.1 nvme0n1 uuid.6ba7b810-9dad-11d1-80b4-00c04fd430c8\n\
         nqn.2014-08.org.mpath-vm:nvme-target:nsid.5 nvme0n2 uuid.6ba7b810-9dad-11d1-80b4-00c04fd430c9\n"
    );
    assert_eq!(
        d.cmd_args(&["show", "maps", "format", "%n %G %w %d %N %s %S"])
            .1
            .lines()
            .nth(2),
        Some(
            "nqn.2014-08.org.mpath-vm:nvme-target:nsid.1 nvme    \
             uuid.6ba7b810-9dad-11d1-80b4-00c04fd430c8 nvme0n1 2     NVMe,Linux,6.1.0-56 131072"
        )
    );
    // Wildcards of the foreign paths the library renders: size in
    // sectors, the head as the map, the controller's address as the host
    // port names.
    assert_eq!(
        d.cmd_args(&["show", "paths", "raw", "format", "%d|%S|%m|%N|%R|%n|%r|%C"])
            .1
            .lines()
            .nth(3),
        Some(
            "nvme0c2n1|131072|nvme0n1|tcp:traddr=127.0.0.1,trsvcid=4423,src_addr=127.0.0.1|\
             tcp:traddr=127.0.0.1,trsvcid=4423,src_addr=127.0.0.1|n/a|n/a|n/a"
        )
    );
    // show map M knows the daemon's maps only; its topology is padded over
    // their paths.
    assert_eq!(d.cmd("show map nvme0n1 topology").0, 1);
    assert!(d
        .cmd("show map mpatha topology")
        .1
        .contains("| `- 0:0:0:0 sda 8:0  active ready running\n"));
    // The JSON document has the native maps only.
    let (_, json) = d.cmd("show maps json");
    assert!(json.contains("\"name\" : \"mpatha\""), "{json}");
    assert!(!json.contains("nvme"), "{json}");
}

/// Without `enable_foreign` (built-in "NONE") the listings are the native
/// ones.
#[test]
fn foreign_nvme_maps_hidden_without_enable_foreign() {
    let san = San::new(2, 1, CONF);
    add_nvme_loop(san.root());
    let d = Daemon::start(san);
    let (_, paths) = d.cmd("show paths raw format %d");
    assert_eq!(paths, "sda\nsdb\n");
    let (_, topo) = d.cmd("show topology");
    assert!(!topo.contains("nvme"), "{topo}");
    assert!(topo.contains("| `- 0:0:0:0 sda 8:0  active"), "{topo}");
    assert_eq!(d.cmd("show maps raw format %n").1, "mpatha\n");
    // The heads the library would claim are blacklisted.
    assert!(d
        .cmd("show devices")
        .1
        .ends_with("    nvme0n1 devnode blacklisted, unmonitored\n    nvme0n2 devnode blacklisted, unmonitored\n"));
}

/// The paths (`major:minor`) of the (only) map's table in the fake
/// kernel, as `show topology` lists them (the fake's state file is written
/// only by a `multipath` run, not while the daemon runs).
fn table_devs(d: &Daemon) -> Vec<String> {
    d.cmd("show topology")
        .1
        .split_whitespace()
        .filter(|w| w.starts_with("8:"))
        .map(str::to_string)
        .collect()
}

/// An offline path would make the kernel refuse a new map: at start-up the
/// map is made from the other path, the offline one is an orphan (shown as
/// the reference shows it), and once its device is running again it joins
/// the map.
#[test]
fn offline_path_left_out_at_startup_then_joins() {
    let san = San::new(2, 1, CONF);
    let state = san.root().join("sys/block/sda/device/state");
    std::fs::write(&state, "offline\n").unwrap();
    let d = Daemon::start(san);
    assert_eq!(d.cmd("show maps raw format %n").1, "mpatha\n");
    assert_eq!(table_devs(&d), ["8:16"]);
    assert!(d.cmd("show topology").1.starts_with("create: mpatha ("));
    // The orphan's columns as the reference prints them (VM probe 97).
    d.wait_for("sdb checked", |d| {
        d.cmd_args(&["show", "paths", "format", "%d %m %t %T %o %D"])
            .1
            == "dev multipath dm_st  chk_st dev_st  dev_t\n\
                sda [orphan]  undef  undef  unknown 8:0  \n\
                sdb mpatha    active ready  running 8:16 \n"
    });
    // Still offline a few polling intervals later: still out.
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(table_devs(&d), ["8:16"]);
    assert_eq!(
        d.cmd("show paths raw format %d:%m").1,
        "sda:[orphan]\nsdb:mpatha\n"
    );

    std::fs::write(&state, "running\n").unwrap();
    d.wait_for("sda in mpatha", |d| {
        d.cmd("show paths raw format %d:%m:%t:%T:%o").1
            == "sda:mpatha:active:ready:running\nsdb:mpatha:active:ready:running\n"
    });
    let mut devs = table_devs(&d);
    devs.sort();
    assert_eq!(devs, ["8:0", "8:16"]);
    // Reloaded for the new path: no action shown any more (the reference
    // shows none after such a reload, VM scenario 20).
    assert!(d.cmd("show topology").1.starts_with("mpatha ("));
    assert!(d
        .san
        .read("/daemon.log")
        .contains("sda: path offline, left out"));
}

/// Right before a map goes to the kernel, a path gone from sysfs since it
/// was found is left out ("failed to access path"), as `multipath` does.
#[test]
fn path_gone_from_sysfs_is_left_out_of_a_new_map() {
    let conf = CONF.replace("find_multipaths off", "find_multipaths strict");
    let d = Daemon::start(San::new(2, 1, &conf));
    // strict, WWID not in the wwids file: no map, both paths orphans.
    assert!(table_devs(&d).is_empty());
    assert_eq!(
        d.cmd("show paths raw format %d:%m").1,
        "sda:[orphan]\nsdb:[orphan]\n"
    );
    // sdb leaves sysfs (no uevent reaches the daemon here).
    std::fs::remove_file(d.san.root().join("sys/block/sdb")).unwrap();
    assert_eq!(d.cmd("add map 1Linux_scsi_debug_2000"), (0, "ok\n".into()));
    assert_eq!(table_devs(&d), ["8:0"]);
    assert!(
        d.san
            .read("/daemon.log")
            .contains("mpatha: failed to access path sdb"),
        "{}",
        d.san.read("/daemon.log")
    );
    assert_eq!(
        d.cmd("show paths raw format %d:%m").1,
        "sda:mpatha\nsdb:[orphan]\n"
    );
}

/// Only a map the daemon created shows an action: one it found in the
/// kernel and reloaded at start-up shows none, as with the reference (VM
/// scenario 40).
#[test]
fn a_map_reloaded_at_startup_shows_no_action() {
    let san = San::new(2, 1, CONF);
    // The kernel's map has sda only: the daemon reloads it with sdb.
    san.edit_dm(|v| {
        v["maps"] = serde_json::json!([{
            "name": "mpatha",
            "uuid": "mpath-1Linux_scsi_debug_2000",
            "table": "0 131072 multipath 0 1 alua 1 1 service-time 0 1 1 8:0 1"
        }])
    });
    let d = Daemon::start(san);
    assert!(d.san.read("/daemon.log").contains("mpatha: reload ["));
    let (_, topo) = d.cmd("show topology");
    assert!(topo.starts_with("mpatha ("), "{topo}");
    assert_eq!(d.cmd("show maps raw format %n:%A").1, "mpatha:\n");
}

/// A table refused because a device could not be opened (a path on its way
/// out) is not waited for on the daemon's state thread: `add map` answers
/// at once, and once the dying path leaves sysfs the map is made from the
/// paths left, with no further command.
#[test]
fn a_map_refused_for_a_dying_path_is_made_once_the_path_goes() {
    let conf = CONF.replace("find_multipaths off", "find_multipaths strict");
    let san = San::new(2, 1, &conf);
    // ENXIO (6), once: the kernel could not open sdb.
    san.edit_dm(|v| {
        v["faults"] =
            serde_json::json!([{ "map": "mpatha", "op": "create", "errno": 6, "times": 1 }])
    });
    let d = Daemon::start(san);
    assert!(table_devs(&d).is_empty());
    assert_eq!(d.cmd("add map 1Linux_scsi_debug_2000").0, 1);
    assert!(table_devs(&d).is_empty());
    // sdb leaves sysfs (no uevent reaches the daemon here).
    std::fs::remove_file(d.san.root().join("sys/block/sdb")).unwrap();
    d.wait_for("mpatha made from sda", |d| table_devs(d) == ["8:0"]);
    assert_eq!(d.cmd("show paths raw format %d:%m").1, "sda:mpatha\n");
    let log = d.san.read("/daemon.log");
    assert!(
        log.contains("1Linux_scsi_debug_2000: trying the map again without sdb"),
        "{log}"
    );
}

/// The SCSI timeouts are written again whenever the daemon reloads a map,
/// as on a path's removal, not only when it creates one.
#[test]
fn a_reload_for_a_removed_path_writes_the_scsi_timeouts() {
    let conf = CONF.replace(
        "polling_interval 1\n",
        "polling_interval 1\n\tmax_retries 3\n",
    );
    let san = San::new(2, 1, &conf);
    let retries = |hcil: &str| {
        san.root()
            .join(format!("sys/class/scsi_disk/{hcil}/max_retries"))
    };
    for hcil in ["0:0:0:0", "1:0:0:0"] {
        std::fs::create_dir_all(retries(hcil).parent().unwrap()).unwrap();
        std::fs::write(retries(hcil), "5\n").unwrap();
    }
    let sda_retries = retries("0:0:0:0");
    let d = Daemon::start(san);
    assert_eq!(std::fs::read_to_string(&sda_retries).unwrap().trim(), "3");
    // Someone changes it; the reload for sdb's removal writes it again.
    std::fs::write(&sda_retries, "5\n").unwrap();
    assert_eq!(d.cmd("del path sdb"), (0, "ok\n".into()));
    assert_eq!(table_devs(&d), ["8:0"]);
    assert_eq!(std::fs::read_to_string(&sda_retries).unwrap().trim(), "3");
}
