//! Replacing a file atomically: a temporary file in the same directory,
//! written and fsynced, given the old file's mode and owner, then renamed
//! over it. The old contents are kept in `<file>.old` first, as the script does.

use anyhow::{Context, Result};
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Mode of a file mpathconf creates (the script runs under umask 077).
const NEW_MODE: u32 = 0o600;

/// The file actually written: a symlink is followed so it stays a symlink.
fn target(path: &Path) -> PathBuf {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
        }
        _ => path.to_path_buf(),
    }
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(suffix);
    PathBuf::from(s)
}

/// Write `contents` to `path` atomically, backing the old file up to `<path>.old`.
pub fn replace(path: &Path, contents: &[u8]) -> Result<()> {
    let path = target(path);
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.mpathconf.{}", std::process::id()));
    let old = fs::metadata(&path).ok();

    // A leftover of an interrupted run with the same pid.
    let _ = fs::remove_file(&tmp);
    let write = || -> Result<()> {
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(NEW_MODE)
            .open(&tmp)
            .with_context(|| format!("cannot create {}", tmp.display()))?;
        if let Some(m) = &old {
            f.set_permissions(fs::Permissions::from_mode(m.mode() & 0o7777))
                .with_context(|| format!("cannot set the mode of {}", tmp.display()))?;
            if (m.uid(), m.gid()) != (f.metadata()?.uid(), f.metadata()?.gid()) {
                // Only root can give the file away; a user editing their own copy keeps theirs.
                let _ = std::os::unix::fs::fchown(&f, Some(m.uid()), Some(m.gid()));
            }
        }
        f.write_all(contents)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.sync_all()
            .with_context(|| format!("cannot sync {}", tmp.display()))?;
        Ok(())
    };
    if let Err(e) = write() {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    if old.is_some() {
        let backup = with_suffix(&path, ".old");
        if let Err(e) = fs::copy(&path, &backup) {
            let _ = fs::remove_file(&tmp);
            return Err(anyhow::anyhow!(
                "failed to back up {} to {}: {e}; {} not changed",
                path.display(),
                backup.display(),
                path.display()
            ));
        }
    }
    if let Err(e) = fs::rename(&tmp, &path) {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot replace {}", path.display()));
    }
    // Make the rename itself durable.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
