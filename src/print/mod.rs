//! What the tools print for people and scripts: the map topology of
//! `multipath -ll` / `multipathd show topology`, sizes, column layouts.
//! Formats are facts observed on the reference (0.15.1) and must not drift.

pub mod path;
pub mod table;
mod topology;

pub use path::{paths_list, ListedPath};
pub use topology::{TopoGroup, TopoMap, TopoPath};

/// A size in 512-byte sectors as upstream prints it (`%S`): binary units
/// from K upwards, one decimal below 10 (`64M`, `1.5G`, `100G`).
pub fn size(sectors: u64) -> String {
    let mut s = (sectors / 2) as f64;
    let units = ['K', 'M', 'G', 'T', 'P', 'E'];
    let mut u = 0;
    while s >= 1024.0 && u < units.len() - 1 {
        s /= 1024.0;
        u += 1;
    }
    if s < 10.0 {
        format!("{:.1}{}", s, units[u])
    } else {
        format!("{:.0}{}", s, units[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(size(131072), "64M");
        assert_eq!(size(2 * 1024 * 1024 * 10), "10G");
        assert_eq!(size(2 * 1024 * 1024 * 3 / 2), "1.5G");
        assert_eq!(size(2), "1.0K");
        assert_eq!(size(0), "0.0K");
        assert_eq!(size(2 * 1024 * 1023), "1023M");
    }
}
