use super::*;
use crate::config::RuleOrigin;

fn rule(p: &str) -> Rule {
    Rule {
        pattern: p.to_string(),
        origin: RuleOrigin::Config,
    }
}

fn dev_rule(v: Option<&str>, p: Option<&str>) -> DeviceRule {
    DeviceRule {
        vendor: v.map(str::to_string),
        product: p.map(str::to_string),
        origin: RuleOrigin::Config,
    }
}

/// Rules with one list filled, for raw (no defaults) configurations.
fn rules(kind: &str, pats: &[&str]) -> Rules {
    let mut r = Rules::default();
    let list = pats.iter().map(|p| rule(p)).collect();
    match kind {
        "devnode" => r.devnode = list,
        "wwid" => r.wwid = list,
        "property" => r.property = list,
        "protocol" => r.protocol = list,
        _ => unreachable!("{kind}"),
    }
    r
}

/// A configuration without the default rules.
fn raw(blacklist: Rules, exceptions: Rules) -> Filter {
    Filter::new(&Config {
        blacklist,
        exceptions,
        ..Config::default()
    })
}

/// The configuration with the built-in defaults plus `text`.
fn conf(text: &str) -> Config {
    let c = Config::from_str_with("test.conf", text);
    assert!(!c.is_fatal(), "{:?}", c.diagnostics);
    c
}

fn info<'a>(vendor: &'a str, product: &'a str, protocol: &'a str, wwid: &'a str) -> PathInfo<'a> {
    PathInfo {
        vendor,
        product,
        protocol,
        wwid,
        ..PathInfo::default()
    }
}

fn props(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (n.to_string(), "x".to_string()))
        .collect()
}

fn bl(h: Hit) -> Verdict {
    Verdict::Blacklisted(h)
}

fn ex(h: Hit) -> Verdict {
    Verdict::Excepted(h)
}

fn dev(v: &str, p: &str) -> Hit {
    Hit::Device {
        vendor: v.into(),
        product: p.into(),
    }
}

#[test]
fn patterns_invert_and_escape() {
    let cases: &[(&str, &str, bool)] = &[
        ("sdb", "sdb", true),
        ("sdb", "xsdbx", true), // not anchored
        ("sdb", "SDB", false),  // case sensitive
        ("^sdb$", "sdbb", false),
        ("!sdb", "sdb", false),
        ("!sdb", "sdc", true),
        ("!^sd[a-z]", "hda", true),
        ("!^sd[a-z]", "sdq", false),
        ("\\!sdb", "!sdb", true), // escaped: a literal '!'
        ("\\!sdb", "sdb", false),
        ("!", "anything", false), // inverted empty expression matches nothing
        ("", "anything", true),
        ("(", "(", false),  // does not compile: never matches...
        ("!(", "x", false), // ...not even inverted
        ("[[:digit:]]", "sd1", true),
        ("sd.", "sdé", true),
    ];
    for (pat, s, want) in cases {
        assert_eq!(Pattern::new(pat).matches(s), *want, "{pat:?} on {s:?}");
    }
}

#[test]
fn devnode_blacklist_exceptions_and_inversion() {
    let f = raw(rules("devnode", &["sdb"]), Rules::default());
    assert_eq!(f.devnode("sdb"), bl(Hit::Devnode));
    assert_eq!(f.devnode("sdc"), Verdict::Allowed);

    let f = raw(rules("devnode", &[".*"]), rules("devnode", &["sdb"]));
    assert_eq!(f.devnode("sdb"), ex(Hit::Devnode));
    assert_eq!(f.devnode("sdc"), bl(Hit::Devnode));

    let f = raw(rules("devnode", &["!sdb"]), Rules::default());
    assert_eq!(f.devnode("sdb"), Verdict::Allowed);
    assert_eq!(f.devnode("sdc"), bl(Hit::Devnode));

    // Inverted exception: everything but sdb is excepted.
    let f = raw(rules("devnode", &[".*"]), rules("devnode", &["!sdb"]));
    assert_eq!(f.devnode("sdb"), bl(Hit::Devnode));
    assert_eq!(f.devnode("sdc"), ex(Hit::Devnode));
}

#[test]
fn default_devnode_rule() {
    let f = Filter::new(&Config::builtin());
    let cases: &[(&str, bool)] = &[
        ("sda", false),
        ("sdz", false),
        ("sdaa", false),
        ("sdzzz", false),
        ("nvme0n1", false),
        ("nvme12n3", false),
        ("dasda", false),
        ("hda", true),
        ("vda", true),
        ("xvda", true),
        ("loop0", true),
        ("dm-0", true),
        ("sr0", true),
        ("md127", true),
        ("ram0", true),
        ("zram0", true),
        ("sd", true),
        ("sd0", true),
        ("nvme", true),
        ("nvmeXn1", true),
        ("dasd", true),
        ("Sda", true),
        ("cciss!c0d0", true),
        ("", true),
    ];
    for (name, blacklisted) in cases {
        let v = f.devnode(name);
        assert_eq!(v.is_blacklisted(), *blacklisted, "{name}: {v:?}");
        if *blacklisted {
            assert_eq!(v, bl(Hit::Devnode));
        }
    }
    // An exception lets another kind of device in.
    let f = Filter::new(&conf("blacklist_exceptions {\n devnode \"^vd\"\n}\n"));
    assert_eq!(f.devnode("vda"), ex(Hit::Devnode));
    assert_eq!(f.devnode("hda"), bl(Hit::Devnode));
    // A user blacklist on top of the default.
    let f = Filter::new(&conf("blacklist {\n devnode \"^sda$\"\n}\n"));
    assert_eq!(f.devnode("sda"), bl(Hit::Devnode));
    assert_eq!(f.devnode("sdb"), Verdict::Allowed);
}

#[test]
fn device_rules() {
    let foo_bar = || Rules {
        device: vec![dev_rule(Some("foo"), Some("bar"))],
        ..Rules::default()
    };
    let all = || Rules {
        device: vec![dev_rule(Some(".*"), Some(".*"))],
        ..Rules::default()
    };
    let f = raw(foo_bar(), Rules::default());
    assert_eq!(f.device("foo", "bar"), bl(dev("foo", "bar")));
    assert_eq!(f.device("foo", "baz"), Verdict::Allowed);
    assert_eq!(f.device("qux", "bar"), Verdict::Allowed);

    let f = raw(all(), foo_bar());
    assert_eq!(f.device("foo", "bar"), ex(dev("foo", "bar")));
    assert_eq!(f.device("foo", "baz"), bl(dev("foo", "baz")));

    let one = |v: Option<&str>, p: Option<&str>| {
        raw(
            Rules {
                device: vec![dev_rule(v, p)],
                ..Rules::default()
            },
            Rules::default(),
        )
    };
    // (vendor rule, product rule, vendor, product, blacklisted?)
    type Case<'a> = (Option<&'a str>, Option<&'a str>, &'a str, &'a str, bool);
    let cases: &[Case] = &[
        (Some("!foo"), Some("bar"), "foo", "bar", false),
        (Some("!foo"), Some("bar"), "qux", "bar", true),
        (Some("!foo"), Some("bar"), "qux", "baz", false),
        (Some("foo"), Some("!bar"), "foo", "bar", false),
        (Some("foo"), Some("!bar"), "foo", "baz", true),
        (Some("foo"), None, "foo", "anything", true),
        (Some("foo"), None, "qux", "anything", false),
        (None, Some("bar"), "anyone", "bar", true),
        (None, Some("bar"), "anyone", "baz", false),
        (None, None, "foo", "bar", false), // neither set: ignored
        (Some("^foo$"), Some(""), "foo", "", true),
        (Some("foo"), Some("("), "foo", "(", false), // invalid product
    ];
    for (v, p, vendor, product, want) in cases {
        assert_eq!(
            one(*v, *p).device(vendor, product).is_blacklisted(),
            *want,
            "{v:?}/{p:?} on {vendor}:{product}"
        );
    }
}

#[test]
fn product_blacklist_defaults() {
    let f = Filter::new(&Config::builtin());
    let cases: &[(&str, &str, bool)] = &[
        ("DGC", "LUNZ", true),
        ("DGC", "RAID 5", false),
        ("EMC", "LUNZ", true),
        ("SGI", "Universal Xport", true),
        ("NETAPP", "Universal Xport", true),
        ("LSI", "Universal Xport", true),
        ("NETAPP", "LUN C-Mode", false),
        ("IBM", "S/390 DASD ECKD", true),
        ("IBM", "2145", false),
        ("Intel", "VTrak V-LUN", true),
        ("Promise", "Vess V-LUN", true),
        ("Quantum", "cvfsctl", true),
        ("Linux", "scsi_debug", false),
        ("LIO-ORG", "disk", false),
    ];
    for (v, p, want) in cases {
        assert_eq!(f.device(v, p).is_blacklisted(), *want, "{v}:{p}");
    }
    // A user exception wins over a product_blacklist entry.
    let f = Filter::new(&conf(
        "blacklist_exceptions {\n device {\n vendor DGC\n product LUNZ\n }\n}\n",
    ));
    assert_eq!(f.device("DGC", "LUNZ"), ex(dev("DGC", "LUNZ")));
    // A user device entry with a product_blacklist adds a rule.
    let f = Filter::new(&conf(
        "devices {\n device {\n vendor ACME\n product DISK\n product_blacklist CTRL\n }\n}\n",
    ));
    assert!(f.device("ACME", "CTRL").is_blacklisted());
    assert!(!f.device("ACME", "DISK").is_blacklisted());
}

#[test]
fn protocol_rules() {
    let f = raw(rules("protocol", &["scsi:fcp"]), Rules::default());
    assert_eq!(f.protocol("scsi:fcp"), bl(Hit::Protocol("scsi:fcp".into())));
    assert_eq!(f.protocol("scsi:iscsi"), Verdict::Allowed);

    let f = raw(rules("protocol", &[".*"]), rules("protocol", &["scsi:fcp"]));
    assert_eq!(f.protocol("scsi:fcp"), ex(Hit::Protocol("scsi:fcp".into())));
    assert_eq!(
        f.protocol("scsi:iscsi"),
        bl(Hit::Protocol("scsi:iscsi".into()))
    );

    let f = raw(rules("protocol", &["!scsi:fcp"]), Rules::default());
    assert!(!f.protocol("scsi:fcp").is_blacklisted());
    assert!(f.protocol("nvme:tcp").is_blacklisted());

    // Not anchored: "scsi" matches every SCSI transport, not nvme.
    let f = raw(rules("protocol", &["scsi"]), Rules::default());
    for p in [
        "scsi:fcp",
        "scsi:iscsi",
        "scsi:sas",
        "scsi:unspec",
        "scsi:usb",
    ] {
        assert!(f.protocol(p).is_blacklisted(), "{p}");
    }
    assert!(!f.protocol("nvme:tcp").is_blacklisted());
    assert!(!f.protocol("undef").is_blacklisted());
}

#[test]
fn wwid_rules() {
    let f = raw(rules("wwid", &["xyzzy"]), Rules::default());
    assert_eq!(f.wwid("xyzzy"), bl(Hit::Wwid("xyzzy".into())));
    assert_eq!(f.wwid("plugh"), Verdict::Allowed);

    let f = raw(rules("wwid", &[".*"]), rules("wwid", &["xyzzy"]));
    assert_eq!(f.wwid("xyzzy"), ex(Hit::Wwid("xyzzy".into())));
    assert_eq!(f.wwid("plugh"), bl(Hit::Wwid("plugh".into())));
    // An empty WWID is matched like any string.
    assert_eq!(f.wwid(""), bl(Hit::Wwid(String::new())));

    let f = raw(rules("wwid", &["!xyzzy"]), Rules::default());
    assert_eq!(f.wwid("xyzzy"), Verdict::Allowed);
    assert_eq!(f.wwid("plugh"), bl(Hit::Wwid("plugh".into())));

    // mpathconf --allow style: everything but one WWID.
    let f = Filter::new(&conf(
        "blacklist {\n wwid \".*\"\n}\nblacklist_exceptions {\n wwid \"^3600a$\"\n}\n",
    ));
    assert!(!f.wwid("3600a").is_blacklisted());
    assert!(f.wwid("3600ab").is_blacklisted());
}

#[test]
fn property_rule() {
    let wwn = || rules("property", &["ID_WWN"]);
    let p = props(&["ID_FOO", "ID_WWN", "ID_BAR"]);
    assert_eq!(
        raw(wwn(), Rules::default()).property(&p, "ID_SERIAL"),
        bl(Hit::Property("ID_WWN".into()))
    );
    assert_eq!(
        raw(Rules::default(), wwn()).property(&p, "ID_SERIAL"),
        ex(Hit::Property("ID_WWN".into()))
    );
    // Missing: the uid property is there but nothing is excepted.
    let miss = props(&["ID_FOO", "ID_BAZ", "ID_BAR", "ID_SERIAL"]);
    let f = raw(wwn(), Rules::default());
    assert_eq!(f.property(&miss, "ID_SERIAL"), bl(Hit::PropertyMissing));
    assert_eq!(f.property(&miss, "ID_BLAH"), Verdict::Allowed);
    assert_eq!(f.property(&miss, ""), Verdict::Allowed);
    assert_eq!(f.property(&[], "ID_SERIAL"), Verdict::Allowed);
    // Inverted property blacklist: any property that is not ID_WWN.
    let f = raw(rules("property", &["!ID_WWN"]), Rules::default());
    assert_eq!(
        f.property(&props(&["ID_WWN"]), "ID_SERIAL"),
        Verdict::Allowed
    );
    assert_eq!(
        f.property(&props(&["ID_WWN", "ID_BUS"]), "ID_SERIAL"),
        bl(Hit::Property("ID_BUS".into()))
    );
}

#[test]
fn property_names_are_visited_in_name_order() {
    // The first property (by name) matching either list decides.
    let f = raw(
        rules("property", &["ID_BUS"]),
        rules("property", &["ID_WWN"]),
    );
    let v = f.property(&props(&["ID_WWN", "ID_BUS"]), "ID_SERIAL");
    assert_eq!(v, bl(Hit::Property("ID_BUS".into())));
    let f = raw(
        rules("property", &["ID_WWN"]),
        rules("property", &["ID_BUS"]),
    );
    let v = f.property(&props(&["ID_WWN", "ID_BUS"]), "ID_SERIAL");
    assert_eq!(v, ex(Hit::Property("ID_BUS".into())));
    // Exception and blacklist on the same property: the exception wins.
    let f = raw(
        rules("property", &["ID_WWN"]),
        rules("property", &["ID_WWN"]),
    );
    let v = f.property(&props(&["ID_WWN"]), "ID_SERIAL");
    assert_eq!(v, ex(Hit::Property("ID_WWN".into())));
}

#[test]
fn default_property_exception() {
    let f = Filter::new(&Config::builtin());
    let cases: &[(&[&str], &str, Verdict)] = &[
        (
            &["ID_SERIAL", "SCSI_IDENT_LUN_NAA_REGEXT"],
            "ID_SERIAL",
            ex(Hit::Property("SCSI_IDENT_LUN_NAA_REGEXT".into())),
        ),
        (
            &["ID_SERIAL", "ID_WWN"],
            "ID_SERIAL",
            ex(Hit::Property("ID_WWN".into())),
        ),
        // ID_WWN_WITH_EXTENSION also matches (not anchored).
        (
            &["ID_WWN_WITH_EXTENSION", "ID_SERIAL"],
            "ID_SERIAL",
            ex(Hit::Property("ID_WWN_WITH_EXTENSION".into())),
        ),
        // A USB stick: serial but no identification page.
        (
            &["ID_BUS", "ID_SERIAL", "ID_VENDOR"],
            "ID_SERIAL",
            bl(Hit::PropertyMissing),
        ),
        // udev could not read the device: no uid property, not blacklisted.
        (&["DEVTYPE", "ID_BUS"], "ID_SERIAL", Verdict::Allowed),
        // uid_attribute "" (sysfs WWIDs): never "missing".
        (&["ID_SERIAL"], "", Verdict::Allowed),
        // DASD with ID_UID.
        (&["ID_UID", "ID_BUS"], "ID_UID", bl(Hit::PropertyMissing)),
    ];
    for (names, uid, want) in cases {
        assert_eq!(&f.property(&props(names), uid), want, "{names:?} {uid}");
    }
}

#[test]
fn usb_rule() {
    let off = Filter::new(&Config::builtin());
    assert_eq!(off.usb(None), Verdict::Allowed);
    assert_eq!(off.usb(Some("1-1:1.0")), bl(Hit::Usb("1-1:1.0".into())));
    let on = Filter::new(&conf("defaults {\n allow_usb_devices yes\n}\n"));
    assert_eq!(on.usb(Some("1-1:1.0")), Verdict::Allowed);
    let no = Filter::new(&conf("defaults {\n allow_usb_devices no\n}\n"));
    assert!(no.usb(Some("")).is_blacklisted());
}

const WWN: &[&str] = &["ID_FOO", "ID_WWN", "ID_BAR"];

/// Upstream's test path: sdb, foo:bar, scsi:fcp, WWID xyzzy.
fn test_candidate<'a>(p: &'a [(String, String)]) -> Candidate<'a> {
    Candidate {
        dev: "sdb",
        info: info("foo", "bar", "scsi:fcp", "xyzzy"),
        udev_properties: p,
        uid_attribute: "ID_SERIAL",
        usb: None,
    }
}

/// Build a raw filter from (criterion, pattern) pairs for blacklist and exceptions.
fn filter_of(black: &[(&str, &str)], except: &[(&str, &str)]) -> Filter {
    let build = |items: &[(&str, &str)]| {
        let mut r = Rules::default();
        for (kind, p) in items {
            match *kind {
                "devnode" => r.devnode.push(rule(p)),
                "wwid" => r.wwid.push(rule(p)),
                "property" => r.property.push(rule(p)),
                "protocol" => r.protocol.push(rule(p)),
                "device" => {
                    let (v, pr) = p.split_once(':').unwrap();
                    r.device.push(dev_rule(Some(v), Some(pr)));
                }
                _ => unreachable!(),
            }
        }
        r
    };
    raw(build(black), build(except))
}

#[test]
fn whole_path_in_upstream_order() {
    let p = props(WWN);
    let c = test_candidate(&p);
    // (criterion, pattern matching the test path, its log subject)
    let each: [(&str, &str, &str); 5] = [
        ("property", "ID_WWN", "udev property ID_WWN"),
        ("devnode", "sdb", "device node name"),
        ("device", "foo:bar", "(foo:bar) vendor/product"),
        ("protocol", "scsi:fcp", "protocol scsi:fcp"),
        ("wwid", "xyzzy", "wwid xyzzy"),
    ];
    let line = |subject: &str, word: &str| format!("sdb: {subject} {word}");
    let check = |black: &[(&str, &str)], except: &[(&str, &str)], want: &[String], name: &str| {
        let f = filter_of(black, except);
        let got: Vec<String> = f
            .trace(&c)
            .iter()
            .filter_map(|v| v.log_message("sdb"))
            .collect();
        assert_eq!(got, want, "{name}");
        let blacklisted = want.last().is_some_and(|l| l.ends_with("blacklisted"));
        assert_eq!(f.path(&c).is_blacklisted(), blacklisted, "{name}");
    };
    let pairs = |idx: &[usize]| -> Vec<(&str, &str)> {
        idx.iter().map(|&i| (each[i].0, each[i].1)).collect()
    };
    let all: Vec<usize> = (0..each.len()).collect();
    let all_whitelisted: Vec<String> = each.iter().map(|e| line(e.2, "whitelisted")).collect();

    // One criterion blacklisted, earlier ones excepted: the earlier ones
    // are logged as whitelisted, evaluation stops at the blacklisting one.
    for k in 0..each.len() {
        let before: Vec<usize> = (0..k).collect();
        let mut want: Vec<String> = before
            .iter()
            .map(|&i| line(each[i].2, "whitelisted"))
            .collect();
        want.push(line(each[k].2, "blacklisted"));
        check(&pairs(&[k]), &pairs(&before), &want, each[k].0);
        // Later criteria excepted too: not evaluated any more.
        let mut except = before.clone();
        except.extend(k + 1..each.len());
        check(&pairs(&[k]), &pairs(&except), &want, each[k].0);
    }
    // Everything excepted, with or without blacklist entries: never blacklisted.
    check(&[], &pairs(&all), &all_whitelisted, "all excepted");
    check(&pairs(&all), &pairs(&all), &all_whitelisted, "both");
    // The first blacklisting criterion stops the evaluation.
    check(
        &pairs(&[1, 4]),
        &pairs(&[0]),
        &[
            line(each[0].2, "whitelisted"),
            line(each[1].2, "blacklisted"),
        ],
        "two blacklisted",
    );
    // Nothing matches anything: nothing logged.
    check(&[("devnode", "sdc")], &[], &[], "no match");
}

#[test]
fn whole_path_missing_property() {
    // Upstream's "missing" cases: device sdc, foo:baz, scsi:iscsi, plugh.
    let miss = props(&["ID_FOO", "ID_BAZ", "ID_BAR", "ID_SERIAL"]);
    let wwn = props(WWN);
    let all_black: &[(&str, &str)] = &[
        ("devnode", "sdb"),
        ("device", "foo:bar"),
        ("protocol", "scsi:fcp"),
        ("wwid", "xyzzy"),
    ];
    fn cand<'a>(p: &'a [(String, String)], uid: &'a str) -> Candidate<'a> {
        Candidate {
            dev: "sdc",
            info: info("foo", "baz", "scsi:iscsi", "plugh"),
            udev_properties: p,
            uid_attribute: uid,
            usb: None,
        }
    }
    let (miss, wwn) = (&miss[..], &wwn[..]);

    let mut black = all_black.to_vec();
    black.push(("property", "ID_WWN"));
    let f = filter_of(&black, &[]);
    assert_eq!(f.path(&cand(miss, "ID_SERIAL")), bl(Hit::PropertyMissing));
    // Another uid_attribute, also absent: not blacklisted.
    assert_eq!(f.path(&cand(miss, "ID_EGGS")), Verdict::Allowed);

    let f = filter_of(all_black, &[("property", "ID_WWN")]);
    let v = f.path(&cand(wwn, "ID_SERIAL"));
    assert_eq!(v, ex(Hit::Property("ID_WWN".into())));
    assert!(!v.is_blacklisted());
}

#[test]
fn usb_in_the_whole_evaluation() {
    let c = Config::builtin();
    let f = Filter::new(&c);
    let p = props(&["ID_SERIAL", "ID_WWN"]);
    let base = Candidate {
        dev: "sdb",
        info: info(
            "Kingston",
            "DataTraveler",
            USB_PROTOCOL,
            "1Kingston_DataTraveler",
        ),
        udev_properties: &p,
        uid_attribute: "ID_SERIAL",
        usb: Some("2-1:1.0"),
    };
    // Skipped before the lists are looked at: the reference logs only
    // "skip USB device" (VM scenario 80), not the property exception.
    assert_eq!(f.trace(&base), vec![bl(Hit::Usb("2-1:1.0".into()))]);
    assert_eq!(
        f.path(&base).log_message("sdb").as_deref(),
        Some("sdb: skip USB device 2-1:1.0")
    );
    // A usb-storage disk has neither SCSI_IDENT_* nor ID_WWN: still the USB
    // rule, not "udev property missing".
    let serial_only = props(&["ID_SERIAL"]);
    let bare = Candidate {
        udev_properties: &serial_only,
        ..base.clone()
    };
    assert_eq!(f.trace(&bare), vec![bl(Hit::Usb("2-1:1.0".into()))]);
    // The device node is looked at first.
    let f = Filter::new(&conf("blacklist_exceptions {\n devnode ^sdb$\n}\n"));
    assert_eq!(
        f.trace(&bare),
        vec![ex(Hit::Devnode), bl(Hit::Usb("2-1:1.0".into()))]
    );
    let f = Filter::new(&conf("blacklist {\n devnode ^sdb$\n}\n"));
    assert_eq!(f.trace(&bare), vec![bl(Hit::Devnode)]);
    // allow_usb_devices yes: the property rule decides that one.
    let f = Filter::new(&conf("defaults {\n allow_usb_devices yes\n}\n"));
    assert_eq!(f.path(&bare), bl(Hit::PropertyMissing));
    let f = Filter::new(&conf(
        "defaults {\n allow_usb_devices yes\n}\nblacklist_exceptions {\n property ID_USB_DRIVER\n}\n",
    ));
    let usb_props = props(&["ID_SERIAL", "ID_USB_DRIVER"]);
    let excepted = Candidate {
        udev_properties: &usb_props,
        ..base.clone()
    };
    assert_eq!(f.path(&excepted), ex(Hit::Property("ID_USB_DRIVER".into())));
    // ... and a protocol blacklist still applies to it.
    let f = Filter::new(&conf(
        "defaults {\n allow_usb_devices yes\n}\nblacklist {\n protocol scsi:usb\n}\nblacklist_exceptions {\n property ID_USB_DRIVER\n}\n",
    ));
    assert_eq!(f.path(&excepted), bl(Hit::Protocol(USB_PROTOCOL.into())));
    // Exceptions do not rescue a USB device (VM scenario 80: vendor/product,
    // property and protocol exceptions).
    let f = Filter::new(&conf(
        "blacklist_exceptions {\n devnode sdb\n wwid .*\n protocol scsi:usb\n property ID_\n device {\n vendor Kingston\n }\n}\n",
    ));
    assert!(f.path(&base).is_blacklisted());
    assert_eq!(f.path(&base), bl(Hit::Usb("2-1:1.0".into())));
    // allow_usb_devices yes: evaluated like any other device.
    let f = Filter::new(&conf("defaults {\n allow_usb_devices yes\n}\n"));
    assert_eq!(f.path(&base), ex(Hit::Property("ID_WWN".into())));
    // The devnode rule comes first.
    let loopdev = Candidate {
        dev: "loop0",
        ..base
    };
    assert_eq!(Filter::new(&c).path(&loopdev), bl(Hit::Devnode));
}

#[test]
fn candidate_from_a_discovered_path() {
    let mut p = PathDev {
        dev: "sdc".into(),
        vendor: "LIO-ORG".into(),
        product: "disk".into(),
        protocol: "scsi:iscsi".into(),
        wwid: "36001405aaaa".into(),
        ..PathDev::default()
    };
    let up = props(&["ID_SERIAL", "SCSI_IDENT_LUN_NAA_REGEXT"]);
    let c = Candidate::new(&p, &up, "ID_SERIAL");
    assert_eq!(c.usb, None);
    assert_eq!(
        (c.dev, c.info.vendor, c.info.product),
        ("sdc", "LIO-ORG", "disk")
    );
    assert_eq!(
        (c.info.protocol, c.info.wwid),
        ("scsi:iscsi", "36001405aaaa")
    );
    let cfg = Config::builtin();
    assert!(!path(&cfg, &p, &up, "ID_SERIAL").is_blacklisted());
    assert_eq!(devnode(&cfg, "sdc"), Verdict::Allowed);
    assert_eq!(devnode(&cfg, "dm-3"), bl(Hit::Devnode));

    p.protocol = USB_PROTOCOL.into();
    let c = Candidate::new(&p, &up, "ID_SERIAL");
    assert_eq!(c.usb, Some(""));
    assert_eq!(c.with_usb(Some("3-2:1.0")).usb, Some("3-2:1.0"));
    assert!(path(&cfg, &p, &up, "ID_SERIAL").is_blacklisted());
    // Discovery records the USB interface as the target node name; the
    // skip names it.
    p.tgt_node_name = "3-2:1.0".into();
    let c = Candidate::new(&p, &up, "ID_SERIAL");
    assert_eq!(c.usb, Some("3-2:1.0"));
    assert_eq!(
        path(&cfg, &p, &up, "ID_SERIAL")
            .log_message("sdc")
            .as_deref(),
        Some("sdc: skip USB device 3-2:1.0")
    );

    let wwid = conf("blacklist {\n wwid ^36001405\n}\n");
    p.protocol = "scsi:iscsi".into();
    assert_eq!(
        path(&wwid, &p, &up, "ID_SERIAL"),
        bl(Hit::Wwid("36001405aaaa".into()))
    );
}

#[test]
fn log_messages() {
    let cases: &[(Verdict, &str)] = &[
        (bl(Hit::Devnode), "sdb: device node name blacklisted"),
        (ex(Hit::Devnode), "sdb: device node name whitelisted"),
        (
            bl(dev("foo", "bar")),
            "sdb: (foo:bar) vendor/product blacklisted",
        ),
        (
            ex(dev("foo", "bar")),
            "sdb: (foo:bar) vendor/product whitelisted",
        ),
        (bl(Hit::Wwid("xyzzy".into())), "sdb: wwid xyzzy blacklisted"),
        (ex(Hit::Wwid("xyzzy".into())), "sdb: wwid xyzzy whitelisted"),
        (
            bl(Hit::Protocol("scsi:fcp".into())),
            "sdb: protocol scsi:fcp blacklisted",
        ),
        (
            ex(Hit::Protocol("scsi:fcp".into())),
            "sdb: protocol scsi:fcp whitelisted",
        ),
        (
            bl(Hit::Property("ID_WWN".into())),
            "sdb: udev property ID_WWN blacklisted",
        ),
        (
            ex(Hit::Property("ID_WWN".into())),
            "sdb: udev property ID_WWN whitelisted",
        ),
        (
            bl(Hit::PropertyMissing),
            "sdb: blacklisted, udev property missing",
        ),
        (
            bl(Hit::Usb("1-1:1.0".into())),
            "sdb: skip USB device 1-1:1.0",
        ),
    ];
    for (v, want) in cases {
        assert_eq!(v.log_message("sdb").as_deref(), Some(*want));
    }
    assert_eq!(Verdict::Allowed.log_message("sdb"), None);
    assert_eq!(Verdict::Allowed.criterion(), None);
    assert_eq!(
        bl(Hit::PropertyMissing).criterion(),
        Some(Criterion::Property)
    );
    assert_eq!(ex(dev("a", "b")).criterion(), Some(Criterion::Device));
    assert_eq!(
        bl(Hit::Usb(String::new())).criterion(),
        Some(Criterion::Usb)
    );
}

#[test]
fn odd_input_never_panics() {
    let f = Filter::new(&conf(
        "blacklist {\n devnode \"!\"\n wwid \"\\!\"\n property \"^$\"\n protocol \"(a|)\"\n device {\n vendor \"!\"\n }\n}\n",
    ));
    let long = "x".repeat(100_000);
    let odd = [
        "",
        "\0",
        "é",
        "sd\0a",
        "/dev/sda",
        "../../x",
        long.as_str(),
        "\u{10FFFF}",
    ];
    let p = props(&["", "\0", "ID_SERIAL"]);
    for s in odd {
        let c = Candidate {
            dev: s,
            info: info(s, s, s, s),
            udev_properties: &p,
            uid_attribute: s,
            usb: Some(s),
        };
        let _ = f.trace(&c);
        let _ = f.path(&c).log_message(s);
        let _ = f.devnode(s);
    }
}
