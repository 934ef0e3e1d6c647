//! Reading sysfs attributes (and udev database files) cheaply.
//!
//! Discovery reads a dozen small files per path, thousands of paths per
//! run, so the cost per attribute is mostly system calls and path lookups:
//!
//! - a file is read with one `read` into a buffer on the stack: sysfs hands
//!   out an attribute (at most a page) in one read, so a read that does not
//!   fill the buffer is its end (upstream's `sysfs_attr_get_value` reads once
//!   too); no `statx` for a size hint, no second `read` to see the end;
//! - a device directory is opened once ([`Dir`]) and its attributes are
//!   opened relative to it, so the kernel looks up one name per attribute
//!   instead of every component of `/sys/devices/.../host0/target0:0:0/...`.

use nix::fcntl::{self, OFlag};
use nix::sys::stat::Mode;
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

/// The stack buffer: one page, the most a sysfs attribute holds.
const PAGE: usize = 4096;

/// `f` over the whole content of `file`.
fn with_content<R>(mut file: File, f: impl FnOnce(&[u8]) -> R) -> io::Result<R> {
    let mut buf = [0u8; PAGE];
    let n = loop {
        match file.read(&mut buf) {
            Ok(n) => break n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    };
    if n < PAGE {
        return Ok(f(&buf[..n]));
    }
    // Larger than a page (a udev database file with many links): the rest.
    let mut all = buf.to_vec();
    file.read_to_end(&mut all)?;
    Ok(f(&all))
}

/// `f` over the content of the file at `path`.
pub(crate) fn with_file<R>(path: &Path, f: impl FnOnce(&[u8]) -> R) -> io::Result<R> {
    with_content(File::open(path)?, f)
}

/// An attribute's text as discovery keeps it: UTF-8 (else `None`), without
/// trailing newlines and NULs and surrounding white space.
pub(crate) fn trimmed(bytes: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(bytes).ok()?;
    Some(s.trim_end_matches(['\n', '\0']).trim().to_string())
}

/// [`trimmed`] content of the file at `path`; `None` when it cannot be read.
pub(crate) fn read_trimmed(path: &Path) -> Option<String> {
    with_file(path, trimmed).ok().flatten()
}

/// An open directory (`O_PATH`: nothing is read from it but names).
#[derive(Debug)]
pub(crate) struct Dir(OwnedFd);

impl Dir {
    fn open_flags() -> OFlag {
        OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC
    }

    /// The directory at `path` (symlinks followed); `None` when it is not one.
    pub(crate) fn open(path: &Path) -> Option<Dir> {
        fcntl::open(path, Self::open_flags(), Mode::empty())
            .ok()
            .map(Dir)
    }

    /// `f` over the content of file `name` in this directory.
    pub(crate) fn with_file<R>(&self, name: &str, f: impl FnOnce(&[u8]) -> R) -> io::Result<R> {
        let fd = fcntl::openat(
            &self.0,
            name,
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        with_content(File::from(fd), f)
    }

    /// [`trimmed`] content of file `name`; `None` when it cannot be read.
    pub(crate) fn read_trimmed(&self, name: &str) -> Option<String> {
        self.with_file(name, trimmed).ok().flatten()
    }

    /// Where symlink `name` points; `None` when it is not a link.
    pub(crate) fn read_link(&self, name: &str) -> Option<PathBuf> {
        fcntl::readlinkat(&self.0, name).ok().map(PathBuf::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_large_and_missing_files() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path();
        std::fs::write(p.join("a"), "running \n\0").unwrap();
        let big = "x".repeat(3 * PAGE + 7);
        std::fs::write(p.join("big"), &big).unwrap();
        std::fs::write(p.join("page"), "y".repeat(PAGE)).unwrap();
        std::fs::write(p.join("bad"), [0xff, 0xfe]).unwrap();
        std::fs::create_dir(p.join("sub")).unwrap();
        std::os::unix::fs::symlink("sub", p.join("link")).unwrap();

        assert_eq!(read_trimmed(&p.join("a")).as_deref(), Some("running"));
        assert_eq!(read_trimmed(&p.join("big")), Some(big.clone()));
        assert_eq!(read_trimmed(&p.join("page")).map(|s| s.len()), Some(PAGE));
        assert_eq!(read_trimmed(&p.join("bad")), None);
        assert_eq!(read_trimmed(&p.join("none")), None);

        let d = Dir::open(p).unwrap();
        assert_eq!(d.read_trimmed("a").as_deref(), Some("running"));
        assert_eq!(d.read_trimmed("big"), Some(big));
        assert_eq!(d.read_trimmed("none"), None);
        assert_eq!(d.with_file("bad", <[u8]>::len).unwrap(), 2);
        assert_eq!(d.read_link("link"), Some(PathBuf::from("sub")));
        assert_eq!(d.read_link("a"), None);
        assert!(Dir::open(&p.join("link")).is_some());
        assert!(Dir::open(&p.join("a")).is_none());
    }
}
