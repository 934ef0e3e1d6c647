//! Writing the file: template, atomic replacement, mode, backup, symlinks,
//! refusal to touch a file that does not parse, exit codes.

mod common;
use common::{edit, fixture, Machine};
use std::fs;
use std::os::unix::fs::PermissionsExt;

fn mode(p: &std::path::Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn no_config_starts_from_the_template() {
    let m = Machine::new(None);
    let t = m.ok(&["--enable", "--with_module", "n"]);
    assert_eq!(t, mpathconf::TEMPLATE);
    assert!(t.contains(
        "defaults {\n\tuser_friendly_names yes\n\tfind_multipaths yes\n}\n\nblacklist {\n}\n"
    ));
    assert_eq!(mode(&m.conf_path()), 0o600);
    assert_eq!(m.old(), None);
    let m = Machine::new(None);
    assert_eq!(
        m.ok(&["--disable"]),
        edit(
            mpathconf::TEMPLATE,
            &[("blacklist {\n}", "blacklist {\n\tdevnode \".*\"\n}")]
        )
    );
}

#[test]
fn mode_is_kept_and_backup_written() {
    let m = Machine::new(Some("ubuntu.conf"));
    fs::set_permissions(m.conf_path(), fs::Permissions::from_mode(0o640)).unwrap();
    m.ok(&["--user_friendly_names", "n"]);
    assert_eq!(mode(&m.conf_path()), 0o640);
    assert_eq!(m.old().as_deref(), Some(fixture("ubuntu.conf").as_str()));
    assert_eq!(
        m.etc_files(),
        ["multipath", "multipath.conf", "multipath.conf.old"]
    );
    // The next change backs up the previous result.
    let before = m.conf();
    m.ok(&["--recheck_wwid", "y"]);
    assert_eq!(m.old(), Some(before));
    assert_eq!(mode(&m.conf_path()), 0o640);
}

#[test]
fn a_symlinked_config_stays_a_symlink() {
    let m = Machine::new(None);
    let real = m.root.join("etc/multipath/site.conf");
    fs::write(&real, fixture("rhel9.conf")).unwrap();
    std::os::unix::fs::symlink("multipath/site.conf", m.conf_path()).unwrap();
    m.ok(&["--recheck_wwid", "y"]);
    assert!(fs::symlink_metadata(m.conf_path())
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(fs::read_to_string(&real)
        .unwrap()
        .contains("\trecheck_wwid yes\n"));
    assert_eq!(
        fs::read_to_string(m.root.join("etc/multipath/site.conf.old")).unwrap(),
        fixture("rhel9.conf")
    );
}

#[test]
fn outfile_leaves_the_config_alone() {
    let m = Machine::new(Some("rhel9.conf"));
    let out = m.root.join("out.conf");
    m.ok(&["--recheck_wwid", "y", "--outfile", out.to_str().unwrap()]);
    assert_eq!(m.conf(), fixture("rhel9.conf"));
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        edit(
            &fixture("rhel9.conf"),
            &[(
                "\tpolling_interval 10\n}",
                "\tpolling_interval 10\n\trecheck_wwid yes\n}"
            )]
        )
    );
    assert_eq!(mode(&out), 0o600);
}

#[test]
fn unparsable_file_is_not_touched() {
    let args: &[&[&str]] = &[
        &[],
        &["--enable"],
        &["--disable"],
        &["--user_friendly_names", "y"],
        &["--find_multipaths", "yes"],
        &["--property_blacklist", "y"],
        &["--enable_foreign", "y"],
        &["--recheck_wwid", "y"],
        &["--option", "verbosity:3"],
    ];
    for a in args {
        let m = Machine::new(Some("broken.conf"));
        let o = m.run(a);
        assert_eq!(o.code, 1, "{a:?}");
        assert_eq!(o.stdout, "");
        let conf = m.conf_path().display().to_string();
        assert!(
            o.stderr.starts_with(&format!("mpathconf: {conf}:6: ")),
            "{a:?}: {}",
            o.stderr
        );
        assert!(o.stderr.ends_with(&format!(
            "mpathconf: {conf} does not parse; fix it first (it was not changed)\n"
        )));
        assert_eq!(m.conf(), fixture("broken.conf"));
        assert_eq!(m.etc_files(), ["multipath", "multipath.conf"]);
        assert_eq!(m.calls(), "");
    }
}

#[test]
fn a_change_that_would_not_parse_is_refused() {
    let m = Machine::new(Some("ubuntu.conf"));
    let o = m.run(&["--option", "verbosity:loud"]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("verbosity"), "{}", o.stderr);
    assert!(o.stderr.ends_with(&format!(
        "mpathconf: --option verbosity:loud: invalid value \"loud\" (expected a number); {} was not changed\n",
        m.conf_path().display()
    )));
    assert_eq!(m.conf(), fixture("ubuntu.conf"));
    assert_eq!(m.old(), None);
}

#[test]
fn unknown_option_keyword_warns_but_writes() {
    let m = Machine::new(Some("ubuntu.conf"));
    let o = m.run(&["--option", "frobnicate:7"]);
    assert_eq!(o.code, 0);
    assert_eq!(
        o.stderr,
        "mpathconf: warning: 'frobnicate' is not a keyword of the defaults section\n"
    );
    assert!(m.conf().contains("    frobnicate 7\n}\n"));
}

#[test]
fn missing_etc_multipath_fails() {
    for args in [&[][..], &["--enable"][..]] {
        let m = Machine::new(Some("rhel9.conf"));
        fs::remove_dir(m.root.join("etc/multipath")).unwrap();
        let o = m.run(args);
        assert_eq!(o.code, 1);
        assert_eq!(
            o.stderr,
            format!(
                "{}/ does not exist. failing\n",
                m.root.join("etc/multipath").display()
            )
        );
        assert_eq!(o.stdout, "");
        assert_eq!(m.conf(), fixture("rhel9.conf"));
    }
}

#[test]
fn invalid_values_and_usage() {
    let m = Machine::new(Some("rhel9.conf"));
    let cases: &[(&[&str], &str)] = &[
        (
            &["--user_friendly_names", "yes"],
            "--user_friendly_names must be either 'y' or 'n'\n",
        ),
        (
            &["--property_blacklist", "1"],
            "--property_blacklist must be either 'y' or 'n'\n",
        ),
        (
            &["--enable_foreign"],
            "--enable_foreign must be either 'y' or 'n'\n",
        ),
        (
            &["--recheck_wwid", "N"],
            "--recheck_wwid must be either 'y' or 'n'\n",
        ),
        (
            &["--with_module", "x"],
            "--with_module must be either 'y' or 'n'\n",
        ),
        (
            &["--with_multipathd", "no"],
            "--with_multipathd must be either 'y' or 'n'\n",
        ),
        (
            &["--find_multipaths", "on"],
            "--find_multipaths must be one of 'yes' 'no' 'strict' 'greedy' or 'smart'\n",
        ),
        (
            &["--option", "a b:1"],
            "--option: invalid keyword name 'a b'\n",
        ),
        (
            &["--option", "alias_prefix:a#b"],
            "--option: invalid value 'a#b' for alias_prefix (it may not contain \" # ! { })\n",
        ),
        (
            &["--allow", "3600a"],
            "--allow can only be used together with --outfile\n",
        ),
    ];
    for (args, err) in cases {
        let o = m.run(args);
        assert_eq!(
            (o.code, o.stdout.as_str(), o.stderr.as_str()),
            (1, "", *err),
            "{args:?}"
        );
    }
    let o = m.run(&["--frobnicate"]);
    assert_eq!(o.code, 0);
    assert_eq!(o.stderr, "mpathconf: unknown option '--frobnicate'\n");
    assert!(o.stdout.starts_with("usage: mpathconf [<command> ...]\n"));
    assert!(o.stdout.contains("  --with_multipathd <y|n>"));
    let h = m.run(&["--help"]);
    assert_eq!(
        (h.code, h.stderr.as_str(), h.stdout.as_str()),
        (0, "", o.stdout.as_str())
    );
    assert_eq!(m.conf(), fixture("rhel9.conf"));
    assert_eq!(m.old(), None);
}
