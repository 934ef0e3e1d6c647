//! A fake machine for running the `mpathconf` binary: a root directory with
//! `etc/multipath/`, an optional `etc/multipath.conf` copied from a fixture,
//! and fake `modprobe` / `systemctl` commands that log their calls.
#![allow(dead_code)]

use std::fs;
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

pub fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `text` with each `(from, to)` applied; every `from` must occur exactly once,
/// so the expected text is pinned to one place of the fixture.
pub fn edit(text: &str, changes: &[(&str, &str)]) -> String {
    let mut t = text.to_string();
    for (from, to) in changes {
        assert_eq!(
            t.matches(from).count(),
            1,
            "{from:?} must occur exactly once in\n{t}"
        );
        t = t.replacen(from, to, 1);
    }
    t
}

pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub struct Machine {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    bin: PathBuf,
    pub modprobe: PathBuf,
}

const MODPROBE: &str = r#"#!/bin/sh
echo "modprobe $*" >> "$MPATHCONF_ROOT/calls"
[ -e "$MPATHCONF_ROOT/modprobe-fails" ] && exit 1
mkdir -p "$MPATHCONF_ROOT/sys/module/dm_multipath"
exit 0
"#;

const SYSTEMCTL: &str = r#"#!/bin/sh
if [ "$1" = --quiet ] && [ "$2" = is-active ]; then
    [ -e "$MPATHCONF_ROOT/active" ]
    exit $?
fi
echo "systemctl $*" >> "$MPATHCONF_ROOT/calls"
case "$1" in
start) touch "$MPATHCONF_ROOT/active" ;;
stop) rm -f "$MPATHCONF_ROOT/active" ;;
esac
exit 0
"#;

/// The fake `modprobe` and `systemctl`, written once per test process.
///
/// Tests run on parallel threads, and a thread that forks while another
/// still has a freshly written script open for writing passes that
/// descriptor to its child until the child's exec: executing the script in
/// that window fails with ETXTBSY ("Text file busy"). So the scripts are
/// written once, and each is run until it no longer reports busy before any
/// test gets its path; from then on no one holds them open for writing.
fn fake_bin() -> &'static Path {
    static BIN: OnceLock<tempfile::TempDir> = OnceLock::new();
    BIN.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let scratch = dir.path().join("scratch");
        fs::create_dir_all(&scratch).unwrap();
        for (name, text) in [("modprobe", MODPROBE), ("systemctl", SYSTEMCTL)] {
            let path = dir.path().join(name);
            fs::write(&path, text).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
            let mut tries = 0;
            loop {
                match Command::new(&path).env("MPATHCONF_ROOT", &scratch).output() {
                    Ok(_) => break,
                    Err(e) if e.kind() == ErrorKind::ExecutableFileBusy && tries < 500 => {
                        tries += 1;
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(e) => panic!("{}: {e}", path.display()),
                }
            }
        }
        dir
    })
    .path()
}

impl Machine {
    /// A machine whose /etc/multipath.conf is `fixture` (none if `None`).
    pub fn new(fixture_name: Option<&str>) -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        fs::create_dir_all(root.join("etc/multipath")).unwrap();
        let bin = fake_bin().to_path_buf();
        let m = Machine {
            modprobe: bin.join("modprobe"),
            _dir: dir,
            root,
            bin,
        };
        if let Some(f) = fixture_name {
            m.set_conf(&fixture(f));
        }
        m
    }

    pub fn conf_path(&self) -> PathBuf {
        self.root.join("etc/multipath.conf")
    }

    pub fn set_conf(&self, text: &str) {
        fs::write(self.conf_path(), text).unwrap();
    }

    pub fn conf(&self) -> String {
        fs::read_to_string(self.conf_path()).unwrap()
    }

    pub fn old(&self) -> Option<String> {
        fs::read_to_string(self.root.join("etc/multipath.conf.old")).ok()
    }

    /// The commands run so far (modprobe/systemctl, not status queries).
    pub fn calls(&self) -> String {
        fs::read_to_string(self.root.join("calls")).unwrap_or_default()
    }

    /// systemd is PID 1 (as sd_booted() sees it).
    pub fn with_systemd(&self) {
        fs::create_dir_all(self.root.join("run/systemd/system")).unwrap();
    }

    pub fn daemon_active(&self) {
        fs::write(self.root.join("active"), "").unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Out {
        self.run_env(args, &[])
    }

    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let mut c = Command::new(env!("CARGO_BIN_EXE_mpathconf"));
        c.args(args)
            .env("MPATHCONF_ROOT", &self.root)
            .env("MPATHCONF_MODPROBE", self.bin.join("modprobe"))
            .env("MPATHCONF_SYSTEMCTL", self.bin.join("systemctl"));
        for (k, v) in env {
            c.env(k, v);
        }
        let o = c.output().unwrap();
        Out {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8(o.stdout).unwrap(),
            stderr: String::from_utf8(o.stderr).unwrap(),
        }
    }

    /// Run an editing command that must succeed silently, and return the file.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert_eq!(
            (o.code, o.stdout.as_str(), o.stderr.as_str()),
            (0, "", ""),
            "mpathconf {args:?}"
        );
        self.conf()
    }

    /// Files left in etc/ (to catch stray temporary files).
    pub fn etc_files(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.root.join("etc"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}
