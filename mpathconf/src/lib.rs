//! `mpathconf`: turn multipath on or off and adjust common settings in
//! `/etc/multipath.conf`, as Red Hat's script of the same name does, editing
//! the file through the parser so everything the admin wrote stays as it was.
//!
//! Test hooks (environment): `MPATHCONF_ROOT` is a directory every fixed path
//! (`/etc`, `/sys`, `/dev`, `/proc`, `/run`) is joined onto;
//! `MPATHCONF_MODPROBE` and `MPATHCONF_SYSTEMCTL` replace the commands.

pub mod args;
pub mod edits;
pub mod resolve;
pub mod system;
pub mod write;

use anyhow::{bail, Context, Result};
use args::{Command, Mode, Options};
use conf_parser::edit::Editor;
use conf_parser::{keywords, Section};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use system::System;

/// The configuration written when there is none yet.
pub const TEMPLATE: &str = "\
# multipath.conf, created by mpathconf.
#
# \"multipath -t\" prints every setting with the value in effect;
# multipath.conf(5) describes them.

defaults {
\tuser_friendly_names yes
\tfind_multipaths yes
}

blacklist {
}
";

/// Run with the command line `args` (without the program name); returns the
/// exit status.
pub fn run(args: &[String]) -> i32 {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let root = env("MPATHCONF_ROOT").map_or_else(|| PathBuf::from("/"), PathBuf::from);
    let sys = System {
        root: root.clone(),
        modprobe: env("MPATHCONF_MODPROBE")
            .map_or("modprobe".into(), |v| v.to_string_lossy().into_owned()),
        systemctl: env("MPATHCONF_SYSTEMCTL")
            .map_or("systemctl".into(), |v| v.to_string_lossy().into_owned()),
    };
    let mut notes = Vec::new();
    let opts = match args::parse(args, &mut notes) {
        Err(msg) => {
            eprintln!("{msg}");
            return 1;
        }
        Ok(Command::Usage(unknown)) => {
            if let Some(u) = unknown {
                eprintln!("mpathconf: unknown option '{u}'");
            }
            print!("{}", args::usage());
            return 0;
        }
        Ok(Command::Run(o)) => o,
    };
    for n in notes {
        println!("{n}");
    }
    match execute(&root, &sys, &opts) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("mpathconf: {e:#}");
            1
        }
    }
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

fn execute(root: &Path, sys: &System, opts: &Options) -> Result<i32> {
    let dir = root.join("etc/multipath");
    if !dir.is_dir() {
        eprintln!("{}/ does not exist. failing", dir.display());
        return Ok(1);
    }
    let conf = root.join("etc/multipath.conf");
    let conf_name = conf.display().to_string();
    let text = match std::fs::read(&conf) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let b = e.as_bytes();
                let line = b[..e.utf8_error().valid_up_to()]
                    .iter()
                    .filter(|c| **c == b'\n')
                    .count()
                    + 1;
                bail!("{conf_name}:{line}: invalid UTF-8; {conf_name} was not changed");
            }
        },
        Err(e) if e.kind() == ErrorKind::NotFound => TEMPLATE.to_string(),
        Err(e) => return Err(e).with_context(|| format!("cannot read {conf_name}")),
    };
    let mut ed = Editor::new(&conf_name, &text);
    let errors = ed.errors();
    if !errors.is_empty() {
        for d in errors {
            eprintln!("mpathconf: {}", d.short());
        }
        eprintln!("mpathconf: {conf_name} does not parse; fix it first (it was not changed)");
        return Ok(1);
    }

    if !opts.edits() {
        for l in edits::status(&ed).lines() {
            println!("{l}");
        }
        if opts.with_module {
            let loaded = if sys.module_loaded() {
                "loaded"
            } else {
                "not loaded"
            };
            println!("dm_multipath module is {loaded}");
        }
        let running = if sys.daemon_running() {
            "running"
        } else {
            "not running"
        };
        println!("multipathd is {running}");
        return Ok(0);
    }

    let mut wwids: Vec<String> = Vec::new();
    for a in &opts.allow {
        for w in resolve::resolve(root, a).map_err(anyhow::Error::msg)? {
            if !wwids.contains(&w) {
                wwids.push(w);
            }
        }
    }
    match opts.mode {
        Some(Mode::Enable) => edits::enable(&mut ed),
        Some(Mode::Disable) => edits::disable(&mut ed),
        Some(Mode::Allow) => edits::allow(&mut ed, &wwids),
        None => {}
    }
    if let Some(on) = opts.user_friendly_names {
        edits::user_friendly_names(&mut ed, on);
    }
    if let Some(v) = &opts.find_multipaths {
        edits::find_multipaths(&mut ed, v);
    }
    if let Some(on) = opts.property_blacklist {
        edits::property_blacklist(&mut ed, on);
    }
    if let Some(on) = opts.enable_foreign {
        edits::enable_foreign(&mut ed, on);
    }
    if let Some(on) = opts.recheck_wwid {
        edits::recheck_wwid(&mut ed, on);
    }
    for (name, value) in &opts.options {
        match keywords::lookup_in(Section::Defaults, name) {
            None => {
                eprintln!("mpathconf: warning: '{name}' is not a keyword of the defaults section")
            }
            // multipath itself would only warn and ignore a bad value; refuse
            // to write one in the first place.
            Some(kw) if !value.is_empty() => {
                if let Err(e) = conf_parser::value::parse(kw.kind, value) {
                    bail!(
                        "--option {name}:{value}: {e}; {} was not changed",
                        conf.display()
                    );
                }
            }
            Some(_) => {}
        }
        edits::option(&mut ed, name, value);
    }

    let out = opts.outfile.clone().unwrap_or_else(|| conf.clone());
    let new = ed.text();
    let errors = ed.errors();
    if !errors.is_empty() {
        for d in errors {
            eprintln!("mpathconf: {}", d.short());
        }
        bail!(
            "the result would not parse; {} was not changed",
            out.display()
        );
    }
    let changed = std::fs::read(&out).ok().as_deref() != Some(new.as_bytes());
    if changed {
        write::replace(&out, new.as_bytes())?;
    }
    let live = same_file(&out, &conf);
    let reload = changed && live;

    let mut failed = false;
    let mut report = |r: Result<(), String>| {
        if let Err(m) = r {
            eprintln!("mpathconf: {m}");
            failed = true;
        }
    };
    match opts.mode {
        Some(Mode::Enable) | Some(Mode::Allow) if opts.mode == Some(Mode::Enable) || live => {
            if opts.with_module {
                report(sys.load_module());
            }
            if opts.with_multipathd {
                if !sys.daemon_running() {
                    report(sys.service("start"));
                } else if reload {
                    report(sys.service("reload"));
                }
            }
        }
        Some(Mode::Disable) => {
            if opts.with_multipathd && sys.daemon_running() {
                report(sys.service("stop"));
            }
        }
        _ => {
            if opts.with_multipathd && reload && sys.daemon_running() {
                report(sys.service("reload"));
            }
        }
    }
    Ok(if failed { 1 } else { 0 })
}
