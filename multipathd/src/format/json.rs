//! `show maps json` and `show map M json`: upstream's hand-written JSON,
//! version 0.1, reproduced byte for byte. Three spaces per level, `"key" :
//! value` inside objects but `"key": value` for the version and the arrays,
//! elements joined as `},{`, strings not escaped (a value holding `"` or
//! `\` gives invalid JSON, as upstream's does). The values are those of the
//! wildcards.

use super::wildcards::{value, Field, GROUP_FIELDS, MAP_FIELDS, PATH_FIELDS};
use super::Ctx;
use crate::model::{Map, State};
use std::time::Instant;

/// One `"key" : value` line: the JSON key, the wildcard, quoted or a number.
type Entry = (&'static str, char, bool);

const MAP_ENTRIES: [Entry; 19] = [
    ("name", 'n', true),
    ("uuid", 'w', true),
    ("sysfs", 'd', true),
    ("failback", 'F', true),
    ("queueing", 'Q', true),
    ("paths", 'N', false),
    ("write_prot", 'r', true),
    ("dm_st", 't', true),
    ("features", 'f', true),
    ("hwhandler", 'h', true),
    ("action", 'A', true),
    ("path_faults", '0', false),
    ("vend", 'v', true),
    ("prod", 'p', true),
    ("rev", 'e', true),
    ("switch_grp", '1', false),
    ("map_loads", '2', false),
    ("total_q_time", '3', false),
    ("q_timeouts", '4', false),
];

const GROUP_ENTRIES: [Entry; 4] = [
    ("selector", 's', true),
    ("pri", 'p', false),
    ("dm_st", 't', true),
    ("marginal_st", 'M', true),
];

const PATH_ENTRIES: [Entry; 14] = [
    ("dev", 'd', true),
    ("dev_t", 'D', true),
    ("dm_st", 't', true),
    ("dev_st", 'o', true),
    ("chk_st", 'T', true),
    ("checker", 'c', true),
    ("pri", 'p', false),
    ("host_wwnn", 'N', true),
    ("target_wwnn", 'n', true),
    ("host_wwpn", 'R', true),
    ("target_wwpn", 'r', true),
    ("host_adapter", 'a', true),
    ("lun_hex", 'L', true),
    ("marginal_st", 'M', true),
];

const INDENT: usize = 3;

fn header(out: &mut String) {
    out.push_str("{\n   \"major_version\": 0,\n   \"minor_version\": 1,\n");
}

/// The entries of one object, each on its own line at `level`; the last
/// one ends with a comma only if `comma_after_last`.
fn entries<T>(
    out: &mut String,
    ctx: &Ctx<'_>,
    fields: &[Field<T>],
    list: &[Entry],
    item: &T,
    level: usize,
    comma_after_last: bool,
) {
    for (i, &(key, wc, quoted)) in list.iter().enumerate() {
        let v = value(fields, wc, ctx, item);
        out.push_str(&" ".repeat(level * INDENT));
        out.push('"');
        out.push_str(key);
        out.push_str("\" : ");
        if quoted {
            out.push('"');
            out.push_str(&v);
            out.push('"');
        } else {
            out.push_str(&v);
        }
        if i + 1 < list.len() || comma_after_last {
            out.push(',');
        }
        out.push('\n');
    }
}

/// Closes an array element at `level`: `}` for the last one, else `},`
/// (the next element's `{` follows directly).
fn close(out: &mut String, level: usize, last: bool) {
    out.push_str(&" ".repeat(level * INDENT));
    out.push_str(if last { "}" } else { "}," });
}

/// One map object, from its `{` to its closing `}`/`},`.
fn map_object(out: &mut String, ctx: &Ctx<'_>, m: &Map, last: bool) {
    out.push_str("{\n");
    entries(out, ctx, &MAP_FIELDS, &MAP_ENTRIES, m, 2, true);
    out.push_str("      \"path_groups\": [");
    for (gi, g) in m.groups.iter().enumerate() {
        out.push_str("{\n");
        entries(out, ctx, &GROUP_FIELDS, &GROUP_ENTRIES, g, 3, true);
        out.push_str(&format!("         \"group\" : {},\n", gi + 1));
        out.push_str("         \"paths\": [");
        let paths: Vec<_> = ctx.group_paths(g).collect();
        for (pi, p) in paths.iter().enumerate() {
            out.push_str("{\n");
            entries(out, ctx, &PATH_FIELDS, &PATH_ENTRIES, *p, 4, false);
            close(out, 3, pi + 1 == paths.len());
        }
        out.push_str("]\n");
        close(out, 2, gi + 1 == m.groups.len());
    }
    out.push_str("]\n");
    close(out, 1, last);
}

/// `show maps json`: every map; `"maps": []` when there are none.
pub fn json_maps(st: &State) -> String {
    let ctx = Ctx::new(st, Instant::now());
    let mut out = String::new();
    header(&mut out);
    out.push_str("   \"maps\": [");
    for (i, m) in st.maps.iter().enumerate() {
        map_object(&mut out, &ctx, m, i + 1 == st.maps.len());
    }
    out.push_str("]\n}\n");
    out
}

/// `show map M json`.
pub fn json_map(st: &State, map: &Map) -> String {
    let ctx = Ctx::new(st, Instant::now());
    let mut out = String::new();
    header(&mut out);
    out.push_str("   \"map\":");
    map_object(&mut out, &ctx, map, true);
    out.push_str("\n}\n");
    out
}
