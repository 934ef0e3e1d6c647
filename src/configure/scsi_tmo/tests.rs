//! Hermetic tests: fixture sysfs trees for FC, iSCSI, SAS and scsi_debug
//! hosts; what is written where, in which order, and what is said.

use super::*;
use crate::assemble::{assemble, AssembleOpts, PathFacts};
use crate::checker::PathState;
use std::fs;

const FC: &str =
    "/sys/devices/pci0000:00/0000:00:03.0/host2/rport-2:0-1/target2:0:0/2:0:0:0/block/sda";
const ISCSI: &str = "/sys/devices/platform/host3/session7/target3:0:0/3:0:0:0/block/sdb";
const SAS: &str = "/sys/devices/pci0000:00/0000:00:04.0/host0/port-0:0/end_device-0:0/target0:0:0/0:0:0:0/block/sdc";
const UNSPEC: &str = "/sys/devices/pseudo_0/adapter0/host4/target4:0:0/4:0:0:0/block/sdd";

struct Fix {
    _t: tempfile::TempDir,
    root: SysRoot,
}

impl Fix {
    fn new() -> Fix {
        let t = tempfile::tempdir().unwrap();
        let root = SysRoot::new(t.path());
        let f = Fix { _t: t, root };
        f.attr(
            "/sys/class/fc_remote_ports/rport-2:0-1/fast_io_fail_tmo",
            "off",
        );
        f.attr("/sys/class/fc_remote_ports/rport-2:0-1/dev_loss_tmo", "30");
        f.attr("/sys/class/iscsi_session/session7/recovery_tmo", "120");
        f.attr(
            "/sys/class/sas_end_device/end_device-0:0/I_T_nexus_loss_timeout",
            "2000",
        );
        f.attr("/sys/class/scsi_disk/2:0:0:0/max_retries", "5");
        for h in ["host0", "host2", "host3", "host4"] {
            f.attr(&format!("/sys/class/scsi_host/{h}/eh_deadline"), "off");
        }
        f
    }

    fn attr(&self, abs: &str, v: &str) {
        let p = self.root.join(abs);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, v).unwrap();
    }

    fn get(&self, abs: &str) -> String {
        fs::read_to_string(self.root.join(abs)).unwrap()
    }
}

fn path(dev: &str, protocol: &str, syspath: &str) -> PathFacts {
    let mut f = PathFacts::unprobed(PathDev {
        dev: dev.into(),
        dev_t: "8:0".into(),
        hcil: "2:0:0:0".into(),
        vendor: "Linux".into(),
        product: "scsi_debug".into(),
        wwid: "w1".into(),
        size: 2048,
        state: "running".into(),
        protocol: protocol.into(),
        syspath: syspath.into(),
        ..PathDev::default()
    });
    f.state = PathState::Up;
    f.prio = 1;
    f.prio_name = "const".into();
    f
}

fn plan(cfg: &Config, paths: Vec<PathFacts>) -> MapPlan {
    assemble(cfg, "w1", paths, &AssembleOpts::default())
}

fn cfg(defaults: &str) -> Config {
    Config::from_str_with("multipath.conf", &format!("defaults {{\n{defaults}\n}}\n"))
}

const RPORT: &str = "/sys/class/fc_remote_ports/rport-2:0-1";

#[test]
fn fc_gets_both_timeouts_and_the_builtin_fast_io_fail() {
    let f = Fix::new();
    // Built in: fast_io_fail_tmo 5, dev_loss_tmo unset (the port keeps 30).
    let c = Config::builtin();
    let o = set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sda", "scsi:fcp", FC)]),
    );
    assert_eq!(f.get(&format!("{RPORT}/fast_io_fail_tmo")), "5");
    assert_eq!(f.get(&format!("{RPORT}/dev_loss_tmo")), "30");
    assert!(o.unsupported.is_none());
    assert!(o.log.iter().all(|(l, _)| *l >= 3), "{:?}", o.log);

    let c = cfg("fast_io_fail_tmo 40\ndev_loss_tmo 120\neh_deadline 9");
    set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sda", "scsi:fcp", FC)]),
    );
    assert_eq!(f.get(&format!("{RPORT}/fast_io_fail_tmo")), "40");
    assert_eq!(f.get(&format!("{RPORT}/dev_loss_tmo")), "120");
    assert_eq!(f.get("/sys/class/scsi_host/host2/eh_deadline"), "9");
}

#[test]
fn no_path_retry_raises_dev_loss_and_fast_io_fail_goes_off_above_it() {
    let f = Fix::new();
    // 12 retries every 5 s: 66 s, as the reference raises it (seen in the VM).
    let c = cfg("polling_interval 5\nno_path_retry 12\ndev_loss_tmo 30\nfast_io_fail_tmo 50");
    let p = plan(&c, vec![path("sda", "scsi:fcp", FC)]);
    let (t, raised, _) = path_tmo(&c, &p.paths[0].dev, p.no_path_retry);
    assert_eq!((t.dev_loss, raised), (Some(66), Some(66)));
    assert_eq!(t.fast_io_fail, Tmo::Secs(50));
    let o = set_map_tmo(&f.root, &c, "mpatha", &p);
    assert_eq!(
        o.log.last().unwrap(),
        &(
            2,
            "mpatha: Raising dev_loss_tmo to 66 because of no_path_retry setting".to_string()
        )
    );
    assert_eq!(f.get(&format!("{RPORT}/dev_loss_tmo")), "66");
    assert_eq!(f.get(&format!("{RPORT}/fast_io_fail_tmo")), "50");
    // Other retries and intervals, as the reference raises them.
    for (n, pi, want) in [
        (12, 3, 41),
        (3, 7, 26),
        (10, 10, 106),
        (1000, 1, 1021),
        (5000, 2, 10171),
    ] {
        let c = cfg(&format!("polling_interval {pi}\nno_path_retry {n}"));
        let p = plan(&c, vec![path("sda", "scsi:fcp", FC)]);
        assert_eq!(min_dev_loss(&c, p.no_path_retry), want, "{n} x {pi}");
    }
    // Not for a transport without timeouts.
    let p = plan(&c, vec![path("sdd", "scsi:unspec", UNSPEC)]);
    let o = set_map_tmo(&f.root, &c, "mpatha", &p);
    assert!(
        o.log.iter().all(|(_, m)| !m.contains("Raising")),
        "{:?}",
        o.log
    );

    let c = cfg("dev_loss_tmo 20\nfast_io_fail_tmo 20");
    let p = plan(&c, vec![path("sda", "scsi:fcp", FC)]);
    let (t, _, _) = path_tmo(&c, &p.paths[0].dev, p.no_path_retry);
    assert_eq!((t.dev_loss, t.fast_io_fail), (Some(20), Tmo::Off));
    set_map_tmo(&f.root, &c, "mpatha", &p);
    assert_eq!(f.get(&format!("{RPORT}/fast_io_fail_tmo")), "off");
    assert_eq!(f.get(&format!("{RPORT}/dev_loss_tmo")), "20");

    // Queueing for ever keeps the paths for ever.
    let c = cfg("no_path_retry queue\ndev_loss_tmo 60");
    let p = plan(&c, vec![path("sda", "scsi:fcp", FC)]);
    let (t, _, _) = path_tmo(&c, &p.paths[0].dev, p.no_path_retry);
    assert_eq!(t.dev_loss, Some(MAX_DEV_LOSS_TMO));
}

#[test]
fn fc_dev_loss_above_600_needs_fast_io_fail() {
    let f = Fix::new();
    let c = cfg("fast_io_fail_tmo off\ndev_loss_tmo infinity");
    let o = set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sda", "scsi:fcp", FC)]),
    );
    assert_eq!(f.get(&format!("{RPORT}/dev_loss_tmo")), "600");
    assert!(
        o.log
            .iter()
            .any(|(_, m)| m.contains("limiting dev_loss_tmo to 600")),
        "{:?}",
        o.log
    );
    let c = cfg("fast_io_fail_tmo 5\ndev_loss_tmo infinity");
    set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sda", "scsi:fcp", FC)]),
    );
    assert_eq!(f.get(&format!("{RPORT}/dev_loss_tmo")), "4294967295");
    assert_eq!(f.get(&format!("{RPORT}/fast_io_fail_tmo")), "5");
}

/// Seen in the VM over FCoE (scenario 45): with fast_io_fail_tmo off and
/// no_path_retry queue the reference writes `off` first, then the raised
/// dev_loss_tmo (not limited to 600) even though the port holds it already;
/// the kernel refuses it, the refusal names the remote port and the
/// attribute, and the map's "Raising" line comes after it.
#[test]
fn fc_raised_dev_loss_is_written_after_fast_io_fail_off_and_not_limited() {
    let f = Fix::new();
    f.attr(&format!("{RPORT}/fast_io_fail_tmo"), "5");
    // A directory where the attribute is: the write is refused.
    fs::remove_file(f.root.join(format!("{RPORT}/dev_loss_tmo"))).unwrap();
    fs::create_dir_all(f.root.join(format!("{RPORT}/dev_loss_tmo"))).unwrap();
    let c = cfg("fast_io_fail_tmo off\ndev_loss_tmo 90\nno_path_retry queue");
    let p = plan(&c, vec![path("sda", "scsi:fcp", FC)]);
    let o = set_map_tmo(&f.root, &c, "mpatha", &p);
    let said: Vec<&str> = o.log.iter().map(|(_, m)| m.as_str()).collect();
    assert_eq!(
        said,
        [
            "sda: /sys/class/fc_remote_ports/rport-2:0-1/fast_io_fail_tmo set to off",
            "rport-2:0-1: failed to set dev_loss_tmo to 4294967295: Is a directory",
            "mpatha: Raising dev_loss_tmo to 4294967295 because of no_path_retry setting",
        ]
    );
    assert_eq!(o.log[1].0, 1);
    assert_eq!(f.get(&format!("{RPORT}/fast_io_fail_tmo")), "off");

    // A value the port holds already is written again.
    let f = Fix::new();
    let c = cfg("fast_io_fail_tmo off\ndev_loss_tmo 30");
    let o = set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sda", "scsi:fcp", FC)]),
    );
    assert_eq!(o.log.len(), 2, "{:?}", o.log);
    assert!(
        o.log[1].1.ends_with("dev_loss_tmo set to 30"),
        "{:?}",
        o.log
    );
}

#[test]
fn iscsi_recovery_tmo_and_sas_nexus_loss() {
    let f = Fix::new();
    let c = cfg("fast_io_fail_tmo 7\ndev_loss_tmo 70");
    let p = plan(
        &c,
        vec![
            path("sdb", "scsi:iscsi", ISCSI),
            path("sdc", "scsi:sas", SAS),
        ],
    );
    let o = set_map_tmo(&f.root, &c, "mpatha", &p);
    assert_eq!(f.get("/sys/class/iscsi_session/session7/recovery_tmo"), "7");
    assert_eq!(
        f.get("/sys/class/sas_end_device/end_device-0:0/I_T_nexus_loss_timeout"),
        "70"
    );
    assert!(o.unsupported.is_none());
    // Off cannot be written to an iSCSI session: left as it is.
    let c = cfg("fast_io_fail_tmo off");
    set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sdb", "scsi:iscsi", ISCSI)]),
    );
    assert_eq!(f.get("/sys/class/iscsi_session/session7/recovery_tmo"), "7");
}

#[test]
fn other_transports_are_named_once_and_get_only_eh_deadline() {
    let f = Fix::new();
    let c = cfg("eh_deadline 9");
    let mut second = path("sde", "scsi:unspec", UNSPEC);
    second.dev.dev = "sde".into();
    let o = set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sdd", "scsi:unspec", UNSPEC), second]),
    );
    assert_eq!(
        o.unsupported.as_deref(),
        Some("sdd: setting scsi timeouts is unsupported for protocol scsi:unspec")
    );
    assert_eq!(f.get("/sys/class/scsi_host/host4/eh_deadline"), "9");
    // Nothing configured at all: nothing said.
    let c = cfg("fast_io_fail_tmo off\neh_deadline off");
    let o = set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sdd", "scsi:unspec", UNSPEC)]),
    );
    assert!(o.unsupported.is_some());
    assert_eq!(f.get("/sys/class/scsi_host/host4/eh_deadline"), "off");
}

#[test]
fn a_refused_write_is_logged_with_the_path_and_file() {
    let f = Fix::new();
    fs::remove_dir_all(f.root.join("/sys/class/iscsi_session/session7")).unwrap();
    let c = cfg("fast_io_fail_tmo 7");
    let o = set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sdb", "scsi:iscsi", ISCSI)]),
    );
    let errs: Vec<_> = o.log.iter().filter(|(l, _)| *l == 1).collect();
    assert_eq!(errs.len(), 1, "{:?}", o.log);
    assert!(errs[0]
        .1
        .starts_with("sdb: failed to set /sys/class/iscsi_session/session7/recovery_tmo to 7:"));
}

#[test]
fn components_of_the_syspath() {
    assert_eq!(component(FC, "rport-"), Some("rport-2:0-1"));
    assert_eq!(component(FC, "host"), Some("host2"));
    assert_eq!(component(ISCSI, "session"), Some("session7"));
    assert_eq!(component(SAS, "end_device-"), Some("end_device-0:0"));
    assert_eq!(component(UNSPEC, "rport-"), None);
}

#[test]
fn max_retries_goes_to_the_disk_whatever_the_transport() {
    let f = Fix::new();
    let c = cfg("fast_io_fail_tmo off\nmax_retries 2");
    set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sdd", "scsi:unspec", UNSPEC)]),
    );
    assert_eq!(f.get("/sys/class/scsi_disk/2:0:0:0/max_retries"), "2");
    let c = cfg("max_retries off");
    set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sdd", "scsi:unspec", UNSPEC)]),
    );
    assert_eq!(f.get("/sys/class/scsi_disk/2:0:0:0/max_retries"), "-1");
}

#[test]
fn a_host_refusing_eh_deadline_is_only_a_debug_line() {
    let f = Fix::new();
    // A directory where the attribute should be: the write fails.
    fs::remove_file(f.root.join("/sys/class/scsi_host/host3/eh_deadline")).unwrap();
    fs::create_dir_all(f.root.join("/sys/class/scsi_host/host3/eh_deadline")).unwrap();
    let c = cfg("eh_deadline 9");
    let o = set_map_tmo(
        &f.root,
        &c,
        "mpatha",
        &plan(&c, vec![path("sdb", "scsi:iscsi", ISCSI)]),
    );
    assert!(
        o.log
            .iter()
            .any(|(l, m)| *l == 3 && m.contains("eh_deadline")),
        "{:?}",
        o.log
    );
    assert!(o.log.iter().all(|(l, _)| *l >= 3), "{:?}", o.log);
}
