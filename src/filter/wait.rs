//! The smart-mode wait of `multipath -c`/`-u` and the lines they print.
//!
//! A device first judged "maybe" gets a timestamp file
//! `/run/multipath/find_multipaths/<major:minor>` whose modification time is
//! the end of the wait (now + `find_multipaths_timeout`). Rules (upstream
//! inventory §0, §1 `-c`, §8 udev rules; the time arithmetic is *inferred*
//! from the udev rule, which hands the value to `systemd-run --on-active`,
//! a relative time):
//!
//! - maybe, no timestamp yet: create it; print the remaining time and `2`.
//! - maybe, timestamp in the future: print the remaining time and `2`.
//! - maybe, timestamp reached (less than a whole second left counts as
//!   reached): print `FIND_MULTIPATHS_WAIT_UNTIL="0"` and `0` — the wait is
//!   over and the device is released.
//! - maybe, the timestamp cannot be read or written: print only `0`.
//! - valid or invalid: an existing timestamp still prints its line (the
//!   remaining time, or `"0"` once reached) so the udev rule can stop its
//!   timer; without one nothing extra is printed.
//!
//! Output: optional `FIND_MULTIPATHS_WAIT_UNTIL="<sec>.<usec>"` (six-digit
//! microseconds) or `FIND_MULTIPATHS_WAIT_UNTIL="0"`, then
//! `DM_MULTIPATH_DEVICE_PATH="0|1|2"`. Exit status: `-c` 0 for 1 and 2,
//! 1 for 0; `-u` always 0; an internal error prints nothing and exits 1
//! (inventory §1).

use super::find::Validity;
use crate::files::FileError;
use crate::sysroot::SysRoot;
use std::fs;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Where the timestamp files live.
pub const FIND_MULTIPATHS_DIR: &str = "/run/multipath/find_multipaths";

/// The `FIND_MULTIPATHS_WAIT_UNTIL` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// No timestamp: no line.
    None,
    /// The wait has this long left.
    Until(Duration),
    /// The wait is over: `"0"`.
    Done,
}

/// What `multipath -c`/`-u` answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdevAnswer {
    /// 0, 1 or 2; `None` for an internal error (nothing printed).
    pub value: Option<u8>,
    pub wait: Wait,
    /// A timestamp file to create with this modification time before
    /// printing; if that fails, use [`UdevAnswer::stamp_failed`].
    pub new_stamp: Option<SystemTime>,
}

fn wait_for(stamp: SystemTime, now: SystemTime) -> Wait {
    match stamp.duration_since(now) {
        Ok(left) if left.as_secs() > 0 => Wait::Until(left),
        _ => Wait::Done,
    }
}

/// The answer for `validity`, given the device's timestamp file (its
/// modification time, if it exists) and the current time.
pub fn udev_answer(validity: Validity, stamp: Option<SystemTime>, now: SystemTime) -> UdevAnswer {
    let existing = stamp.map_or(Wait::None, |s| wait_for(s, now));
    let (value, wait, new_stamp) = match validity {
        Validity::Error => (None, Wait::None, None),
        Validity::Valid => (Some(1), existing, None),
        Validity::Invalid => (Some(0), existing, None),
        Validity::Maybe { timeout_secs } => match (stamp, existing) {
            (Some(_), Wait::Until(left)) => (Some(2), Wait::Until(left), None),
            (Some(_), _) => (Some(0), Wait::Done, None),
            (None, _) if timeout_secs == 0 => (Some(0), Wait::None, None),
            (None, _) => {
                let left = Duration::from_secs(timeout_secs);
                match now.checked_add(left) {
                    Some(end) => (Some(2), Wait::Until(left), Some(end)),
                    None => (Some(0), Wait::None, None),
                }
            }
        },
    };
    UdevAnswer {
        value,
        wait,
        new_stamp,
    }
}

impl UdevAnswer {
    /// The answer when the timestamp file could not be created: not a path,
    /// and no wait line.
    pub fn stamp_failed(self) -> UdevAnswer {
        UdevAnswer {
            value: self.value.map(|_| 0),
            wait: Wait::None,
            new_stamp: None,
        }
    }

    /// The lines to print (empty for an internal error).
    pub fn render(&self) -> String {
        let Some(value) = self.value else {
            return String::new();
        };
        let mut out = match self.wait {
            Wait::None => String::new(),
            Wait::Done => "FIND_MULTIPATHS_WAIT_UNTIL=\"0\"\n".to_string(),
            Wait::Until(d) => format!(
                "FIND_MULTIPATHS_WAIT_UNTIL=\"{}.{:06}\"\n",
                d.as_secs(),
                d.subsec_micros()
            ),
        };
        out.push_str(&format!("DM_MULTIPATH_DEVICE_PATH=\"{value}\"\n"));
        out
    }

    /// The exit status: `-u` (`for_udev`) 0 unless internal error; `-c` 0
    /// for a path or maybe, 1 otherwise.
    pub fn exit_code(&self, for_udev: bool) -> i32 {
        match self.value {
            None => 1,
            Some(_) if for_udev => 0,
            Some(0) => 1,
            Some(_) => 0,
        }
    }
}

/// The timestamp file of device `dev_t` (`major:minor`); `None` for a
/// `dev_t` that is not of that form (so no path escapes the directory).
pub fn stamp_path(root: &SysRoot, dev_t: &str) -> Option<PathBuf> {
    let (maj, min) = dev_t.split_once(':')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(maj) && digits(min)).then(|| root.join(FIND_MULTIPATHS_DIR).join(dev_t))
}

/// Why a timestamp file could not be read or created.
#[derive(Debug, thiserror::Error)]
pub enum StampError {
    #[error("\"{dev_t}\" is not a major:minor device number")]
    BadDevT { dev_t: String },
    #[error(transparent)]
    File(#[from] FileError),
}

impl StampError {
    /// Another process created the file first (read it again then).
    pub fn is_already_exists(&self) -> bool {
        matches!(
            self,
            StampError::File(FileError::Io { source, .. })
                if source.kind() == io::ErrorKind::AlreadyExists
        )
    }
}

fn checked_path(root: &SysRoot, dev_t: &str) -> Result<PathBuf, StampError> {
    stamp_path(root, dev_t).ok_or_else(|| StampError::BadDevT {
        dev_t: dev_t.to_string(),
    })
}

fn io_err<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(io::Error) -> StampError + 'a {
    move |source| {
        StampError::File(FileError::Io {
            path: path.to_path_buf(),
            action,
            source,
        })
    }
}

/// The end of the device's wait, if a timestamp file exists.
pub fn read_stamp(root: &SysRoot, dev_t: &str) -> Result<Option<SystemTime>, StampError> {
    let p = checked_path(root, dev_t)?;
    match fs::metadata(&p) {
        Ok(m) => m
            .modified()
            .map(Some)
            .map_err(io_err(&p, "read the time of")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(&p, "read")(e)),
    }
}

/// Create the device's timestamp file (directory mode 0700) with modification
/// time `end`. If another process created it first the error says so
/// ([`StampError::is_already_exists`]); read it again then.
pub fn create_stamp(root: &SysRoot, dev_t: &str, end: SystemTime) -> Result<(), StampError> {
    let p = checked_path(root, dev_t)?;
    let dir = root.join(FIND_MULTIPATHS_DIR);
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .map_err(io_err(&dir, "create directory"))?;
    let f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&p)
        .map_err(io_err(&p, "create"))?;
    f.set_times(fs::FileTimes::new().set_accessed(end).set_modified(end))
        .map_err(io_err(&p, "set the time of"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_700_000_000;

    fn at(secs: u64, micros: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros)
    }

    fn maybe(t: u64) -> Validity {
        Validity::Maybe { timeout_secs: t }
    }

    /// The expected output: an optional wait value, then the answer.
    fn text(wait: Option<&str>, value: u8) -> String {
        let w = wait.map_or(String::new(), |w| {
            format!("FIND_MULTIPATHS_WAIT_UNTIL=\"{w}\"\n")
        });
        format!("{w}DM_MULTIPATH_DEVICE_PATH=\"{value}\"\n")
    }

    #[test]
    fn answers() {
        let now = at(T0, 0);
        let soon = Some(at(T0 + 7, 250_000));
        let past = Some(at(T0 - 3, 0));
        // Less than a whole second left counts as reached.
        let almost = Some(at(T0, 999_999));
        let created = Some(at(T0 + 10, 0));
        // (validity, stamp, wait line, answer, stamp to create)
        type Case<'a> = (
            Validity,
            Option<SystemTime>,
            Option<&'a str>,
            u8,
            Option<SystemTime>,
        );
        let cases: &[Case] = &[
            (Validity::Valid, None, None, 1, None),
            (Validity::Invalid, None, None, 0, None),
            (Validity::Valid, soon, Some("7.250000"), 1, None),
            (Validity::Valid, past, Some("0"), 1, None),
            (Validity::Invalid, past, Some("0"), 0, None),
            (maybe(10), None, Some("10.000000"), 2, created),
            (maybe(10), soon, Some("7.250000"), 2, None),
            (maybe(10), past, Some("0"), 0, None),
            (maybe(10), almost, Some("0"), 0, None),
            (maybe(0), None, None, 0, None),
        ];
        for (i, (v, stamp, wait, value, new)) in cases.iter().enumerate() {
            let a = udev_answer(*v, *stamp, now);
            assert_eq!(a.render(), text(*wait, *value), "case {i}");
            assert_eq!((a.value, a.new_stamp), (Some(*value), *new), "case {i}");
        }
        let a = udev_answer(maybe(10), soon, now);
        assert_eq!(a.wait, Wait::Until(Duration::new(7, 250_000_000)));
        let a = udev_answer(Validity::Error, soon, now);
        assert_eq!(
            (a.value, a.wait, a.render().as_str()),
            (None, Wait::None, "")
        );
    }

    #[test]
    fn failed_stamp_and_exit_codes() {
        let a = udev_answer(maybe(5), None, at(T0, 0)).stamp_failed();
        assert_eq!(a.render(), "DM_MULTIPATH_DEVICE_PATH=\"0\"\n");
        assert_eq!((a.exit_code(false), a.exit_code(true)), (1, 0));
        let a = udev_answer(maybe(5), None, at(T0, 0));
        assert_eq!((a.exit_code(false), a.exit_code(true)), (0, 0));
        let a = udev_answer(Validity::Valid, None, at(T0, 0));
        assert_eq!((a.exit_code(false), a.exit_code(true)), (0, 0));
        let a = udev_answer(Validity::Error, None, at(T0, 0));
        assert_eq!((a.exit_code(false), a.exit_code(true)), (1, 1));
        assert_eq!(a.stamp_failed().render(), "");
        // A timeout too large to add to the clock: not a path, no panic.
        let a = udev_answer(maybe(u64::MAX), None, at(T0, 0));
        assert_eq!(a.value, Some(0));
    }

    #[test]
    fn stamp_files() {
        let d = tempfile::tempdir().unwrap();
        let root = SysRoot::new(d.path());
        assert_eq!(read_stamp(&root, "8:16").unwrap(), None);
        let end = at(T0 + 10, 0);
        create_stamp(&root, "8:16", end).unwrap();
        assert_eq!(read_stamp(&root, "8:16").unwrap(), Some(end));
        let e = create_stamp(&root, "8:16", end).unwrap_err();
        assert!(e.is_already_exists(), "{e}");
        assert!(
            e.to_string()
                .ends_with("find_multipaths/8:16: cannot create: File exists (os error 17)"),
            "{e}"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(root.join(FIND_MULTIPATHS_DIR))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
        for bad in ["", "8", "8:", ":1", "../8:16", "8:16/..", "a:b", "8:16:1"] {
            assert!(stamp_path(&root, bad).is_none(), "{bad}");
            assert!(
                matches!(read_stamp(&root, bad), Err(StampError::BadDevT { .. })),
                "{bad}"
            );
            let e = create_stamp(&root, bad, end).unwrap_err();
            assert!(!e.is_already_exists());
            assert_eq!(
                e.to_string(),
                format!("\"{bad}\" is not a major:minor device number")
            );
        }
    }
}
