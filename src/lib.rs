//! Core library of the multipath-tools replacement: the domain model, the
//! merged configuration, the built-in hardware table and the seams to the
//! kernel and the filesystem. It parses no command line, starts no runtime
//! and prints nothing for users.

pub mod assemble;
pub mod checker;
pub mod config;
pub mod configure;
pub mod ctl;
pub mod discovery;
pub mod dm;
pub mod files;
pub mod filter;
pub mod foreign;
pub mod print;
pub mod prio;
pub mod scsi;
mod sysfs;
pub mod sysroot;

pub use config::Config;
pub use sysroot::SysRoot;
