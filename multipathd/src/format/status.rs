//! `show status` and `show daemon`.

use super::wildcards::{checker_state_index, CHECKER_STATES};
use crate::model::{InitState, State};
use std::fmt::Write;

/// `show status`: how many paths are in each checker state (states with no
/// path left out), the number of monitored paths, and whether uevents are
/// being processed (`busy`).
///
/// ```text
/// path checker states:
/// up                  2
///
/// paths: 2
/// busy: False
/// ```
pub fn status(st: &State, busy: bool) -> String {
    let mut count = [0u32; CHECKER_STATES.len()];
    for p in &st.paths {
        count[checker_state_index(p.chk)] += 1;
    }
    let mut s = String::from("path checker states:\n");
    for (name, n) in CHECKER_STATES.iter().zip(count) {
        if n > 0 {
            let _ = writeln!(s, "{name:<20}{n}");
        }
    }
    // Upstream counts the paths it holds open; the daemon holds every path
    // it has not dropped.
    let monitored = st
        .paths
        .iter()
        .filter(|p| p.init != InitState::Removed)
        .count();
    let _ = write!(
        s,
        "\npaths: {monitored}\nbusy: {}\n",
        if busy { "True" } else { "False" }
    );
    s
}

/// `show daemon`: `pid <pid> <state>`, with ` (pending reconfigure)` while
/// a reconfigure waits to run.
pub fn daemon(st: &State) -> String {
    format!(
        "pid {} {}{}\n",
        st.pid,
        st.daemon.name(),
        if st.pending_reconfigure {
            " (pending reconfigure)"
        } else {
            ""
        }
    )
}
