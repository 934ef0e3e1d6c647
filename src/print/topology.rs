//! The topology block of `multipath`, `multipath -l/-ll` and `multipathd
//! show topology`:
//!
//! ```text
//! mpatha (360014054a1b...) dm-0 LIO-ORG,disk0
//! size=64M features='0' hwhandler='1 alua' wp=rw
//! |-+- policy='service-time 0' prio=50 status=active
//! | `- 2:0:0:0 sda 8:0  active ready running
//! `-+- policy='service-time 0' prio=10 status=enabled
//!   `- 3:0:0:0 sdb 8:16 active ready running
//! ```
//!
//! Path columns are padded to the widest value among the paths printed
//! together (one map for `multipath`); the last column is not padded.

use std::fmt::Write;

/// A map as printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopoMap {
    /// DM name (alias or WWID).
    pub name: String,
    pub wwid: String,
    /// `dm-N`, or `undef` before the map exists.
    pub sysfs: String,
    /// `vendor,product` of the first path.
    pub vendor_product: String,
    /// Size in 512-byte sectors.
    pub size: u64,
    /// Features and hardware handler with their counts: `0`, `1 queue_if_no_path`.
    pub features: String,
    pub hwhandler: String,
    /// `rw`, `ro` or `undef`.
    pub wp: String,
    pub groups: Vec<TopoGroup>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopoGroup {
    /// `service-time 0`.
    pub selector: String,
    pub prio: i32,
    /// `active`, `enabled`, `disabled` or `undef`.
    pub status: String,
    pub paths: Vec<TopoPath>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopoPath {
    pub hcil: String,
    pub dev: String,
    pub dev_t: String,
    /// DM state: `active`, `failed`, `undef`.
    pub dm_state: String,
    /// Checker state: `ready`, `faulty`, `ghost`, ..., `undef`.
    pub chk_state: String,
    /// SCSI device state: `running`, `offline`, ...
    pub dev_state: String,
}

impl TopoPath {
    fn columns(&self) -> [&str; 6] {
        [
            &self.hcil,
            &self.dev,
            &self.dev_t,
            &self.dm_state,
            &self.chk_state,
            &self.dev_state,
        ]
    }
}

/// Column widths over a set of paths.
pub fn path_widths<'a>(paths: impl IntoIterator<Item = &'a TopoPath>) -> [usize; 6] {
    let mut w = [0usize; 6];
    for p in paths {
        for (i, c) in p.columns().iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    w
}

impl TopoMap {
    /// The first line: `[<action>: ]<name>[ (<wwid>)] <sysfs> <vendor,product>`.
    pub fn header(&self, action: Option<&str>) -> String {
        let mut s = String::new();
        if let Some(a) = action {
            let _ = write!(s, "{a}: ");
        }
        s.push_str(&self.name);
        if self.name != self.wwid {
            let _ = write!(s, " ({})", self.wwid);
        }
        let _ = write!(s, " {} {}", self.sysfs, self.vendor_product);
        s
    }

    /// The whole block at verbosity 2 and up, with the path column widths
    /// computed over this map's paths.
    pub fn render(&self, action: Option<&str>) -> String {
        let w = path_widths(self.groups.iter().flat_map(|g| &g.paths));
        self.render_with(action, &w)
    }

    /// The whole block with the given path column widths.
    pub fn render_with(&self, action: Option<&str>, w: &[usize; 6]) -> String {
        self.block(self.header(action), &super::size(self.size), w, false)
    }

    /// The block of a map of foreign library `library` (`nvme`): the header
    /// is `<wwid> [<library>]:<device> <vendor,product,revision>` and the
    /// size is printed in sectors, as the library reports it, and the last
    /// path column is padded too.
    pub fn render_foreign(&self, library: &str) -> String {
        let w = path_widths(self.groups.iter().flat_map(|g| &g.paths));
        self.render_foreign_with(library, &w)
    }

    /// [`TopoMap::render_foreign`] with the given path column widths
    /// (`multipathd show topology` pads over every map it prints).
    pub fn render_foreign_with(&self, library: &str, w: &[usize; 6]) -> String {
        let header = format!(
            "{} [{library}]:{} {}",
            self.wwid, self.sysfs, self.vendor_product
        );
        self.block(header, &self.size.to_string(), w, true)
    }

    fn block(&self, header: String, size: &str, w: &[usize; 6], pad_last: bool) -> String {
        let mut s = header;
        s.push('\n');
        let _ = writeln!(
            s,
            "size={size} features='{}' hwhandler='{}' wp={}",
            self.features, self.hwhandler, self.wp
        );
        let ng = self.groups.len();
        for (gi, g) in self.groups.iter().enumerate() {
            let last_g = gi + 1 == ng;
            let _ = writeln!(
                s,
                "{}-+- policy='{}' prio={} status={}",
                if last_g { '`' } else { '|' },
                g.selector,
                g.prio,
                g.status
            );
            let np = g.paths.len();
            for (pi, p) in g.paths.iter().enumerate() {
                s.push(if last_g { ' ' } else { '|' });
                s.push_str(if pi + 1 == np { " `- " } else { " |- " });
                let cols = p.columns();
                for (i, c) in cols.iter().enumerate() {
                    if i + 1 == cols.len() {
                        let _ = write!(s, "{c:<width$}", width = if pad_last { w[i] } else { 0 });
                    } else {
                        let _ = write!(s, "{c:<width$} ", width = w[i]);
                    }
                }
                s.push('\n');
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(hcil: &str, dev: &str, dev_t: &str, dm: &str, chk: &str) -> TopoPath {
        TopoPath {
            hcil: hcil.into(),
            dev: dev.into(),
            dev_t: dev_t.into(),
            dm_state: dm.into(),
            chk_state: chk.into(),
            dev_state: "running".into(),
        }
    }

    fn group(prio: i32, status: &str, paths: Vec<TopoPath>) -> TopoGroup {
        TopoGroup {
            selector: "service-time 0".into(),
            prio,
            status: status.into(),
            paths,
        }
    }

    #[test]
    fn two_groups_as_the_reference_prints_them() {
        // Captured from multipath-tools 0.15.1 (tests/vm 30-sd-4x16).
        let m = TopoMap {
            name: "mpatha".into(),
            wwid: "1Linux_scsi_debug_2000".into(),
            sysfs: "dm-0".into(),
            vendor_product: "Linux,scsi_debug".into(),
            size: 131072,
            features: "0".into(),
            hwhandler: "1 alua".into(),
            wp: "rw".into(),
            groups: vec![
                group(
                    50,
                    "enabled",
                    vec![
                        path("0:0:0:0", "sda", "8:0", "active", "ready"),
                        path("3:0:0:0", "sdaw", "67:0", "active", "ready"),
                    ],
                ),
                group(
                    10,
                    "enabled",
                    vec![path("1:0:0:0", "sdq", "65:0", "active", "ready")],
                ),
                group(
                    1,
                    "enabled",
                    vec![path("2:0:0:0", "sdag", "66:0", "active", "ready")],
                ),
            ],
        };
        assert_eq!(
            m.render(None),
            "mpatha (1Linux_scsi_debug_2000) dm-0 Linux,scsi_debug
size=64M features='0' hwhandler='1 alua' wp=rw
|-+- policy='service-time 0' prio=50 status=enabled
| |- 0:0:0:0 sda  8:0  active ready running
| `- 3:0:0:0 sdaw 67:0 active ready running
|-+- policy='service-time 0' prio=10 status=enabled
| `- 1:0:0:0 sdq  65:0 active ready running
`-+- policy='service-time 0' prio=1 status=enabled
  `- 2:0:0:0 sdag 66:0 active ready running
"
        );
    }

    #[test]
    fn create_header_and_alias_equal_to_wwid() {
        let m = TopoMap {
            name: "1Linux_scsi_debug_2000".into(),
            wwid: "1Linux_scsi_debug_2000".into(),
            sysfs: "undef".into(),
            vendor_product: "Linux,scsi_debug".into(),
            ..TopoMap::default()
        };
        assert_eq!(
            m.header(Some("create")),
            "create: 1Linux_scsi_debug_2000 undef Linux,scsi_debug"
        );
    }

    #[test]
    fn faulty_widens_the_checker_column() {
        let m = TopoMap {
            name: "m".into(),
            wwid: "w".into(),
            groups: vec![group(
                1,
                "active",
                vec![
                    path("1:0:0:1", "sdb", "8:16", "active", "ready"),
                    path("2:0:0:1", "sdc", "8:32", "failed", "faulty"),
                ],
            )],
            ..TopoMap::default()
        };
        let out = m.render(None);
        assert!(
            out.contains("| |- 1:0:0:1 sdb 8:16 active ready  running\n")
                || out.contains("  |- 1:0:0:1 sdb 8:16 active ready  running\n"),
            "{out}"
        );
        assert!(
            out.contains("  `- 2:0:0:1 sdc 8:32 failed faulty running\n"),
            "{out}"
        );
    }
}
