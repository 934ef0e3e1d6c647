//! The dm-multipath table line as a type.
//!
//! Grammar of the target parameters (what follows `0 <size> multipath`):
//!
//! ```text
//! <nfeat> [feat...] <nhw> [hw...] <nr_pgs> <init_pg>
//!     { <selector> <nsel> [selargs...] <npaths> <npathargs> { <dev> [pathargs...] }... }...
//! ```
//!
//! Every list is preceded by its count, and parsing is driven by the counts
//! only: the kernel echoes `service-time` paths with two per-path arguments
//! (repeat count and relative throughput) where upstream writes one, and both
//! forms parse. [`Display`](fmt::Display) writes the canonical form: single
//! spaces, no trailing space (the kernel's `dmsetup table` output ends with a
//! space, which parsing ignores). Compare parsed values, not strings, to
//! decide whether a map needs a reload.

use std::fmt;
use std::str::FromStr;

/// A table or status line that does not follow the dm-multipath grammar.
/// Positions are 1-based word numbers in the line that was parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty line")]
    Empty,
    #[error("line ends after word {position}, where {expected} was expected")]
    UnexpectedEnd {
        expected: &'static str,
        position: usize,
    },
    #[error("invalid {what} \"{token}\" at word {position}: expected a decimal number")]
    InvalidNumber {
        what: &'static str,
        token: String,
        position: usize,
    },
    #[error("invalid path device \"{token}\" at word {position}: expected major:minor")]
    InvalidDevice { token: String, position: usize },
    #[error("invalid {what} \"{token}\" at word {position}: expected one of {expected}")]
    InvalidState {
        what: &'static str,
        token: String,
        position: usize,
        expected: &'static str,
    },
    #[error("target type \"{token}\" at word {position} is not \"multipath\"")]
    WrongTarget { token: String, position: usize },
    #[error("unexpected \"{token}\" at word {position} after the last path group")]
    TrailingWords { token: String, position: usize },
}

/// Word cursor shared by the table and status parsers (opaque outside
/// this crate).
#[doc(hidden)]
pub struct Words<'a> {
    words: Vec<&'a str>,
    next: usize,
    /// Added to positions in error messages (words already consumed by the
    /// caller, e.g. `0 <size> multipath`).
    offset: usize,
}

impl<'a> Words<'a> {
    pub(crate) fn new(s: &'a str, offset: usize) -> Self {
        Words {
            words: s.split_ascii_whitespace().collect(),
            next: 0,
            offset,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// 1-based position of the word `next()` would return.
    fn position(&self) -> usize {
        self.offset + self.next + 1
    }

    pub(crate) fn word(&mut self, expected: &'static str) -> Result<(&'a str, usize), ParseError> {
        match self.words.get(self.next) {
            Some(w) => {
                let pos = self.position();
                self.next += 1;
                Ok((w, pos))
            }
            None => Err(ParseError::UnexpectedEnd {
                expected,
                position: self.offset + self.next,
            }),
        }
    }

    pub(crate) fn num<T: FromStr>(&mut self, what: &'static str) -> Result<T, ParseError> {
        let (w, position) = self.word(what)?;
        parse_decimal(w).ok_or_else(|| ParseError::InvalidNumber {
            what,
            token: w.to_string(),
            position,
        })
    }

    /// A count followed by that many words. Never allocates by the count: a
    /// huge count fails when the words run out.
    pub(crate) fn counted(
        &mut self,
        count_what: &'static str,
        word_what: &'static str,
    ) -> Result<Vec<String>, ParseError> {
        let n: u32 = self.num(count_what)?;
        self.n_words(n, word_what)
    }

    pub(crate) fn n_words(
        &mut self,
        n: u32,
        what: &'static str,
    ) -> Result<Vec<String>, ParseError> {
        let mut out = Vec::new();
        for _ in 0..n {
            out.push(self.word(what)?.0.to_string());
        }
        Ok(out)
    }

    pub(crate) fn dev(&mut self) -> Result<DevRef, ParseError> {
        let (w, position) = self.word("a path device")?;
        w.parse().map_err(|()| ParseError::InvalidDevice {
            token: w.to_string(),
            position,
        })
    }

    pub(crate) fn finish(&self) -> Result<(), ParseError> {
        match self.words.get(self.next) {
            None => Ok(()),
            Some(w) => Err(ParseError::TrailingWords {
                token: w.to_string(),
                position: self.position(),
            }),
        }
    }
}

/// Digits only (no sign, no blanks), so that a parsed value prints back as
/// the same word.
fn parse_decimal<T: FromStr>(w: &str) -> Option<T> {
    if w.is_empty() || !w.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    w.parse().ok()
}

/// A path device as written in a table: `major:minor` (what upstream writes
/// and the kernel echoes) or a device node path (accepted by the kernel on
/// input, e.g. `dmsetup load`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DevRef {
    DevT { major: u32, minor: u32 },
    Node(String),
}

impl DevRef {
    pub fn devt(major: u32, minor: u32) -> Self {
        DevRef::DevT { major, minor }
    }
}

impl fmt::Display for DevRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DevRef::DevT { major, minor } => write!(f, "{major}:{minor}"),
            DevRef::Node(p) => f.write_str(p),
        }
    }
}

impl FromStr for DevRef {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        if let Some((ma, mi)) = s.split_once(':') {
            return match (parse_decimal(ma), parse_decimal(mi)) {
                (Some(major), Some(minor)) => Ok(DevRef::DevT { major, minor }),
                _ => Err(()),
            };
        }
        if s.starts_with('/') && s.len() > 1 && !s.contains(char::is_whitespace) {
            return Ok(DevRef::Node(s.to_string()));
        }
        Err(())
    }
}

/// One path of a path group with its per-path selector arguments
/// (upstream: the repeat count; kernel echo of service-time: repeat count
/// and relative throughput).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TablePath {
    pub dev: DevRef,
    pub args: Vec<String>,
}

/// A priority group: its path selector and its paths.
///
/// Invariant (checked by [`MultipathTable::validate`]): every path has
/// exactly `path_args` arguments. The count is stored so that a group with no
/// paths still round-trips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathGroup {
    pub selector: String,
    pub selector_args: Vec<String>,
    pub path_args: u32,
    pub paths: Vec<TablePath>,
}

impl PathGroup {
    /// A group whose per-path argument count is taken from its first path
    /// (1 when it has no paths, as upstream writes).
    pub fn new(
        selector: impl Into<String>,
        selector_args: Vec<String>,
        paths: Vec<TablePath>,
    ) -> Self {
        let path_args = paths.first().map_or(1, |p| p.args.len() as u32);
        PathGroup {
            selector: selector.into(),
            selector_args,
            path_args,
            paths,
        }
    }
}

/// The parameters of a `multipath` target.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MultipathTable {
    /// Feature words without the leading count, e.g. `["queue_if_no_path"]`
    /// or `["pg_init_retries", "50"]`.
    pub features: Vec<String>,
    /// Hardware handler words without the leading count, e.g. `["alua"]`.
    pub hw_handler: Vec<String>,
    /// 1-based initial priority group (0 only with no groups).
    pub init_pg: u32,
    pub groups: Vec<PathGroup>,
}

/// Why a table value cannot be rendered into a line the kernel would parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTable {
    #[error(
        "path group {group}: path {dev} has {got} selector arguments, the group declares {want}"
    )]
    PathArgCount {
        group: usize,
        dev: String,
        got: usize,
        want: u32,
    },
    #[error("{what} word {word:?} is empty or contains whitespace")]
    BadWord { what: &'static str, word: String },
}

impl MultipathTable {
    pub fn has_feature(&self, word: &str) -> bool {
        self.features.iter().any(|f| f == word)
    }

    /// The hardware handler name, if any (`alua`, `emc`, `rdac`, `hp_sw`).
    pub fn hw_handler_name(&self) -> Option<&str> {
        self.hw_handler.first().map(String::as_str)
    }

    /// All path devices in table order.
    pub fn devices(&self) -> impl Iterator<Item = &DevRef> {
        self.groups
            .iter()
            .flat_map(|g| g.paths.iter().map(|p| &p.dev))
    }

    /// Check the invariants that `Display` relies on to produce a parsable line.
    pub fn validate(&self) -> Result<(), InvalidTable> {
        let check = |what, w: &String| {
            if w.is_empty() || w.contains(char::is_whitespace) {
                Err(InvalidTable::BadWord {
                    what,
                    word: w.clone(),
                })
            } else {
                Ok(())
            }
        };
        for w in &self.features {
            check("feature", w)?;
        }
        for w in &self.hw_handler {
            check("hardware handler", w)?;
        }
        for (i, g) in self.groups.iter().enumerate() {
            check("selector", &g.selector)?;
            for w in &g.selector_args {
                check("selector argument", w)?;
            }
            for p in &g.paths {
                if p.args.len() != g.path_args as usize {
                    return Err(InvalidTable::PathArgCount {
                        group: i + 1,
                        dev: p.dev.to_string(),
                        got: p.args.len(),
                        want: g.path_args,
                    });
                }
                for w in &p.args {
                    check("path argument", w)?;
                }
            }
        }
        Ok(())
    }

    pub(crate) fn parse_words(w: &mut Words<'_>) -> Result<Self, ParseError> {
        let features = w.counted("feature count", "a feature word")?;
        let hw_handler = w.counted("hardware handler count", "a hardware handler word")?;
        let nr_pgs: u32 = w.num("path group count")?;
        let init_pg = w.num("initial path group")?;
        let mut groups = Vec::new();
        for _ in 0..nr_pgs {
            let (selector, _) = w.word("a path selector")?;
            let selector_args = w.counted("selector argument count", "a selector argument")?;
            let npaths: u32 = w.num("path count")?;
            let path_args: u32 = w.num("per-path argument count")?;
            let mut paths = Vec::new();
            for _ in 0..npaths {
                let dev = w.dev()?;
                let args = w.n_words(path_args, "a per-path argument")?;
                paths.push(TablePath { dev, args });
            }
            groups.push(PathGroup {
                selector: selector.to_string(),
                selector_args,
                path_args,
                paths,
            });
        }
        w.finish()?;
        Ok(MultipathTable {
            features,
            hw_handler,
            init_pg,
            groups,
        })
    }
}

pub(crate) fn write_counted(f: &mut fmt::Formatter<'_>, words: &[String]) -> fmt::Result {
    write!(f, "{}", words.len())?;
    for w in words {
        write!(f, " {w}")?;
    }
    Ok(())
}

impl fmt::Display for MultipathTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_counted(f, &self.features)?;
        f.write_str(" ")?;
        write_counted(f, &self.hw_handler)?;
        write!(f, " {} {}", self.groups.len(), self.init_pg)?;
        for g in &self.groups {
            write!(f, " {} ", g.selector)?;
            write_counted(f, &g.selector_args)?;
            write!(f, " {} {}", g.paths.len(), g.path_args)?;
            for p in &g.paths {
                write!(f, " {}", p.dev)?;
                for a in &p.args {
                    write!(f, " {a}")?;
                }
            }
        }
        Ok(())
    }
}

impl FromStr for MultipathTable {
    type Err = ParseError;
    /// Parses the target parameters only (no `0 <size> multipath` prefix);
    /// use [`TableLine`] for a whole `dmsetup table` line.
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let mut w = Words::new(s, 0);
        if w.is_empty() {
            return Err(ParseError::Empty);
        }
        Self::parse_words(&mut w)
    }
}

/// Target parameters that can be parsed from a word cursor (table or status).
pub trait TargetParams: Sized {
    #[doc(hidden)]
    fn parse_params(w: &mut Words<'_>) -> Result<Self, ParseError>;
}

impl TargetParams for MultipathTable {
    fn parse_params(w: &mut Words<'_>) -> Result<Self, ParseError> {
        Self::parse_words(w)
    }
}

/// A whole line as `dmsetup table` / `dmsetup status` prints it:
/// `<start> <length> multipath <params>`, sizes in 512-byte sectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetLine<T> {
    pub start: u64,
    pub length: u64,
    pub params: T,
}

/// `0 <size> multipath <table params>`.
pub type TableLine = TargetLine<MultipathTable>;

/// The dm target type of multipath maps.
pub const TARGET_TYPE: &str = "multipath";

impl<T: fmt::Display> fmt::Display for TargetLine<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.start, self.length, TARGET_TYPE, self.params
        )
    }
}

impl<T: TargetParams> FromStr for TargetLine<T> {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let mut w = Words::new(s, 0);
        if w.is_empty() {
            return Err(ParseError::Empty);
        }
        let start = w.num("start sector")?;
        let length = w.num("length")?;
        let (target, position) = w.word("the target type")?;
        if target != TARGET_TYPE {
            return Err(ParseError::WrongTarget {
                token: target.to_string(),
                position,
            });
        }
        let params = T::parse_params(&mut w)?;
        Ok(TargetLine {
            start,
            length,
            params,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rt(s: &str) -> MultipathTable {
        let t: MultipathTable = s.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(
            t.to_string(),
            s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
        );
        assert_eq!(t.to_string().parse::<MultipathTable>().unwrap(), t);
        t.validate().unwrap();
        t
    }

    #[test]
    fn upstream_examples_round_trip() {
        let t = rt("1 queue_if_no_path 1 alua 2 1 service-time 0 2 1 8:16 1 8:32 1 service-time 0 2 1 8:48 1 8:64 1");
        assert!(t.has_feature("queue_if_no_path"));
        assert_eq!(t.hw_handler_name(), Some("alua"));
        assert_eq!(t.groups.len(), 2);
        assert_eq!(t.groups[1].paths[1].dev, DevRef::devt(8, 64));
        assert_eq!(t.groups[1].paths[1].args, ["1"]);

        let t = rt("2 pg_init_retries 50 1 alua 2 1 round-robin 0 2 1 8:16 50 8:32 50 round-robin 0 2 1 8:48 10 8:64 10");
        assert_eq!(t.features, ["pg_init_retries", "50"]);
        assert_eq!(t.groups[1].paths[0].args, ["10"]);
    }

    #[test]
    fn more_real_lines() {
        for s in [
            "0 0 1 1 service-time 0 1 1 8:16 1",
            "0 0 0 0",
            "0 0 1 1 round-robin 0 4 1 8:16 1000 8:32 1000 65:0 1000 65:16 1000",
            "0 0 4 1 service-time 0 1 1 8:16 1 service-time 0 1 1 8:32 1 service-time 0 1 1 8:48 1 service-time 0 1 1 8:64 1",
            "1 queue_if_no_path 0 1 1 queue-length 0 2 1 259:0 1 259:1 1",
            "3 queue_if_no_path queue_mode bio 0 1 1 service-time 0 2 1 259:2 1 259:5 1",
            "1 retain_attached_hw_handler 1 emc 2 1 round-robin 0 1 1 8:0 100 round-robin 0 1 1 8:16 100",
            "1 queue_if_no_path 1 rdac 2 1 service-time 0 1 1 8:0 1 service-time 0 1 1 8:16 1",
            "0 1 hp_sw 2 2 round-robin 0 1 1 8:0 1 round-robin 0 1 1 8:16 1",
            "2 queue_if_no_path no_partitions 0 1 1 historical-service-time 2 3 5000 2 1 8:0 1 8:16 1",
            "0 0 1 1 round-robin 0 0 1",
        ] {
            rt(s);
        }
    }

    #[test]
    fn kernel_echo_two_path_args() {
        // dmsetup table output: service-time echoes repeat count and
        // relative throughput, and the kernel leaves a trailing space.
        let line = "0 2097152 multipath 1 queue_if_no_path 1 alua 2 1 service-time 0 2 2 8:16 1 1 8:32 1 1 service-time 0 1 2 8:48 1 1 ";
        let l: TableLine = line.parse().unwrap();
        assert_eq!(l.start, 0);
        assert_eq!(l.length, 2097152);
        assert_eq!(l.params.groups[0].path_args, 2);
        assert_eq!(l.params.groups[0].paths[1].args, ["1", "1"]);
        assert_eq!(l.params.groups[1].paths.len(), 1);
        assert_eq!(l.to_string(), line.trim_end());
        assert_eq!(l.to_string().parse::<TableLine>().unwrap(), l);
    }

    #[test]
    fn node_devices() {
        let t = rt("0 0 1 1 round-robin 0 2 1 /dev/sdb 1 /dev/sdc 1");
        assert_eq!(t.groups[0].paths[0].dev, DevRef::Node("/dev/sdb".into()));
    }

    #[test]
    fn errors_name_token_and_position() {
        let e = "1 queue_if_no_path 1 alua x 1"
            .parse::<MultipathTable>()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid path group count \"x\" at word 5: expected a decimal number"
        );
        let e = "0 0 1 1 service-time 0 1 1 sdb 1"
            .parse::<MultipathTable>()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid path device \"sdb\" at word 9: expected major:minor"
        );
        let e = "0 0 1 1 service-time 0 2 1 8:16 1"
            .parse::<MultipathTable>()
            .unwrap_err();
        assert_eq!(
            e,
            ParseError::UnexpectedEnd {
                expected: "a path device",
                position: 10
            }
        );
        assert_eq!(
            e.to_string(),
            "line ends after word 10, where a path device was expected"
        );
        let e = "0 0 1 1 service-time 0 1 1 8:16 1 junk"
            .parse::<MultipathTable>()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "unexpected \"junk\" at word 11 after the last path group"
        );
        let e = "0 100 linear 8:16 0".parse::<TableLine>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "target type \"linear\" at word 3 is not \"multipath\""
        );
        // Positions count the whole line.
        let e = "0 100 multipath 0 0 1 1 rr 0 1 1 8:x 1"
            .parse::<TableLine>()
            .unwrap_err();
        assert_eq!(
            e,
            ParseError::InvalidDevice {
                token: "8:x".into(),
                position: 12
            }
        );
        assert_eq!("".parse::<MultipathTable>().unwrap_err(), ParseError::Empty);
        assert_eq!("   ".parse::<TableLine>().unwrap_err(), ParseError::Empty);
    }

    #[test]
    fn malformed_lines() {
        for s in [
            "1",
            "+1 queue_if_no_path 0 0 0",
            "-1 0 0 0",
            "4294967295 a b",
            "99999999999999999999 0 0 0",
            "0 0 4294967295 1 round-robin 0 0 1",
            "0 0 1 1 round-robin 4294967295 x",
            "0 0 1 1 round-robin 0 1 4294967295 8:16",
            "0 0 1 1 round-robin 0 1 1 8: 1",
            "0 0 1 1 round-robin 0 1 1 :16 1",
            "0 0 1 1 round-robin 0 1 1 8:16:3 1",
            "0 0 1 1 round-robin 0 1 1 / 1",
            "0 0 1",
            "0 0 0 0 extra",
        ] {
            assert!(s.parse::<MultipathTable>().is_err(), "{s}");
        }
        for s in ["0", "0 x multipath 0 0 0 0", "0 1 multipath", "a b c d"] {
            assert!(s.parse::<TableLine>().is_err(), "{s}");
        }
    }

    #[test]
    fn validate_catches_inconsistent_values() {
        let mut t: MultipathTable = "0 0 1 1 service-time 0 2 1 8:16 1 8:32 1".parse().unwrap();
        t.groups[0].paths[1].args.push("7".into());
        assert!(matches!(
            t.validate(),
            Err(InvalidTable::PathArgCount { group: 1, .. })
        ));
        t.groups[0].paths[1].args.pop();
        t.features.push("a b".into());
        assert!(t.validate().is_err());
    }

    fn word() -> impl Strategy<Value = String> {
        "[a-z0-9_:.-]{1,12}"
    }

    fn dev() -> impl Strategy<Value = DevRef> {
        prop_oneof![
            (any::<u32>(), any::<u32>()).prop_map(|(major, minor)| DevRef::DevT { major, minor }),
            "/dev/[a-z0-9/]{1,10}".prop_map(DevRef::Node),
        ]
    }

    fn group() -> impl Strategy<Value = PathGroup> {
        (
            word(),
            prop::collection::vec(word(), 0..3),
            0u32..3,
            0usize..5,
        )
            .prop_flat_map(|(selector, selector_args, path_args, npaths)| {
                prop::collection::vec(
                    (dev(), prop::collection::vec(word(), path_args as usize))
                        .prop_map(|(dev, args)| TablePath { dev, args }),
                    npaths,
                )
                .prop_map(move |paths| PathGroup {
                    selector: selector.clone(),
                    selector_args: selector_args.clone(),
                    path_args,
                    paths,
                })
            })
    }

    pub(crate) fn table() -> impl Strategy<Value = MultipathTable> {
        (
            prop::collection::vec(word(), 0..4),
            prop::collection::vec(word(), 0..2),
            any::<u32>(),
            prop::collection::vec(group(), 0..4),
        )
            .prop_map(|(features, hw_handler, init_pg, groups)| MultipathTable {
                features,
                hw_handler,
                init_pg,
                groups,
            })
    }

    proptest! {
        #[test]
        fn random_strings_never_panic(s in "\\PC{0,80}") {
            let _ = s.parse::<MultipathTable>();
            let _ = s.parse::<TableLine>();
        }

        #[test]
        fn random_numeric_soup_never_panics(s in "([0-9]{1,3}|[0-9]+:[0-9]+|x|multipath| ){0,40}") {
            let _ = s.parse::<MultipathTable>();
            let _ = format!("0 8 multipath {s}").parse::<TableLine>();
        }

        #[test]
        fn generated_tables_round_trip(t in table(), length in any::<u64>()) {
            prop_assert!(t.validate().is_ok());
            let s = t.to_string();
            prop_assert_eq!(s.parse::<MultipathTable>().unwrap(), t.clone());
            let line = TableLine { start: 0, length, params: t };
            prop_assert_eq!(line.to_string().parse::<TableLine>().unwrap(), line);
        }
    }
}
