//! The bindings file, `/etc/multipath/bindings`: persistent friendly names
//! (`user_friendly_names yes`).
//!
//! Format: a header comment, then one `alias wwid` per line; `#` starts a
//! comment anywhere on a line. Names are `alias_prefix` followed by a
//! bijective base-26 number in letters (1 = `a`, 26 = `z`, 27 = `aa`, ...,
//! `i32::MAX` = `fxshrxw`). A new WWID gets the lowest number that is neither
//! in the file nor the name of an existing map of another WWID. The file is
//! rewritten, sorted by alias, whenever a binding is added.
//!
//! Upstream's handling of bad content, kept here: a line without a WWID and
//! a WWID of 128 bytes or more are skipped; extra words after the WWID are
//! reported and ignored (the binding is kept); the same line twice is
//! reported and kept once; a second binding for an alias already bound to
//! another WWID is discarded (the first wins); a binding whose alias the
//! configuration's `multipaths` section gives to another WWID is discarded.
//! A WWID with more than one alias is reported, and the first alias in file
//! order (sorted) is used. Lines that were skipped or discarded are not
//! written back when the file is next rewritten.

use super::{
    check_wwid, read_optional, write_atomic, FileError, LineDiag, BINDINGS_FILE, WWID_SIZE,
};
use crate::sysroot::SysRoot;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The header upstream writes at the top of a new bindings file.
pub const BINDINGS_HEADER: &str = "# Multipath bindings, Version : 1.0\n\
# NOTE: this file is automatically maintained by the multipath program.\n\
# You should not need to edit this file in normal circumstances.\n\
#\n\
# Format:\n\
# alias wwid\n\
#\n";

/// The friendly name for `index` (>= 1): `prefix` + bijective base-26
/// letters. `None` for an index below 1.
pub fn format_alias(prefix: &str, index: i32) -> Option<String> {
    if index < 1 {
        return None;
    }
    let mut n = index as u32;
    let mut letters = Vec::new();
    while n > 0 {
        n -= 1;
        letters.push(b'a' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    Some(format!(
        "{prefix}{}",
        String::from_utf8(letters).expect("ascii")
    ))
}

/// The index of a friendly name: the prefix must match and the rest be
/// 1 or more lowercase letters whose value fits in an `i32`.
pub fn parse_alias(alias: &str, prefix: &str) -> Option<i32> {
    let rest = alias.strip_prefix(prefix)?;
    if rest.is_empty() {
        return None;
    }
    let mut n: i64 = 0;
    for b in rest.bytes() {
        if !b.is_ascii_lowercase() {
            return None;
        }
        n = n * 26 + i64::from(b - b'a' + 1);
        if n > i64::from(i32::MAX) {
            return None;
        }
    }
    Some(n as i32)
}

/// Order of the rewritten file: shorter aliases first, so that friendly
/// names sort by their number (`mpathz` before `mpathaa`).
fn alias_order(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub alias: String,
    pub wwid: String,
    /// Line in the file it was read from (`None`: added since).
    pub line: Option<usize>,
}

/// What [`Bindings::friendly_name`] decided for a WWID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FriendlyName {
    /// The file already binds the WWID to this alias.
    Existing(String),
    /// The map's current name was free and is now bound to the WWID.
    Adopted(String),
    /// A new binding was allocated and written.
    Created(String),
    /// No friendly name; the map is named by its WWID. The reason says why.
    UseWwid(String),
}

impl FriendlyName {
    /// The alias to use, `None` for the WWID.
    pub fn alias(&self) -> Option<&str> {
        match self {
            FriendlyName::Existing(a) | FriendlyName::Adopted(a) | FriendlyName::Created(a) => {
                Some(a)
            }
            FriendlyName::UseWwid(_) => None,
        }
    }
}

/// A request for a friendly name.
pub struct AliasRequest<'a> {
    pub wwid: &'a str,
    pub prefix: &'a str,
    /// The current name of the WWID's map, if the map exists.
    pub current_alias: Option<&'a str>,
    /// `multipath -B`: never write the file.
    pub read_only: bool,
    /// For a name, the map that holds it if that map belongs to another WWID
    /// (e.g. its DM UUID); `None` when the name is free for this WWID.
    pub in_use: &'a dyn Fn(&str) -> Option<String>,
}

/// The bindings file's content.
#[derive(Debug, Clone)]
pub struct Bindings {
    path: PathBuf,
    /// Sorted by [`alias_order`], aliases unique.
    entries: Vec<Binding>,
    diagnostics: Vec<LineDiag>,
    /// The file starts with [`BINDINGS_HEADER`].
    header: bool,
    /// What the reference logs while reading the file, in its words, with
    /// its level (see [`read_log`](Self::read_log)).
    read_log: Vec<(u32, String)>,
}

impl Bindings {
    /// `/etc/multipath/bindings` under `root`.
    pub fn path_in(root: &SysRoot) -> PathBuf {
        root.join(BINDINGS_FILE)
    }

    /// Read the file; a missing file is an empty one.
    pub fn load(root: &SysRoot) -> Result<Self, FileError> {
        Self::load_path(&Self::path_in(root))
    }

    pub fn load_path(path: &Path) -> Result<Self, FileError> {
        let bytes = read_optional(path)?.unwrap_or_default();
        Ok(Self::parse(path, &String::from_utf8_lossy(&bytes)))
    }

    /// Parse file content; problems go to [`diagnostics`](Self::diagnostics).
    pub fn parse(path: &Path, text: &str) -> Self {
        let header = text.starts_with(BINDINGS_HEADER);
        let mut b = Bindings {
            path: path.to_path_buf(),
            entries: Vec::new(),
            diagnostics: Vec::new(),
            header,
            read_log: Vec::new(),
        };
        if !header {
            b.read_log.push((
                2,
                format!(
                    "_check_bindings_file: failed to read header from {}",
                    path.display()
                ),
            ));
        }
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let content = raw.split('#').next().unwrap_or("");
            let mut words = content.split_whitespace();
            let Some(alias) = words.next() else { continue };
            let Some(wwid) = words.next() else {
                b.diag(
                    Some(line),
                    "invalid line in bindings file, missing WWID".into(),
                );
                b.say(format!(
                    "invalid line {line} in bindings file, missing WWID"
                ));
                continue;
            };
            if wwid.len() >= WWID_SIZE {
                b.diag(
                    Some(line),
                    "ignoring too large WWID in bindings file".into(),
                );
                continue;
            }
            if let Some(extra) = words.next() {
                b.diag(
                    Some(line),
                    format!("invalid line in bindings file, extra args \"{extra}\""),
                );
                b.say(format!(
                    "invalid line {line} in bindings file, extra args \"{extra}\""
                ));
            }
            match b.position(alias) {
                Ok(i) if b.entries[i].wwid == wwid => b.diag(
                    Some(line),
                    format!("duplicate line for alias {alias} in bindings file"),
                ),
                Ok(i) => {
                    let first = b.entries[i].line.unwrap_or(0);
                    b.say(format!(
                        "ERROR: multiple bindings for alias \"{alias}\" in bindings file \
                         on line {line}, discarding binding to WWID {wwid}"
                    ));
                    b.diag(
                        Some(line),
                        format!(
                            "ERROR: multiple bindings for alias \"{alias}\" in bindings file \
                             (first on line {first}), discarding binding to WWID {wwid}"
                        ),
                    )
                }
                Err(i) => b.entries.insert(
                    i,
                    Binding {
                        alias: alias.into(),
                        wwid: wwid.into(),
                        line: Some(line),
                    },
                ),
            }
        }
        let mut by_wwid: BTreeMap<&str, Vec<&Binding>> = BTreeMap::new();
        for e in &b.entries {
            by_wwid.entry(&e.wwid).or_default().push(e);
        }
        let mut multi = Vec::new();
        for (wwid, es) in by_wwid.into_iter().filter(|(_, es)| es.len() > 1) {
            let list: Vec<String> = es
                .iter()
                .map(|e| format!("{} (line {})", e.alias, e.line.unwrap_or(0)))
                .collect();
            multi.push((
                es.iter().filter_map(|e| e.line).min(),
                format!(
                    "WWID {wwid} has several aliases in bindings file: {}; using {}",
                    list.join(", "),
                    es[0].alias
                ),
            ));
        }
        for (line, m) in multi {
            b.diag(line, m);
        }
        b
    }

    /// A line problem as the reference logs it (level 1).
    fn say(&mut self, message: String) {
        self.read_log.push((1, message));
    }

    /// Whether the file began with the header (a missing file did not):
    /// the reference then rewrites it (`updated bindings file`).
    pub fn has_header(&self) -> bool {
        self.header
    }

    /// What reading the file logs, as `(level, message)` in the reference's
    /// words: a missing header, then the lines that were not used.
    pub fn read_log(&self) -> &[(u32, String)] {
        &self.read_log
    }

    fn diag(&mut self, line: Option<usize>, message: String) {
        self.diagnostics.push(LineDiag {
            path: self.path.clone(),
            line,
            message,
        });
    }

    fn position(&self, alias: &str) -> Result<usize, usize> {
        self.entries
            .binary_search_by(|e| alias_order(&e.alias, alias))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// What `multipath` says (verbosity 1) after each write of the file,
    /// in the reference's words.
    pub fn updated_message(&self) -> String {
        format!("updated bindings file {}", self.path.display())
    }

    /// Problems found while reading, and conflicts found since.
    pub fn diagnostics(&self) -> &[LineDiag] {
        &self.diagnostics
    }

    pub fn entries(&self) -> &[Binding] {
        &self.entries
    }

    /// The alias the file binds `wwid` to.
    pub fn alias_of(&self, wwid: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.wwid == wwid)
            .map(|e| e.alias.as_str())
    }

    /// The WWID the file binds `alias` to.
    pub fn wwid_of(&self, alias: &str) -> Option<&str> {
        self.position(alias)
            .ok()
            .map(|i| self.entries[i].wwid.as_str())
    }

    /// Drop bindings that contradict the `multipaths` section's aliases
    /// (`(alias, wwid)` pairs in configuration order). When the
    /// configuration gives one alias to several WWIDs, the first wins.
    /// Returns the messages (also kept in [`diagnostics`](Self::diagnostics)).
    pub fn apply_config_aliases(&mut self, config: &[(&str, &str)]) -> Vec<LineDiag> {
        let start = self.diagnostics.len();
        let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
        for &(alias, wwid) in config {
            match owner.get(alias) {
                Some(first) if *first != wwid => self.diag(
                    None,
                    format!(
                        "ERROR: alias \"{alias}\" bound to multiple wwids in multipath.conf, \
                         discarding binding to {wwid}"
                    ),
                ),
                Some(_) => {}
                None => {
                    owner.insert(alias, wwid);
                }
            }
        }
        let mut keep = Vec::with_capacity(self.entries.len());
        for e in std::mem::take(&mut self.entries) {
            match owner.get(e.alias.as_str()) {
                Some(w) if *w != e.wwid => self.diag(
                    e.line,
                    format!(
                        "ERROR: alias \"{}\" for WWID {} in bindings file conflicts with \
                         multipath.conf entry for {w}",
                        e.alias, e.wwid
                    ),
                ),
                _ => keep.push(e),
            }
        }
        self.entries = keep;
        self.diagnostics[start..].to_vec()
    }

    /// The lowest friendly-name index that is neither in the file nor held
    /// by another WWID's map.
    pub fn lowest_free(
        &self,
        prefix: &str,
        in_use: &dyn Fn(&str) -> Option<String>,
    ) -> Option<String> {
        let used: BTreeSet<i32> = self
            .entries
            .iter()
            .filter_map(|e| parse_alias(&e.alias, prefix))
            .collect();
        let mut used = used.into_iter().peekable();
        let mut idx: i32 = 1;
        loop {
            while used.next_if(|u| *u < idx).is_some() {}
            if used.next_if_eq(&idx).is_none() {
                let alias = format_alias(prefix, idx)?;
                if in_use(&alias).is_none() {
                    return Some(alias);
                }
            }
            idx = idx.checked_add(1)?;
        }
    }

    /// Add a binding in memory (no write). Fails if the alias is bound to
    /// another WWID.
    fn insert(&mut self, alias: &str, wwid: &str) -> bool {
        match self.position(alias) {
            Ok(i) => self.entries[i].wwid == wwid,
            Err(i) => {
                self.entries.insert(
                    i,
                    Binding {
                        alias: alias.into(),
                        wwid: wwid.into(),
                        line: None,
                    },
                );
                true
            }
        }
    }

    fn remove_alias(&mut self, alias: &str) {
        if let Ok(i) = self.position(alias) {
            self.entries.remove(i);
        }
    }

    /// The friendly name for a WWID, allocating and writing a new binding
    /// when needed (see the module documentation). On a write error the
    /// file and this value are unchanged and the caller names the map by
    /// its WWID.
    pub fn friendly_name(&mut self, req: &AliasRequest<'_>) -> Result<FriendlyName, FileError> {
        check_wwid(req.wwid)?;
        let bound = self.alias_of(req.wwid).map(str::to_string);
        if let Some(cur) = req
            .current_alias
            .filter(|c| parse_alias(c, req.prefix).is_some())
        {
            match self.wwid_of(cur) {
                Some(w) if w == req.wwid => return Ok(FriendlyName::Existing(cur.into())),
                Some(w) => {
                    let m = format!("alias {cur} already bound to wwid {w}, cannot reuse");
                    self.diag(None, m);
                }
                None if bound.is_none() => {
                    if req.read_only {
                        return Ok(FriendlyName::Adopted(cur.into()));
                    }
                    self.insert(cur, req.wwid);
                    return match self.save() {
                        Ok(()) => Ok(FriendlyName::Adopted(cur.into())),
                        Err(e) => {
                            self.remove_alias(cur);
                            Err(e)
                        }
                    };
                }
                None => {}
            }
        }
        if let Some(alias) = bound {
            if let Some(holder) = (req.in_use)(&alias) {
                return Ok(FriendlyName::UseWwid(format!(
                    "{}: can't use alias \"{alias}\" used by {holder}, falling back to WWID",
                    req.wwid
                )));
            }
            return Ok(FriendlyName::Existing(alias));
        }
        if req.read_only {
            return Ok(FriendlyName::UseWwid(format!(
                "{}: no binding in read-only bindings file {}, using WWID",
                req.wwid,
                self.path.display()
            )));
        }
        let alias =
            self.lowest_free(req.prefix, req.in_use)
                .ok_or_else(|| FileError::NoFreeAlias {
                    prefix: req.prefix.into(),
                    wwid: req.wwid.into(),
                })?;
        self.insert(&alias, req.wwid);
        match self.save() {
            Ok(()) => Ok(FriendlyName::Created(alias)),
            Err(e) => {
                self.remove_alias(&alias);
                Err(e)
            }
        }
    }

    /// The file as it is written: header, then `alias wwid` lines sorted.
    pub fn render(&self) -> String {
        let mut s = String::from(BINDINGS_HEADER);
        for e in &self.entries {
            s.push_str(&e.alias);
            s.push(' ');
            s.push_str(&e.wwid);
            s.push('\n');
        }
        s
    }

    /// Write the file atomically.
    pub fn save(&mut self) -> Result<(), FileError> {
        write_atomic(&self.path, self.render().as_bytes())?;
        self.header = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn free(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn encoding() {
        let cases = [
            (1, "a"),
            (2, "b"),
            (26, "z"),
            (27, "aa"),
            (28, "ab"),
            (52, "az"),
            (53, "ba"),
            (702, "zz"),
            (703, "aaa"),
            (18278, "zzz"),
            (18279, "aaaa"),
            (i32::MAX, "fxshrxw"),
        ];
        for (i, s) in cases {
            assert_eq!(format_alias("mpath", i).unwrap(), format!("mpath{s}"));
            assert_eq!(parse_alias(&format!("mpath{s}"), "mpath"), Some(i));
        }
        assert_eq!(format_alias("mpath", 0), None);
        assert_eq!(format_alias("mpath", -5), None);
        assert_eq!(format_alias("", 3).unwrap(), "c");
    }

    #[test]
    fn decoding_rejects() {
        for (alias, prefix) in [
            ("mpath", "mpath"),
            ("xpatha", "mpath"),
            ("mpatha ", "mpath"),
            ("mpathA", "mpath"),
            ("mpath1", "mpath"),
            ("mpathfxshrxx", "mpath"),
            ("mpathzzzzzzzz", "mpath"),
            ("mpat", "mpath"),
            ("mpathaaaaaaaaaaaaaaaaaaaaaaaaa", "mpath"),
        ] {
            assert_eq!(parse_alias(alias, prefix), None, "{alias}");
        }
        assert_eq!(parse_alias("fooab", "foo"), Some(28));
    }

    #[test]
    fn round_trip_many() {
        for i in (1..100_000).chain([i32::MAX - 1, i32::MAX / 26, 475_254, 475_255]) {
            assert_eq!(parse_alias(&format_alias("p", i).unwrap(), "p"), Some(i));
        }
    }

    fn parse(text: &str) -> Bindings {
        Bindings::parse(Path::new("/etc/multipath/bindings"), text)
    }

    #[test]
    fn parse_and_conflicts() {
        let b = parse(
            "# comment\n\
             mpatha 3600a\n\
             \n\
             mpathb 3600b # trailing comment\n\
             mpathc\n\
             mpathd 3600d extra\n\
             mpatha 3600a\n\
             mpathb 3600x\n\
             mpathe 3600a\n",
        );
        let pairs: Vec<_> = b
            .entries()
            .iter()
            .map(|e| (e.alias.as_str(), e.wwid.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("mpatha", "3600a"),
                ("mpathb", "3600b"),
                ("mpathd", "3600d"),
                ("mpathe", "3600a")
            ]
        );
        let msgs: Vec<String> = b.diagnostics().iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "/etc/multipath/bindings:5: invalid line in bindings file, missing WWID",
                "/etc/multipath/bindings:6: invalid line in bindings file, extra args \"extra\"",
                "/etc/multipath/bindings:7: duplicate line for alias mpatha in bindings file",
                "/etc/multipath/bindings:8: ERROR: multiple bindings for alias \"mpathb\" in \
                 bindings file (first on line 4), discarding binding to WWID 3600x",
                "/etc/multipath/bindings:2: WWID 3600a has several aliases in bindings file: \
                 mpatha (line 2), mpathe (line 9); using mpatha",
            ]
        );
        assert_eq!(b.alias_of("3600a"), Some("mpatha"));
        assert_eq!(b.wwid_of("mpathb"), Some("3600b"));
        assert_eq!(b.wwid_of("mpathz"), None);
    }

    #[test]
    fn too_large_wwid_skipped() {
        let b = parse(&format!("mpatha {}\nmpathb ok\n", "3".repeat(128)));
        assert_eq!(b.entries().len(), 1);
        assert_eq!(b.diagnostics()[0].line, Some(1));
    }

    #[test]
    fn sorted_rewrite() {
        let b = parse("mpathaa 27\nmpathz 26\nmpatha 1\nfoo 9\nmpathb 2\n");
        assert_eq!(
            b.render(),
            format!("{BINDINGS_HEADER}foo 9\nmpatha 1\nmpathb 2\nmpathz 26\nmpathaa 27\n")
        );
        assert!(b.diagnostics().is_empty());
    }

    #[test]
    fn header_is_upstreams() {
        assert!(BINDINGS_HEADER.starts_with("# Multipath bindings, Version : 1.0\n"));
        assert_eq!(BINDINGS_HEADER.lines().count(), 7);
        // The header parses as an empty file.
        assert!(parse(BINDINGS_HEADER).entries().is_empty());
    }

    #[test]
    fn lowest_free_fills_gaps_and_skips_maps() {
        let b = parse("mpatha 1\nmpathc 3\nmpathd 4\nother 5\n");
        assert_eq!(b.lowest_free("mpath", &free).unwrap(), "mpathb");
        let taken = |a: &str| (a == "mpathb" || a == "mpathe").then(|| "mpath-zzz".to_string());
        assert_eq!(b.lowest_free("mpath", &taken).unwrap(), "mpathf");
        assert_eq!(b.lowest_free("other", &free).unwrap(), "othera");
        let b = parse("");
        assert_eq!(b.lowest_free("mpath", &free).unwrap(), "mpatha");
        // 26 used: next is aa.
        let text: String = (1..=26)
            .map(|i| format!("{} w{i}\n", format_alias("mpath", i).unwrap()))
            .collect();
        assert_eq!(parse(&text).lowest_free("mpath", &free).unwrap(), "mpathaa");
    }

    #[test]
    fn lowest_free_after_int_max_wraps_to_gap() {
        let b = parse("mpathfxshrxw max\nmpatha 1\n");
        assert_eq!(b.lowest_free("mpath", &free).unwrap(), "mpathb");
    }

    #[test]
    fn config_aliases_win() {
        let mut b = parse("mpatha 3600a\nmpathb 3600b\ndata 3600c\n");
        let d =
            b.apply_config_aliases(&[("mpatha", "3600z"), ("data", "3600c"), ("data", "3600q")]);
        let msgs: Vec<String> = d.iter().map(ToString::to_string).collect();
        assert_eq!(
            msgs,
            [
                "/etc/multipath/bindings: ERROR: alias \"data\" bound to multiple wwids in \
                 multipath.conf, discarding binding to 3600q",
                "/etc/multipath/bindings:1: ERROR: alias \"mpatha\" for WWID 3600a in bindings \
                 file conflicts with multipath.conf entry for 3600z",
            ]
        );
        assert_eq!(b.alias_of("3600a"), None);
        assert_eq!(b.alias_of("3600c"), Some("data"));
    }

    fn setup(content: Option<&str>) -> (tempfile::TempDir, SysRoot) {
        let d = tempfile::tempdir().unwrap();
        let root = SysRoot::new(d.path());
        if let Some(c) = content {
            let p = Bindings::path_in(&root);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, c).unwrap();
        }
        (d, root)
    }

    fn req<'a>(wwid: &'a str, in_use: &'a dyn Fn(&str) -> Option<String>) -> AliasRequest<'a> {
        AliasRequest {
            wwid,
            prefix: "mpath",
            current_alias: None,
            read_only: false,
            in_use,
        }
    }

    #[test]
    fn allocate_writes_file() {
        let (_d, root) = setup(None);
        let mut b = Bindings::load(&root).unwrap();
        assert_eq!(
            b.friendly_name(&req("3600a", &free)).unwrap(),
            FriendlyName::Created("mpatha".into())
        );
        assert_eq!(
            b.friendly_name(&req("3600b", &free)).unwrap(),
            FriendlyName::Created("mpathb".into())
        );
        assert_eq!(
            b.friendly_name(&req("3600a", &free)).unwrap(),
            FriendlyName::Existing("mpatha".into())
        );
        let text = fs::read_to_string(Bindings::path_in(&root)).unwrap();
        assert_eq!(
            text,
            format!("{BINDINGS_HEADER}mpatha 3600a\nmpathb 3600b\n")
        );
        // A fresh load sees the same.
        let b2 = Bindings::load(&root).unwrap();
        assert_eq!(b2.alias_of("3600b"), Some("mpathb"));
        assert!(b2.diagnostics().is_empty());
    }

    #[test]
    fn gap_reused_and_corrupt_lines_dropped_on_rewrite() {
        let (_d, root) = setup(Some("mpatha 1\nmpathc 3\njunk\n"));
        let mut b = Bindings::load(&root).unwrap();
        assert_eq!(b.diagnostics().len(), 1);
        assert!(b.diagnostics()[0]
            .to_string()
            .ends_with("bindings:3: invalid line in bindings file, missing WWID"));
        assert_eq!(
            b.friendly_name(&req("2", &free)).unwrap().alias(),
            Some("mpathb")
        );
        let text = fs::read_to_string(b.path()).unwrap();
        assert_eq!(
            text,
            format!("{BINDINGS_HEADER}mpatha 1\nmpathb 2\nmpathc 3\n")
        );
    }

    #[test]
    fn read_only_mode() {
        let (_d, root) = setup(Some("mpatha 1\n"));
        let mut b = Bindings::load(&root).unwrap();
        let mut r = req("1", &free);
        r.read_only = true;
        assert_eq!(
            b.friendly_name(&r).unwrap(),
            FriendlyName::Existing("mpatha".into())
        );
        r.wwid = "2";
        let got = b.friendly_name(&r).unwrap();
        assert!(matches!(got, FriendlyName::UseWwid(_)), "{got:?}");
        assert_eq!(got.alias(), None);
        assert_eq!(fs::read_to_string(b.path()).unwrap(), "mpatha 1\n");
    }

    #[test]
    fn existing_binding_held_by_other_map_falls_back() {
        let (_d, root) = setup(Some("mpatha 1\n"));
        let mut b = Bindings::load(&root).unwrap();
        let held = |a: &str| (a == "mpatha").then(|| "mpath-other".to_string());
        match b.friendly_name(&req("1", &held)).unwrap() {
            FriendlyName::UseWwid(m) => {
                assert_eq!(
                    m,
                    "1: can't use alias \"mpatha\" used by mpath-other, falling back to WWID"
                )
            }
            x => panic!("{x:?}"),
        }
        // New allocations skip the held name.
        assert_eq!(
            b.friendly_name(&req("2", &held)).unwrap().alias(),
            Some("mpathb")
        );
    }

    #[test]
    fn current_map_name_adopted_or_refused() {
        let (_d, root) = setup(Some("mpatha 1\n"));
        let mut b = Bindings::load(&root).unwrap();
        let mut r = req("5", &free);
        r.current_alias = Some("mpathe");
        assert_eq!(
            b.friendly_name(&r).unwrap(),
            FriendlyName::Adopted("mpathe".into())
        );
        assert_eq!(b.wwid_of("mpathe"), Some("5"));
        assert!(fs::read_to_string(b.path())
            .unwrap()
            .ends_with("mpathe 5\n"));
        // A current name bound to someone else is not reused.
        let mut r = req("6", &free);
        r.current_alias = Some("mpatha");
        assert_eq!(
            b.friendly_name(&r).unwrap(),
            FriendlyName::Created("mpathb".into())
        );
        assert!(b
            .diagnostics()
            .last()
            .unwrap()
            .message
            .contains("alias mpatha already bound to wwid 1, cannot reuse"));
        // A non-friendly current name is ignored.
        let mut r = req("7", &free);
        r.current_alias = Some("3600");
        assert_eq!(b.friendly_name(&r).unwrap().alias(), Some("mpathc"));
    }

    #[test]
    fn write_failure_leaves_everything_unchanged() {
        let (d, root) = setup(Some("mpatha 1\n"));
        let mut b = Bindings::load(&root).unwrap();
        // Make the directory unusable: replace it with a file.
        let dir = d.path().join("etc/multipath");
        fs::remove_dir_all(&dir).unwrap();
        fs::write(&dir, "").unwrap();
        assert!(b.friendly_name(&req("2", &free)).is_err());
        assert_eq!(b.entries().len(), 1);
        assert_eq!(b.alias_of("2"), None);
    }

    #[test]
    fn invalid_wwid_refused() {
        let mut b = parse("");
        assert!(matches!(
            b.friendly_name(&req("a b", &free)),
            Err(FileError::InvalidWwid { .. })
        ));
    }
}
