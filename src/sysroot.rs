//! The filesystem-root seam: every `/sys`, `/dev`, `/etc`, `/run`, `/proc`
//! path is joined onto a root, so tests run on fixture trees.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SysRoot {
    root: PathBuf,
}

impl Default for SysRoot {
    fn default() -> Self {
        SysRoot {
            root: PathBuf::from("/"),
        }
    }
}

impl SysRoot {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        SysRoot { root: root.into() }
    }

    /// The real root, unless `MPATH_SYSROOT` names another (for tests).
    pub fn from_env() -> Self {
        match std::env::var_os("MPATH_SYSROOT") {
            Some(r) if !r.is_empty() => SysRoot::new(r),
            _ => SysRoot::default(),
        }
    }

    /// `abs` (an absolute path such as `/etc/multipath.conf`) under this root.
    pub fn join(&self, abs: impl AsRef<Path>) -> PathBuf {
        let abs = abs.as_ref();
        self.root.join(abs.strip_prefix("/").unwrap_or(abs))
    }

    pub fn is_real(&self) -> bool {
        self.root == Path::new("/")
    }

    /// The file a fake-seam variable (`MPATH_FAKE_DM`, `MPATH_FAKE_SCSI`)
    /// names; honoured on a fixture root only, so a production run never
    /// silently works on a fake.
    pub fn fake_seam(&self, var: &str) -> Option<PathBuf> {
        if self.is_real() {
            return None;
        }
        std::env::var_os(var)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }
}
