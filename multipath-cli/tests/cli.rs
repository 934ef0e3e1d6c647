//! The `multipath` binary end to end, on temporary roots (no root needed).

use std::fs;
use std::process::{Command, Output};

fn multipath(root: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_multipath"))
        .args(args)
        .env("MPATH_SYSROOT", root)
        .output()
        .unwrap()
}

fn root_with(conf: &str) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    fs::create_dir_all(t.path().join("etc/multipath/conf.d")).unwrap();
    fs::write(t.path().join("etc/multipath.conf"), conf).unwrap();
    t
}

#[test]
fn dump_config_reports_problems_on_stderr_and_still_prints() {
    let t = root_with("defaults {\n\tverbosity 9\n\tbogus_keyword 1\n}\n");
    let o = multipath(t.path(), &["-t"]);
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.starts_with("defaults {\n\tverbosity 4\n"), "{out:.200}");
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("/etc/multipath.conf:2: verbosity: value 9 too large, using 4"),
        "{err}"
    );
    assert!(
        err.contains(
            "/etc/multipath.conf:3: unknown keyword 'bogus_keyword' in defaults section; ignored"
        ),
        "{err}"
    );
}

#[test]
fn check_config_clean_and_broken() {
    let t = root_with("defaults {\n\tpolling_interval 10\n}\n");
    let o = multipath(t.path(), &["--check-config"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.conf");
    fs::write(&f, "defaults {\n\tfailback sometimes\n\tpath_checker tur\n\"unterminated\ndevices {\n\tdevice {\n\t\tvendor \"X\"\n\t}\n}\n}\n").unwrap();
    let o = multipath(t.path(), &["--check-config", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    let name = f.display().to_string();
    assert!(
        err.contains(&format!("{name}:2:11: warning: failback: invalid value")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{name}:4:1: error: unterminated quoted string")),
        "{err}"
    );
    // As in the reference, a section keyword in the wrong place is an unknown
    // keyword: its block is read in the enclosing section, whose '}' it takes.
    assert!(
        err.contains(&format!(
            "{name}:5:1: warning: keyword 'devices' is not allowed in defaults section"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{name}:9:1: error: unbalanced '}}' at top level")),
        "{err}"
    );
    assert!(
        err.contains(&format!("{name}:10:1: error: unbalanced '}}' at top level")),
        "{err}"
    );
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(out.contains("error(s)"), "{out}");

    let o = multipath(t.path(), &["--check-config", "/nonexistent/x.conf"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn check_config_never_panics_on_binary_garbage() {
    let t = root_with("");
    let f = t.path().join("garbage.conf");
    let bytes: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    fs::write(&f, bytes).unwrap();
    let o = multipath(t.path(), &["--check-config", f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid UTF-8"));
}

#[test]
fn usage_and_bad_arguments() {
    let t = root_with("");
    assert_eq!(multipath(t.path(), &["-h"]).status.code(), Some(0));
    let o = multipath(t.path(), &["-k"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("Unknown switch: k\n"));
    let o = multipath(t.path(), &["-p", "roundrobin"]);
    assert_eq!(o.status.code(), Some(1));
    // The reference prints this one on stdout (usage follows on stderr).
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "'roundrobin' is not a valid policy\n"
    );
    let o = multipath(t.path(), &["-v"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("Missing option argument\n"));
}
