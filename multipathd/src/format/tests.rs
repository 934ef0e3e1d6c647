//! Renders states that mirror the VM scenarios (tests/vm/scenarios) and
//! compares with what the reference multipathd 0.15.1 printed there. The
//! files under `testdata/<scenario>/` are copies of the reference artifacts
//! (target/vm-results/run-20261121-123858/<scenario>/theirs/artifacts):
//! the command's stdout, then `[exit status N]`. Our output goes through
//! the scenarios' normalisation (tests/vm/guest/lib.sh `normalise`): the
//! `%C` bar becomes `<next_check>`, the pid of `show daemon` `<pid>`.

use super::*;
use crate::model::{DaemonState, Failback, Group, InitState, Map, MapStats, Path, Queueing, State};
use mpath::checker::PathState;
use mpath::discovery::PathDev;
use mpath::dm::{DmPathState, GroupState};
use std::sync::Arc;
use std::time::{Duration, Instant};

// ---- helpers ----

/// The stdout part of a reference artifact.
fn artifact(text: &str) -> &str {
    text.strip_suffix("[exit status 0]\n")
        .expect("artifact ends with its exit status")
}

/// The scenarios' normalisation, for our side.
fn normalise(s: &str) -> String {
    let mut out = String::new();
    for line in s.split_inclusive('\n') {
        let line = line
            .strip_prefix("pid ")
            .and_then(|r| r.split_once(' '))
            .filter(|(pid, _)| pid.bytes().all(|b| b.is_ascii_digit()))
            .map(|(_, rest)| format!("pid <pid> {rest}"))
            .unwrap_or_else(|| line.to_string());
        out.push_str(&replace_bars(&line));
    }
    out
}

/// `[X.]{10} [0-9]+/[0-9]+` -> `<next_check>`.
fn replace_bars(line: &str) -> String {
    let b = line.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if let Some(end) = bar_at(b, i) {
            out.push_str("<next_check>");
            i = end;
        } else {
            out.push(b[i] as char);
            i += 1;
        }
    }
    out
}

fn bar_at(b: &[u8], i: usize) -> Option<usize> {
    let bar = b.get(i..i + 10)?;
    if !bar.iter().all(|&c| c == b'X' || c == b'.') || b.get(i + 10) != Some(&b' ') {
        return None;
    }
    let digits = |mut j: usize| {
        let start = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        (j > start).then_some(j)
    };
    let j = digits(i + 11)?;
    (b.get(j) == Some(&b'/')).then_some(())?;
    digits(j + 1)
}

pub(super) fn dev(name: &str, dev_t: &str, hcil: &str, vendor: &str, product: &str) -> PathDev {
    PathDev {
        dev: name.into(),
        dev_t: dev_t.into(),
        hcil: hcil.into(),
        vendor: vendor.into(),
        product: product.into(),
        revision: "0191".into(),
        size: 131072,
        state: "running".into(),
        protocol: "scsi:unspec".into(),
        ..PathDev::default()
    }
}

/// A path the daemon checked: in `map`, up, active in the kernel.
pub(super) fn path(d: PathDev, map: Option<&str>, prio: i32, now: Instant) -> Path {
    Path {
        dev: Arc::new(d),
        checker: "tur".into(),
        chk: PathState::Up,
        prio,
        prio_name: "alua".into(),
        prio_args: String::new(),
        tpg: None,
        dm: map.map(|_| DmPathState::Active),
        fail_count: 0,
        map: map.map(str::to_string),
        interval: 2,
        next_check: now + Duration::from_secs(1),
        admin_failed: false,
        pending: false,
        init: InitState::Ok,
        marginal: false,
    }
}

fn group(prio: i32, state: GroupState, paths: &[&str]) -> Group {
    Group {
        selector: "service-time 0".into(),
        prio,
        state: Some(state),
        paths: paths.iter().map(|s| s.to_string()).collect(),
    }
}

pub(crate) fn map(name: &str, wwid: &str, minor: u32, groups: Vec<Group>) -> Map {
    Map {
        name: name.into(),
        wwid: wwid.into(),
        minor: Some(minor),
        size: 131072,
        features: "0".into(),
        hwhandler: "1 alua".into(),
        groups,
        read_only: Some(false),
        suspended: Some(false),
        failback: Failback::Manual,
        failback_tick: None,
        no_path_retry: Queueing::Unset,
        queueing_disabled: false,
        retry_left: None,
        retries_exhausted: false,
        action: String::new(),
        stats: MapStats::default(),
        polling_interval: 2,
    }
}

fn state(maps: Vec<Map>, paths: Vec<Path>) -> State {
    State {
        pid: 4242,
        daemon: DaemonState::Idle,
        pending_reconfigure: false,
        reconfigures: 0,
        maps,
        paths,
        root: mpath::SysRoot::new("/nonexistent"),
    }
}

fn path_mut<'a>(st: &'a mut State, name: &str) -> &'a mut Path {
    st.paths.iter_mut().find(|p| p.dev.dev == name).unwrap()
}

/// Bijective base 26: 0 -> a, 25 -> z, 26 -> aa.
fn letters(mut n: usize) -> String {
    let mut s = Vec::new();
    n += 1;
    while n > 0 {
        n -= 1;
        s.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

// ---- 20-sd-faults-io: scsi_debug, 2 paths, one map, polling_interval 2 ----

const SD_WWID: &str = "1Linux_scsi_debug_2000";

fn sd_faults(now: Instant) -> State {
    let paths = vec![
        path(
            dev("sda", "8:0", "0:0:0:0", "Linux", "scsi_debug"),
            Some(SD_WWID),
            50,
            now,
        ),
        path(
            dev("sdb", "8:16", "1:0:0:0", "Linux", "scsi_debug"),
            Some(SD_WWID),
            10,
            now,
        ),
    ];
    let m = map(
        "mpatha",
        SD_WWID,
        0,
        vec![
            group(50, GroupState::Enabled, &["8:0"]),
            group(10, GroupState::Enabled, &["8:16"]),
        ],
    );
    state(vec![m], paths)
}

#[test]
fn sd_faults_show_paths_with_next_check() {
    let now = Instant::now();
    let st = sd_faults(now);
    let out = paths(&st, Some("%d %D %t %T %o %C %p"), true, now);
    assert!(out.contains(" XXXXX..... 1/2 50 \n"), "{out}");
    assert_eq!(
        normalise(&out),
        artifact(include_str!("testdata/20-sd-faults-io/02-show_paths"))
    );
}

#[test]
fn sd_faults_show_maps() {
    let now = Instant::now();
    let st = sd_faults(now);
    assert_eq!(
        maps(&st, None, true, now),
        artifact(include_str!("testdata/20-sd-faults-io/03-show_maps"))
    );
}

#[test]
fn sd_faults_show_topology() {
    let st = sd_faults(Instant::now());
    assert_eq!(
        topology(&st, None),
        artifact(include_str!("testdata/20-sd-faults-io/04-show_topology"))
    );
    assert_eq!(topology(&st, Some(&st.maps[0])), topology(&st, None));
}

#[test]
fn sd_faults_show_maps_status() {
    let now = Instant::now();
    let st = sd_faults(now);
    assert_eq!(
        maps_status(&st, now),
        artifact(include_str!("testdata/20-sd-faults-io/05-show_maps_status"))
    );
}

#[test]
fn sd_faults_show_daemon() {
    let st = sd_faults(Instant::now());
    assert_eq!(daemon(&st), "pid 4242 idle\n");
    assert_eq!(
        normalise(&daemon(&st)),
        artifact(include_str!("testdata/20-sd-faults-io/06-show_daemon"))
    );
}

#[test]
fn sd_faults_path_offline_and_back() {
    let now = Instant::now();
    let mut st = sd_faults(now);
    {
        let sda = path_mut(&mut st, "sda");
        sda.dm = Some(DmPathState::Failed);
        sda.chk = PathState::Down;
        Arc::make_mut(&mut sda.dev).state = "offline".into();
    }
    assert_eq!(
        paths(&st, Some("%d %t %T %o"), true, now),
        artifact(include_str!(
            "testdata/20-sd-faults-io/07-show_paths__sda_offline"
        ))
    );
    {
        let sda = path_mut(&mut st, "sda");
        sda.dm = Some(DmPathState::Active);
        sda.chk = PathState::Up;
        Arc::make_mut(&mut sda.dev).state = "running".into();
    }
    assert_eq!(
        paths(&st, Some("%d %t %T %o"), true, now),
        artifact(include_str!(
            "testdata/20-sd-faults-io/09-show_paths__sda_back"
        ))
    );
}

#[test]
fn sd_faults_path_deleted() {
    let now = Instant::now();
    let mut st = sd_faults(now);
    st.paths.retain(|p| p.dev.dev != "sdb");
    st.maps[0].groups.truncate(1);
    st.maps[0].groups[0].state = Some(GroupState::Active);
    assert_eq!(
        paths(&st, Some("%d %t %T %o"), true, now),
        artifact(include_str!(
            "testdata/20-sd-faults-io/14-show_paths__sdb_deleted"
        ))
    );
}

#[test]
fn sd_faults_topology_at_end() {
    let mut st = sd_faults(Instant::now());
    st.maps[0].groups[0].state = Some(GroupState::Active);
    assert_eq!(
        topology(&st, None),
        artifact(include_str!(
            "testdata/20-sd-faults-io/16-show_topology_at_end"
        ))
    );
}

// ---- 30-sd-4x16: scsi_debug, 4 hosts x 16 LUNs, 16 maps ----

/// LUNs in the order the kernel's sysfs sorts them (and maps were made).
const LUN_ORDER: [usize; 16] = [0, 1, 10, 11, 12, 13, 14, 15, 2, 3, 4, 5, 6, 7, 8, 9];

fn sd_4x16(now: Instant) -> State {
    let majors = [8, 65, 66, 67];
    let prios = [50, 10, 1, 50];
    let wwid = |lun: usize| format!("1Linux_scsi_debug_{}", 2000 + lun);
    let mut paths = Vec::new();
    for host in 0..4 {
        for lun in LUN_ORDER {
            let d = dev(
                &format!("sd{}", letters(host * 16 + lun)),
                &format!("{}:{}", majors[host], lun * 16),
                &format!("{host}:0:0:{lun}"),
                "Linux",
                "scsi_debug",
            );
            paths.push(path(d, Some(&wwid(lun)), prios[host], now));
        }
    }
    let devt = |host: usize, lun: usize| format!("{}:{}", majors[host], lun * 16);
    let maps = LUN_ORDER
        .iter()
        .enumerate()
        .map(|(i, &lun)| {
            let g = |prio, hosts: &[usize]| Group {
                selector: "service-time 0".into(),
                prio,
                state: Some(GroupState::Enabled),
                paths: hosts.iter().map(|&h| devt(h, lun)).collect(),
            };
            map(
                &format!("mpath{}", letters(i)),
                &wwid(lun),
                i as u32,
                vec![g(50, &[0, 3]), g(10, &[1]), g(1, &[2])],
            )
        })
        .collect();
    state(maps, paths)
}

#[test]
fn sd_4x16_show_maps() {
    let now = Instant::now();
    let st = sd_4x16(now);
    let out = maps(&st, None, true, now);
    assert_eq!(
        out,
        artifact(include_str!("testdata/30-sd-4x16/05-show_maps"))
    );
    assert_eq!(
        out,
        artifact(include_str!("testdata/30-sd-4x16/09-show_maps_at_end"))
    );
}

#[test]
fn sd_4x16_show_paths() {
    let now = Instant::now();
    let st = sd_4x16(now);
    assert_eq!(
        paths(&st, Some("%i %d %D %t %T %o %p"), true, now),
        artifact(include_str!("testdata/30-sd-4x16/06-show_paths"))
    );
}

#[test]
fn sd_4x16_topology_pads_over_all_paths() {
    // multipath -ll pads per map ("sda  8:0 " against "sdaw 67:0");
    // the daemon pads every map to the widest path it knows.
    let st = sd_4x16(Instant::now());
    let one = topology(&st, Some(&st.maps[0]));
    assert!(
        one.contains("| |- 0:0:0:0  sda  8:0    active ready running\n"),
        "{one}"
    );
    let all = topology(&st, None);
    assert_eq!(all.lines().count(), 16 * 9);
    assert!(all.starts_with(&one));
}

#[test]
fn map_one_uses_the_widths_of_all_maps() {
    let now = Instant::now();
    let st = sd_4x16(now);
    assert_eq!(map_one(&st, &st.maps[0], "%n %d|", now), "mpatha dm-0 |\n");
    assert_eq!(map_one(&st, &st.maps[10], "%n %d|", now), "mpathk dm-10|\n");
    // Headers count too: "sysfs" is wider than "dm-0".
    let one = state(vec![st.maps[0].clone()], st.paths.clone());
    assert_eq!(
        map_one(&one, &one.maps[0], "%d|%Z%n", now),
        "dm-0 |mpatha\n"
    );
}

// ---- 40-lio-alua: LIO loopback, 3 ports in 3 ALUA groups ----

const LIO_WWID: &str = "36001405a000100000000000000000000";

fn lio_alua(now: Instant) -> State {
    let mut paths = Vec::new();
    for (i, (name, devt, prio, tpg)) in [
        ("sda", "8:0", 50, 0x0a),
        ("sdb", "8:16", 10, 0x14),
        ("sdc", "8:32", 1, 0x1e),
    ]
    .into_iter()
    .enumerate()
    {
        let d = dev(name, devt, &format!("{i}:0:1:0"), "LIO-ORG", "RAMDISK-MCP");
        let mut p = path(d, Some(LIO_WWID), prio, now);
        p.tpg = Some(tpg);
        paths.push(p);
    }
    let sdc = paths.last_mut().unwrap();
    sdc.chk = PathState::Down;
    sdc.dm = Some(DmPathState::Failed);
    let mut m = map(
        "mpatha",
        LIO_WWID,
        0,
        vec![
            group(50, GroupState::Enabled, &["8:0"]),
            group(10, GroupState::Enabled, &["8:16"]),
            group(0, GroupState::Enabled, &["8:32"]),
        ],
    );
    m.features = "1 queue_if_no_path".into();
    m.no_path_retry = Queueing::Retries(12);
    state(vec![m], paths)
}

#[test]
fn lio_alua_show_paths_with_tpg() {
    let now = Instant::now();
    let st = lio_alua(now);
    assert_eq!(
        paths(&st, Some("%d %t %T %o %p %A"), true, now),
        artifact(include_str!("testdata/40-lio-alua/04-show_paths"))
    );
}

#[test]
fn lio_alua_show_topology() {
    let st = lio_alua(Instant::now());
    assert_eq!(
        topology(&st, None),
        artifact(include_str!("testdata/40-lio-alua/05-show_topology"))
    );
}

#[test]
fn lio_alua_show_paths_after_switch() {
    let now = Instant::now();
    let mut st = lio_alua(now);
    for p in &mut st.paths {
        p.prio = 50;
        let up = p.dev.dev != "sda";
        p.chk = if up { PathState::Up } else { PathState::Down };
        p.dm = Some(if up {
            DmPathState::Active
        } else {
            DmPathState::Failed
        });
    }
    st.maps[0].groups = vec![group(50, GroupState::Active, &["8:0", "8:16", "8:32"])];
    assert_eq!(
        paths(&st, Some("%d %t %T %o %p %A"), true, now),
        artifact(include_str!(
            "testdata/40-lio-alua/08-show_paths_after_switch"
        ))
    );
    assert_eq!(maps(&st, Some("%n %Q %N"), false, now), "mpatha 12 chk 2\n");
}

// ---- 50-iscsi-2portals: one LUN through two iSCSI portals ----

#[test]
fn iscsi_show_paths_with_protocol() {
    let now = Instant::now();
    let w = "36001405ac01000000000000000000000";
    let mut paths_ = Vec::new();
    for (name, devt, hcil) in [("sda", "8:0", "0:0:0:0"), ("sdb", "8:16", "1:0:0:0")] {
        let mut d = dev(name, devt, hcil, "LIO-ORG", "RAMDISK-MCP");
        d.protocol = "scsi:iscsi".into();
        d.tgt_node_name = "iqn.2003-01.org.linux-iscsi.mpath-vm:target".into();
        paths_.push(path(d, Some(w), 50, now));
    }
    let m = map(
        "mpatha",
        w,
        0,
        vec![group(50, GroupState::Active, &["8:0", "8:16"])],
    );
    let st = state(vec![m], paths_);
    let out = paths(&st, Some("%d %t %T %o %P"), true, now);
    assert_eq!(
        out,
        artifact(include_str!("testdata/50-iscsi-2portals/04-show_paths"))
    );
    assert_eq!(
        out,
        artifact(include_str!(
            "testdata/50-iscsi-2portals/07-show_paths_at_end"
        ))
    );
    assert_eq!(
        paths(&st, Some("%d %n %N"), false, now),
        "sda iqn.2003-01.org.linux-iscsi.mpath-vm:target [undef]\n\
         sdb iqn.2003-01.org.linux-iscsi.mpath-vm:target [undef]\n"
    );
}

// ---- wildcards read from sysfs when rendered: %k, FC names, %a ----

/// Writes `text` at `abs` under `root`, directories included.
fn put(root: &std::path::Path, abs: &str, text: &str) {
    let p = root.join(abs.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn link(root: &std::path::Path, abs: &str, target: &str) {
    let p = root.join(abs.trim_start_matches('/'));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, p).unwrap();
}

#[test]
fn fc_names_adapter_and_max_sectors_from_sysfs() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    // sda: FC through the HBA at 0000:03:00.0 (host 4); sdb: scsi_debug.
    let hba = "/sys/devices/pci0000:00/0000:03:00.0";
    link(r, &format!("{hba}/subsystem"), "../../../bus/pci");
    link(
        r,
        &format!("{hba}/host4/scsi_host/host4/device"),
        "../../../host4",
    );
    link(
        r,
        "/sys/class/scsi_host/host4",
        "../../devices/pci0000:00/0000:03:00.0/host4/scsi_host/host4",
    );
    put(
        r,
        "/sys/class/fc_host/host4/node_name",
        "0x200100e08ba0aea0\n",
    );
    put(
        r,
        "/sys/class/fc_host/host4/port_name",
        "0x210100e08ba0aea0\n",
    );
    put(
        r,
        "/sys/class/fc_transport/target4:0:1/port_name",
        "0x50060e8000000002\n",
    );
    put(r, "/sys/block/sda/queue/max_sectors_kb", "512\n");
    put(r, "/sys/block/dm-0/queue/max_sectors_kb", "256\n");

    let now = Instant::now();
    let w = "3600a098038303634722b4d59646c4436";
    let mut fc = dev("sda", "8:0", "4:0:1:2", "NETAPP", "LUN C-Mode");
    fc.protocol = "scsi:fcp".into();
    fc.tgt_node_name = "0x50060e8000000001".into();
    let sd = dev("sdb", "8:16", "0:0:0:0", "Linux", "scsi_debug");
    let m = map(
        "mpatha",
        w,
        0,
        vec![group(50, GroupState::Active, &["8:0"])],
    );
    let mut st = state(
        vec![m],
        vec![path(fc, Some(w), 50, now), path(sd, None, 1, now)],
    );
    st.root = mpath::SysRoot::new(r);

    assert_eq!(
        paths(&st, Some("%d %k %N %R %n %r %a"), true, now),
        "dev max_sectors_kb host WWNN          host WWPN          \
         target WWNN        target WWPN        host adapter\n\
         sda 512            0x200100e08ba0aea0 0x210100e08ba0aea0 \
         0x50060e8000000001 0x50060e8000000002 0000:03:00.0\n\
         sdb n/a            [undef]            [undef]            \
         [undef]            [undef]            [undef]     \n"
    );
    assert_eq!(maps(&st, Some("%n %k"), false, now), "mpatha 256\n");
    st.maps[0].minor = Some(7);
    assert_eq!(maps(&st, Some("%n %k"), false, now), "mpatha n/a\n");
    let json = json_map(&st, &st.maps[0]);
    assert!(
        json.contains(
            "            \"host_wwnn\" : \"0x200100e08ba0aea0\",
            \"target_wwnn\" : \"0x50060e8000000001\",
            \"host_wwpn\" : \"0x210100e08ba0aea0\",
            \"target_wwpn\" : \"0x50060e8000000002\",
            \"host_adapter\" : \"0000:03:00.0\",
"
        ),
        "{json}"
    );

    // The FC host gone from sysfs: what upstream prints when it cannot find it.
    std::fs::remove_dir_all(r.join("sys/class/fc_host")).unwrap();
    assert_eq!(
        paths(&st, Some("%d %N %R %r"), false, now),
        "sda [unknown] [unknown] 0x50060e8000000002\nsdb [undef] [undef] [undef]\n"
    );
}

// ---- formats ----

#[test]
fn raw_format_has_no_header_and_no_padding() {
    let now = Instant::now();
    let mut st = sd_faults(now);
    path_mut(&mut st, "sda").chk = PathState::Down;
    assert_eq!(
        paths(&st, Some("%d %T"), false, now),
        "sda faulty\nsdb ready\n"
    );
    assert_eq!(
        maps(&st, Some("%n %d %w"), false, now),
        "mpatha dm-0 1Linux_scsi_debug_2000\n"
    );
}

#[test]
fn unknown_wildcards_are_dropped_and_text_kept() {
    let now = Instant::now();
    let st = sd_faults(now);
    assert_eq!(
        paths(&st, Some("<%d:%Z%%|%t>%"), false, now),
        "<sda:|active>\n<sdb:|active>\n"
    );
    // The header drops them the same way.
    assert_eq!(
        paths(&st, Some("[%d%q]"), true, now),
        "[dev]\n[sda]\n[sdb]\n"
    );
    assert_eq!(
        paths(&st, Some("no wildcards"), false, now),
        "no wildcards\nno wildcards\n"
    );
}

#[test]
fn default_formats() {
    let now = Instant::now();
    let st = sd_faults(now);
    let out = normalise(&paths(&st, None, true, now));
    assert_eq!(
        out,
        "hcil    dev dev_t pri dm_st  chk_st dev_st  next_check    \n\
         0:0:0:0 sda 8:0   50  active ready  running <next_check>\n\
         1:0:0:0 sdb 8:16  10  active ready  running <next_check>\n"
    );
    assert_eq!(
        maps_stats(&st, now),
        "name   path_faults switch_grp map_loads total_q_time q_timeouts\n\
         mpatha 0           0          0         0            0         \n"
    );
}

#[test]
fn nothing_to_show_is_empty() {
    let now = Instant::now();
    let st = state(vec![], vec![]);
    assert_eq!(paths(&st, None, true, now), "");
    assert_eq!(paths(&st, Some("%d"), false, now), "");
    assert_eq!(maps(&st, None, true, now), "");
    assert_eq!(maps_status(&st, now), "");
    assert_eq!(topology(&st, None), "");
}

#[test]
fn orphan_paths() {
    let now = Instant::now();
    let mut st = sd_faults(now);
    st.paths.push(path(
        dev("sdaaa", "65:4000", "10:0:0:1", "ACME", ""),
        None,
        -1,
        now,
    ));
    assert_eq!(
        paths(&st, Some("%d %C %m %o %T %t"), false, now)
            .lines()
            .next_back(),
        Some("sdaaa orphan [orphan] unknown undef undef")
    );
    assert_eq!(path_dev_state(&st, "sdaaa").as_deref(), Some("unknown\n"));
    assert_eq!(
        path_dev_state(&st, "/dev/sda").as_deref(),
        Some("running\n")
    );
    assert_eq!(path_dev_state(&st, "8:16").as_deref(), Some("running\n"));
    assert_eq!(path_dev_state(&st, "sdz"), None);
    // The daemon's topology pads to the orphan's columns too.
    assert!(topology(&st, None).contains("| `- 0:0:0:0  sda   8:0     active ready running\n"));
}

#[test]
fn path_wildcards() {
    let now = Instant::now();
    let mut st = sd_faults(now);
    {
        let sda = path_mut(&mut st, "sda");
        let d = Arc::make_mut(&mut sda.dev);
        d.wwid = SD_WWID.into();
        d.serial = "2000".into();
        d.hcil = "0:0:0:1".into();
        sda.fail_count = 3;
        sda.marginal = true;
        sda.init = InitState::UdevRequested;
    }
    let line = |st: &State, f: &str| {
        paths(st, Some(f), false, now)
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(line(&st, "%w"), SD_WWID);
    assert_eq!(line(&st, "%s"), "Linux,scsi_debug,0191");
    assert_eq!(line(&st, "%c %p %S %z"), "tur 50 64M 2000");
    assert_eq!(line(&st, "%M %m %0 %I"), "marginal mpatha 3 udev-requested");
    assert_eq!(
        line(&st, "%N|%n|%R|%r|%a"),
        "[undef]|[undef]|[undef]|[undef]|[undef]"
    );
    assert_eq!(
        line(&st, "%G %g %P %A %k"),
        "-- [undef] scsi:unspec [undef] n/a"
    );
    assert_eq!(line(&st, "%L"), "0x0001000000000000");
    {
        let sda = path_mut(&mut st, "sda");
        let d = Arc::make_mut(&mut sda.dev);
        d.protocol = "scsi:fcp".into();
        d.hcil = "1:0:2:16640".into(); // 0x4100: flat addressing
        d.vendor.clear();
        d.revision.clear();
        d.dev.clear();
        sda.checker.clear();
    }
    assert_eq!(line(&st, "%N|%R|%r"), "[unknown]|[unknown]|[unknown]");
    assert_eq!(line(&st, "%L"), "0x4100000000000000");
    assert_eq!(line(&st, "%s %c"), "##,scsi_debug,## (null)");
    assert_eq!(line(&st, "%d %D"), "- #:#");
    Arc::make_mut(&mut st.paths[0].dev).hcil = "#:#:#:#".into();
    assert_eq!(line(&st, "%i %L"), "#:#:#:# 0xffffffffffffffff");
}

#[test]
fn next_check_bar() {
    let now = Instant::now();
    let mut st = sd_faults(now);
    let mut bar = |left: u64, interval: u32| {
        let p = path_mut(&mut st, "sda");
        p.interval = interval;
        p.next_check = now + Duration::from_millis(left);
        paths(&st, Some("%C"), false, now)
            .lines()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(bar(3000, 5), "XXXXXX.... 3/5");
    assert_eq!(bar(2500, 5), "XXXXXX.... 3/5");
    assert_eq!(bar(0, 5), ".......... 0/5");
    assert_eq!(bar(5000, 5), "XXXXXXXXXX 5/5");
    assert_eq!(bar(60_000, 20), "XXXXXXXXXX 20/20");
    assert_eq!(bar(0, 0), " 0/0");
}

#[test]
fn map_wildcards() {
    let now = Instant::now();
    let mut st = sd_faults(now);
    let line = |st: &State, f: &str| maps(st, Some(f), false, now).trim_end().to_string();
    assert_eq!(
        line(&st, "%S %f %h %G %g %k"),
        "64M 0 1 alua -- [undef] n/a"
    );
    assert_eq!(
        line(&st, "%s|%v|%p|%e"),
        "Linux,scsi_debug|Linux|scsi_debug|0191"
    );
    {
        let m = &mut st.maps[0];
        m.minor = None;
        m.read_only = None;
        m.suspended = None;
        m.action = "create".into();
        m.stats = MapStats {
            path_faults: 1,
            switch_grp: 2,
            map_loads: 3,
            total_q_time: 4,
            q_timeouts: 5,
        };
    }
    assert_eq!(line(&st, "%d %r %t %A"), "undef undef undef create");
    assert_eq!(line(&st, "%0 %1 %2 %3 %4 %x"), "1 2 3 4 5 5");
    st.maps[0].read_only = Some(true);
    st.maps[0].suspended = Some(true);
    assert_eq!(line(&st, "%r %t"), "ro suspend");
    for p in &mut st.paths {
        Arc::make_mut(&mut p.dev).vendor.clear();
    }
    assert_eq!(line(&st, "%s|%v"), "##,##|##");
    st.maps[0].groups.clear();
    assert_eq!(line(&st, "%N %p %e"), "0 ## ##");
}

#[test]
fn failback_wildcard() {
    let now = Instant::now();
    let mut st = sd_faults(now);
    let mut f = |fb: Failback, tick: Option<u32>| {
        st.maps[0].failback = fb;
        st.maps[0].failback_tick = tick;
        maps(&st, Some("%F"), false, now).trim_end().to_string()
    };
    assert_eq!(f(Failback::Immediate, None), "immediate");
    assert_eq!(f(Failback::Followover, None), "followover");
    assert_eq!(f(Failback::Manual, None), "manual");
    assert_eq!(f(Failback::Undef, None), "undef");
    assert_eq!(f(Failback::Deferred(10), None), "deferred:10");
    assert_eq!(f(Failback::Deferred(10), Some(0)), "deferred:10");
    assert_eq!(f(Failback::Deferred(10), Some(3)), "XXX....... 3/10");
}

#[test]
fn queueing_wildcard() {
    let now = Instant::now();
    let mut st = sd_faults(now);
    let q = |st: &State| maps(st, Some("%Q"), false, now).trim_end().to_string();
    assert_eq!(q(&st), "-");
    st.maps[0].no_path_retry = Queueing::Fail;
    assert_eq!(q(&st), "off");
    st.maps[0].no_path_retry = Queueing::Queue;
    assert_eq!(q(&st), "on");
    st.maps[0].queueing_disabled = true;
    assert_eq!(q(&st), "off");
    st.maps[0].queueing_disabled = false;
    st.maps[0].no_path_retry = Queueing::Retries(12);
    assert_eq!(q(&st), "12 chk");
    for p in &mut st.paths {
        p.chk = PathState::Down;
    }
    st.maps[0].retry_left = Some(24);
    assert_eq!(q(&st), "24 sec");
    st.maps[0].retry_left = None;
    st.maps[0].retries_exhausted = true;
    assert_eq!(q(&st), "off");
    path_mut(&mut st, "sdb").chk = PathState::Ghost;
    st.maps[0].retries_exhausted = false;
    assert_eq!(q(&st), "12 chk");
}

#[test]
fn wildcard_list() {
    let w = wildcards();
    let (maps_part, paths_part) = w.split_once("\n\n").unwrap();
    assert_eq!(maps_part.lines().count(), 1 + 25);
    assert_eq!(paths_part.lines().count(), 1 + 28);
    assert!(w.starts_with("multipath format wildcards:\n%n  name\n%w  uuid\n%d  sysfs\n"));
    assert!(w.contains("\n%s  vend/prod\n"));
    assert!(w.contains("\n\npath format wildcards:\n%w  uuid\n%i  hcil\n%d  dev\n%D  dev_t\n"));
    assert!(w.ends_with("%L  LUN hex\n%A  TPG\n%k  max_sectors_kb\n"));
}

#[test]
fn show_status_and_daemon() {
    let now = Instant::now();
    let mut st = sd_faults(now);
    assert_eq!(
        status(&st, false),
        "path checker states:\nup                  2\n\npaths: 2\nbusy: False\n"
    );
    path_mut(&mut st, "sda").chk = PathState::Down;
    path_mut(&mut st, "sdb").chk = PathState::Ghost;
    st.paths
        .push(path(dev("sdc", "8:32", "2:0:0:0", "", ""), None, -1, now));
    st.paths[2].chk = PathState::Undef;
    st.paths[2].init = InitState::Removed;
    assert_eq!(
        status(&st, true),
        "path checker states:\nunchecked           1\ndown                1\nghost               1\n\npaths: 2\nbusy: True\n"
    );
    st.daemon = DaemonState::Configure;
    st.pending_reconfigure = true;
    assert_eq!(daemon(&st), "pid 4242 configure (pending reconfigure)\n");
}

// ---- JSON ----

const JSON_PATH_TAIL: &str = "            \"host_wwnn\" : \"[undef]\",
            \"target_wwnn\" : \"[undef]\",
            \"host_wwpn\" : \"[undef]\",
            \"target_wwpn\" : \"[undef]\",
            \"host_adapter\" : \"[undef]\",
            \"lun_hex\" : \"0x0000000000000000\",
            \"marginal_st\" : \"normal\"
";

fn sd_faults_json_map() -> String {
    format!(
        r#"{{
      "name" : "mpatha",
      "uuid" : "1Linux_scsi_debug_2000",
      "sysfs" : "dm-0",
      "failback" : "manual",
      "queueing" : "-",
      "paths" : 1,
      "write_prot" : "rw",
      "dm_st" : "active",
      "features" : "0",
      "hwhandler" : "1 alua",
      "action" : "",
      "path_faults" : 0,
      "vend" : "Linux",
      "prod" : "scsi_debug",
      "rev" : "0191",
      "switch_grp" : 0,
      "map_loads" : 0,
      "total_q_time" : 0,
      "q_timeouts" : 0,
      "path_groups": [{{
         "selector" : "service-time 0",
         "pri" : 50,
         "dm_st" : "active",
         "marginal_st" : "normal",
         "group" : 1,
         "paths": [{{
            "dev" : "sda",
            "dev_t" : "8:0",
            "dm_st" : "active",
            "dev_st" : "running",
            "chk_st" : "ready",
            "checker" : "tur",
            "pri" : 50,
{JSON_PATH_TAIL}         }}]
      }},{{
         "selector" : "service-time 0",
         "pri" : 10,
         "dm_st" : "enabled",
         "marginal_st" : "normal",
         "group" : 2,
         "paths": [{{
            "dev" : "sdb",
            "dev_t" : "8:16",
            "dm_st" : "failed",
            "dev_st" : "running",
            "chk_st" : "faulty",
            "checker" : "tur",
            "pri" : 10,
{JSON_PATH_TAIL}         }}]
      }}]
   }}"#
    )
}

fn sd_faults_for_json() -> State {
    let mut st = sd_faults(Instant::now());
    st.maps[0].groups[0].state = Some(GroupState::Active);
    let sdb = path_mut(&mut st, "sdb");
    sdb.chk = PathState::Down;
    sdb.dm = Some(DmPathState::Failed);
    st
}

#[test]
fn json_one_map() {
    let st = sd_faults_for_json();
    let expected = format!(
        "{{\n   \"major_version\": 0,\n   \"minor_version\": 1,\n   \"map\":{}\n}}\n",
        sd_faults_json_map()
    );
    assert_eq!(json_map(&st, &st.maps[0]), expected);
}

#[test]
fn json_all_maps() {
    let mut st = sd_faults_for_json();
    let mut b = st.maps[0].clone();
    b.name = "mpathb".into();
    st.maps.push(b);
    let m = sd_faults_json_map();
    let expected = format!(
        "{{\n   \"major_version\": 0,\n   \"minor_version\": 1,\n   \"maps\": [{m},{}]\n}}\n",
        m.replace("\"mpatha\"", "\"mpathb\"")
    );
    assert_eq!(json_maps(&st), expected);
}

#[test]
fn json_edge_cases() {
    let mut st = state(vec![], vec![]);
    assert_eq!(
        json_maps(&st),
        "{\n   \"major_version\": 0,\n   \"minor_version\": 1,\n   \"maps\": []\n}\n"
    );
    let mut m = map("m", "w", 3, vec![group(1, GroupState::Enabled, &["9:9"])]);
    m.groups[0].state = None;
    st.maps.push(m.clone());
    let out = json_map(&st, &m);
    assert!(
        out.contains(
            "         \"dm_st\" : \"undef\",\n         \"marginal_st\" : \"normal\",\n         \"group\" : 1,\n         \"paths\": []\n      }]\n   }\n}\n"
        ),
        "{out}"
    );
    st.maps[0].groups.clear();
    assert!(json_maps(&st)
        .ends_with("      \"q_timeouts\" : 0,\n      \"path_groups\": []\n   }]\n}\n"));
}
