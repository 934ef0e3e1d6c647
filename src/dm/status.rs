//! The kernel's `dmsetup status` parameters for a `multipath` target.
//!
//! ```text
//! <nfeat> <queue_io> <pg_init_count> [more...] <nhw> [hw...] <nr_pgs> <next_pg>
//!     { <A|E|D> <nps> [ps...] <npaths> <npathargs>
//!         { <dev> <A|F> <fail_count> [pathargs...] }... }...
//! ```
//!
//! The kernel writes `nfeat` = 2. Its first word is the target's "queue I/O"
//! bit (set while I/O is being queued: no usable path with
//! `queue_if_no_path`, or a pg_init in progress; upstream's tools store it as
//! "queued I/O"); whether `queue_if_no_path` is *configured* is visible in the
//! table's features. As in the table, every list is parsed by its count.

use super::table::{write_counted, DevRef, ParseError, TargetLine, TargetParams, Words};
use std::fmt;
use std::str::FromStr;

/// Priority group state: `A` active (current), `E` enabled, `D` disabled
/// (bypassed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupState {
    Active,
    Enabled,
    Disabled,
}

impl GroupState {
    pub fn letter(self) -> char {
        match self {
            GroupState::Active => 'A',
            GroupState::Enabled => 'E',
            GroupState::Disabled => 'D',
        }
    }

    /// The word `multipath -ll` prints after `status=`.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupState::Active => "active",
            GroupState::Enabled => "enabled",
            GroupState::Disabled => "disabled",
        }
    }
}

/// Path state as the kernel sees it: `A` active, `F` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DmPathState {
    Active,
    Failed,
}

impl DmPathState {
    pub fn letter(self) -> char {
        match self {
            DmPathState::Active => 'A',
            DmPathState::Failed => 'F',
        }
    }

    /// The word printed by the `%t` wildcard.
    pub fn as_str(self) -> &'static str {
        match self {
            DmPathState::Active => "active",
            DmPathState::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPath {
    pub dev: DevRef,
    pub state: DmPathState,
    pub fail_count: u32,
    /// Selector-specific path info (service-time: in-flight size and
    /// relative throughput; queue-length: in-flight count).
    pub selector_info: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusGroup {
    pub state: GroupState,
    /// Selector-specific group info (usually none).
    pub selector_info: Vec<String>,
    /// Per-path selector info count; every path has this many words.
    pub path_info: u32,
    pub paths: Vec<StatusPath>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MultipathStatus {
    /// The kernel's "queue I/O" bit (see the module documentation).
    pub queue_io: bool,
    pub pg_init_count: u32,
    /// Feature words after the first two, if a kernel ever sends more.
    pub extra_features: Vec<String>,
    /// Hardware handler status words without the count (normally none).
    pub hw_handler: Vec<String>,
    /// 1-based number of the group the next I/O goes to (0: none).
    pub next_pg: u32,
    pub groups: Vec<StatusGroup>,
}

/// `0 <size> multipath <status params>`.
pub type StatusLine = TargetLine<MultipathStatus>;

impl MultipathStatus {
    /// Status of the path `dev`, if it is in the map.
    pub fn path(&self, dev: &DevRef) -> Option<&StatusPath> {
        self.groups
            .iter()
            .flat_map(|g| g.paths.iter())
            .find(|p| &p.dev == dev)
    }

    /// Number of paths the kernel considers active.
    pub fn active_paths(&self) -> usize {
        self.groups
            .iter()
            .flat_map(|g| g.paths.iter())
            .filter(|p| p.state == DmPathState::Active)
            .count()
    }
}

fn letter<T>(
    w: &mut Words<'_>,
    what: &'static str,
    expected: &'static str,
    map: impl Fn(&str) -> Option<T>,
) -> Result<T, ParseError> {
    let (tok, position) = w.word(what)?;
    map(tok).ok_or_else(|| ParseError::InvalidState {
        what,
        token: tok.to_string(),
        position,
        expected,
    })
}

impl TargetParams for MultipathStatus {
    fn parse_params(w: &mut Words<'_>) -> Result<Self, ParseError> {
        let nfeat: u32 = letter(w, "status feature count", "2 or more", |t| {
            t.parse::<u32>()
                .ok()
                .filter(|n| *n >= 2 && t.bytes().all(|b| b.is_ascii_digit()))
        })?;
        let queue_io = letter(w, "queue I/O flag", "0, 1", |t| match t {
            "0" => Some(false),
            "1" => Some(true),
            _ => None,
        })?;
        let pg_init_count = w.num("pg_init count")?;
        let extra_features = w.n_words(nfeat - 2, "a feature word")?;
        let hw_handler = w.counted("hardware handler count", "a hardware handler word")?;
        let nr_pgs: u32 = w.num("path group count")?;
        let next_pg = w.num("next path group")?;
        let mut groups = Vec::new();
        for _ in 0..nr_pgs {
            let state = letter(w, "path group state", "A, E, D", |t| match t {
                "A" => Some(GroupState::Active),
                "E" => Some(GroupState::Enabled),
                "D" => Some(GroupState::Disabled),
                _ => None,
            })?;
            let selector_info = w.counted("selector info count", "a selector info word")?;
            let npaths: u32 = w.num("path count")?;
            let path_info: u32 = w.num("per-path info count")?;
            let mut paths = Vec::new();
            for _ in 0..npaths {
                let dev = w.dev()?;
                let state = letter(w, "path state", "A, F", |t| match t {
                    "A" => Some(DmPathState::Active),
                    "F" => Some(DmPathState::Failed),
                    _ => None,
                })?;
                let fail_count = w.num("fail count")?;
                let selector_info = w.n_words(path_info, "a per-path info word")?;
                paths.push(StatusPath {
                    dev,
                    state,
                    fail_count,
                    selector_info,
                });
            }
            groups.push(StatusGroup {
                state,
                selector_info,
                path_info,
                paths,
            });
        }
        w.finish()?;
        Ok(MultipathStatus {
            queue_io,
            pg_init_count,
            extra_features,
            hw_handler,
            next_pg,
            groups,
        })
    }
}

impl FromStr for MultipathStatus {
    type Err = ParseError;
    /// Parses the status parameters only; use [`StatusLine`] for a whole
    /// `dmsetup status` line.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let mut w = Words::new(s, 0);
        if w.is_empty() {
            return Err(ParseError::Empty);
        }
        Self::parse_params(&mut w)
    }
}

impl fmt::Display for MultipathStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {}",
            2 + self.extra_features.len(),
            u8::from(self.queue_io),
            self.pg_init_count
        )?;
        for x in &self.extra_features {
            write!(f, " {x}")?;
        }
        f.write_str(" ")?;
        write_counted(f, &self.hw_handler)?;
        write!(f, " {} {}", self.groups.len(), self.next_pg)?;
        for g in &self.groups {
            write!(f, " {} ", g.state.letter())?;
            write_counted(f, &g.selector_info)?;
            write!(f, " {} {}", g.paths.len(), g.path_info)?;
            for p in &g.paths {
                write!(f, " {} {} {}", p.dev, p.state.letter(), p.fail_count)?;
                for x in &p.selector_info {
                    write!(f, " {x}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn inventory_example() {
        let s = "2 0 0 0 2 1 A 0 2 2 8:16 A 0 0 1 8:32 A 0 0 1 E 0 2 2 8:48 A 0 0 1 8:64 F 1 0 1";
        let st: MultipathStatus = s.parse().unwrap();
        assert!(!st.queue_io);
        assert_eq!(st.pg_init_count, 0);
        assert_eq!(st.next_pg, 1);
        assert_eq!(st.groups.len(), 2);
        assert_eq!(st.groups[0].state, GroupState::Active);
        assert_eq!(st.groups[1].state, GroupState::Enabled);
        let p = st.path(&DevRef::devt(8, 64)).unwrap();
        assert_eq!(p.state, DmPathState::Failed);
        assert_eq!(p.fail_count, 1);
        assert_eq!(p.selector_info, ["0", "1"]);
        assert_eq!(st.active_paths(), 3);
        assert_eq!(st.to_string(), s);
    }

    #[test]
    fn real_status_lines() {
        for s in [
            // round-robin: no per-path info
            "0 2097152 multipath 2 0 0 0 1 1 A 0 2 0 8:16 A 0 8:32 A 0 ",
            // queueing with all paths failed, pg_init count 3
            "0 2097152 multipath 2 1 3 0 1 1 E 0 2 2 8:16 F 2 0 1 8:32 F 5 0 1 ",
            // queue-length: 1 info word
            "0 409600 multipath 2 0 1 0 2 2 D 0 1 1 8:0 A 0 0 E 0 1 1 8:16 A 0 3 ",
            // empty map
            "0 8 multipath 2 0 0 0 0 0 ",
        ] {
            let l: StatusLine = s.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(l.to_string(), s.trim_end());
            assert_eq!(l.to_string().parse::<StatusLine>().unwrap(), l);
        }
        let l: StatusLine = "0 409600 multipath 2 0 1 0 2 2 D 0 1 1 8:0 A 0 0 E 0 1 1 8:16 A 0 3"
            .parse()
            .unwrap();
        assert_eq!(l.params.groups[0].state.as_str(), "disabled");
        assert_eq!(l.params.pg_init_count, 1);
    }

    #[test]
    fn errors() {
        let e = "2 0 0 0 1 1 X 0 1 0 8:16 A 0"
            .parse::<MultipathStatus>()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid path group state \"X\" at word 7: expected one of A, E, D"
        );
        let e = "2 0 0 0 1 1 A 0 1 0 8:16 Q 0"
            .parse::<MultipathStatus>()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid path state \"Q\" at word 12: expected one of A, F"
        );
        let e = "2 7 0 0 0 0".parse::<MultipathStatus>().unwrap_err();
        assert!(e.to_string().contains("\"7\" at word 2"), "{e}");
        let e = "2 0 0 0 1 1 A 0 1 2 8:16 A 0 1"
            .parse::<MultipathStatus>()
            .unwrap_err();
        assert!(
            matches!(e, ParseError::UnexpectedEnd { position: 14, .. }),
            "{e:?}"
        );
        for s in ["", "2", "2 0 0 0 1 1 A", "2 0 0 0 0 0 junk", "2 0 x 0 0 0"] {
            assert!(s.parse::<MultipathStatus>().is_err(), "{s}");
        }
    }

    fn word() -> impl Strategy<Value = String> {
        "[a-z0-9]{1,6}"
    }

    fn status() -> impl Strategy<Value = MultipathStatus> {
        let path = |n: u32| {
            (
                any::<(u32, u32)>(),
                any::<bool>(),
                any::<u32>(),
                prop::collection::vec(word(), n as usize),
            )
                .prop_map(|((major, minor), failed, fail_count, selector_info)| {
                    StatusPath {
                        dev: DevRef::DevT { major, minor },
                        state: if failed {
                            DmPathState::Failed
                        } else {
                            DmPathState::Active
                        },
                        fail_count,
                        selector_info,
                    }
                })
        };
        let group = (
            0u32..3,
            0usize..4,
            0u8..3,
            prop::collection::vec(word(), 0..2),
        )
            .prop_flat_map(move |(path_info, n, st, selector_info)| {
                prop::collection::vec(path(path_info), n).prop_map(move |paths| StatusGroup {
                    state: [
                        GroupState::Active,
                        GroupState::Enabled,
                        GroupState::Disabled,
                    ][st as usize],
                    selector_info: selector_info.clone(),
                    path_info,
                    paths,
                })
            });
        (
            any::<bool>(),
            any::<u32>(),
            prop::collection::vec(word(), 0..2),
            any::<u32>(),
            prop::collection::vec(group, 0..4),
        )
            .prop_map(
                |(queue_io, pg_init_count, extra_features, next_pg, groups)| MultipathStatus {
                    queue_io,
                    pg_init_count,
                    extra_features,
                    hw_handler: vec![],
                    next_pg,
                    groups,
                },
            )
    }

    proptest! {
        #[test]
        fn random_strings_never_panic(s in "\\PC{0,80}") {
            let _ = s.parse::<MultipathStatus>();
            let _ = s.parse::<StatusLine>();
        }

        #[test]
        fn numeric_soup_never_panics(s in "([0-9]{1,3}|[0-9]+:[0-9]+|A|E|D|F| ){0,40}") {
            let _ = s.parse::<MultipathStatus>();
        }

        #[test]
        fn generated_status_round_trips(st in status()) {
            prop_assert_eq!(st.to_string().parse::<MultipathStatus>().unwrap(), st);
        }
    }
}
