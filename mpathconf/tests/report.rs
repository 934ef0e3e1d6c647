//! The status report, the module and the service.

mod common;
use common::{fixture, Machine};
use std::fs;

fn report(m: &Machine, args: &[&str]) -> String {
    let o = m.run(args);
    assert_eq!((o.code, o.stderr.as_str()), (0, ""), "mpathconf {args:?}");
    o.stdout
}

#[test]
fn report_of_each_fixture() {
    let cases = [
        (
            "rhel9.conf",
            "multipath is enabled\nfind_multipaths is yes\nuser_friendly_names is enabled\n\
             recheck_wwid is disabled\ndefault property blacklist is enabled\n\
             enable_foreign is set (no foreign multipath devices will be shown)\n",
        ),
        (
            "ubuntu.conf",
            "multipath is enabled\nfind_multipaths is no\nuser_friendly_names is enabled\n\
             recheck_wwid is disabled\ndefault property blacklist is disabled\n\
             enable_foreign is not set (no foreign multipath devices will be shown)\n",
        ),
        (
            "netapp.conf",
            "multipath is enabled\nfind_multipaths is no\nuser_friendly_names is disabled\n\
             recheck_wwid is disabled\ndefault property blacklist is disabled\n\
             enable_foreign is not set (no foreign multipath devices will be shown)\n",
        ),
        (
            "pure.conf",
            "multipath is enabled\nfind_multipaths is greedy\nuser_friendly_names is disabled\n\
             recheck_wwid is disabled\ndefault property blacklist is disabled\n\
             enable_foreign is not set (no foreign multipath devices will be shown)\n",
        ),
        (
            "disabled-crlf.conf",
            "multipath is disabled\nfind_multipaths is on\nuser_friendly_names is enabled\n\
             recheck_wwid is disabled\ndefault property blacklist is disabled\n\
             enable_foreign is not set (no foreign multipath devices will be shown)\n",
        ),
    ];
    for (f, expected) in cases {
        let m = Machine::new(Some(f));
        assert_eq!(
            report(&m, &[]),
            format!("{expected}dm_multipath module is not loaded\nmultipathd is not running\n"),
            "{f}"
        );
        // The report never writes.
        assert_eq!(m.conf(), fixture(f));
        assert_eq!(m.etc_files(), ["multipath", "multipath.conf"]);
    }
}

#[test]
fn report_after_changes() {
    let m = Machine::new(Some("pure.conf"));
    m.ok(&["--disable"]);
    let m2 = Machine::new(Some("pure.conf"));
    m2.ok(&[
        "--enable_foreign",
        "y",
        "--recheck_wwid",
        "y",
        "--property_blacklist",
        "y",
        "--user_friendly_names",
        "y",
    ]);
    assert!(report(&m, &["--with_module", "n"]).starts_with("multipath is disabled\n"));
    assert_eq!(
        report(&m2, &["--with_module", "n"]),
        "multipath is enabled\nfind_multipaths is greedy\nuser_friendly_names is enabled\n\
         recheck_wwid is enabled\ndefault property blacklist is enabled\n\
         enable_foreign is set (all foreign multipath devices will be shown)\nmultipathd is not running\n"
    );
    let m3 = Machine::new(None);
    m3.set_conf("defaults {\n enable_foreign nvme\n}\n");
    assert!(report(&m3, &[])
        .contains("\nenable_foreign is set (foreign multipath devices may not be shown)\n"));
}

#[test]
fn report_without_config_uses_the_template() {
    let m = Machine::new(None);
    assert_eq!(
        report(&m, &["--with_module", "n", "--with_multipathd", "y"]),
        "multipath is enabled\nfind_multipaths is yes\nuser_friendly_names is enabled\n\
         recheck_wwid is disabled\ndefault property blacklist is disabled\n\
         enable_foreign is not set (no foreign multipath devices will be shown)\nmultipathd is not running\n"
    );
    assert_eq!(m.etc_files(), ["multipath"]);
}

#[test]
fn module_and_daemon_state() {
    let m = Machine::new(Some("rhel9.conf"));
    fs::create_dir_all(m.root.join("proc")).unwrap();
    fs::write(
        m.root.join("proc/modules"),
        "dm_round_robin 16384 0 - Live 0x0000000000000000\ndm_multipath 45056 1 dm_round_robin, Live 0x0000000000000000\n",
    )
    .unwrap();
    m.with_systemd();
    m.daemon_active();
    assert!(report(&m, &[]).ends_with("\ndm_multipath module is loaded\nmultipathd is running\n"));
    // Built in: only /sys/module has it.
    let m = Machine::new(Some("rhel9.conf"));
    fs::create_dir_all(m.root.join("sys/module/dm_multipath")).unwrap();
    assert!(
        report(&m, &[]).ends_with("\ndm_multipath module is loaded\nmultipathd is not running\n")
    );
    // No systemd: the pid file and /proc name a running multipathd.
    fs::create_dir_all(m.root.join("run")).unwrap();
    fs::create_dir_all(m.root.join("proc/4242")).unwrap();
    fs::write(m.root.join("run/multipathd.pid"), "4242\n").unwrap();
    fs::write(m.root.join("proc/4242/comm"), "multipathd\n").unwrap();
    assert!(report(&m, &[]).ends_with("\nmultipathd is running\n"));
    fs::write(m.root.join("proc/4242/comm"), "bash\n").unwrap();
    assert!(report(&m, &[]).ends_with("\nmultipathd is not running\n"));
}

#[test]
fn enable_loads_the_module_once() {
    let m = Machine::new(Some("disabled-crlf.conf"));
    m.ok(&["--enable"]);
    assert_eq!(m.calls(), "modprobe dm_multipath\n");
    m.ok(&["--enable"]);
    assert_eq!(
        m.calls(),
        "modprobe dm_multipath\n",
        "already loaded: no second modprobe"
    );
    let m = Machine::new(Some("disabled-crlf.conf"));
    m.ok(&["--enable", "--with_module", "n"]);
    assert_eq!(m.calls(), "");
    // Other edits never load it.
    m.ok(&["--user_friendly_names", "n"]);
    assert_eq!(m.calls(), "");
}

#[test]
fn module_cannot_be_loaded() {
    let m = Machine::new(Some("disabled-crlf.conf"));
    let o = m.run_env(
        &["--enable"],
        &[("MPATHCONF_MODPROBE", "/nonexistent/modprobe")],
    );
    assert_eq!(o.code, 1);
    assert_eq!(
        o.stderr,
        "mpathconf: cannot load the dm_multipath module: /nonexistent/modprobe is not installed on this machine\n"
    );
    // The configuration was still written.
    assert!(m.conf().contains("#    devnode \".*\""));
    let m = Machine::new(Some("disabled-crlf.conf"));
    fs::write(m.root.join("modprobe-fails"), "").unwrap();
    let o = m.run(&["--enable"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .starts_with("mpathconf: cannot load the dm_multipath module: "),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("may not have it"), "{}", o.stderr);
}

#[test]
fn with_multipathd_starts_stops_and_reloads() {
    let m = Machine::new(Some("rhel9.conf"));
    m.with_systemd();
    m.ok(&["--disable", "--with_multipathd", "y"]);
    assert_eq!(m.calls(), "", "not running: nothing to stop");
    m.ok(&["--enable", "--with_module", "n", "--with_multipathd", "y"]);
    assert_eq!(m.calls(), "systemctl start multipathd.service\n");
    m.ok(&["--user_friendly_names", "n", "--with_multipathd", "y"]);
    assert_eq!(
        m.calls(),
        "systemctl start multipathd.service\nsystemctl reload multipathd.service\n"
    );
    // Unchanged config: no reload.
    m.ok(&["--user_friendly_names", "n", "--with_multipathd", "y"]);
    // Running and enabled, config changed: reload.
    m.ok(&["--disable", "--with_multipathd", "n"]);
    m.ok(&["--enable", "--with_module", "n", "--with_multipathd", "y"]);
    m.ok(&["--disable", "--with_multipathd", "y"]);
    assert_eq!(
        m.calls(),
        "systemctl start multipathd.service\nsystemctl reload multipathd.service\n\
         systemctl reload multipathd.service\nsystemctl stop multipathd.service\n"
    );
    // Without --with_multipathd the service is left alone.
    m.ok(&["--enable", "--with_module", "n"]);
    assert!(m.calls().ends_with("stop multipathd.service\n"));
}

#[test]
fn no_systemd_is_said_plainly() {
    let m = Machine::new(Some("disabled-crlf.conf"));
    let o = m.run(&["--enable", "--with_module", "n", "--with_multipathd", "y"]);
    assert_eq!(o.code, 1);
    assert_eq!(o.stderr, "mpathconf: cannot start multipathd: systemd is not running on this machine; start it by hand\n");
    assert_eq!(m.calls(), "");
    assert!(
        m.conf().contains("#    devnode"),
        "the file is written before"
    );
}
