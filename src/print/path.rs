//! The path wildcards whose value is a discovered fact of the path
//! (`%i %d %D %s`), shared by `multipathd show paths` and `multipath -v3`,
//! and the paths list `multipath -v3` prints before the topology:
//!
//! ```text
//! ===== paths list =====
//! uuid                   hcil    dev dev_t pri dm_st chk_st vend/prod/rev         dev_st
//! 1Linux_scsi_debug_2000 0:0:0:0 sda 8:0   50  undef undef  Linux,scsi_debug,0191 unknown
//! ```
//!
//! (every column is padded, the last one too: the header line ends with a
//! space after `dev_st`). The list is upstream's long path format `%w %i %d %D %p %t %T %s %o`
//! over paths that are in no map yet, so the map-dependent columns print
//! their no-map values (`undef`, `undef`, `unknown`).

use super::table::{self, Columns};
use crate::discovery::PathDev;

/// `s`, or `fallback` when `s` is empty.
fn or(s: &str, fallback: &str) -> String {
    if s.is_empty() { fallback } else { s }.to_string()
}

/// `%i`: `host:channel:target:lun`, `#:#:#:#` when unknown.
pub fn hcil(p: &PathDev) -> String {
    or(&p.hcil, "#:#:#:#")
}

/// `%d`: the kernel name, `-` when unknown.
pub fn dev(p: &PathDev) -> String {
    or(&p.dev, "-")
}

/// `%D`: `major:minor`, `#:#` for a path without a device.
pub fn dev_t(p: &PathDev) -> String {
    if p.dev.is_empty() {
        "#:#".into()
    } else {
        p.dev_t.clone()
    }
}

/// `%s`: `vendor,product,revision`, `##` for each one unknown.
pub fn vend_prod_rev(p: &PathDev) -> String {
    format!(
        "{},{},{}",
        or(&p.vendor, "##"),
        or(&p.product, "##"),
        or(&p.revision, "##")
    )
}

/// A path in the list: what discovery found, and its priority
/// ([`crate::prio::PRIO_UNDEF`] when not computed).
#[derive(Debug, Clone, Copy)]
pub struct ListedPath<'a> {
    pub dev: &'a PathDev,
    pub prio: i32,
    /// Print the WWID (`%w`); `false` when the mode did not read it
    /// (`-l`/`-ll` without a device argument), which leaves it blank.
    pub wwid: bool,
}

/// Upstream's long path format.
const LIST_FORMAT: &str = "%w %i %d %D %p %t %T %s %o";

struct ListColumns;

const LIST_COLUMNS: [(char, &str); 9] = [
    ('w', "uuid"),
    ('i', "hcil"),
    ('d', "dev"),
    ('D', "dev_t"),
    ('p', "pri"),
    ('t', "dm_st"),
    ('T', "chk_st"),
    ('s', "vend/prod/rev"),
    ('o', "dev_st"),
];

impl Columns<ListedPath<'_>> for ListColumns {
    fn find(&self, key: char) -> Option<usize> {
        LIST_COLUMNS.iter().position(|&(k, _)| k == key)
    }

    fn header(&self, col: usize) -> &str {
        LIST_COLUMNS[col].1
    }

    fn value(&self, col: usize, p: &ListedPath<'_>) -> String {
        match LIST_COLUMNS[col].0 {
            'w' if p.wwid => p.dev.wwid.clone(),
            'w' => String::new(),
            'i' => hcil(p.dev),
            'd' => dev(p.dev),
            'D' => dev_t(p.dev),
            'p' => p.prio.to_string(),
            // In no map: no kernel state, not checked for a map, no device
            // state worth a map's attention.
            't' | 'T' => "undef".into(),
            's' => vend_prod_rev(p.dev),
            _ => "unknown".into(),
        }
    }
}

/// The paths list of `multipath -v3`, banner included; upstream prints a
/// `no paths` banner instead when there are none.
pub fn paths_list(paths: &[ListedPath<'_>]) -> String {
    if paths.is_empty() {
        return "===== no paths =====\n".into();
    }
    let mut out = String::from("===== paths list =====\n");
    out.push_str(&table::listing(
        &ListColumns,
        LIST_FORMAT,
        paths.iter(),
        true,
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sd(dev: &str, dev_t: &str, hcil: &str) -> PathDev {
        PathDev {
            dev: dev.into(),
            dev_t: dev_t.into(),
            hcil: hcil.into(),
            vendor: "Linux".into(),
            product: "scsi_debug".into(),
            revision: "0191".into(),
            wwid: "1Linux_scsi_debug_2000".into(),
            ..PathDev::default()
        }
    }

    #[test]
    fn as_the_reference_lists_them_before_creating() {
        // multipath-tools 0.15.1, `multipath -v3 -d`, scsi_debug through 2 hosts.
        let (a, b) = (sd("sda", "8:0", "0:0:0:0"), sd("sdb", "8:16", "1:0:0:0"));
        let l = |dev, prio| ListedPath {
            dev,
            prio,
            wwid: true,
        };
        assert_eq!(
            paths_list(&[l(&a, 50), l(&b, 10)]),
            "===== paths list =====\n\
             uuid                   hcil    dev dev_t pri dm_st chk_st vend/prod/rev         dev_st \n\
             1Linux_scsi_debug_2000 0:0:0:0 sda 8:0   50  undef undef  Linux,scsi_debug,0191 unknown\n\
             1Linux_scsi_debug_2000 1:0:0:0 sdb 8:16  10  undef undef  Linux,scsi_debug,0191 unknown\n"
        );
    }

    #[test]
    fn blank_uuid_when_the_wwid_was_not_read() {
        // `multipath -v3 -ll` without a device argument.
        let a = sd("sda", "8:0", "0:0:0:0");
        let out = paths_list(&[ListedPath {
            dev: &a,
            prio: -1,
            wwid: false,
        }]);
        assert_eq!(
            out,
            "===== paths list =====\n\
             uuid hcil    dev dev_t pri dm_st chk_st vend/prod/rev         dev_st \n     \
             0:0:0:0 sda 8:0   -1  undef undef  Linux,scsi_debug,0191 unknown\n"
        );
        assert_eq!(paths_list(&[]), "===== no paths =====\n");
    }
}
