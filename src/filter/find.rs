//! `find_multipaths`: which non-blacklisted devices become multipath paths.
//!
//! Two questions, answered by pure functions over facts the caller gathers:
//!
//! - [`path_validity`]: "should this device be claimed as a multipath path?"
//!   (`multipath -c dev` / `multipath -u`, used by the udev rules).
//! - [`should_create`]: "should a map be set up for this WWID?" (plain
//!   `multipath`, and multipathd for a new path).
//!
//! Modes (multipath.conf(5) `find_multipaths`; stored by the configuration as
//! `strict`, `off`, `on`, `greedy`, `smart`; `no`/`0` = off, `yes`/`1` = on):
//!
//! | mode | `-c`/`-u` | creating maps |
//! |---|---|---|
//! | strict | wwids file (or existing map) | wwids file only |
//! | off | like strict | every non-blacklisted WWID (*inferred*) |
//! | on | like strict | wwids file, an existing map, or >= 2 paths |
//! | greedy | every non-blacklisted device | every non-blacklisted WWID |
//! | smart | like on; a single new path is "maybe" for `find_multipaths_timeout` | like on |
//!
//! `-i` (ignore the wwids file) turns strict and on into smart, off into
//! greedy, and leaves greedy and smart alone (multipath(8) `-i`; upstream
//! inventory §1) — see [`FindMode::ignoring_wwids`].

use crate::config::{Config, PathInfo};

/// The `find_multipaths` mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FindMode {
    /// The built-in default.
    #[default]
    Strict,
    Off,
    On,
    Greedy,
    Smart,
}

impl FindMode {
    /// A configuration word: the stored forms and their aliases
    /// (`no`/`0` = off, `yes`/`1` = on).
    pub fn parse(word: &str) -> Option<FindMode> {
        Some(match word {
            "strict" => FindMode::Strict,
            "off" | "no" | "0" => FindMode::Off,
            "on" | "yes" | "1" => FindMode::On,
            "greedy" => FindMode::Greedy,
            "smart" => FindMode::Smart,
            _ => return None,
        })
    }

    /// The configured mode (`defaults` section, else built in); an
    /// unreadable value falls back to the built-in strict.
    pub fn from_config(cfg: &Config) -> FindMode {
        cfg.default_value("find_multipaths")
            .as_ref()
            .and_then(|v| v.as_str())
            .and_then(FindMode::parse)
            .unwrap_or_default()
    }

    /// The mode with `-i` applied: strict and on become smart, off becomes
    /// greedy, greedy and smart stay.
    pub fn ignoring_wwids(self) -> FindMode {
        match self {
            FindMode::Strict | FindMode::On => FindMode::Smart,
            FindMode::Off => FindMode::Greedy,
            m => m,
        }
    }

    /// The word `multipath -t` prints.
    pub fn as_str(self) -> &'static str {
        match self {
            FindMode::Strict => "strict",
            FindMode::Off => "off",
            FindMode::On => "on",
            FindMode::Greedy => "greedy",
            FindMode::Smart => "smart",
        }
    }
}

/// The built-in `find_multipaths_timeout` (multipath.conf(5)).
pub const DEFAULT_FIND_MULTIPATHS_TIMEOUT: i64 = -10;
/// What unknown hardware waits when the timeout is negative.
pub const UNKNOWN_HARDWARE_TIMEOUT: u64 = 1;

/// Seconds a smart-mode single path waits for a sibling
/// (multipath.conf(5) `find_multipaths_timeout`): a positive value applies to
/// every device; a negative one applies (as its absolute value) to devices
/// with an entry in the hardware table (built in or a `device` section),
/// other devices wait 1 second; 0 means the built-in -10.
pub fn effective_timeout(configured: i64, known_hardware: bool) -> u64 {
    let v = if configured == 0 {
        DEFAULT_FIND_MULTIPATHS_TIMEOUT
    } else {
        configured
    };
    if v > 0 || known_hardware {
        v.unsigned_abs()
    } else {
        UNKNOWN_HARDWARE_TIMEOUT
    }
}

/// [`effective_timeout`] for a path, from the configuration: known hardware
/// is a path that matches any `devices` entry.
pub fn timeout_for(cfg: &Config, path: &PathInfo<'_>) -> u64 {
    let configured = cfg
        .default_value("find_multipaths_timeout")
        .and_then(|v| v.as_int())
        .unwrap_or(DEFAULT_FIND_MULTIPATHS_TIMEOUT);
    effective_timeout(configured, !cfg.matching_devices(path).is_empty())
}

/// What `multipath -c`/`-u` know about a device. Every flag defaults to
/// false, so a test or caller sets only what is true.
#[derive(Debug, Clone, Copy, Default)]
pub struct ValidityInput<'a> {
    /// The mode, with `-i` already applied.
    pub mode: FindMode,
    /// The device's WWID (empty: none could be read).
    pub wwid: &'a str,
    /// The device is already a path of a multipath map (a dm-multipath
    /// device holds it, seen in sysfs).
    pub multipathed: bool,
    /// `-u` (called from udev) rather than `-c`: multipathd must be running.
    pub for_udev: bool,
    /// multipathd answers on its socket (a connection that would block
    /// counts as running).
    pub daemon_running: bool,
    /// udev says `DEVTYPE=disk` (partitions and the like are not paths).
    pub is_disk: bool,
    /// The blacklist rejects the device ([`Verdict::is_blacklisted`](super::Verdict::is_blacklisted)).
    pub blacklisted: bool,
    /// A `failed_wwids` marker exists for the WWID (map creation failed).
    pub failed: bool,
    /// The device is in use by something else (holders, or mounted so it
    /// cannot be opened exclusively). Only looked at in greedy and smart mode.
    pub in_use: bool,
    /// The WWID is in the wwids file.
    pub in_wwids_file: bool,
    /// A multipath map with this WWID exists.
    pub has_map: bool,
    /// The device was already released to the system: its udev data has
    /// `DM_MULTIPATH_DEVICE_PATH=0`.
    pub released: bool,
    /// Other devices with the same WWID (smart mode). *Inferred:* upstream
    /// counts every other discovered device with this WWID here, without the
    /// blacklist beyond the device-node rule.
    pub sibling_paths: usize,
    /// The smart-mode wait ([`effective_timeout`]).
    pub timeout_secs: u64,
}

/// The answer to "should this device be a multipath path?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    /// `DM_MULTIPATH_DEVICE_PATH="1"`.
    Valid,
    /// `DM_MULTIPATH_DEVICE_PATH="0"`.
    Invalid,
    /// Smart mode, a single path so far: claim it and wait up to
    /// `timeout_secs` for a sibling (`DM_MULTIPATH_DEVICE_PATH="2"` while the
    /// wait lasts; see [`udev_answer`](super::udev_answer)).
    Maybe { timeout_secs: u64 },
    /// The facts contradict each other (already a multipath path but no
    /// WWID); upstream treats it as an internal error: no answer, exit 1.
    Error,
}

/// Which rule decided (for `-v3` logs and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    AlreadyMultipathed,
    DaemonNotRunning,
    NotADisk,
    Blacklisted,
    NoWwid,
    FailedWwid,
    InUse,
    Greedy,
    InWwidsFile,
    HasMap,
    /// strict, off and on: not in the wwids file and no map.
    NotKnown,
    ReleasedToSystemd,
    SiblingPaths,
    WaitingForSiblings,
}

/// [`path_validity_why`] without the reason.
pub fn path_validity(i: &ValidityInput<'_>) -> Validity {
    path_validity_why(i).0
}

/// The decision of `multipath -c`/`-u` before the smart-mode timer, and the
/// rule that made it. Rules in order (upstream tests/valid.c unless noted):
///
/// 1. Already a path of a multipath map: valid, nothing else is checked
///    (no WWID: error).
/// 2. `-u` and multipathd not running: invalid (also multipath(8)).
/// 3. Not a whole disk: invalid.
/// 4. Blacklisted: invalid.
/// 5. No WWID: invalid.
/// 6. `failed_wwids` marker: invalid (also multipath.conf(5) / inventory §5.4).
/// 7. greedy or smart and the device is in use: invalid.
/// 8. greedy: valid.
/// 9. In the wwids file: valid, and step 12 is skipped.
/// 10. A map with this WWID exists: valid.
/// 11. strict, off, on: invalid ("act like strict", multipath.conf(5)).
/// 12. A valid (8, 10) or maybe answer for a device already released to
///     systemd (`DM_MULTIPATH_DEVICE_PATH=0` in its udev data) becomes
///     invalid (inventory §1 `-u`; applied to `-c` too, *inferred*).
/// 13. smart: valid if another device has the same WWID, else maybe
///     (multipath.conf(5) `smart`; the sibling count is *inferred*).
pub fn path_validity_why(i: &ValidityInput<'_>) -> (Validity, Reason) {
    use Validity::*;
    if i.multipathed {
        return if i.wwid.is_empty() {
            (Error, Reason::NoWwid)
        } else {
            (Valid, Reason::AlreadyMultipathed)
        };
    }
    let early = [
        (i.for_udev && !i.daemon_running, Reason::DaemonNotRunning),
        (!i.is_disk, Reason::NotADisk),
        (i.blacklisted, Reason::Blacklisted),
        (i.wwid.is_empty(), Reason::NoWwid),
        (i.failed, Reason::FailedWwid),
        (
            matches!(i.mode, FindMode::Greedy | FindMode::Smart) && i.in_use,
            Reason::InUse,
        ),
    ];
    if let Some((_, why)) = early.iter().find(|(hit, _)| *hit) {
        return (Invalid, *why);
    }
    let checked = if i.mode == FindMode::Greedy {
        Reason::Greedy
    } else if i.in_wwids_file {
        return (Valid, Reason::InWwidsFile);
    } else if i.has_map {
        Reason::HasMap
    } else if i.mode != FindMode::Smart {
        return (Invalid, Reason::NotKnown);
    } else {
        Reason::WaitingForSiblings
    };
    if i.released {
        return (Invalid, Reason::ReleasedToSystemd);
    }
    match checked {
        Reason::WaitingForSiblings if i.sibling_paths > 0 => (Valid, Reason::SiblingPaths),
        Reason::WaitingForSiblings => (
            Maybe {
                timeout_secs: i.timeout_secs,
            },
            checked,
        ),
        _ => (Valid, checked),
    }
}

/// What plain `multipath` (and multipathd for a new path) knows about one
/// WWID when deciding whether to set up its map.
#[derive(Debug, Clone, Copy, Default)]
pub struct CreateInput<'a> {
    /// The mode, with `-i` already applied.
    pub mode: FindMode,
    pub wwid: &'a str,
    /// Non-blacklisted paths found with this WWID.
    pub paths: usize,
    /// The WWID is in the wwids file.
    pub in_wwids_file: bool,
    /// A multipath map with this WWID exists already.
    pub has_map: bool,
    /// The user named a device (or WWID) on the command line and this WWID
    /// is the one it resolved to.
    pub device_given: bool,
}

/// Whether a map should be set up (or kept) for a WWID. Rules:
///
/// 1. No WWID or no path: no (*inferred*: nothing to group).
/// 2. The user named the device on the command line: yes, whatever the mode
///    (Red Hat DM Multipath guide on `find_multipaths yes`: "the user manually
///    forces the creation of the device by specifying a device with the
///    multipath command"; upstream does not consult find_multipaths when the
///    scope is limited to one WWID, *inferred*).
/// 3. greedy: yes (multipath.conf(5)). off: yes (*inferred*: upstream's map
///    creation treats off like greedy; multipath.conf(5) says multipathd
///    behaves like greedy, and "multipath behaves like strict" there is about
///    the udev check, see [`path_validity`]).
/// 4. on and smart: yes if a map with this WWID exists (*inferred*), or at
///    least two paths have it (multipath.conf(5) `yes`), else as strict.
/// 5. strict (and the fall-through of 4): yes if the WWID is in the wwids
///    file (multipath.conf(5) `strict`).
///
/// The `failed_wwids` markers play no part here: they only stop the udev
/// check from claiming paths.
pub fn should_create(i: &CreateInput<'_>) -> bool {
    if i.wwid.is_empty() || i.paths == 0 {
        return false;
    }
    if i.device_given {
        return true;
    }
    match i.mode {
        FindMode::Greedy | FindMode::Off => true,
        FindMode::On | FindMode::Smart if i.has_map || i.paths >= 2 => true,
        _ => i.in_wwids_file,
    }
}

#[cfg(test)]
#[path = "find_tests.rs"]
mod tests;
