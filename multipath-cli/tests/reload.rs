//! `multipath -r` (forced reload) and renames as the reference prints them
//! (multipath-tools 0.15.1 in the VM, tests/vm/scenarios/16-sd-names.sh):
//! every map of the selection is reloaded and printed with `reload:`, a map
//! renamed on the way (user_friendly_names switched) with an empty verb
//! (`: <name> ...`); the path lines carry the states the paths had in the
//! kernel's map before the reload.

mod common;
use common::*;

const WWID: &str = "1Linux_scsi_debug_2000";

/// The block `-r` prints for the map of `San::new(2, 1, _)` named `name`
/// with action `verb`, the paths' dm states `a` and `b`.
fn block(verb: &str, name: &str, a: &str, b: &str) -> String {
    let head = if name == WWID {
        name.to_string()
    } else {
        format!("{name} ({WWID})")
    };
    format!(
        "{verb}: {head} undef Linux,scsi_debug
size=64M features='0' hwhandler='1 alua' wp=undef
|-+- policy='service-time 0' prio=50 status=undef
| `- 0:0:0:0 sda 8:0  {a} ready running
`-+- policy='service-time 0' prio=10 status=undef
  `- 1:0:0:0 sdb 8:16 {b} ready running
"
    )
}

const UFN_OFF: &str = "defaults {\n\tfind_multipaths off\n}\n";

#[test]
fn forced_reload_of_an_unchanged_map() {
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    let loads = san.dm_calls().len();
    ok(
        &san.run(&["-r"]),
        &block("reload", "mpatha", "active", "active"),
    );
    assert!(
        san.dm_calls()[loads..].iter().any(|c| c == "load mpatha"),
        "{:?}",
        san.dm_calls()
    );
    ok(&san.run(&["-r", "-v1"]), "mpatha\n");
    ok(&san.run(&["-r", "-v0"]), "");
    // A device argument limits it to its map.
    ok(
        &san.run(&["-r", "/dev/sdb"]),
        &block("reload", "mpatha", "active", "active"),
    );
    // A dry run names no action.
    ok(
        &san.run(&["-r", "-d"]),
        &block("", "mpatha", "active", "active"),
    );
}

#[test]
fn forced_reload_shows_the_paths_states_before_it() {
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    san.edit_dm(|v| v["maps"][0]["failed_paths"] = serde_json::json!(["8:0"]));
    ok(
        &san.run(&["-r"]),
        &block("reload", "mpatha", "failed", "active"),
    );
}

#[test]
fn forced_reload_renames_with_an_empty_verb() {
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    san.set_conf(UFN_OFF);
    ok(
        &san.run(&["-r", "-d"]),
        &block("", WWID, "active", "active"),
    );
    assert_eq!(san.maps()[0].0, "mpatha");
    ok(&san.run(&["-r"]), &block("", WWID, "active", "active"));
    assert_eq!(san.maps()[0].0, WWID);
    // Renamed already: a plain reload now.
    ok(
        &san.run(&["-r"]),
        &block("reload", WWID, "active", "active"),
    );
    // And back.
    san.set_conf(FRIENDLY);
    ok(&san.run(&["-r", "-v1"]), "mpatha\n");
    assert_eq!(san.maps()[0].0, "mpatha");
}

#[test]
fn verbose_forced_reload_lists_the_paths_first() {
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    let r = san.run(&["-r", "-v3"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let want = format!(
        "===== paths list =====
uuid                   hcil    dev dev_t pri dm_st chk_st vend/prod/rev         dev_st 
{WWID} 0:0:0:0 sda 8:0   50  undef undef  Linux,scsi_debug,0191 unknown
{WWID} 1:0:0:0 sdb 8:16  10  undef undef  Linux,scsi_debug,0191 unknown
{}",
        block("reload", "mpatha", "active", "active")
    );
    assert_eq!(r.stdout, want);
}

#[test]
fn no_path_at_all_at_v3() {
    let san = San::new(
        2,
        1,
        "defaults {\n\tfind_multipaths off\n}\nblacklist {\n\tdevnode \".*\"\n}\n",
    );
    for args in [
        &["-v3"][..],
        &["-v3", "-d"],
        &["-v3", "-ll"],
        &["-v3", "-r"],
    ] {
        let r = san.run(args);
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (0, "===== no paths =====\n"),
            "{args:?}: {}",
            r.stderr
        );
    }
    for args in [&["-v2"][..], &["-v2", "-ll"]] {
        let r = san.run(args);
        assert_eq!((r.code, r.stdout.as_str()), (0, ""), "{args:?}");
    }
    assert!(san.maps().is_empty());
}

#[test]
fn without_r_a_live_map_holding_its_paths_is_left_alone() {
    // Neither a new policy nor a multipaths alias changes it; `-r` does.
    let san = San::new(2, 1, FRIENDLY);
    ok(&san.run(&[]), CREATED);
    let before = san.maps();
    let conf = "defaults {\n\tuser_friendly_names yes\n\tfind_multipaths off\n\
                \tdetect_pgpolicy no\n\tpath_grouping_policy multibus\n}\n\
                multipaths {\n\tmultipath {\n\t\twwid 1Linux_scsi_debug_2000\n\
                \t\talias data1\n\t}\n}\n";
    san.set_conf(conf);
    ok(&san.run(&["-d"]), "");
    ok(&san.run(&[]), "");
    assert_eq!(san.maps(), before);
    ok(
        &san.run(&["-r"]),
        &format!(
            ": data1 ({WWID}) undef Linux,scsi_debug
size=64M features='0' hwhandler='1 alua' wp=undef
`-+- policy='service-time 0' prio=30 status=undef
  |- 0:0:0:0 sda 8:0  active ready running
  `- 1:0:0:0 sdb 8:16 active ready running
"
        ),
    );
    assert_eq!(san.maps()[0].0, "data1");
}
