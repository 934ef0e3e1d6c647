//! Which value applies to a path or map, and where it came from.
//!
//! The chain is multipaths > overrides (protocol subsection first for the
//! transport timeouts) > matching `devices` entries (newest first) >
//! defaults > built-in, with the keywords that skip some levels.

use super::{Attrs, Config};
use conf_parser::Value;
use std::fmt;

/// Where a resolved value came from; `Display` gives the text upstream logs at `-v3`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    CommandLine,
    Multipaths,
    Overrides,
    OverridesProtocol,
    Device,
    Defaults,
    Builtin,
    Autodetected,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Origin::CommandLine => "(setting: multipath command line [-p] flag)",
            Origin::Multipaths => "(setting: multipath.conf multipaths section)",
            Origin::Overrides => "(setting: multipath.conf overrides section)",
            Origin::OverridesProtocol => "(setting: multipath.conf overrides protocol section)",
            Origin::Device => "(setting: storage device configuration)",
            Origin::Defaults => "(setting: multipath.conf defaults/devices section)",
            Origin::Builtin => "(setting: multipath internal)",
            Origin::Autodetected => "(setting: storage device autodetected)",
        })
    }
}

/// What resolution needs to know about a path (or a map's first path).
#[derive(Debug, Clone, Default)]
pub struct PathInfo<'a> {
    pub vendor: &'a str,
    pub product: &'a str,
    pub revision: &'a str,
    /// Transport as upstream names it: `scsi:fcp`, `scsi:iscsi`, `nvme:tcp`, ...
    pub protocol: &'a str,
    pub wwid: &'a str,
}

/// Keywords that have no `multipaths` level.
const NOT_IN_MULTIPATHS: &[&str] = &[
    "uid_attribute",
    "path_checker",
    "alias_prefix",
    "detect_prio",
    "detect_checker",
    "detect_pgpolicy",
    "detect_pgpolicy_use_tpg",
    "retain_attached_hw_handler",
    "all_tg_pt",
    "recheck_wwid",
    "fast_io_fail_tmo",
    "dev_loss_tmo",
    "eh_deadline",
];

/// Keywords the `overrides protocol` subsection can set.
const PROTOCOL_KEYWORDS: &[&str] = &["fast_io_fail_tmo", "dev_loss_tmo", "eh_deadline"];

/// Keywords resolved from `multipaths` and `defaults` only.
const MULTIPATHS_AND_DEFAULTS_ONLY: &[&str] = &["mode", "uid", "gid", "reservation_key"];

impl Config {
    /// The indices of the `devices` entries matching a path, newest first.
    fn device_matches(&self, p: &PathInfo<'_>) -> std::sync::Arc<[usize]> {
        self.hwmatch
            .matching(&self.hwtable, [p.vendor, p.product, p.revision])
    }

    /// The `devices` entries matching a path, newest first.
    pub fn matching_devices(&self, p: &PathInfo<'_>) -> Vec<&Attrs> {
        self.device_matches(p)
            .iter()
            .map(|&i| &self.hwtable[i])
            .collect()
    }

    /// The multipaths entry for a WWID.
    pub fn multipath_entry(&self, wwid: &str) -> Option<&Attrs> {
        self.multipaths
            .iter()
            .rev()
            .find(|m| m.get_str("wwid") == Some(wwid))
    }

    /// [`Config::resolve`] with the value as text (integers in decimal).
    pub fn resolve_text(&self, name: &str, p: &PathInfo<'_>) -> Option<(String, Origin)> {
        self.resolve(name, p).and_then(|(v, o)| {
            let s = match v.as_int() {
                Some(i) => i.to_string(),
                None => v.as_str()?.to_string(),
            };
            Some((s, o))
        })
    }

    /// The value of keyword `name` for path `p`, and where it came from.
    pub fn resolve(&self, name: &str, p: &PathInfo<'_>) -> Option<(Value, Origin)> {
        if !NOT_IN_MULTIPATHS.contains(&name) {
            if let Some(v) = self.multipath_entry(p.wwid).and_then(|m| m.get(name)) {
                return Some((v.clone(), Origin::Multipaths));
            }
        }
        if !MULTIPATHS_AND_DEFAULTS_ONLY.contains(&name) {
            if PROTOCOL_KEYWORDS.contains(&name) {
                let proto = self
                    .protocols
                    .iter()
                    .rev()
                    .find(|a| a.get_str("type") == Some(p.protocol));
                if let Some(v) = proto.and_then(|a| a.get(name)) {
                    return Some((v.clone(), Origin::OverridesProtocol));
                }
            }
            if let Some(v) = self.overrides.get(name) {
                return Some((v.clone(), Origin::Overrides));
            }
            for &i in self.device_matches(p).iter() {
                if let Some(v) = self.hwtable[i].get(name) {
                    return Some((v.clone(), Origin::Device));
                }
            }
        }
        if let Some(v) = self.defaults.get(name) {
            return Some((v.clone(), Origin::Defaults));
        }
        self.default_value(name).map(|v| (v, Origin::Builtin))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = r#"
defaults {
	no_path_retry 5
	path_checker directio
	mode 0600
}
devices {
	device {
		vendor "ACME"
		product "^DISK"
		no_path_retry 7
		prio alua
		fast_io_fail_tmo 9
	}
	device {
		vendor "ACME"
		product "DISK2"
		prio emc
	}
}
overrides {
	failback 30
	dev_loss_tmo 60
	protocol {
		type "scsi:iscsi"
		dev_loss_tmo 120
	}
}
multipaths {
	multipath {
		wwid 3600a
		no_path_retry queue
		failback immediate
		mode 0644
	}
}
"#;

    fn path<'a>(product: &'a str, protocol: &'a str, wwid: &'a str) -> PathInfo<'a> {
        PathInfo {
            vendor: "ACME",
            product,
            revision: "0001",
            protocol,
            wwid,
        }
    }

    #[test]
    fn precedence_and_origin() {
        let c = Config::from_str_with("t.conf", CONF);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let p = path("DISK2", "scsi:fcp", "3600a");
        // multipaths beat everything below them.
        assert_eq!(
            c.resolve("no_path_retry", &p),
            Some((Value::word("queue"), Origin::Multipaths))
        );
        assert_eq!(
            c.resolve("failback", &p),
            Some((Value::word("immediate"), Origin::Multipaths))
        );
        // path_checker has no multipaths level: defaults win over built-in.
        assert_eq!(
            c.resolve("path_checker", &p),
            Some((Value::word("directio"), Origin::Defaults))
        );
        // Newest matching device entry first, older ones fill the rest.
        assert_eq!(
            c.resolve("prio", &p),
            Some((Value::word("emc"), Origin::Device))
        );
        assert_eq!(
            c.resolve("fast_io_fail_tmo", &p),
            Some((Value::Int(9), Origin::Device))
        );
        // The protocol subsection applies only to its transport.
        assert_eq!(
            c.resolve("dev_loss_tmo", &p),
            Some((Value::Int(60), Origin::Overrides))
        );
        let iscsi = path("DISK2", "scsi:iscsi", "3600b");
        assert_eq!(
            c.resolve("dev_loss_tmo", &iscsi),
            Some((Value::Int(120), Origin::OverridesProtocol))
        );
        // overrides beat devices; devices beat defaults.
        assert_eq!(
            c.resolve("failback", &iscsi),
            Some((Value::Int(30), Origin::Overrides))
        );
        assert_eq!(
            c.resolve("no_path_retry", &iscsi),
            Some((Value::Int(7), Origin::Device))
        );
        // mode: multipaths, then defaults, never devices or overrides.
        assert_eq!(
            c.resolve("mode", &p),
            Some((Value::Bare("0644".into()), Origin::Multipaths))
        );
        assert_eq!(
            c.resolve("mode", &iscsi),
            Some((Value::Bare("0600".into()), Origin::Defaults))
        );
        // Nothing set anywhere: the built-in value.
        assert_eq!(
            c.resolve("path_selector", &p),
            Some((Value::word("service-time 0"), Origin::Builtin))
        );
        // No matching device: defaults.
        let other = PathInfo {
            vendor: "OTHER",
            product: "X",
            ..Default::default()
        };
        assert_eq!(
            c.resolve("no_path_retry", &other),
            Some((Value::Int(5), Origin::Defaults))
        );
    }

    #[test]
    fn device_matches_follow_table_changes() {
        let mut c = Config::from_str_with("t.conf", CONF);
        let p = path("DISK2", "scsi:fcp", "");
        let newer = PathInfo {
            revision: "0002",
            ..p.clone()
        };
        // Asked twice (the second answer from the cache), then the table
        // grows: the new entry applies at once.
        for _ in 0..2 {
            assert_eq!(c.matching_devices(&p).len(), 2);
            assert_eq!(c.matching_devices(&newer).len(), 2);
        }
        c.apply(conf_parser::parse_str(
            "u.conf",
            "devices {\n\tdevice {\n\t\tvendor \"AC.E\"\n\t\tproduct \"DISK\"\n\t\trevision \"2$\"\n\t\tprio const\n\t}\n}\n",
        ));
        assert_eq!(c.matching_devices(&p).len(), 2);
        assert_eq!(c.matching_devices(&newer).len(), 3);
        for (info, prio) in [(&newer, "const"), (&p, "emc")] {
            let want = Some((Value::word(prio), Origin::Device));
            assert_eq!(c.resolve("prio", info), want);
        }
    }

    #[test]
    fn builtin_hwtable_applies() {
        let c = Config::builtin();
        let netapp = PathInfo {
            vendor: "NETAPP",
            product: "LUN C-Mode",
            ..Default::default()
        };
        assert_eq!(
            c.resolve("prio", &netapp),
            Some((Value::word("ontap"), Origin::Device))
        );
        assert_eq!(
            c.resolve("no_path_retry", &netapp),
            Some((Value::word("queue"), Origin::Device))
        );
        assert_eq!(
            c.resolve("dev_loss_tmo", &netapp),
            Some((Value::word("infinity"), Origin::Device))
        );
        let lio = PathInfo {
            vendor: "LIO-ORG",
            product: "disk0",
            ..Default::default()
        };
        assert_eq!(
            c.resolve("path_checker", &lio),
            Some((Value::word("directio"), Origin::Device))
        );
        assert_eq!(
            Origin::Device.to_string(),
            "(setting: storage device configuration)"
        );
    }
}
