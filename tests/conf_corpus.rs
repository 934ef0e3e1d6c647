//! The `multipath -t` corpus: for every case under `tests/conf-corpus/cases/`,
//! our dump must equal, byte for byte, what the reference multipath-tools
//! 0.15.1 printed for the same files (`expected.out`, made by `regen.sh`).

use mpath::config::dump::dump;
use mpath::{Config, SysRoot};
use std::fs;
use std::path::{Path, PathBuf};

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// An empty root with a readable /proc nr_open (the reference ran with /proc
/// mounted).
fn empty_root() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    fs::create_dir_all(t.path().join("etc/multipath/conf.d")).unwrap();
    fs::create_dir_all(t.path().join("proc/sys/fs")).unwrap();
    fs::write(t.path().join("proc/sys/fs/nr_open"), "1048576\n").unwrap();
    t
}

/// A root with the case's files installed.
fn root_for(case: &Path) -> tempfile::TempDir {
    let t = empty_root();
    let conf = case.join("multipath.conf");
    if conf.exists() {
        fs::copy(conf, t.path().join("etc/multipath.conf")).unwrap();
    }
    let confd = case.join("conf.d");
    if confd.is_dir() {
        copy_dir(&confd, &t.path().join("etc/multipath/conf.d"));
    }
    t
}

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conf-corpus/cases");
    let mut v: Vec<PathBuf> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.join("expected.out").exists())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn first_difference(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}: expected {:?}, got {:?}", i + 1, x, y);
        }
    }
    format!(
        "lengths differ: expected {} lines, got {}",
        a.lines().count(),
        b.lines().count()
    )
}

#[test]
fn corpus_matches_reference() {
    let cases = cases();
    let mut failures = Vec::new();
    let mut crashed = Vec::new();
    for case in &cases {
        let expected =
            String::from_utf8_lossy(&fs::read(case.join("expected.out")).unwrap()).into_owned();
        let rc: i32 = fs::read_to_string(case.join("expected.rc"))
            .unwrap_or_default()
            .trim()
            .parse()
            .unwrap_or(0);
        let root = root_for(case);
        let config = Config::load(&SysRoot::new(root.path()));
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        if rc > 128 {
            // The reference crashed or hung on this file (signal exit, see
            // NOTES.md); there is no output to match. Ours must still answer.
            let _ = dump(&config);
            crashed.push(name);
            continue;
        }
        if rc == 1 {
            // The reference refused the file ("error parsing config file").
            if !config.is_fatal() {
                failures.push(format!(
                    "{name}: the reference refuses this configuration, ours accepts it"
                ));
            }
            continue;
        }
        let ours = dump(&config);
        if config.is_fatal() {
            failures.push(format!(
                "{name}: ours refuses a configuration the reference accepts"
            ));
        } else if ours != expected {
            failures.push(format!(
                "{}: {}",
                case.file_name().unwrap().to_string_lossy(),
                first_difference(&expected, &ours)
            ));
        }
    }
    eprintln!("reference crashed or hung (no output to compare): {crashed:?}");
    assert!(
        cases.len() - crashed.len() >= 40,
        "corpus has only {} comparable cases",
        cases.len() - crashed.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn no_config_without_proc_matches_reference() {
    let expected = include_str!("multipath-t-0.15.1-noproc.out");
    let root = tempfile::tempdir().unwrap();
    let ours = dump(&Config::load(&SysRoot::new(root.path())));
    assert!(ours == expected, "{}", first_difference(expected, &ours));
}

/// Reading our own dump back gives the same dump (upstream's round-trip property).
/// One known exception, inherited from the reference: `uid_attrs` prints
/// unquoted, so a value with several records reads back as its first record;
/// those lines are left out of the comparison. Likewise `uid`/`gid`, which
/// print in octal with a leading 0 but read back as decimal, and `max_fds`,
/// whose `0` (unset) is not printed, so the dump reads back as the built-in `max`.
/// Cases whose dump cannot read back the same, in the reference as in ours:
/// a blacklist `device` entry with only a vendor followed by one with only a
/// product prints as one complete entry.
const NOT_ROUND_TRIP: &[&str] = &["88-blacklist-partial-device-entries"];

#[test]
fn dump_round_trips_for_every_case() {
    let mut failures = Vec::new();
    for case in cases() {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        if NOT_ROUND_TRIP.contains(&name.as_str()) {
            continue;
        }
        let root = root_for(&case);
        let config = Config::load(&SysRoot::new(root.path()));
        if config.is_fatal() {
            continue;
        }
        let first = dump(&config);
        let t = empty_root();
        fs::write(t.path().join("etc/multipath.conf"), &first).unwrap();
        let second = dump(&Config::load(&SysRoot::new(t.path())));
        let strip = |s: &str| {
            s.lines()
                .filter(|l| {
                    !["uid_attrs ", "uid ", "gid ", "max_fds "]
                        .iter()
                        .any(|k| l.trim_start().starts_with(k))
                })
                .collect::<Vec<_>>()
                .join("\n")
        };
        let (first, second) = (strip(&first), strip(&second));
        if first != second {
            failures.push(format!("{name}: {}", first_difference(&first, &second)));
        }
    }
    assert!(
        failures.is_empty(),
        "{} cases do not round-trip:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Inputs on which the reference crashes or hangs (`crash-cases/`, see
/// NOTES.md §9): ours must answer, keeping the built-in value for the bad
/// keyword and reporting it.
#[test]
fn reference_crash_inputs_are_handled() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conf-corpus/crash-cases");
    let mut n = 0;
    for e in fs::read_dir(dir).unwrap() {
        let case = e.unwrap().path();
        let root = root_for(&case);
        let config = Config::load(&SysRoot::new(root.path()));
        let out = dump(&config);
        assert!(out.starts_with("defaults {\n"), "{}", case.display());
        assert!(
            !config.diagnostics.is_empty(),
            "{}: no problem reported",
            case.display()
        );
        n += 1;
    }
    assert!(n >= 3);
}
