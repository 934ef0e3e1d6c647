//! multipathd: the daemon that keeps multipath maps healthy, and its clients.
//!
//! Rooms:
//! - [`cli`]: the command language of the control socket (parse, help);
//! - [`proto`]: socket addresses and message framing;
//! - [`client`]: `multipathd <command>`, `multipathd -k`, `multipathc`;
//! - [`model`]: the maps and paths the daemon knows (the snapshot type);
//! - [`format`]: what `show` commands print;
//! - [`daemon`]: the state owner, its event sources (checker ticks, uevents,
//!   dm events, signals), the socket server and the command handlers.

pub mod args;
pub mod cli;
pub mod client;
pub mod daemon;
pub mod format;
pub mod model;
pub mod proto;
