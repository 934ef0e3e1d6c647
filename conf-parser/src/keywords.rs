//! The keyword table: every multipath.conf keyword, the sections that accept
//! it, the kind of value it takes, and the order in which sections print.
//!
//! This is the one place that knows the grammar's vocabulary; the parser,
//! the config model, the dump writer and `mpathconf` all ask it.

/// A section (or subsection) of multipath.conf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    /// The file's top level.
    Top,
    Defaults,
    Blacklist,
    BlacklistExceptions,
    /// `device { }` inside `blacklist` or `blacklist_exceptions`.
    BlacklistDevice,
    Devices,
    /// `device { }` inside `devices`.
    Device,
    Overrides,
    /// `protocol { }` inside `overrides`.
    Protocol,
    Multipaths,
    /// `multipath { }` inside `multipaths`.
    Multipath,
}

impl Section {
    /// The keyword that opens this section, as written in the file.
    pub fn name(self) -> &'static str {
        match self {
            Section::Top => "",
            Section::Defaults => "defaults",
            Section::Blacklist => "blacklist",
            Section::BlacklistExceptions => "blacklist_exceptions",
            Section::BlacklistDevice | Section::Device => "device",
            Section::Devices => "devices",
            Section::Overrides => "overrides",
            Section::Protocol => "protocol",
            Section::Multipaths => "multipaths",
            Section::Multipath => "multipath",
        }
    }

    /// The subsection opened by keyword `name` inside `self`, if any.
    pub fn child(self, name: &str) -> Option<Section> {
        Some(match (self, name) {
            (Section::Top, "defaults") => Section::Defaults,
            (Section::Top, "blacklist") => Section::Blacklist,
            (Section::Top, "blacklist_exceptions") => Section::BlacklistExceptions,
            (Section::Top, "devices") => Section::Devices,
            (Section::Top, "overrides") => Section::Overrides,
            (Section::Top, "multipaths") => Section::Multipaths,
            (Section::Blacklist | Section::BlacklistExceptions, "device") => {
                Section::BlacklistDevice
            }
            (Section::Devices, "device") => Section::Device,
            (Section::Overrides, "protocol") => Section::Protocol,
            (Section::Multipaths, "multipath") => Section::Multipath,
            _ => return None,
        })
    }

    /// Human name used in diagnostics.
    pub fn describe(self) -> &'static str {
        match self {
            Section::Top => "top level",
            Section::Defaults => "defaults section",
            Section::Blacklist => "blacklist section",
            Section::BlacklistExceptions => "blacklist_exceptions section",
            Section::BlacklistDevice => "blacklist device subsection",
            Section::Devices => "devices section",
            Section::Device => "device subsection",
            Section::Overrides => "overrides section",
            Section::Protocol => "overrides protocol subsection",
            Section::Multipaths => "multipaths section",
            Section::Multipath => "multipath subsection",
        }
    }
}

/// The kind of value a keyword takes. Parsing and printing rules live in
/// [`crate::value`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An integer clamped into `min..=max`.
    Int { min: i64, max: i64 },
    /// An integer clamped to at least `min`; zero means unset.
    IntZeroUnset { min: i64 },
    /// `polling_interval`: positive seconds.
    PollingInterval,
    /// `max_polling_interval`: positive seconds, 0 unsets.
    MaxPollingInterval,
    /// `find_multipaths_timeout`: any integer, 0 unsets.
    FindMultipathsTimeout,
    /// A path grouping policy; a value starting with a policy name selects it.
    PgPolicy,
    /// A transport name (`overrides protocol type`).
    ProtocolType,
    /// `yes`/`no` (also `1`/`0`).
    Bool,
    /// One of a fixed set of words; `(accepted, stored)` pairs.
    Choice(&'static [(&'static str, &'static str)]),
    /// Any string.
    Str,
    /// A regular expression (blacklist entries, device vendor/product).
    Regex,
    /// `"<n> <feature>..."` where n counts the words after it.
    Features,
    /// `"<selector> <n> [args]"` where n counts the words after it.
    Selector,
    /// `manual`, `immediate`, `followover` or seconds.
    Failback,
    /// `fail`, `queue` or a retry count.
    NoPathRetry,
    /// `off`, `0` or seconds (fast_io_fail_tmo, eh_deadline).
    OffOrInt,
    /// `infinity` or seconds.
    DevLossTmo,
    /// `no`/`0` (off) or a positive count.
    NoOrInt,
    /// `off`, `0`..`5` SCSI retries.
    MaxRetries,
    /// Octal file mode <= 0777.
    Mode,
    /// User name or number.
    Uid,
    /// Group name or number.
    Gid,
    /// `[0x]hex[:aptpl]` or `file`.
    ReservationKey,
    /// A number or `max`.
    MaxFds,
    /// `uid_attrs`: space-separated `subsystem:ATTRIBUTE` records.
    UidAttrs,
    /// `vpd_vendor`: only `hp3par` is known.
    VpdVendor,
    /// `hardware_handler`.
    HwHandler,
    /// A string that must not contain `/` (alias_prefix, partition_delimiter).
    NoSlash,
    /// Accepted for compatibility, has no effect, never printed.
    Ignored,
    /// The keyword opens a subsection.
    Section(Section),
}

/// One keyword of the table.
#[derive(Debug, Clone, Copy)]
pub struct Keyword {
    pub name: &'static str,
    pub kind: Kind,
    /// Deprecated keywords are accepted with a warning.
    pub deprecated: bool,
}

const fn kw(name: &'static str, kind: Kind) -> Keyword {
    Keyword {
        name,
        kind,
        deprecated: false,
    }
}
const fn old(name: &'static str, kind: Kind) -> Keyword {
    Keyword {
        name,
        kind,
        deprecated: true,
    }
}

const UINT: Kind = Kind::Int {
    min: 0,
    max: i32::MAX as i64,
};

pub const PGPOLICIES: &[&str] = &[
    "failover",
    "multibus",
    "group_by_serial",
    "group_by_prio",
    "group_by_node_name",
    "group_by_tpg",
];
const FLUSH: &[(&str, &str)] = &[
    ("always", "always"),
    ("never", "never"),
    ("unused", "unused"),
    ("yes", "always"),
    ("1", "always"),
    ("no", "unused"),
    ("0", "unused"),
];
const LOG_CHECKER_ERR: &[(&str, &str)] = &[("once", "once"), ("always", "always")];
const FIND_MULTIPATHS: &[(&str, &str)] = &[
    ("strict", "strict"),
    ("off", "off"),
    ("no", "off"),
    ("0", "off"),
    ("on", "on"),
    ("yes", "on"),
    ("1", "on"),
    ("greedy", "greedy"),
    ("smart", "smart"),
];
const MARGINAL_PATHGROUPS: &[(&str, &str)] = &[
    ("off", "off"),
    ("no", "off"),
    ("0", "off"),
    ("on", "on"),
    ("yes", "on"),
    ("1", "on"),
    ("fpin", "fpin"),
];
const AUTO_RESIZE: &[(&str, &str)] = &[
    ("never", "never"),
    ("grow_only", "grow_only"),
    ("grow_shrink", "grow_shrink"),
];

/// Every keyword, each listed once. Section membership and print order are in
/// the per-section lists below.
pub static KEYWORDS: &[Keyword] = &[
    kw("verbosity", Kind::Int { min: 0, max: 4 }),
    kw("polling_interval", Kind::PollingInterval),
    kw("max_polling_interval", Kind::MaxPollingInterval),
    kw("reassign_maps", Kind::Bool),
    old("multipath_dir", Kind::Ignored),
    kw("path_selector", Kind::Selector),
    kw("path_grouping_policy", Kind::PgPolicy),
    kw("uid_attrs", Kind::UidAttrs),
    kw("uid_attribute", Kind::Str),
    old("getuid_callout", Kind::Ignored),
    kw("prio", Kind::Str),
    kw("prio_args", Kind::Str),
    kw("features", Kind::Features),
    kw("path_checker", Kind::Str),
    kw("checker", Kind::Str),
    kw("alias_prefix", Kind::NoSlash),
    kw("failback", Kind::Failback),
    old("rr_min_io", Kind::Ignored),
    old("rr_min_io_rq", Kind::Ignored),
    kw("max_fds", Kind::MaxFds),
    old("rr_weight", Kind::Ignored),
    kw("no_path_retry", Kind::NoPathRetry),
    kw("queue_without_daemon", Kind::Bool),
    kw("checker_timeout", Kind::IntZeroUnset { min: 0 }),
    kw("allow_usb_devices", Kind::Bool),
    kw("flush_on_last_del", Kind::Choice(FLUSH)),
    kw("user_friendly_names", Kind::Bool),
    kw("mode", Kind::Mode),
    kw("uid", Kind::Uid),
    kw("gid", Kind::Gid),
    kw("fast_io_fail_tmo", Kind::OffOrInt),
    kw("dev_loss_tmo", Kind::DevLossTmo),
    kw("eh_deadline", Kind::OffOrInt),
    kw("max_retries", Kind::MaxRetries),
    old("bindings_file", Kind::Ignored),
    old("wwids_file", Kind::Ignored),
    old("prkeys_file", Kind::Ignored),
    kw("log_checker_err", Kind::Choice(LOG_CHECKER_ERR)),
    kw("reservation_key", Kind::ReservationKey),
    kw("all_tg_pt", Kind::Bool),
    kw("retain_attached_hw_handler", Kind::Bool),
    kw("detect_prio", Kind::Bool),
    kw("detect_checker", Kind::Bool),
    kw("detect_pgpolicy", Kind::Bool),
    kw("detect_pgpolicy_use_tpg", Kind::Bool),
    kw("force_sync", Kind::Bool),
    kw("strict_timing", Kind::Bool),
    kw("deferred_remove", Kind::Bool),
    kw("partition_delimiter", Kind::NoSlash),
    old("config_dir", Kind::Ignored),
    kw("delay_watch_checks", Kind::NoOrInt),
    kw("delay_wait_checks", Kind::NoOrInt),
    kw("san_path_err_threshold", Kind::NoOrInt),
    kw("san_path_err_forget_rate", Kind::NoOrInt),
    kw("san_path_err_recovery_time", Kind::NoOrInt),
    kw("marginal_path_err_sample_time", Kind::NoOrInt),
    kw("marginal_path_err_rate_threshold", Kind::NoOrInt),
    kw("marginal_path_err_recheck_gap_time", Kind::NoOrInt),
    kw("marginal_path_double_failed_time", Kind::NoOrInt),
    kw("find_multipaths", Kind::Choice(FIND_MULTIPATHS)),
    kw(
        "uxsock_timeout",
        Kind::Int {
            min: 4000,
            max: i32::MAX as i64,
        },
    ),
    kw("retrigger_tries", UINT),
    kw("retrigger_delay", UINT),
    kw("missing_uev_wait_timeout", UINT),
    kw("skip_kpartx", Kind::Bool),
    kw("purge_disconnected", Kind::Bool),
    old("disable_changed_wwids", Kind::Ignored),
    kw("remove_retries", UINT),
    kw("max_sectors_kb", Kind::IntZeroUnset { min: 0 }),
    kw("ghost_delay", Kind::NoOrInt),
    kw("auto_resize", Kind::Choice(AUTO_RESIZE)),
    kw("find_multipaths_timeout", Kind::FindMultipathsTimeout),
    kw("enable_foreign", Kind::Str),
    kw("marginal_pathgroups", Kind::Choice(MARGINAL_PATHGROUPS)),
    kw("recheck_wwid", Kind::Bool),
    // Device, blacklist and multipath identification.
    kw("vendor", Kind::Regex),
    kw("product", Kind::Regex),
    kw("revision", Kind::Regex),
    kw("product_blacklist", Kind::Regex),
    kw("hardware_handler", Kind::HwHandler),
    kw("vpd_vendor", Kind::VpdVendor),
    old("pg_timeout", Kind::Ignored),
    kw("devnode", Kind::Regex),
    kw("wwid", Kind::Str),
    kw("property", Kind::Regex),
    kw("protocol", Kind::Regex),
    kw("alias", Kind::Str),
    kw("type", Kind::ProtocolType),
    // Section openers.
    kw("defaults", Kind::Section(Section::Defaults)),
    kw("blacklist", Kind::Section(Section::Blacklist)),
    kw(
        "blacklist_exceptions",
        Kind::Section(Section::BlacklistExceptions),
    ),
    kw("devices", Kind::Section(Section::Devices)),
    kw("overrides", Kind::Section(Section::Overrides)),
    kw("multipaths", Kind::Section(Section::Multipaths)),
];

/// Keywords of `defaults`, in print order.
pub static DEFAULTS: &[&str] = &[
    "verbosity",
    "polling_interval",
    "max_polling_interval",
    "reassign_maps",
    "multipath_dir",
    "path_selector",
    "path_grouping_policy",
    "uid_attrs",
    "uid_attribute",
    "getuid_callout",
    "prio",
    "prio_args",
    "features",
    "path_checker",
    "checker",
    "alias_prefix",
    "failback",
    "rr_min_io",
    "rr_min_io_rq",
    "max_fds",
    "rr_weight",
    "no_path_retry",
    "queue_without_daemon",
    "checker_timeout",
    "allow_usb_devices",
    "flush_on_last_del",
    "user_friendly_names",
    "mode",
    "uid",
    "gid",
    "fast_io_fail_tmo",
    "dev_loss_tmo",
    "eh_deadline",
    "max_retries",
    "bindings_file",
    "wwids_file",
    "prkeys_file",
    "log_checker_err",
    "reservation_key",
    "all_tg_pt",
    "retain_attached_hw_handler",
    "detect_prio",
    "detect_checker",
    "detect_pgpolicy",
    "detect_pgpolicy_use_tpg",
    "force_sync",
    "strict_timing",
    "deferred_remove",
    "partition_delimiter",
    "config_dir",
    "delay_watch_checks",
    "delay_wait_checks",
    "san_path_err_threshold",
    "san_path_err_forget_rate",
    "san_path_err_recovery_time",
    "marginal_path_err_sample_time",
    "marginal_path_err_rate_threshold",
    "marginal_path_err_recheck_gap_time",
    "marginal_path_double_failed_time",
    "find_multipaths",
    "uxsock_timeout",
    "retrigger_tries",
    "retrigger_delay",
    "missing_uev_wait_timeout",
    "skip_kpartx",
    "purge_disconnected",
    "disable_changed_wwids",
    "remove_retries",
    "max_sectors_kb",
    "ghost_delay",
    "auto_resize",
    "find_multipaths_timeout",
    "enable_foreign",
    "marginal_pathgroups",
    "recheck_wwid",
];

/// Keywords of `blacklist` and `blacklist_exceptions`, in print order.
pub static BLACKLIST: &[&str] = &["devnode", "wwid", "property", "protocol", "device"];

/// Keywords of a blacklist `device` subsection.
pub static BLACKLIST_DEVICE: &[&str] = &["vendor", "product"];

/// Keywords of a `devices` `device` subsection, in print order.
pub static DEVICE: &[&str] = &[
    "vendor",
    "product",
    "revision",
    "product_blacklist",
    "path_grouping_policy",
    "uid_attribute",
    "getuid_callout",
    "path_selector",
    "path_checker",
    "checker",
    "alias_prefix",
    "features",
    "hardware_handler",
    "prio",
    "prio_args",
    "failback",
    "rr_weight",
    "no_path_retry",
    "rr_min_io",
    "rr_min_io_rq",
    "flush_on_last_del",
    "fast_io_fail_tmo",
    "dev_loss_tmo",
    "eh_deadline",
    "user_friendly_names",
    "retain_attached_hw_handler",
    "detect_prio",
    "detect_checker",
    "detect_pgpolicy",
    "detect_pgpolicy_use_tpg",
    "deferred_remove",
    "delay_watch_checks",
    "delay_wait_checks",
    "san_path_err_threshold",
    "san_path_err_forget_rate",
    "san_path_err_recovery_time",
    "marginal_path_err_sample_time",
    "marginal_path_err_rate_threshold",
    "marginal_path_err_recheck_gap_time",
    "marginal_path_double_failed_time",
    "skip_kpartx",
    "purge_disconnected",
    "max_sectors_kb",
    "ghost_delay",
    "all_tg_pt",
    "vpd_vendor",
    "recheck_wwid",
    "pg_timeout",
];

/// Keywords of `overrides`, in print order.
pub static OVERRIDES: &[&str] = &[
    "path_grouping_policy",
    "uid_attribute",
    "getuid_callout",
    "path_selector",
    "path_checker",
    "checker",
    "alias_prefix",
    "features",
    "prio",
    "prio_args",
    "failback",
    "rr_weight",
    "no_path_retry",
    "rr_min_io",
    "rr_min_io_rq",
    "flush_on_last_del",
    "fast_io_fail_tmo",
    "dev_loss_tmo",
    "eh_deadline",
    "user_friendly_names",
    "retain_attached_hw_handler",
    "detect_prio",
    "detect_checker",
    "detect_pgpolicy",
    "detect_pgpolicy_use_tpg",
    "deferred_remove",
    "delay_watch_checks",
    "delay_wait_checks",
    "san_path_err_threshold",
    "san_path_err_forget_rate",
    "san_path_err_recovery_time",
    "marginal_path_err_sample_time",
    "marginal_path_err_rate_threshold",
    "marginal_path_err_recheck_gap_time",
    "marginal_path_double_failed_time",
    "skip_kpartx",
    "purge_disconnected",
    "max_sectors_kb",
    "ghost_delay",
    "all_tg_pt",
    "recheck_wwid",
    "protocol",
];

/// Keywords of an overrides `protocol` subsection, in print order.
pub static PROTOCOL: &[&str] = &["type", "fast_io_fail_tmo", "dev_loss_tmo", "eh_deadline"];

/// Keywords of a `multipaths` `multipath` subsection, in print order.
pub static MULTIPATH: &[&str] = &[
    "wwid",
    "alias",
    "path_grouping_policy",
    "path_selector",
    "prio",
    "prio_args",
    "failback",
    "rr_weight",
    "no_path_retry",
    "rr_min_io",
    "rr_min_io_rq",
    "flush_on_last_del",
    "features",
    "mode",
    "uid",
    "gid",
    "reservation_key",
    "user_friendly_names",
    "deferred_remove",
    "delay_watch_checks",
    "delay_wait_checks",
    "san_path_err_threshold",
    "san_path_err_forget_rate",
    "san_path_err_recovery_time",
    "marginal_path_err_sample_time",
    "marginal_path_err_rate_threshold",
    "marginal_path_err_recheck_gap_time",
    "marginal_path_double_failed_time",
    "skip_kpartx",
    "purge_disconnected",
    "max_sectors_kb",
    "ghost_delay",
    "pg_timeout",
];

/// The keywords accepted in `section`, in print order.
pub fn section_keywords(section: Section) -> &'static [&'static str] {
    match section {
        Section::Top => &[
            "defaults",
            "blacklist",
            "blacklist_exceptions",
            "devices",
            "overrides",
            "multipaths",
        ],
        Section::Defaults => DEFAULTS,
        Section::Blacklist | Section::BlacklistExceptions => BLACKLIST,
        Section::BlacklistDevice => BLACKLIST_DEVICE,
        Section::Devices => &["device"],
        Section::Device => DEVICE,
        Section::Overrides => OVERRIDES,
        Section::Protocol => PROTOCOL,
        Section::Multipaths => &["multipath"],
        Section::Multipath => MULTIPATH,
    }
}

/// Look a keyword up by name in the whole table.
pub fn lookup(name: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.name == name)
}

/// Look a keyword up in `section`: `Some` only if the section accepts it.
/// Subsection openers come back with [`Kind::Section`].
pub fn lookup_in(section: Section, name: &str) -> Option<Keyword> {
    if let Some(child) = section.child(name) {
        return Some(Keyword {
            name: child.name(),
            kind: Kind::Section(child),
            deprecated: false,
        });
    }
    if !section_keywords(section).contains(&name) {
        return None;
    }
    lookup(name).copied()
}

/// Position of `name` in `section`'s print order.
pub fn print_index(section: Section, name: &str) -> usize {
    section_keywords(section)
        .iter()
        .position(|k| *k == name)
        .unwrap_or(usize::MAX)
}

/// Every section that holds keywords of its own (the list sections
/// `devices` and `multipaths` hold only subsections).
pub const KEYWORD_SECTIONS: [Section; 8] = [
    Section::Top,
    Section::Defaults,
    Section::Blacklist,
    Section::BlacklistDevice,
    Section::Device,
    Section::Overrides,
    Section::Protocol,
    Section::Multipath,
];

/// The sections, other than `section`, that accept `name`; for "keyword in the
/// wrong section" diagnostics.
pub fn sections_accepting(name: &str) -> Vec<Section> {
    KEYWORD_SECTIONS
        .into_iter()
        .filter(|s| section_keywords(*s).contains(&name) || s.child(name).is_some())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_keyword_is_in_the_table() {
        for s in KEYWORD_SECTIONS {
            for k in section_keywords(s) {
                assert!(lookup_in(s, k).is_some(), "{k} in {s:?}");
            }
        }
    }

    #[test]
    fn sections_nest() {
        assert_eq!(
            lookup_in(Section::Overrides, "protocol").unwrap().kind,
            Kind::Section(Section::Protocol)
        );
        assert!(lookup_in(Section::Multipath, "path_checker").is_none());
        assert!(lookup_in(Section::Defaults, "vendor").is_none());
    }
}
