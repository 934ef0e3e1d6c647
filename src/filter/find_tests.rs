use super::*;
use crate::filter::udev_answer;
use std::time::{Duration, SystemTime};

const MODES: [FindMode; 5] = [
    FindMode::Strict,
    FindMode::Off,
    FindMode::On,
    FindMode::Greedy,
    FindMode::Smart,
];

#[test]
fn modes_from_words_and_config() {
    let words: &[(&str, Option<FindMode>)] = &[
        ("strict", Some(FindMode::Strict)),
        ("off", Some(FindMode::Off)),
        ("no", Some(FindMode::Off)),
        ("0", Some(FindMode::Off)),
        ("on", Some(FindMode::On)),
        ("yes", Some(FindMode::On)),
        ("1", Some(FindMode::On)),
        ("greedy", Some(FindMode::Greedy)),
        ("smart", Some(FindMode::Smart)),
        ("", None),
        ("Smart", None),
        ("2", None),
    ];
    for (w, m) in words {
        assert_eq!(FindMode::parse(w), *m, "{w:?}");
    }
    for m in MODES {
        assert_eq!(FindMode::parse(m.as_str()), Some(m));
    }
    assert_eq!(FindMode::from_config(&Config::builtin()), FindMode::Strict);
    assert_eq!(FindMode::from_config(&Config::default()), FindMode::Strict);
    for (text, want) in [
        ("no", FindMode::Off),
        ("yes", FindMode::On),
        ("greedy", FindMode::Greedy),
        ("smart", FindMode::Smart),
        ("strict", FindMode::Strict),
        ("bogus", FindMode::Strict), // rejected by the parser: built-in
    ] {
        let c = Config::from_str_with(
            "t.conf",
            &format!("defaults {{\n find_multipaths {text}\n}}\n"),
        );
        assert_eq!(FindMode::from_config(&c), want, "{text}");
    }
}

#[test]
fn ignoring_the_wwids_file() {
    let cases = [
        (FindMode::Strict, FindMode::Smart),
        (FindMode::On, FindMode::Smart),
        (FindMode::Off, FindMode::Greedy),
        (FindMode::Greedy, FindMode::Greedy),
        (FindMode::Smart, FindMode::Smart),
    ];
    for (m, want) in cases {
        assert_eq!(m.ignoring_wwids(), want, "{m:?}");
    }
}

#[test]
fn timeouts() {
    let cases: &[(i64, bool, u64)] = &[
        (0, true, 10),
        (0, false, 1),
        (-10, true, 10),
        (-10, false, 1),
        (-3, true, 3),
        (-3, false, 1),
        (5, true, 5),
        (5, false, 5),
        (1, false, 1),
        (i64::MIN, true, 1u64 << 63),
        (i64::MIN, false, 1),
        (i64::MAX, false, i64::MAX as u64),
    ];
    for (configured, known, want) in cases {
        assert_eq!(
            effective_timeout(*configured, *known),
            *want,
            "{configured} {known}"
        );
    }
    let known = PathInfo {
        vendor: "DGC",
        product: "RAID 5",
        ..PathInfo::default()
    };
    let unknown = PathInfo {
        vendor: "Nobody",
        product: "Nothing",
        ..PathInfo::default()
    };
    let c = Config::builtin();
    assert_eq!(
        (timeout_for(&c, &known), timeout_for(&c, &unknown)),
        (10, 1)
    );
    let c = Config::from_str_with("t.conf", "defaults {\n find_multipaths_timeout 30\n}\n");
    assert_eq!(
        (timeout_for(&c, &known), timeout_for(&c, &unknown)),
        (30, 30)
    );
    let c = Config::from_str_with("t.conf", "defaults {\n find_multipaths_timeout -4\n}\n");
    assert_eq!((timeout_for(&c, &known), timeout_for(&c, &unknown)), (4, 1));
    // A user device section makes hardware known.
    let c = Config::from_str_with(
        "t.conf",
        "devices {\n device {\n vendor Nobody\n product Nothing\n }\n}\n",
    );
    assert_eq!(timeout_for(&c, &unknown), 10);
}

/// A whole disk with a WWID, multipathd running, nothing else known.
fn base(mode: FindMode) -> ValidityInput<'static> {
    ValidityInput {
        mode,
        wwid: "3600a098038303634722b4d59646c4436",
        is_disk: true,
        daemon_running: true,
        timeout_secs: 10,
        ..ValidityInput::default()
    }
}

type Tweak = fn(&mut ValidityInput<'static>);

/// Short names for the expected outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum E {
    V(Reason),
    I(Reason),
    M,
    Err,
}

fn outcome(i: &ValidityInput<'_>) -> E {
    match path_validity_why(i) {
        (Validity::Valid, r) => E::V(r),
        (Validity::Invalid, r) => E::I(r),
        (Validity::Maybe { timeout_secs }, Reason::WaitingForSiblings) => {
            assert_eq!(timeout_secs, i.timeout_secs);
            E::M
        }
        (Validity::Error, Reason::NoWwid) => E::Err,
        other => panic!("unexpected {other:?}"),
    }
}

#[test]
fn validity_per_mode() {
    use Reason::*;
    use E::*;
    // Expected outcome per mode, in the order strict, off, on, greedy, smart.
    let cases: &[(&str, Tweak, [E; 5])] = &[
        (
            "nothing known",
            |_| {},
            [I(NotKnown), I(NotKnown), I(NotKnown), V(Greedy), M],
        ),
        (
            "in wwids file",
            |i| i.in_wwids_file = true,
            [
                V(InWwidsFile),
                V(InWwidsFile),
                V(InWwidsFile),
                V(Greedy),
                V(InWwidsFile),
            ],
        ),
        (
            "map exists",
            |i| i.has_map = true,
            [V(HasMap), V(HasMap), V(HasMap), V(Greedy), V(HasMap)],
        ),
        (
            "a sibling path (-c/-u look only at the wwids file and maps, except smart)",
            |i| i.sibling_paths = 1,
            [
                I(NotKnown),
                I(NotKnown),
                I(NotKnown),
                V(Greedy),
                V(SiblingPaths),
            ],
        ),
        (
            "three siblings",
            |i| i.sibling_paths = 3,
            [
                I(NotKnown),
                I(NotKnown),
                I(NotKnown),
                V(Greedy),
                V(SiblingPaths),
            ],
        ),
        (
            "failed wwid beats the wwids file",
            |i| {
                i.failed = true;
                i.in_wwids_file = true;
                i.has_map = true;
            },
            [I(FailedWwid); 5],
        ),
        (
            "blacklisted beats everything but 'already multipathed'",
            |i| {
                i.blacklisted = true;
                i.in_wwids_file = true;
                i.failed = true;
            },
            [I(Blacklisted); 5],
        ),
        (
            "no wwid",
            |i| {
                i.wwid = "";
                i.in_wwids_file = true;
            },
            [I(NoWwid); 5],
        ),
        (
            "a partition",
            |i| {
                i.is_disk = false;
                i.in_wwids_file = true;
                i.blacklisted = true;
            },
            [I(NotADisk); 5],
        ),
        (
            "-u without multipathd",
            |i| {
                i.for_udev = true;
                i.daemon_running = false;
                i.in_wwids_file = true;
                i.is_disk = false;
            },
            [I(DaemonNotRunning); 5],
        ),
        (
            "-c does not need multipathd",
            |i| {
                i.daemon_running = false;
                i.in_wwids_file = true;
            },
            [
                V(InWwidsFile),
                V(InWwidsFile),
                V(InWwidsFile),
                V(Greedy),
                V(InWwidsFile),
            ],
        ),
        (
            "-u with multipathd",
            |i| {
                i.for_udev = true;
                i.has_map = true;
            },
            [V(HasMap), V(HasMap), V(HasMap), V(Greedy), V(HasMap)],
        ),
        (
            "already multipathed: nothing else counts",
            |i| {
                i.multipathed = true;
                i.for_udev = true;
                i.daemon_running = false;
                i.blacklisted = true;
                i.failed = true;
                i.released = true;
                i.is_disk = false;
            },
            [V(AlreadyMultipathed); 5],
        ),
        (
            "already multipathed without a wwid",
            |i| {
                i.multipathed = true;
                i.wwid = "";
            },
            [Err; 5],
        ),
        (
            "in use: only greedy and smart look",
            |i| {
                i.in_use = true;
                i.in_wwids_file = true;
            },
            [
                V(InWwidsFile),
                V(InWwidsFile),
                V(InWwidsFile),
                I(InUse),
                I(InUse),
            ],
        ),
        (
            "released to systemd",
            |i| i.released = true,
            [
                I(NotKnown),
                I(NotKnown),
                I(NotKnown),
                I(ReleasedToSystemd),
                I(ReleasedToSystemd),
            ],
        ),
        (
            "released, map exists",
            |i| {
                i.released = true;
                i.has_map = true;
            },
            [I(ReleasedToSystemd); 5],
        ),
        (
            "released, with siblings",
            |i| {
                i.released = true;
                i.sibling_paths = 1;
            },
            [
                I(NotKnown),
                I(NotKnown),
                I(NotKnown),
                I(ReleasedToSystemd),
                I(ReleasedToSystemd),
            ],
        ),
        (
            "released but in the wwids file: no check (greedy does not look at the file)",
            |i| {
                i.released = true;
                i.in_wwids_file = true;
            },
            [
                V(InWwidsFile),
                V(InWwidsFile),
                V(InWwidsFile),
                I(ReleasedToSystemd),
                V(InWwidsFile),
            ],
        ),
    ];
    for (name, tweak, want) in cases {
        for (mode, want) in MODES.iter().zip(want) {
            let mut i = base(*mode);
            tweak(&mut i);
            assert_eq!(outcome(&i), *want, "{name} / {mode:?}");
            assert_eq!(path_validity(&i), path_validity_why(&i).0);
        }
    }
}

#[test]
fn ignore_wwids_with_validity() {
    // `multipath -i -c`: strict becomes smart, so a single unknown path is
    // "maybe" and one with a sibling is valid; off becomes greedy.
    let mut i = base(FindMode::Strict.ignoring_wwids());
    assert_eq!(outcome(&i), E::M);
    i.sibling_paths = 1;
    assert_eq!(outcome(&i), E::V(Reason::SiblingPaths));
    let i = base(FindMode::Off.ignoring_wwids());
    assert_eq!(outcome(&i), E::V(Reason::Greedy));
}

#[test]
fn smart_single_path_end_to_end() {
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let i = base(FindMode::Smart);
    // First encounter: claim it, start the wait.
    let a = udev_answer(path_validity(&i), None, now);
    assert_eq!(
        a.render(),
        "FIND_MULTIPATHS_WAIT_UNTIL=\"10.000000\"\nDM_MULTIPATH_DEVICE_PATH=\"2\"\n"
    );
    let stamp = a.new_stamp.expect("a timestamp to create");
    // Re-triggered after the wait, still alone: released.
    let later = stamp + Duration::from_secs(1);
    let a = udev_answer(path_validity(&i), Some(stamp), later);
    assert_eq!(
        a.render(),
        "FIND_MULTIPATHS_WAIT_UNTIL=\"0\"\nDM_MULTIPATH_DEVICE_PATH=\"0\"\n"
    );
    assert_eq!(a.exit_code(false), 1);
    // A sibling showed up during the wait: valid, the timer line still shows.
    let mut j = i;
    j.sibling_paths = 1;
    let a = udev_answer(path_validity(&j), Some(stamp), now + Duration::from_secs(4));
    assert_eq!(
        a.render(),
        "FIND_MULTIPATHS_WAIT_UNTIL=\"6.000000\"\nDM_MULTIPATH_DEVICE_PATH=\"1\"\n"
    );
}

fn create(mode: FindMode, tweak: fn(&mut CreateInput<'static>)) -> bool {
    let mut i = CreateInput {
        mode,
        wwid: "3600a",
        paths: 1,
        ..CreateInput::default()
    };
    tweak(&mut i);
    should_create(&i)
}

#[test]
fn creating_maps_per_mode() {
    type CTweak = fn(&mut CreateInput<'static>);
    // Expected per mode: strict, off, on, greedy, smart.
    let cases: &[(&str, CTweak, [bool; 5])] = &[
        (
            "one path, unknown",
            |_| {},
            [false, true, false, true, false],
        ),
        (
            "two paths",
            |i| i.paths = 2,
            [false, true, true, true, true],
        ),
        (
            "four paths",
            |i| i.paths = 4,
            [false, true, true, true, true],
        ),
        (
            "one path in the wwids file",
            |i| i.in_wwids_file = true,
            [true; 5],
        ),
        (
            "one path, map exists",
            |i| i.has_map = true,
            [false, true, true, true, true],
        ),
        (
            "two paths in the wwids file",
            |i| {
                i.paths = 2;
                i.in_wwids_file = true;
            },
            [true; 5],
        ),
        (
            "device named on the command line",
            |i| i.device_given = true,
            [true; 5],
        ),
        (
            "no wwid",
            |i| {
                i.wwid = "";
                i.paths = 2;
                i.in_wwids_file = true;
                i.device_given = true;
            },
            [false; 5],
        ),
        (
            "no paths",
            |i| {
                i.paths = 0;
                i.in_wwids_file = true;
                i.has_map = true;
            },
            [false; 5],
        ),
    ];
    for (name, tweak, want) in cases {
        for (mode, want) in MODES.iter().zip(want) {
            assert_eq!(create(*mode, *tweak), *want, "{name} / {mode:?}");
        }
    }
    // -i: strict -> smart, so two unknown paths make a map.
    assert!(create(FindMode::Strict.ignoring_wwids(), |i| i.paths = 2));
    assert!(!create(FindMode::Strict, |i| i.paths = 2));
}
