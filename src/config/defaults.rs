//! Built-in values of the `defaults` section: what applies when neither the
//! configuration nor the hardware table sets a keyword.

use conf_parser::Value;

enum Builtin {
    Int(i64),
    Word(&'static str),
}

/// Every default that has a value; keywords that are unset by default
/// (no_path_retry, dev_loss_tmo, ...) are absent.
const BUILTIN: &[(&str, Builtin)] = &[
    ("verbosity", Builtin::Int(2)),
    ("polling_interval", Builtin::Int(5)),
    ("reassign_maps", Builtin::Word("no")),
    ("path_selector", Builtin::Word("service-time 0")),
    ("path_grouping_policy", Builtin::Word("failover")),
    ("uid_attribute", Builtin::Word("ID_SERIAL")),
    ("prio", Builtin::Word("const")),
    ("prio_args", Builtin::Word("")),
    ("features", Builtin::Word("0")),
    ("path_checker", Builtin::Word("tur")),
    ("alias_prefix", Builtin::Word("mpath")),
    ("failback", Builtin::Word("manual")),
    ("queue_without_daemon", Builtin::Word("no")),
    ("allow_usb_devices", Builtin::Word("no")),
    ("flush_on_last_del", Builtin::Word("unused")),
    ("user_friendly_names", Builtin::Word("no")),
    ("fast_io_fail_tmo", Builtin::Int(5)),
    ("log_checker_err", Builtin::Word("always")),
    ("all_tg_pt", Builtin::Word("no")),
    ("retain_attached_hw_handler", Builtin::Word("yes")),
    ("detect_prio", Builtin::Word("yes")),
    ("detect_checker", Builtin::Word("yes")),
    ("detect_pgpolicy", Builtin::Word("yes")),
    ("detect_pgpolicy_use_tpg", Builtin::Word("no")),
    ("force_sync", Builtin::Word("no")),
    ("strict_timing", Builtin::Word("no")),
    ("deferred_remove", Builtin::Word("no")),
    ("delay_watch_checks", Builtin::Word("no")),
    ("delay_wait_checks", Builtin::Word("no")),
    ("san_path_err_threshold", Builtin::Word("no")),
    ("san_path_err_forget_rate", Builtin::Word("no")),
    ("san_path_err_recovery_time", Builtin::Word("no")),
    ("marginal_path_err_sample_time", Builtin::Word("no")),
    ("marginal_path_err_rate_threshold", Builtin::Word("no")),
    ("marginal_path_err_recheck_gap_time", Builtin::Word("no")),
    ("marginal_path_double_failed_time", Builtin::Word("no")),
    ("find_multipaths", Builtin::Word("strict")),
    ("uxsock_timeout", Builtin::Int(4000)),
    ("retrigger_tries", Builtin::Int(3)),
    ("retrigger_delay", Builtin::Int(10)),
    ("missing_uev_wait_timeout", Builtin::Int(30)),
    ("skip_kpartx", Builtin::Word("no")),
    ("purge_disconnected", Builtin::Word("no")),
    ("remove_retries", Builtin::Int(0)),
    ("ghost_delay", Builtin::Word("no")),
    ("auto_resize", Builtin::Word("never")),
    ("find_multipaths_timeout", Builtin::Int(-10)),
    ("enable_foreign", Builtin::Word("NONE")),
    ("marginal_pathgroups", Builtin::Word("off")),
    ("recheck_wwid", Builtin::Word("no")),
];

/// The built-in value of `defaults` keyword `name`, if it has one.
pub fn builtin(name: &str) -> Option<Value> {
    BUILTIN
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| match v {
            Builtin::Int(i) => Value::Int(*i),
            Builtin::Word(w) => Value::word(*w),
        })
}
