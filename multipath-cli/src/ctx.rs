//! What every mode needs: the configuration, the kernel seams, the verbosity
//! and the log, and the device argument resolved.
//!
//! The kernel seams are the kernel's device mapper and SG_IO, unless a test
//! runs the command on a fixture root (`MPATH_SYSROOT`) and names fakes:
//!
//! - `MPATH_FAKE_DM=<file>`: an in-memory device mapper whose state (maps,
//!   injected faults, a journal of the calls that changed something) is read
//!   from this JSON file at start and written back at exit, so consecutive
//!   runs see each other's maps (format: `mpath::dm::FakeDm::from_json`);
//! - `MPATH_FAKE_SCSI=<file>`: SCSI replies scripted per device from this
//!   JSON file (format: `mpath::scsi::FakeScsi::from_json`).
//!
//! Both are ignored without `MPATH_SYSROOT`, so a production run never
//! silently works on a fake.

use crate::args::Args;
use mpath::assemble::Probe;
use mpath::configure::LiveMap;
use mpath::discovery::PathDev;
use mpath::dm::{DeviceMapper, FakeDm, KernelDm};
use mpath::filter::Filter;
use mpath::scsi::{FakeScsi, ScsiTransport, SgIo};
use mpath::{Config, SysRoot};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

pub struct Ctx {
    pub root: SysRoot,
    pub cfg: Config,
    pub args: Args,
    pub verbosity: u32,
    pub scsi: Box<dyn ScsiTransport>,
    /// The blacklist, compiled once.
    pub filter: Filter,
    /// `MPATH_FAKE_DM`: the fake and the file it is saved to on drop.
    fake_dm: Option<(Arc<FakeDm>, PathBuf)>,
}

/// A failure that ends the command with exit status 1 after its message.
pub struct Fail;

pub type Res<T = ()> = Result<T, Fail>;

impl Ctx {
    /// Fails when a fake's file cannot be read.
    pub fn new(root: SysRoot, cfg: Config, args: Args) -> Result<Ctx, String> {
        let verbosity = args.verbosity.unwrap_or_else(|| {
            cfg.defaults
                .get("verbosity")
                .and_then(|v| v.as_int())
                .map_or(2, |v| v.clamp(0, 6) as u32)
        });
        let scsi: Box<dyn ScsiTransport> = match root.fake_seam("MPATH_FAKE_SCSI") {
            Some(f) => Box::new(FakeScsi::load_file(&f)?),
            None => Box::new(SgIo::new(&root)),
        };
        let fake_dm = match root.fake_seam("MPATH_FAKE_DM") {
            Some(f) => Some((Arc::new(FakeDm::load_file(&f)?), f)),
            None => None,
        };
        let filter = Filter::new(&cfg);
        Ok(Ctx {
            filter,
            root,
            cfg,
            args,
            verbosity,
            scsi,
            fake_dm,
        })
    }

    pub fn probe(&self) -> Probe<'_> {
        Probe {
            root: &self.root,
            scsi: self.scsi.as_ref(),
        }
    }

    /// A message of `level` (1 errors, 2 notices, 3 and up debug) on
    /// stderr when the verbosity reaches it, stamped as [`log_line`] does.
    pub fn log(&self, level: u32, msg: impl AsRef<str>) {
        if self.verbosity >= level {
            log_line(msg.as_ref());
        }
    }

    pub fn logs(&self, level: u32, lines: &[String]) {
        for l in lines {
            self.log(level, l);
        }
    }

    /// Messages that carry their own level, in order.
    pub fn says(&self, msgs: &[(u32, String)]) {
        for (level, m) in msgs {
            self.log(*level, m);
        }
    }

    /// An error message (printed from `-v1` up, like upstream's level-0/1 messages).
    pub fn error(&self, msg: impl AsRef<str>) {
        self.log(1, msg);
    }

    /// A device argument that names nothing: said in the reference's words,
    /// which end in an empty line.
    pub fn invalid_argument(&self, arg: &str) {
        self.error(format!("'{arg}' is not a valid argument\n"));
    }

    /// The device-mapper seam: the kernel, or the `MPATH_FAKE_DM` fake.
    pub fn dm(&self) -> Res<Box<dyn DeviceMapper>> {
        if let Some((fake, _)) = &self.fake_dm {
            return Ok(Box::new(Arc::clone(fake)));
        }
        match KernelDm::new() {
            Ok(dm) => Ok(Box::new(dm)),
            Err(e) => {
                self.error(format!("{e}"));
                Err(Fail)
            }
        }
    }

    /// Multipath maps in the kernel.
    pub fn live(&self, dm: &dyn DeviceMapper) -> Res<Vec<LiveMap>> {
        mpath::configure::live_maps(dm).map_err(|e| {
            self.error(format!("cannot list device-mapper devices: {e}"));
            Fail
        })
    }

    /// Multipath maps in the kernel for modes that also work without
    /// device-mapper (`-a`, `-w`, `-c`, `-T`): none when it cannot be asked
    /// (the reason has been printed).
    pub fn live_or_empty(&self) -> Vec<LiveMap> {
        self.dm()
            .and_then(|dm| self.live(dm.as_ref()))
            .unwrap_or_default()
    }

    /// The SCSI disk a device argument names (`/dev/sdb`, `sdb`, `8:16`),
    /// read alone without scanning the others; `None` when the argument
    /// names no disk, or the disk cannot be read (callers then scan).
    pub fn read_one(&self, arg: &str) -> Option<PathDev> {
        let name = if arg.contains(':') {
            let link = std::fs::read_link(self.root.join(format!("/sys/dev/block/{arg}"))).ok()?;
            link.file_name()?.to_str()?.to_string()
        } else {
            let base = arg.strip_prefix("/dev/").unwrap_or(arg);
            if base.contains('/') || base.starts_with("dm-") {
                return None;
            }
            base.to_string()
        };
        if !self.root.join(format!("/sys/block/{name}/device")).exists() {
            return None;
        }
        mpath::configure::discover_one(&self.cfg, &self.root, &name).ok()
    }

    pub fn scan(&self) -> Vec<PathDev> {
        let s = mpath::configure::discover(&self.cfg, &self.root);
        for p in &s.problems {
            self.log(3, p);
        }
        s.paths
    }
}

impl Drop for Ctx {
    /// Write the fake device mapper's state back for the next run.
    fn drop(&mut self) {
        if let Some((fake, file)) = &self.fake_dm {
            if let Err(e) = fake.save_file(file) {
                self.error(format!("cannot save the fake device mapper: {e}"));
            }
        }
    }
}

/// What a device argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A path (`/dev/sdb`, `8:16`).
    Path(Box<PathDev>),
    /// A live map (name, `/dev/dm-N`, `/dev/mapper/<name>`).
    Map(String),
    /// A WWID (of paths or of a map).
    Wwid(String),
}

/// The three forms of a device argument, told apart by its spelling as the
/// reference does: a `/dev/` node, a `maj:min` pair, or else a map name or
/// WWID (so a bare `sda` or `dm-0` is a map name, which no map has).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgForm<'a> {
    /// `/dev/<base>`.
    Node(&'a str),
    DevT,
    Name,
}

pub fn arg_form(arg: &str) -> ArgForm<'_> {
    if let Some(base) = arg.strip_prefix("/dev/") {
        return ArgForm::Node(base);
    }
    match arg.split_once(':') {
        Some((maj, min))
            if !maj.is_empty()
                && maj.bytes().all(|c| c.is_ascii_digit())
                && min.starts_with(|c: char| c.is_ascii_digit()) =>
        {
            ArgForm::DevT
        }
        _ => ArgForm::Name,
    }
}

/// Resolve a device argument as upstream accepts it: block node, `maj:min`,
/// WWID or map name.
pub fn resolve(arg: &str, paths: &[PathDev], live: &[LiveMap]) -> Option<Target> {
    match arg_form(arg) {
        ArgForm::Node(base) => {
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
            paths
                .iter()
                .find(|p| p.dev == base)
                .map(|p| Target::Path(Box::new(p.clone())))
        }
        ArgForm::DevT => paths
            .iter()
            .find(|p| p.dev_t == arg)
            .map(|p| Target::Path(Box::new(p.clone()))),
        ArgForm::Name => {
            if let Some(m) = live.iter().find(|m| m.name == arg) {
                return Some(Target::Map(m.name.clone()));
            }
            if live.iter().any(|m| m.wwid == arg) || paths.iter().any(|p| p.wwid == arg) {
                return Some(Target::Wwid(arg.to_string()));
            }
            None
        }
    }
}

/// The path the device argument names, if it names one.
pub fn device_path(ctx: &Ctx, paths: &[PathDev], live: &[LiveMap]) -> Option<PathDev> {
    match resolve(ctx.args.device.as_deref()?, paths, live) {
        Some(Target::Path(p)) => Some(*p),
        _ => None,
    }
}

/// The maps a device argument selects in create and list modes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selected {
    /// No argument: every map.
    All,
    /// The maps of this WWID (for a name that is no map, alias or WWID:
    /// none, as the reference, which takes it for a WWID).
    Wwid(String),
    /// A `/dev/` node of a block device that is no path and no map.
    OtherNode,
}

impl Selected {
    pub fn wants(&self, wwid: &str) -> bool {
        match self {
            Selected::All => true,
            Selected::Wwid(w) => w == wwid,
            Selected::OtherNode => false,
        }
    }
}

/// What the device argument selects for create and list modes. A `/dev/`
/// node that does not exist is not a valid argument, a `maj:min` of no
/// block device cannot be found (both fail); a name is a map name, an alias
/// (bindings file or `multipaths` section) or a WWID.
pub fn selection(ctx: &Ctx, paths: &[PathDev], live: &[LiveMap]) -> Res<Selected> {
    selection_target(ctx, paths, live).map(|(s, _)| s)
}

/// [`selection`], and what the device argument resolved to, if anything.
pub fn selection_target(
    ctx: &Ctx,
    paths: &[PathDev],
    live: &[LiveMap],
) -> Res<(Selected, Option<Target>)> {
    let Some(arg) = ctx.args.device.as_deref() else {
        return Ok((Selected::All, None));
    };
    if let Some(t) = resolve(arg, paths, live) {
        return Ok((Selected::Wwid(target_wwid(&t, live)), Some(t)));
    }
    selection_of_nothing(ctx, arg).map(|s| (s, None))
}

/// The WWID a resolved device argument stands for (empty for a map name
/// no live map has).
pub fn target_wwid(t: &Target, live: &[LiveMap]) -> String {
    match t {
        Target::Path(p) => p.wwid.clone(),
        Target::Wwid(w) => w.clone(),
        Target::Map(n) => live
            .iter()
            .find(|m| &m.name == n)
            .map(|m| m.wwid.clone())
            .unwrap_or_default(),
    }
}

/// A device argument that names no path, map or WWID.
fn selection_of_nothing(ctx: &Ctx, arg: &str) -> Res<Selected> {
    match arg_form(arg) {
        ArgForm::Node(base) => {
            if !base.contains('/') && ctx.root.join(format!("/sys/block/{base}")).exists() {
                return Ok(Selected::OtherNode);
            }
            ctx.invalid_argument(arg);
            Err(Fail)
        }
        ArgForm::DevT => {
            if ctx.root.join(format!("/sys/dev/block/{arg}")).exists() {
                return Ok(Selected::OtherNode);
            }
            ctx.log(
                2,
                format!("get_udev_device: failed to look up {arg} with type 1"),
            );
            ctx.error(format!("{arg}: cannot find block device"));
            Err(Fail)
        }
        ArgForm::Name => Ok(Selected::Wwid(
            alias_wwid(ctx, arg).unwrap_or_else(|| arg.to_string()),
        )),
    }
}

/// The WWID an alias stands for: a `multipaths` entry's alias, else a
/// binding in the bindings file.
pub fn alias_wwid(ctx: &Ctx, alias: &str) -> Option<String> {
    if let Some(w) = ctx.cfg.multipaths.iter().find_map(|m| {
        (m.get_str("alias") == Some(alias))
            .then(|| m.get_str("wwid").map(str::to_string))
            .flatten()
    }) {
        return Some(w);
    }
    mpath::files::bindings::Bindings::load(&ctx.root)
        .ok()?
        .wwid_of(alias)
        .map(str::to_string)
}

/// Whether multipathd is running: its control socket connects
/// (`MULTIPATH_SOCKET_NAME`, else the pathname then the abstract socket).
pub fn daemon_running() -> bool {
    mpath::ctl::connect().is_ok()
}

/// Print one log message on stderr as the reference's log does: stamped
/// with the seconds of the monotonic clock, `12.345678 | message`.
/// (Usage text and option errors are printed plain.)
pub fn log_line(msg: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{}{msg}", stamp());
}

/// `<seconds>.<microseconds> | ` of `CLOCK_MONOTONIC`.
fn stamp() -> String {
    use nix::time::{clock_gettime, ClockId};
    match clock_gettime(ClockId::CLOCK_MONOTONIC) {
        Ok(t) => format!("{}.{:06} | ", t.tv_sec(), t.tv_nsec() / 1000),
        Err(_) => String::new(),
    }
}

pub const DAEMON_WARNING: &str =
    "Warning: multipath devices exist, but multipathd service is not running";
