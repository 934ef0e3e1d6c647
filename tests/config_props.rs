//! Property tests of the parser and config model: no input makes them panic,
//! and any valid configuration survives parse -> dump -> parse unchanged.

use conf_parser::keywords::{self, Kind, Section};
use mpath::config::dump::dump;
use mpath::Config;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let doc = conf_parser::parse_bytes("fuzz.conf", &bytes);
        let _ = doc.diagnostics.len();
        let text = String::from_utf8_lossy(&bytes);
        let _ = dump(&Config::from_str_with("fuzz.conf", &text));
    }

    #[test]
    fn config_shaped_noise_never_panics(lines in proptest::collection::vec(noise_line(), 0..60)) {
        let text = lines.join("\n");
        let c = Config::from_str_with("noise.conf", &text);
        let _ = dump(&c);
    }

    #[test]
    fn truncated_valid_files_never_panic(cut in 0usize..400) {
        let text = "defaults {\n\tpolling_interval 10\n}\ndevices {\n\tdevice {\n\t\tvendor \"X\"\n\t\tproduct \"Y\"\n\t\tno_path_retry queue\n\t}\n}\nmultipaths {\n\tmultipath {\n\t\twwid 36001\n\t\talias \"a \"\"q\"\" b\"\n\t}\n}\n";
        let cut = cut.min(text.len());
        let _ = dump(&Config::from_str_with("t.conf", &text[..cut]));
    }

    #[test]
    fn valid_configs_round_trip(
        defaults in proptest::collection::vec(entry(Section::Defaults), 0..12),
        devices in proptest::collection::vec(proptest::collection::vec(entry(Section::Device), 0..8), 0..4),
        overrides in proptest::collection::vec(entry(Section::Overrides), 0..8),
        multipaths in proptest::collection::vec(proptest::collection::vec(entry(Section::Multipath), 0..6), 0..4),
    ) {
        // A keyword given twice in a section is reported (the later value
        // wins): each section gets its keywords once, the last value kept.
        let defaults = last_of_each(defaults);
        let devices: Vec<_> = devices.into_iter().map(last_of_each).collect();
        let overrides = last_of_each(overrides);
        let multipaths: Vec<_> = multipaths.into_iter().map(last_of_each).collect();
        let mut text = String::from("defaults {\n");
        for (k, v) in &defaults { text.push_str(&format!("\t{k} {v}\n")); }
        text.push_str("}\ndevices {\n");
        for (i, d) in devices.iter().enumerate() {
            text.push_str(&format!("\tdevice {{\n\t\tvendor \"V{i}\"\n\t\tproduct \"P\"\n"));
            for (k, v) in d { text.push_str(&format!("\t\t{k} {v}\n")); }
            text.push_str("\t}\n");
        }
        text.push_str("}\noverrides {\n");
        for (k, v) in &overrides { text.push_str(&format!("\t{k} {v}\n")); }
        text.push_str("}\nmultipaths {\n");
        for (i, m) in multipaths.iter().enumerate() {
            text.push_str(&format!("\tmultipath {{\n\t\twwid \"w{i}\"\n"));
            for (k, v) in m { text.push_str(&format!("\t\t{k} {v}\n")); }
            text.push_str("\t}\n");
        }
        text.push_str("}\n");
        let first = Config::from_str_with("gen.conf", &text);
        prop_assert!(first.diagnostics.is_empty(), "generated config has problems: {:?}\n{text}", first.diagnostics);
        let d1 = dump(&first);
        let second = Config::from_str_with("dump.conf", &d1);
        prop_assert!(second.diagnostics.is_empty(), "dump has problems: {:?}", second.diagnostics);
        for k in keywords::DEFAULTS {
            prop_assert_eq!(first.default_value(k), second.default_value(k), "defaults {}", k);
        }
        prop_assert_eq!(&first.hwtable, &second.hwtable);
        prop_assert_eq!(&first.overrides, &second.overrides);
        prop_assert_eq!(&first.multipaths, &second.multipaths);
        prop_assert_eq!(d1, dump(&second));
    }
}

fn noise_line() -> impl Strategy<Value = String> {
    let words = prop_oneof![
        Just("defaults".to_string()),
        Just("devices".to_string()),
        Just("device".to_string()),
        Just("multipaths".to_string()),
        Just("multipath".to_string()),
        Just("overrides".to_string()),
        Just("protocol".to_string()),
        Just("blacklist".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("\"".to_string()),
        Just("#".to_string()),
        Just("!".to_string()),
        Just("vendor".to_string()),
        Just("no_path_retry".to_string()),
        Just("features".to_string()),
        "[a-z_]{1,12}",
        "-?[0-9]{1,12}",
        "\"[^\"\n]{0,10}\"?",
    ];
    proptest::collection::vec(words, 0..6).prop_map(|w| w.join(" "))
}

/// A keyword valid in `section` with a valid value for it, as config text.
/// The entries with every keyword once, at its last value (kept in the
/// order of those last occurrences).
fn last_of_each(v: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    for (k, val) in v {
        out.retain(|(k2, _)| *k2 != k);
        out.push((k, val));
    }
    out
}

fn entry(section: Section) -> impl Strategy<Value = (&'static str, String)> {
    let names: Vec<&'static str> = keywords::section_keywords(section)
        .iter()
        .copied()
        .filter(|k| {
            let kw = keywords::lookup(k).unwrap();
            // Identity keywords are written by the generator itself; uid/gid
            // and uid_attrs do not read back their own dump (see conf_corpus.rs).
            !matches!(
                kw.kind,
                Kind::Ignored | Kind::Section(_) | Kind::Uid | Kind::Gid | Kind::UidAttrs
            ) && ![
                "vendor",
                "product",
                "revision",
                "wwid",
                "protocol",
                "checker",
                "partition_delimiter",
            ]
            .contains(k)
        })
        .collect();
    proptest::sample::select(names).prop_flat_map(|name| {
        let kind = keywords::lookup(name).unwrap().kind;
        value_for(kind).prop_map(move |v| (name, v))
    })
}

fn value_for(kind: Kind) -> BoxedStrategy<String> {
    match kind {
        Kind::Int { min, max } => (min.max(-100_000)..=max.min(100_000))
            .prop_map(|i| i.to_string())
            .boxed(),
        Kind::PgPolicy => proptest::sample::select(keywords::PGPOLICIES.to_vec())
            .prop_map(String::from)
            .boxed(),
        Kind::ProtocolType => proptest::sample::select(conf_parser::value::PROTOCOLS.to_vec())
            .prop_map(String::from)
            .boxed(),
        Kind::IntZeroUnset { .. } | Kind::PollingInterval | Kind::MaxPollingInterval => {
            (1..100_000i64).prop_map(|i| i.to_string()).boxed()
        }
        Kind::FindMultipathsTimeout => prop_oneof![(-1000..0i64), (1..1000i64)]
            .prop_map(|i| i.to_string())
            .boxed(),
        Kind::Bool => prop_oneof![Just("yes"), Just("no")]
            .prop_map(String::from)
            .boxed(),
        Kind::Choice(c) => {
            proptest::sample::select(c.iter().map(|(a, _)| a.to_string()).collect::<Vec<_>>())
                .boxed()
        }
        Kind::Features => prop_oneof![
            Just("\"0\""),
            Just("\"2 pg_init_retries 50\""),
            Just("\"1 queue_if_no_path\"")
        ]
        .prop_map(String::from)
        .boxed(),
        Kind::Selector => prop_oneof![
            Just("\"service-time 0\""),
            Just("\"round-robin 0\""),
            Just("\"queue-length 0\"")
        ]
        .prop_map(String::from)
        .boxed(),
        Kind::Failback => prop_oneof![
            Just("manual".to_string()),
            Just("immediate".to_string()),
            Just("followover".to_string()),
            (1..1000i64).prop_map(|i| i.to_string())
        ]
        .boxed(),
        Kind::NoPathRetry => prop_oneof![
            Just("fail".to_string()),
            Just("queue".to_string()),
            (1..1000i64).prop_map(|i| i.to_string())
        ]
        .boxed(),
        Kind::OffOrInt => prop_oneof![
            Just("off".to_string()),
            (1..1000i64).prop_map(|i| i.to_string())
        ]
        .boxed(),
        Kind::DevLossTmo => prop_oneof![
            Just("infinity".to_string()),
            (1..1000i64).prop_map(|i| i.to_string())
        ]
        .boxed(),
        Kind::NoOrInt => prop_oneof![
            Just("no".to_string()),
            (1..1000i64).prop_map(|i| i.to_string())
        ]
        .boxed(),
        Kind::MaxRetries => prop_oneof![
            Just("off".to_string()),
            (0..=5i64).prop_map(|i| i.to_string())
        ]
        .boxed(),
        Kind::Mode => (0..=0o777i64).prop_map(|m| format!("0{m:o}")).boxed(),
        Kind::ReservationKey => prop_oneof![
            Just("file".to_string()),
            (1..u32::MAX).prop_map(|k| format!("0x{k:x}"))
        ]
        .boxed(),
        Kind::MaxFds => prop_oneof![
            Just("max".to_string()),
            (1..100_000i64).prop_map(|i| i.to_string())
        ]
        .boxed(),
        Kind::VpdVendor => Just("hp3par".to_string()).boxed(),
        Kind::HwHandler => prop_oneof![Just("\"1 alua\""), Just("\"0\"")]
            .prop_map(String::from)
            .boxed(),
        _ => "[A-Za-z0-9_.:-]{1,10}"
            .prop_map(|s| format!("\"{s}\""))
            .boxed(),
    }
}
