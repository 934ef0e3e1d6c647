//! The configuration as `multipath -t` and `multipathd show config` print it.

use super::{Attrs, Config, Rules};
use conf_parser::keywords::{self, Section};
use conf_parser::Value;
use std::fmt::Write;

fn line(out: &mut String, depth: usize, name: &str, value: &Value) {
    for _ in 0..depth {
        out.push('\t');
    }
    let _ = writeln!(out, "{name} {value}");
}

/// Print `attrs` in `section`'s keyword order.
pub(super) fn attrs(out: &mut String, depth: usize, section: Section, a: &Attrs) {
    let mut items: Vec<(&str, &Value)> = a.iter().collect();
    items.sort_by_key(|(k, _)| keywords::print_index(section, k));
    for (k, v) in items {
        line(out, depth, k, v);
    }
}

fn rules(out: &mut String, name: &str, r: &Rules) {
    let _ = writeln!(out, "{name} {{");
    for (kw, list) in [
        ("devnode", &r.devnode),
        ("wwid", &r.wwid),
        ("property", &r.property),
        ("protocol", &r.protocol),
    ] {
        for rule in list {
            line(out, 1, kw, &Value::word(rule.pattern.clone()));
        }
    }
    // As the reference prints them: the opening line goes with the vendor and
    // the closing line with the product, so a partial entry prints partially.
    for d in &r.device {
        if let Some(v) = &d.vendor {
            out.push_str("\tdevice {\n");
            line(out, 2, "vendor", &Value::word(v.clone()));
        }
        if let Some(p) = &d.product {
            line(out, 2, "product", &Value::word(p.clone()));
            out.push_str("\t}\n");
        }
    }
    out.push_str("}\n");
}

/// One `\t<name> {` subsection per entry, keywords in `section`'s order.
fn subsections<'a>(
    out: &mut String,
    section: Section,
    entries: impl IntoIterator<Item = &'a Attrs>,
) {
    for e in entries {
        let _ = writeln!(out, "\t{} {{", section.name());
        attrs(out, 2, section, e);
        out.push_str("\t}\n");
    }
}

/// The whole configuration in `multipath.conf` syntax.
pub fn dump(c: &Config) -> String {
    let mut out = head(c, &c.hwtable);
    if !c.multipaths.is_empty() {
        out.push_str("multipaths {\n");
        subsections(&mut out, Section::Multipath, &c.multipaths);
        out.push_str("}\n");
    }
    out
}

/// Every section but `multipaths`, with `hwtable` as the `devices` section.
pub(super) fn head<'a>(c: &Config, hwtable: impl IntoIterator<Item = &'a Attrs>) -> String {
    let mut out = String::with_capacity(64 * 1024);
    out.push_str("defaults {\n");
    for name in keywords::DEFAULTS {
        if let Some(v) = c.default_value(name) {
            line(&mut out, 1, name, &v);
        }
    }
    out.push_str("}\n");
    rules(&mut out, "blacklist", &c.blacklist);
    rules(&mut out, "blacklist_exceptions", &c.exceptions);
    out.push_str("devices {\n");
    subsections(&mut out, Section::Device, hwtable);
    out.push_str("}\n");
    out.push_str("overrides {\n");
    attrs(&mut out, 1, Section::Overrides, &c.overrides);
    subsections(&mut out, Section::Protocol, &c.protocols);
    out.push_str("}\n");
    out
}
