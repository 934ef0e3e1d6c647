//! The configuration limited to what this host uses, as `multipath -T` and
//! `multipathd show config local` print it (the reference's `snprint_config`
//! with the used hardware entries and the existing maps):
//!
//! - `devices`: the hardware table entries the paths match, path after path
//!   and, for one path, in table order; each entry once.
//! - `multipaths` (printed when the configuration has `multipaths` entries
//!   or a map exists, so possibly empty): first every configured entry whose
//!   WWID has a map, in `multipath -t`'s order (by WWID), with its keywords;
//!   then, for every map without an entry, an entry with just its `wwid`.
//!   Both end with a `# alias "<name>"` comment line when the map's name is
//!   not its WWID (also when the entry sets that alias).

use super::dump::{self, head};
use super::{Attrs, Config, PathInfo};
use conf_parser::keywords::Section;
use std::fmt::Write;

/// A multipath map that exists (in the kernel, or in the daemon's state).
#[derive(Debug, Clone, Copy)]
pub struct LocalMap<'a> {
    pub wwid: &'a str,
    /// The map's name: its alias, or the WWID.
    pub name: &'a str,
}

/// The hardware table entries the paths use (see the module documentation).
fn used_hwes<'c>(cfg: &'c Config, paths: &[PathInfo<'_>]) -> Vec<&'c Attrs> {
    let mut used: Vec<&Attrs> = Vec::new();
    for p in paths {
        // Newest first: reversed, table order.
        for e in cfg.matching_devices(p).into_iter().rev() {
            if !used.iter().any(|u| std::ptr::eq(*u, e)) {
                used.push(e);
            }
        }
    }
    used
}

/// The closing lines of a `multipath` subsection for map `m`.
fn close(out: &mut String, m: &LocalMap<'_>) {
    if m.name != m.wwid {
        let _ = writeln!(out, "\t\t# alias \"{}\"", m.name);
    }
    out.push_str("\t}\n");
}

/// `cfg` in `multipath.conf` syntax, its `devices` section limited to the
/// entries `paths` use and its `multipaths` section to `maps`.
pub fn dump_local(cfg: &Config, paths: &[PathInfo<'_>], maps: &[LocalMap<'_>]) -> String {
    let mut out = head(cfg, used_hwes(cfg, paths));
    if cfg.multipaths.is_empty() && maps.is_empty() {
        return out;
    }
    let map_of = |wwid: Option<&str>| maps.iter().find(|m| Some(m.wwid) == wwid);
    out.push_str("multipaths {\n");
    for e in &cfg.multipaths {
        if let Some(m) = map_of(e.get_str("wwid")) {
            out.push_str("\tmultipath {\n");
            dump::attrs(&mut out, 2, Section::Multipath, e);
            close(&mut out, m);
        }
    }
    for m in maps {
        if cfg.multipath_entry(m.wwid).is_none() {
            let _ = writeln!(out, "\tmultipath {{\n\t\twwid \"{}\"", m.wwid);
            close(&mut out, m);
        }
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info<'a>(vendor: &'a str, product: &'a str, wwid: &'a str) -> PathInfo<'a> {
        PathInfo {
            vendor,
            product,
            revision: "0001",
            protocol: "scsi:fcp",
            wwid,
        }
    }

    /// What follows the `devices {` line.
    fn tail(out: &str) -> &str {
        out.split_once("\ndevices {\n").unwrap().1
    }

    const CONF: &str = r#"
devices {
	device {
		vendor "ACME"
		product "Disk"
		no_path_retry 12
	}
	device {
		vendor "ZETA"
		product ".*"
		failback "manual"
	}
	device {
		vendor "ZETA"
		product "Big"
		path_checker "tur"
	}
}
multipaths {
	multipath {
		wwid "3600b"
		alias "red"
		no_path_retry "queue"
	}
	multipath {
		wwid "3600a"
	}
	multipath {
		wwid "3600c"
		alias "unused"
	}
}
"#;

    #[test]
    fn same_head_as_the_full_dump() {
        let cfg = Config::from_str_with("/etc/multipath.conf", CONF);
        let full = dump::dump(&cfg);
        let local = dump_local(&cfg, &[], &[]);
        assert_eq!(
            local.split_once("\ndevices {\n").unwrap().0,
            full.split_once("\ndevices {\n").unwrap().0
        );
    }

    #[test]
    fn used_entries_and_maps() {
        let cfg = Config::from_str_with("/etc/multipath.conf", CONF);
        assert!(cfg.diagnostics.is_empty(), "{:?}", cfg.diagnostics);
        // A ZETA path first: both ZETA entries (table order), then ACME's.
        let paths = [
            info("ZETA", "Big", "3600a"),
            info("ACME", "Disk", "3600b"),
            info("ACME", "Disk", "3600d"),
            info("OTHER", "Thing", "3600e"),
        ];
        let maps = [
            LocalMap {
                wwid: "3600d",
                name: "mpatha",
            },
            LocalMap {
                wwid: "3600b",
                name: "red",
            },
            LocalMap {
                wwid: "3600a",
                name: "3600a",
            },
        ];
        let out = dump_local(&cfg, &paths, &maps);
        assert_eq!(
            tail(&out),
            "\
\tdevice {
\t\tvendor \"ZETA\"
\t\tproduct \".*\"
\t\tfailback \"manual\"
\t}
\tdevice {
\t\tvendor \"ZETA\"
\t\tproduct \"Big\"
\t\tpath_checker \"tur\"
\t}
\tdevice {
\t\tvendor \"ACME\"
\t\tproduct \"Disk\"
\t\tno_path_retry 12
\t}
}
overrides {
}
multipaths {
\tmultipath {
\t\twwid \"3600a\"
\t}
\tmultipath {
\t\twwid \"3600b\"
\t\talias \"red\"
\t\tno_path_retry \"queue\"
\t\t# alias \"red\"
\t}
\tmultipath {
\t\twwid \"3600d\"
\t\t# alias \"mpatha\"
\t}
}
"
        );
    }

    #[test]
    fn configured_entries_without_maps_leave_an_empty_section() {
        let cfg = Config::from_str_with("/etc/multipath.conf", CONF);
        let out = dump_local(&cfg, &[], &[]);
        assert_eq!(tail(&out), "}\noverrides {\n}\nmultipaths {\n}\n");
        // No entries, no maps: no section.
        let cfg = Config::from_str_with("/etc/multipath.conf", "");
        let out = dump_local(&cfg, &[], &[]);
        assert_eq!(tail(&out), "}\noverrides {\n}\n");
    }
}
