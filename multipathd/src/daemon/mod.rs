//! The daemon proper: one task owns the [`crate::model::State`]; event
//! sources (checker ticks, uevents, dm events, signals) and the socket
//! server send it messages.

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
    /// `-w`: per-map waiters (accepted; the daemon always polls dm events).
    pub waiters: bool,
}

/// Run the daemon until shutdown; returns the process exit status.
pub fn run(_opts: DaemonOpts) -> i32 {
    eprintln!("multipathd: the daemon is not implemented yet in this build");
    1
}
