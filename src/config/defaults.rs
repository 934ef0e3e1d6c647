//! Built-in values of the `defaults` section: what applies when neither the
//! configuration nor the hardware table sets a keyword.

use conf_parser::Value;

/// `(keyword, value)` for every default that has a value; keywords that are
/// unset by default (no_path_retry, dev_loss_tmo, ...) are absent.
pub fn builtin() -> Vec<(&'static str, Value)> {
    let w = Value::word;
    let i = Value::Int;
    vec![
        ("verbosity", i(2)),
        ("polling_interval", i(5)),
        ("reassign_maps", w("no")),
        ("path_selector", w("service-time 0")),
        ("path_grouping_policy", w("failover")),
        ("uid_attribute", w("ID_SERIAL")),
        ("prio", w("const")),
        ("prio_args", w("")),
        ("features", w("0")),
        ("path_checker", w("tur")),
        ("alias_prefix", w("mpath")),
        ("failback", w("manual")),
        ("queue_without_daemon", w("no")),
        ("allow_usb_devices", w("no")),
        ("flush_on_last_del", w("unused")),
        ("user_friendly_names", w("no")),
        ("fast_io_fail_tmo", i(5)),
        ("log_checker_err", w("always")),
        ("all_tg_pt", w("no")),
        ("retain_attached_hw_handler", w("yes")),
        ("detect_prio", w("yes")),
        ("detect_checker", w("yes")),
        ("detect_pgpolicy", w("yes")),
        ("detect_pgpolicy_use_tpg", w("no")),
        ("force_sync", w("no")),
        ("strict_timing", w("no")),
        ("deferred_remove", w("no")),
        ("delay_watch_checks", w("no")),
        ("delay_wait_checks", w("no")),
        ("san_path_err_threshold", w("no")),
        ("san_path_err_forget_rate", w("no")),
        ("san_path_err_recovery_time", w("no")),
        ("marginal_path_err_sample_time", w("no")),
        ("marginal_path_err_rate_threshold", w("no")),
        ("marginal_path_err_recheck_gap_time", w("no")),
        ("marginal_path_double_failed_time", w("no")),
        ("find_multipaths", w("strict")),
        ("uxsock_timeout", i(4000)),
        ("retrigger_tries", i(3)),
        ("retrigger_delay", i(10)),
        ("missing_uev_wait_timeout", i(30)),
        ("skip_kpartx", w("no")),
        ("purge_disconnected", w("no")),
        ("remove_retries", i(0)),
        ("ghost_delay", w("no")),
        ("auto_resize", w("never")),
        ("find_multipaths_timeout", i(-10)),
        ("enable_foreign", w("NONE")),
        ("marginal_pathgroups", w("off")),
        ("recheck_wwid", w("no")),
    ]
}
