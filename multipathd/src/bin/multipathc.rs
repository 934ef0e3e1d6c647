//! `multipathc`: the interactive client of multipathd.
//!
//! Not implemented yet: this build says so plainly instead of pretending.

fn main() {
    eprintln!(
        "multipathc: the interactive client is not implemented yet in this build of multipath-rs"
    );
    std::process::exit(1);
}
