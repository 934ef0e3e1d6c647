//! What the daemon works with: the configuration and the kernel seams.
//!
//! The kernel seams are the device mapper and SG_IO, unless the daemon runs
//! on a fixture root (`MPATH_SYSROOT`, tests only) and `MPATH_FAKE_DM` /
//! `MPATH_FAKE_SCSI` name fakes (same formats as for `multipath`; the fake
//! device mapper lives in memory and is not written back).

use mpath::assemble::Probe;
use mpath::dm::{DeviceMapper, FakeDm, KernelDm};
use mpath::filter::Filter;
use mpath::scsi::{FakeScsi, ScsiTransport, SgIo};
use mpath::{Config, SysRoot};
use std::sync::Arc;

pub struct Env {
    pub root: SysRoot,
    pub cfg: Config,
    /// The blacklist, compiled once per configuration.
    pub filter: Filter,
    pub dm: Arc<dyn DeviceMapper>,
    pub scsi: Arc<dyn ScsiTransport>,
    /// `verbosity` from the configuration (2 by default).
    pub verbosity: u32,
    pub bindings_read_only: bool,
    /// Configuration problems, `file:line:col: severity: message`.
    pub diagnostics: Vec<String>,
    /// Set when the kernel seam could not be opened.
    pub dm_error: Option<String>,
}

/// A device mapper that refuses everything (the real one could not be
/// opened); the daemon keeps answering and says why.
struct NoDm(String);

impl NoDm {
    fn err(&self) -> mpath::dm::DmError {
        mpath::dm::DmError::Unavailable {
            reason: self.0.clone(),
        }
    }
}

impl DeviceMapper for NoDm {
    fn list(&self) -> Result<Vec<mpath::dm::DmListEntry>, mpath::dm::DmError> {
        Err(self.err())
    }
    fn info(&self, _: &str) -> Result<Option<mpath::dm::DmInfo>, mpath::dm::DmError> {
        Err(self.err())
    }
    fn table(&self, _: &str) -> Result<Vec<mpath::dm::DmTarget>, mpath::dm::DmError> {
        Err(self.err())
    }
    fn status(&self, _: &str) -> Result<Vec<mpath::dm::DmTarget>, mpath::dm::DmError> {
        Err(self.err())
    }
    fn create(
        &self,
        _: &str,
        _: &[mpath::dm::DmTarget],
        _: &mpath::dm::CreateOptions,
    ) -> Result<mpath::dm::DmInfo, mpath::dm::DmError> {
        Err(self.err())
    }
    fn load(&self, _: &str, _: &[mpath::dm::DmTarget]) -> Result<(), mpath::dm::DmError> {
        Err(self.err())
    }
    fn suspend(&self, _: &str, _: mpath::dm::SuspendOptions) -> Result<(), mpath::dm::DmError> {
        Err(self.err())
    }
    fn resume(&self, _: &str, _: mpath::dm::ResumeOptions) -> Result<(), mpath::dm::DmError> {
        Err(self.err())
    }
    fn remove(&self, _: &str, _: mpath::dm::RemoveOptions) -> Result<(), mpath::dm::DmError> {
        Err(self.err())
    }
    fn rename(&self, _: &str, _: &str, _: mpath::dm::UdevFlags) -> Result<(), mpath::dm::DmError> {
        Err(self.err())
    }
    fn message(&self, _: &str, _: u64, _: &str) -> Result<Option<String>, mpath::dm::DmError> {
        Err(self.err())
    }
    fn target_version(&self, _: &str) -> Result<Option<[u32; 3]>, mpath::dm::DmError> {
        Err(self.err())
    }
}

impl Env {
    /// Read the configuration under `root` and open the kernel seams.
    pub fn load(root: SysRoot, bindings_read_only: bool) -> Env {
        let cfg = Config::load(&root);
        let mut dm_error = None;
        let dm: Arc<dyn DeviceMapper> = match root.fake_seam("MPATH_FAKE_DM") {
            Some(f) => match FakeDm::load_file(&f) {
                Ok(d) => Arc::new(d),
                Err(e) => {
                    dm_error = Some(e.clone());
                    Arc::new(NoDm(e))
                }
            },
            None => match KernelDm::new() {
                Ok(d) => Arc::new(d),
                Err(e) => {
                    dm_error = Some(e.to_string());
                    Arc::new(NoDm(e.to_string()))
                }
            },
        };
        let scsi: Arc<dyn ScsiTransport> = match root
            .fake_seam("MPATH_FAKE_SCSI")
            .map(|f| FakeScsi::load_file(&f))
        {
            Some(Ok(s)) => Arc::new(s),
            Some(Err(e)) => {
                dm_error.get_or_insert(e);
                Arc::new(SgIo::new(&root))
            }
            None => Arc::new(SgIo::new(&root)),
        };
        Self::with(root, cfg, dm, scsi, bindings_read_only, dm_error)
    }

    pub fn with(
        root: SysRoot,
        cfg: Config,
        dm: Arc<dyn DeviceMapper>,
        scsi: Arc<dyn ScsiTransport>,
        bindings_read_only: bool,
        dm_error: Option<String>,
    ) -> Env {
        let verbosity = cfg
            .defaults
            .get("verbosity")
            .and_then(|v| v.as_int())
            .map_or(2, |v| v.clamp(0, 6) as u32);
        let diagnostics = cfg.diagnostics.iter().map(|d| d.to_string()).collect();
        Env {
            filter: Filter::new(&cfg),
            root,
            cfg,
            dm,
            scsi,
            verbosity,
            bindings_read_only,
            diagnostics,
            dm_error,
        }
    }

    /// The same seams with the configuration read again. `None` (and the
    /// reason) when the new configuration has fatal errors: the running
    /// one stays.
    pub fn reloaded(&self) -> Result<Env, Vec<String>> {
        let cfg = Config::load(&self.root);
        if cfg.is_fatal() {
            return Err(cfg.diagnostics.iter().map(|d| d.to_string()).collect());
        }
        Ok(Self::with(
            self.root.clone(),
            cfg,
            Arc::clone(&self.dm),
            Arc::clone(&self.scsi),
            self.bindings_read_only,
            self.dm_error.clone(),
        ))
    }

    pub fn probe(&self) -> Probe<'_> {
        Probe {
            root: &self.root,
            scsi: self.scsi.as_ref(),
        }
    }

    /// A defaults keyword as a number of seconds (`polling_interval`...).
    pub fn default_int(&self, name: &str, fallback: i64) -> i64 {
        self.cfg
            .defaults
            .get(name)
            .and_then(|v| v.as_int())
            .unwrap_or(fallback)
    }
}
