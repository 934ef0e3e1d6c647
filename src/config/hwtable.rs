//! The built-in hardware table, kept as data in `hwtable.toml`.

use super::attrs::Attrs;
use conf_parser::keywords::{self, Section};
use conf_parser::value;

const BUILTIN: &str = include_str!("hwtable.toml");

/// Parse the built-in table. The data is part of the program, so a problem in
/// it is a bug caught by the unit tests; a bad entry is skipped, never fatal.
pub fn builtin() -> Vec<Attrs> {
    let table: toml::Table = match BUILTIN.parse() {
        Ok(t) => t,
        Err(_) => return Vec::new(),
    };
    let Some(toml::Value::Array(devices)) = table.get("device") else {
        return Vec::new();
    };
    devices
        .iter()
        .filter_map(|d| d.as_table())
        .map(|d| {
            let mut attrs = Attrs::default();
            for (k, v) in d {
                let Some(kw) = keywords::lookup_in(Section::Device, k) else {
                    continue;
                };
                let text = match v {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Integer(i) => i.to_string(),
                    _ => continue,
                };
                if let Ok(value::Parsed { value: Some(v), .. }) = value::parse(kw.kind, &text) {
                    attrs.set(kw.name, v);
                }
            }
            attrs
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_parses_completely() {
        let table: toml::Table = BUILTIN.parse().unwrap();
        let raw = table["device"].as_array().unwrap();
        let parsed = builtin();
        assert_eq!(parsed.len(), 137);
        for (r, p) in raw.iter().zip(&parsed) {
            assert_eq!(r.as_table().unwrap().len(), p.iter().count(), "{r:?}");
        }
    }
}
