//! The state files under `/etc/multipath` and `/run/multipath`: the bindings
//! file (friendly names), the wwids file (known multipath WWIDs) and the
//! failed-wwids markers.
//!
//! Every path is joined onto a [`SysRoot`](crate::SysRoot). Every write goes
//! to a temporary file in the same directory, is synced, and is renamed over
//! the old file, so a reader sees the old or the new file, never a half
//! written one, and an error leaves the old file untouched.

pub mod bindings;
pub mod wwids;

pub use bindings::{Bindings, FriendlyName};
pub use wwids::{FailedWwids, WwidsFile};

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

pub const BINDINGS_FILE: &str = "/etc/multipath/bindings";
pub const WWIDS_FILE: &str = "/etc/multipath/wwids";
pub const FAILED_WWIDS_DIR: &str = "/run/multipath/failed_wwids";

/// WWIDs this long or longer are not stored (upstream's buffer size).
pub const WWID_SIZE: usize = 128;

/// A problem with one line (or the whole) of a state file; the line was
/// skipped or kept as described by the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineDiag {
    pub path: PathBuf,
    /// 1-based; `None` when the message is about the whole file.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for LineDiag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path.display(), l, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        path: PathBuf,
        action: &'static str,
        #[source]
        source: io::Error,
    },
    #[error("{}: file is read-only", path.display())]
    ReadOnly { path: PathBuf },
    #[error("invalid WWID \"{wwid}\": {reason}")]
    InvalidWwid { wwid: String, reason: &'static str },
    #[error("no free {prefix}<n> alias is left for WWID {wwid}")]
    NoFreeAlias { prefix: String, wwid: String },
}

fn io_err<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(io::Error) -> FileError + 'a {
    move |source| FileError::Io {
        path: path.to_path_buf(),
        action,
        source,
    }
}

/// Check that a WWID can be stored in the files (and used as a marker name).
pub fn check_wwid(wwid: &str) -> Result<(), FileError> {
    let bad = |reason| {
        Err(FileError::InvalidWwid {
            wwid: wwid.to_string(),
            reason,
        })
    };
    if wwid.is_empty() {
        bad("empty")
    } else if wwid.len() >= WWID_SIZE {
        bad("too long")
    } else if wwid.contains(|c: char| c.is_whitespace() || c == '/' || c == '#')
        || wwid == "."
        || wwid == ".."
    {
        bad("contains whitespace, '/' or '#'")
    } else {
        Ok(())
    }
}

/// The file's bytes, or `None` when it does not exist.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, FileError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path, "read")(e)),
    }
}

/// Fail with [`FileError::ReadOnly`] when an existing file cannot be opened
/// for writing (permissions, read-only file system). Opens without
/// truncating, so nothing changes.
pub(crate) fn check_writable(path: &Path) -> Result<(), FileError> {
    match fs::OpenOptions::new().write(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied || e.raw_os_error() == Some(30) => {
            Err(FileError::ReadOnly {
                path: path.to_path_buf(),
            })
        }
        Err(e) => Err(io_err(path, "open for writing")(e)),
    }
}

static TMP_COUNTER: AtomicU32 = AtomicU32::new(0);

/// Replace `path` with `contents` atomically: a temporary file in the same
/// directory, written, synced, renamed over `path`, then the directory
/// synced. A new file gets mode 0600, an existing file keeps its mode. On
/// error the old file is untouched and the temporary file is removed.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FileError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
        .map_err(io_err(dir, "create directory"))?;
    check_writable(path)?;
    let mode = match fs::metadata(path) {
        Ok(m) => m.permissions().mode() & 0o7777,
        Err(_) => 0o600,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let tmp = dir.join(format!(
        ".{name}.tmp.{}.{}",
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io_err(&tmp, "create temporary file"))?;
        f.write_all(contents).map_err(io_err(&tmp, "write"))?;
        f.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(io_err(&tmp, "set permissions on"))?;
        f.sync_all().map_err(io_err(&tmp, "sync"))?;
        drop(f);
        fs::rename(&tmp, path).map_err(io_err(path, "replace"))
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
        return result;
    }
    // The rename is durable once the directory is synced.
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err(dir, "sync directory"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_creates_and_replaces() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("etc/multipath/x");
        write_atomic(&p, b"one\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"one\n");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        write_atomic(&p, b"two\n").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two\n");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o644
        );
        // No temporary files left behind.
        assert_eq!(fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn failed_write_keeps_old_file() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("f");
        fs::write(&p, "keep\n").unwrap();
        // The target is a directory: rename fails, old content untouched.
        let target = d.path().join("dir");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inner"), "x").unwrap();
        assert!(write_atomic(&target, b"new").is_err());
        assert!(target.is_dir());
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 2);
        assert_eq!(fs::read(&p).unwrap(), b"keep\n");
    }

    #[test]
    fn wwid_checks() {
        check_wwid("3600a0b800026b2820000a7f54a7b0d8a").unwrap();
        for bad in ["", "a b", "a/b", "..", "x#y"] {
            assert!(check_wwid(bad).is_err(), "{bad}");
        }
        assert!(check_wwid(&"a".repeat(128)).is_err());
        check_wwid(&"a".repeat(127)).unwrap();
    }

    #[test]
    fn diag_display() {
        let d = LineDiag {
            path: "/etc/multipath/bindings".into(),
            line: Some(7),
            message: "m".into(),
        };
        assert_eq!(d.to_string(), "/etc/multipath/bindings:7: m");
    }
}
