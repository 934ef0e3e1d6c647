//! The modes of `multipath`.

use crate::args::{self, ArgError, Mode};
use crate::ctx::Ctx;
use conf_parser::Severity;
use mpath::config::{dump, CONFIG_FILE};
use mpath::files::bindings::Bindings;
use mpath::{Config, SysRoot};
use std::io::Write;
use std::path::Path;

const USAGE: &str = "\
multipath-tools (Rust) v0.15.1-compatible
Usage:
  multipath [-v level] [-B|-d|-i|-q|-r] [-b file] [-p policy] [device]
  multipath [-v level] [-R retries] -f device
  multipath [-v level] [-R retries] -F
  multipath [-v level] [-l|-ll] [device]
  multipath [-v level] [-a|-w] device
  multipath [-v level] -W
  multipath [-v level] [-i] [-c|-C] device
  multipath [-v level] [-i] [-u|-U]
  multipath [-h|-t|-T]
  multipath --check-config [FILE]

Where:
  -h      print this usage text
  -d      dry run, do not create or update devmaps
  -l      show multipath topology (sysfs and DM info)
  -ll     show multipath topology (maximum info)
  -e      enable foreign libraries with -l/-ll
  -f      flush a multipath device map
  -F      flush all multipath device maps
  -a      add a device wwid to the wwids file
  -c      check if a device should be a path in a multipath device
  -C      check if a multipath device has usable paths
  -q      allow queue_if_no_path when multipathd is not running
  -r      force devmap reload
  -i      ignore wwids file
  -B      treat the bindings file as read only
  -b fil  bindings file location (ignored)
  -w      remove a device from the wwids file
  -W      reset the wwids file include only the current devices
  -R num  number of times to retry removes of in-use devices
  -p pol  force all maps to specified path grouping policy:
          failover, multibus, group_by_serial, group_by_prio,
          group_by_node_name, group_by_tpg
  -t      display the currently used multipathd configuration
  -T      display the multipathd configuration without builtin defaults
  -v lvl  verbosity level: 0 no output, 1 print created devmap names only,
          2 default verbosity, 3 print all debug information
  --check-config [FILE]
          report every problem in the configuration (file:line:column),
          exit 1 if there is any
device:
  /dev/sdX, /dev/dm-N, maj:min, WWID or map name
";

fn usage_to_stderr() {
    let _ = std::io::stderr().write_all(USAGE.as_bytes());
}

/// Run `multipath` with `argv` (without the program name); returns the exit code.
pub fn run(argv: &[String]) -> i32 {
    let a = match args::parse(argv) {
        Ok(a) => a,
        Err(e) => {
            // The reference prints this one on stdout.
            if let ArgError::BadPolicy(_) = e {
                println!("{e}");
            } else {
                eprintln!("{e}");
            }
            usage_to_stderr();
            return 1;
        }
    };
    for n in &a.notices {
        crate::ctx::log_line(n);
    }
    let root = SysRoot::from_env();
    match a.mode {
        Mode::Usage => {
            usage_to_stderr();
            0
        }
        Mode::DumpConfig => {
            let c = Config::load(&root);
            report(&c, false);
            if c.is_fatal() {
                eprintln!("error parsing config file");
                return 1;
            }
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(dump::dump(&c).as_bytes());
            let _ = out.flush();
            0
        }
        Mode::CheckConfig => check_config(&root, a.device.as_deref()),
        _ => run_mode(root, a),
    }
}

/// The modes that look at devices.
fn run_mode(root: SysRoot, a: args::Args) -> i32 {
    if root.is_real() && !nix::unistd::Uid::effective().is_root() {
        eprintln!("need to be root");
        return 1;
    }
    let cfg = Config::load(&root);
    report(&cfg, false);
    if cfg.is_fatal() {
        eprintln!("error parsing config file");
        return 1;
    }
    let mode = a.mode;
    let ctx = match Ctx::new(root, cfg, a) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return 1;
        }
    };
    // As the reference at start-up, but for the udev checks: the bindings
    // file read, its problems said, and a file without the header (or none)
    // rewritten with it.
    let bindings = if matches!(
        mode,
        Mode::ValidPath | Mode::UdevValidPath | Mode::UsablePaths | Mode::UdevUsablePaths
    ) {
        None
    } else {
        check_bindings(&ctx)
    };
    let force_reload = ctx.args.force_reload;
    let r = match mode {
        Mode::Create => crate::create::run(
            &ctx,
            crate::create::CreateOpts {
                dry_run: false,
                force_reload,
            },
            bindings,
        ),
        Mode::DryRun => crate::create::run(
            &ctx,
            crate::create::CreateOpts {
                dry_run: true,
                force_reload,
            },
            bindings,
        ),
        Mode::List => crate::list::run(&ctx, false),
        Mode::ListLong => crate::list::run(&ctx, true),
        Mode::Flush => crate::flush::flush(&ctx),
        Mode::FlushAll => crate::flush::flush_all(&ctx),
        Mode::AddWwid => crate::wwids::add(&ctx),
        Mode::RemoveWwid => crate::wwids::remove(&ctx),
        Mode::ResetWwids => crate::wwids::reset(&ctx),
        Mode::ValidPath => crate::check::valid_path(&ctx, false),
        Mode::UdevValidPath => crate::check::valid_path(&ctx, true),
        Mode::UsablePaths => crate::check::usable_paths(&ctx),
        Mode::UdevUsablePaths => crate::check::udev_usable_paths(&ctx),
        Mode::DumpLocalConfig => crate::dumplocal::run(&ctx),
        Mode::Usage | Mode::DumpConfig | Mode::CheckConfig => Ok(()),
    };
    match r {
        Ok(()) => 0,
        Err(crate::ctx::Fail) => 1,
    }
}

/// The bindings file read at start-up: its problems said, and a file
/// without the header (or none) rewritten with it. `None` when it cannot be
/// read (said too); create and dry run go on without it.
fn check_bindings(ctx: &Ctx) -> Option<Bindings> {
    let mut b = match Bindings::load(&ctx.root) {
        Ok(b) => b,
        Err(e) => {
            ctx.error(format!("{e}"));
            return None;
        }
    };
    for (level, m) in b.read_log() {
        ctx.log(*level, m);
    }
    if !b.has_header() && !ctx.args.bindings_read_only {
        match b.save() {
            Ok(()) => ctx.log(1, b.updated_message()),
            Err(e) => ctx.error(format!("{e}")),
        }
    }
    Some(b)
}

/// Print configuration problems on stderr: `file:line:column: message` for
/// `--check-config`, else `file:line: message` as a log line.
fn report(c: &Config, with_columns: bool) {
    for d in &c.diagnostics {
        if with_columns {
            eprintln!("{d}");
        } else {
            crate::ctx::log_line(&d.short());
        }
    }
}

/// `--check-config [FILE]`: every problem with file:line:column; exit 1 if any.
fn check_config(root: &SysRoot, file: Option<&str>) -> i32 {
    if let Some(f) = file {
        if !Path::new(f).exists() {
            eprintln!("{f}: cannot read: file not found");
            return 1;
        }
    }
    let c = match file {
        Some(f) => Config::load_files(root, Path::new(f), f, false),
        None => {
            let c = Config::load(root);
            if c.files.is_empty() {
                eprintln!("{CONFIG_FILE}: not found; the built-in configuration applies");
            }
            c
        }
    };
    report(&c, true);
    let errors = c
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warnings = c.diagnostics.len() - errors;
    if c.diagnostics.is_empty() {
        println!("configuration OK ({} file(s) read)", c.files.len());
        0
    } else {
        println!("{errors} error(s), {warnings} warning(s)");
        1
    }
}
