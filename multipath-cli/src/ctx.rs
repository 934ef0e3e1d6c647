//! What every mode needs: the configuration, the kernel seams, the verbosity
//! and the log, and the device argument resolved.

use crate::args::Args;
use mpath::assemble::Probe;
use mpath::configure::LiveMap;
use mpath::discovery::PathDev;
use mpath::dm::{DeviceMapper, KernelDm};
use mpath::filter::Filter;
use mpath::scsi::{ScsiTransport, SgIo};
use mpath::{Config, SysRoot};
use std::io::Write;

pub struct Ctx {
    pub root: SysRoot,
    pub cfg: Config,
    pub args: Args,
    pub verbosity: u32,
    pub scsi: Box<dyn ScsiTransport>,
    /// The blacklist, compiled once.
    pub filter: Filter,
}

/// A failure that ends the command with exit status 1 after its message.
pub struct Fail;

pub type Res<T = ()> = Result<T, Fail>;

impl Ctx {
    pub fn new(root: SysRoot, cfg: Config, args: Args) -> Ctx {
        let verbosity = args.verbosity.unwrap_or_else(|| {
            cfg.defaults
                .get("verbosity")
                .and_then(|v| v.as_int())
                .map_or(2, |v| v.clamp(0, 6) as u32)
        });
        let scsi = Box::new(SgIo::new(&root));
        let filter = Filter::new(&cfg);
        Ctx {
            filter,
            root,
            cfg,
            args,
            verbosity,
            scsi,
        }
    }

    pub fn probe(&self) -> Probe<'_> {
        Probe {
            root: &self.root,
            scsi: self.scsi.as_ref(),
        }
    }

    /// A debug line at `-v3` and up (stderr).
    pub fn log(&self, level: u32, msg: impl AsRef<str>) {
        if self.verbosity >= level {
            let _ = writeln!(std::io::stderr().lock(), "{}", msg.as_ref());
        }
    }

    pub fn logs(&self, level: u32, lines: &[String]) {
        for l in lines {
            self.log(level, l);
        }
    }

    /// An error message (printed from `-v1` up, like upstream's level-0/1 messages).
    pub fn error(&self, msg: impl AsRef<str>) {
        if self.verbosity >= 1 {
            let _ = writeln!(std::io::stderr().lock(), "{}", msg.as_ref());
        }
    }

    /// The device-mapper seam: the kernel.
    pub fn dm(&self) -> Res<KernelDm> {
        KernelDm::new().map_err(|e| {
            self.error(format!("{e}"));
            Fail
        })
    }

    /// Multipath maps in the kernel.
    pub fn live(&self, dm: &dyn DeviceMapper) -> Res<Vec<LiveMap>> {
        mpath::configure::live_maps(dm).map_err(|e| {
            self.error(format!("cannot list device-mapper devices: {e}"));
            Fail
        })
    }

    pub fn scan(&self) -> Vec<PathDev> {
        let s = mpath::configure::discover(&self.cfg, &self.root);
        for p in &s.problems {
            self.log(3, p);
        }
        s.paths
    }
}

/// What a device argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A path (`/dev/sdb`, `8:16`, `sdb`).
    Path(Box<PathDev>),
    /// A live map (name, `/dev/dm-N`, `/dev/mapper/<name>`).
    Map(String),
    /// A WWID (of paths or of a map).
    Wwid(String),
}

/// Resolve a device argument as upstream accepts it: block node, `maj:min`,
/// WWID or map name.
pub fn resolve(arg: &str, paths: &[PathDev], live: &[LiveMap]) -> Option<Target> {
    let base = arg.strip_prefix("/dev/").unwrap_or(arg);
    if let Some(name) = base.strip_prefix("mapper/") {
        return live
            .iter()
            .find(|m| m.name == name)
            .map(|m| Target::Map(m.name.clone()));
    }
    if let Some(minor) = base.strip_prefix("dm-").and_then(|m| m.parse::<u32>().ok()) {
        return live
            .iter()
            .find(|m| m.info.dev.minor == minor)
            .map(|m| Target::Map(m.name.clone()));
    }
    if arg.contains(':') {
        return paths
            .iter()
            .find(|p| p.dev_t == arg)
            .map(|p| Target::Path(Box::new(p.clone())));
    }
    if arg.starts_with("/dev/") || arg.starts_with("sd") {
        if let Some(p) = paths.iter().find(|p| p.dev == base) {
            return Some(Target::Path(Box::new(p.clone())));
        }
        if arg.starts_with("/dev/") {
            return None;
        }
    }
    if let Some(m) = live.iter().find(|m| m.name == arg) {
        return Some(Target::Map(m.name.clone()));
    }
    if live.iter().any(|m| m.wwid == arg) || paths.iter().any(|p| p.wwid == arg) {
        return Some(Target::Wwid(arg.to_string()));
    }
    None
}

/// The WWID a device argument selects for create and list modes (`None`:
/// no argument). An argument naming nothing is reported and fails.
pub fn selected_wwid(ctx: &Ctx, paths: &[PathDev], live: &[LiveMap]) -> Res<Option<String>> {
    let Some(arg) = ctx.args.device.as_deref() else {
        return Ok(None);
    };
    match resolve(arg, paths, live) {
        Some(Target::Path(p)) => Ok(Some(p.wwid.clone())),
        Some(Target::Wwid(w)) => Ok(Some(w)),
        Some(Target::Map(n)) => Ok(live.iter().find(|m| m.name == n).map(|m| m.wwid.clone())),
        None => {
            ctx.error(format!("'{arg}' is not a valid argument"));
            Err(Fail)
        }
    }
}

/// Whether multipathd answers on its socket.
pub fn daemon_running() -> bool {
    use std::os::linux::net::SocketAddrExt;
    use std::os::unix::net::{SocketAddr, UnixStream};
    if let Ok(name) = std::env::var("MULTIPATH_SOCKET_NAME") {
        if let Some(abs) = name.strip_prefix('@') {
            return SocketAddr::from_abstract_name(abs.as_bytes())
                .and_then(|a| UnixStream::connect_addr(&a))
                .is_ok();
        }
        return UnixStream::connect(name).is_ok();
    }
    UnixStream::connect("/run/multipathd.socket").is_ok()
        || SocketAddr::from_abstract_name(b"/org/kernel/linux/storage/multipathd")
            .and_then(|a| UnixStream::connect_addr(&a))
            .is_ok()
}

pub const DAEMON_WARNING: &str =
    "Warning: multipath devices exist, but multipathd service is not running";
