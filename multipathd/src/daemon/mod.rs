//! The daemon proper.
//!
//! One thread, the state owner ([`owner`]), holds the maps and paths. Every
//! event reaches it as a [`Msg`] on one channel: checker results, uevents
//! ([`uevent`]), commands from the socket server ([`server`]), signals and
//! the one-second tick. Read-only `show` commands never reach it: the owner
//! publishes a snapshot after each change and the server renders from that.
//! Path checks run on a bounded pool of blocking threads ([`check`]), so a
//! hung path never delays the others.

pub mod check;
pub mod commands;
pub mod env;
pub mod maps;
pub mod notify;
pub mod owner;
pub mod server;
pub mod uevent;

use crate::cli::Request;
use crate::model::State;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use tokio::sync::{oneshot, watch};

pub use env::Env;

/// Daemon options from the command line (`multipathd -d -s -v3 -B -w`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DaemonOpts {
    /// `-d`: stay in the foreground and log to stderr.
    pub foreground: bool,
    /// `-s`: log without timestamps.
    pub no_timestamps: bool,
    /// `-v N` (default 2).
    pub verbosity: Option<u32>,
    /// `-B`: bindings file read-only.
    pub bindings_read_only: bool,
    /// `-w`: per-map waiters (accepted; the daemon always listens to dm
    /// uevents).
    pub waiters: bool,
}

/// Why a command failed; the reply is `fail\n` plus [`CmdError::reason`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdError {
    /// `fail` alone.
    Failed,
    /// `fail` and a reason line.
    Reason(String),
    /// ENODEV.
    NoDevice,
    /// EBUSY.
    Busy,
    /// ETIMEDOUT.
    Timeout,
    /// EPERM.
    Permission,
}

impl CmdError {
    pub fn reply(&self) -> String {
        match self {
            CmdError::Failed => "fail\n".into(),
            CmdError::Reason(r) => format!("fail\n{r}\n"),
            CmdError::NoDevice => "fail\ndevice not found\n".into(),
            CmdError::Busy => "fail\nmap or partition in use\n".into(),
            CmdError::Timeout => "fail\ntimeout\n".into(),
            CmdError::Permission => "fail\npermission deny: need to be root\n".into(),
        }
    }
}

/// A command's result: text (empty = `ok`) or an error.
pub type Reply = Result<String, CmdError>;

/// The reply bytes for a result.
pub fn reply_text(r: &Reply) -> String {
    match r {
        Ok(s) if s.is_empty() => "ok\n".into(),
        Ok(s) => s.clone(),
        Err(e) => e.reply(),
    }
}

/// What the state owner receives.
pub enum Msg {
    /// A command that changes something, with where to send the reply.
    Command(Request, oneshot::Sender<Reply>),
    Uevent(uevent::Uevent),
    Checked(check::CheckDone),
    /// A new path's facts, gathered off the owner thread.
    Gathered(Box<mpath::assemble::PathFacts>),
    Reconfigure {
        all: bool,
    },
    Shutdown,
}

/// What the socket server reads without asking the owner.
#[derive(Clone)]
pub struct Published {
    pub state: watch::Receiver<Arc<State>>,
    pub env: watch::Receiver<Arc<Env>>,
    /// Reconfigurations asked for (command or SIGHUP), counted before the
    /// request is acknowledged. While the snapshot's
    /// [`State::reconfigures`] is behind it, `show` commands wait for the
    /// new snapshot: a client that sent `reconfigure` and then `show maps`
    /// sees the new names, as with the reference, whose `show` commands
    /// wait for the reconfiguration's lock.
    pub reconf_requested: Arc<AtomicU64>,
}

fn init_logging(opts: &DaemonOpts, verbosity: u32) {
    use tracing_subscriber::filter::LevelFilter;
    let level = match verbosity {
        0 => LevelFilter::ERROR,
        1 => LevelFilter::WARN,
        2 => LevelFilter::INFO,
        3 => LevelFilter::DEBUG,
        _ => LevelFilter::TRACE,
    };
    let b = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .with_ansi(false);
    let _ = if opts.no_timestamps {
        b.without_time().try_init()
    } else {
        b.try_init()
    };
}

const PIDFILE: &str = "/run/multipathd.pid";

/// Run the daemon until shutdown; returns the process exit status.
pub fn run(opts: DaemonOpts) -> i32 {
    let root = mpath::SysRoot::from_env();
    let env = Env::load(root, opts.bindings_read_only);
    let verbosity = opts.verbosity.unwrap_or(env.verbosity);
    if !opts.foreground {
        // Detach before any thread exists.
        if let Err(e) = nix::unistd::daemon(false, false) {
            eprintln!("multipathd: cannot daemonize: {e}");
            return 1;
        }
    }
    init_logging(&opts, verbosity);
    for d in &env.diagnostics {
        tracing::warn!("{d}");
    }
    let listeners = match crate::proto::listen() {
        Ok(l) => l,
        Err(e) => {
            tracing::error!("cannot listen on the control socket: {e}");
            eprintln!("multipathd: cannot listen on the control socket: {e} (already running?)");
            notify::notify(&format!("ERRNO={}", e.raw_os_error().unwrap_or(1)));
            return 1;
        }
    };
    let pidfile = env.root.join(PIDFILE);
    if let Err(e) = std::fs::write(&pidfile, format!("{}\n", std::process::id())) {
        tracing::warn!("cannot write {}: {e}", pidfile.display());
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(64)
        .thread_name("multipathd")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("cannot start the runtime: {e}");
            return 1;
        }
    };
    let code = owner::start(rt.handle().clone(), Arc::new(env), listeners);
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    let _ = std::fs::remove_file(&pidfile);
    code
}
