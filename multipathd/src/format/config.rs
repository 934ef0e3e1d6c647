//! `show config local`, `show blacklist` and `show devices`.
//!
//! Texts as the reference 0.15.1 prints them (upstream-inventory §2.4):
//!
//! - `show blacklist`: five groups (device node, udev property, protocol,
//!   wwid, device), each with its `- blacklist:` and `- exceptions:` rules
//!   in configuration order, every rule on an 8-space-indented line with its
//!   origin padded to the width of `(config file rule)`; `<empty>` for a
//!   list without rules. A device rule prints `vendor:product`; a part the
//!   rule does not set prints `(null)`, as glibc's printf does for the NULL
//!   string upstream passes (*inferred*, not seen on the reference).
//! - `show devices`: every block device (partitions included) in udev's
//!   enumeration order ([`mpath::discovery::block_devices`]), with the first
//!   status that applies: a path the daemon has ` devnode whitelisted,
//!   monitored` (the leading space makes a double space: a reference quirk),
//!   a `hidden` device `hidden, unmonitored`, else the device node rule's
//!   verdict; a device a foreign library claims (an NVMe namespace head)
//!   is `foreign, monitored` when `enable_foreign` enables the library,
//!   else `devnode blacklisted, unmonitored` (observed on the reference
//!   with the built-in "NONE", though the devnode rules let `nvme[0-9]`
//!   through).

use crate::model::State;
use mpath::assemble::path_info;
use mpath::config::local::{dump_local, LocalMap};
use mpath::config::{DeviceRule, Rule, RuleOrigin, Rules};
use mpath::discovery::BlockDev;
use mpath::filter::Filter;
use mpath::foreign::{Enabled, ForeignMap};
use mpath::Config;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// `show config local`: the configuration limited to the hardware entries
/// of the daemon's paths and to its maps, as `multipath -T` prints it
/// (paths in discovery order, maps in the daemon's order).
pub fn config_local(st: &State, cfg: &Config) -> String {
    let infos: Vec<_> = st.paths.iter().map(|p| path_info(&p.dev)).collect();
    let maps: Vec<LocalMap> = st
        .maps
        .iter()
        .map(|m| LocalMap {
            wwid: &m.wwid,
            name: &m.name,
        })
        .collect();
    dump_local(cfg, &infos, &maps)
}

fn origin(o: RuleOrigin) -> &'static str {
    match o {
        RuleOrigin::Config => "(config file rule)",
        RuleOrigin::Default => "(default rule)    ",
    }
}

fn group<T>(out: &mut String, rules: &[T], text: impl Fn(&T) -> (RuleOrigin, String)) {
    if rules.is_empty() {
        out.push_str("        <empty>\n");
    }
    for r in rules {
        let (o, t) = text(r);
        let _ = writeln!(out, "        {} {t}", origin(o));
    }
}

fn regexes(out: &mut String, title: &str, black: &[Rule], except: &[Rule]) {
    let text = |r: &Rule| (r.origin, r.pattern.clone());
    let _ = writeln!(out, "{title} rules:\n- blacklist:");
    group(out, black, text);
    out.push_str("- exceptions:\n");
    group(out, except, text);
}

/// `show blacklist`.
pub fn blacklist(cfg: &Config) -> String {
    let (b, e): (&Rules, &Rules) = (&cfg.blacklist, &cfg.exceptions);
    let mut out = String::new();
    regexes(&mut out, "device node", &b.devnode, &e.devnode);
    regexes(&mut out, "udev property", &b.property, &e.property);
    regexes(&mut out, "protocol", &b.protocol, &e.protocol);
    regexes(&mut out, "wwid", &b.wwid, &e.wwid);
    let text = |r: &DeviceRule| {
        let part = |s: &Option<String>| s.clone().unwrap_or_else(|| "(null)".into());
        (
            r.origin,
            format!("{}:{}", part(&r.vendor), part(&r.product)),
        )
    };
    out.push_str("device rules:\n- blacklist:\n");
    group(&mut out, &b.device, text);
    out.push_str("- exceptions:\n");
    group(&mut out, &e.device, text);
    out
}

/// `show devices`: `devs` as [`mpath::discovery::block_devices`] lists them.
pub fn devices(st: &State, filter: &Filter, devs: &[BlockDev]) -> String {
    devices_with(st, &Enabled::Nothing, &[], filter, devs)
}

/// `show devices` knowing the maps of every foreign library, `foreign`:
/// the block device of each is `foreign, monitored` when its library is
/// `enabled`, else `devnode blacklisted, unmonitored` (what the reference
/// prints for an NVMe head without the library).
pub fn devices_with(
    st: &State,
    enabled: &Enabled,
    foreign: &[ForeignMap],
    filter: &Filter,
    devs: &[BlockDev],
) -> String {
    let monitored: HashSet<&str> = st.paths.iter().map(|p| p.dev.dev.as_str()).collect();
    let claimed: HashMap<&str, bool> = foreign
        .iter()
        .map(|m| (m.dev.as_str(), enabled.library(m.library)))
        .collect();
    let mut out = String::from("available block devices:\n");
    for d in devs {
        let status = if monitored.contains(d.name.as_str()) {
            " devnode whitelisted, monitored"
        } else if d.hidden {
            "hidden, unmonitored"
        } else if let Some(&on) = claimed.get(d.name.as_str()) {
            if on {
                "foreign, monitored"
            } else {
                "devnode blacklisted, unmonitored"
            }
        } else if filter.devnode(&d.name).is_blacklisted() {
            "devnode blacklisted, unmonitored"
        } else {
            "devnode whitelisted, unmonitored"
        };
        let _ = writeln!(out, "    {} {status}", d.name);
    }
    out
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
