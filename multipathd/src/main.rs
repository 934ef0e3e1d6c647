//! `multipathd`: the daemon and its one-shot client mode.
//!
//! Not implemented yet: this build says so plainly instead of pretending.

fn main() {
    eprintln!("multipathd: the daemon is not implemented yet in this build of multipath-rs");
    std::process::exit(1);
}
