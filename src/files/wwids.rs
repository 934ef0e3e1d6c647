//! The wwids file, `/etc/multipath/wwids` (WWIDs that are known to be
//! multipath devices, used by `find_multipaths`), and the failed-wwids
//! markers under `/run/multipath/failed_wwids` (map creation failed).
//!
//! Format: a header comment, then one `/<wwid>/` per line. Adding appends a
//! line, removing drops the matching lines, and every other line (comments,
//! lines we cannot read) is kept as it was. Resetting (`multipath -W`)
//! writes the header and the given WWIDs only.

use super::{
    check_wwid, read_optional, write_atomic, FileError, LineDiag, FAILED_WWIDS_DIR, WWIDS_FILE,
};
use crate::sysroot::SysRoot;
use std::fs;
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

/// The header upstream writes at the top of a new wwids file.
pub const WWIDS_HEADER: &str = "# Multipath wwids, Version : 1.0\n\
# NOTE: This file is automatically maintained by multipath and multipathd.\n\
# You should not need to edit this file in normal circumstances.\n\
#\n\
# Valid WWIDs:\n";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    Wwid(String),
    /// Comment, blank or unreadable line, kept byte for byte.
    Other(Vec<u8>),
}

/// The wwids file's content.
#[derive(Debug, Clone)]
pub struct WwidsFile {
    path: PathBuf,
    lines: Vec<Line>,
    diagnostics: Vec<LineDiag>,
}

/// The WWID of a `/<wwid>/` line; `Err` with a reason for a corrupt line,
/// `Ok(None)` for a blank or comment line.
fn parse_line(raw: &[u8]) -> Result<Option<&str>, &'static str> {
    let s = std::str::from_utf8(raw).map_err(|_| "not valid UTF-8")?;
    let t = s.trim();
    if t.is_empty() || t.starts_with('#') {
        return Ok(None);
    }
    let inner = t.strip_prefix('/').ok_or("expected /<wwid>/")?;
    let (wwid, rest) = inner.split_once('/').ok_or("missing closing '/'")?;
    if wwid.is_empty() {
        return Err("empty WWID");
    }
    if !rest.trim().is_empty() {
        return Err("text after the closing '/'");
    }
    if check_wwid(wwid).is_err() {
        return Err("invalid WWID");
    }
    Ok(Some(wwid))
}

impl WwidsFile {
    /// `/etc/multipath/wwids` under `root`.
    pub fn path_in(root: &SysRoot) -> PathBuf {
        root.join(WWIDS_FILE)
    }

    /// Read the file; a missing file is an empty one.
    pub fn load(root: &SysRoot) -> Result<Self, FileError> {
        Self::load_path(&Self::path_in(root))
    }

    pub fn load_path(path: &Path) -> Result<Self, FileError> {
        let bytes = read_optional(path)?.unwrap_or_default();
        Ok(Self::parse(path, &bytes))
    }

    /// Parse file content; corrupt lines are reported and kept as they are.
    pub fn parse(path: &Path, bytes: &[u8]) -> Self {
        let mut f = WwidsFile {
            path: path.to_path_buf(),
            lines: Vec::new(),
            diagnostics: Vec::new(),
        };
        let mut raw_lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        if raw_lines.last().is_some_and(|l| l.is_empty()) {
            raw_lines.pop();
        }
        for (i, raw) in raw_lines.into_iter().enumerate() {
            match parse_line(raw) {
                Ok(Some(w)) => f.lines.push(Line::Wwid(w.to_string())),
                Ok(None) => f.lines.push(Line::Other(raw.to_vec())),
                Err(why) => {
                    f.diagnostics.push(LineDiag {
                        path: f.path.clone(),
                        line: Some(i + 1),
                        message: format!("ignoring corrupt line in wwids file: {why}"),
                    });
                    f.lines.push(Line::Other(raw.to_vec()));
                }
            }
        }
        f
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn diagnostics(&self) -> &[LineDiag] {
        &self.diagnostics
    }

    /// The WWIDs in file order (duplicates included).
    pub fn wwids(&self) -> impl Iterator<Item = &str> {
        self.lines.iter().filter_map(|l| match l {
            Line::Wwid(w) => Some(w.as_str()),
            Line::Other(_) => None,
        })
    }

    /// Whether the file lists `wwid`.
    pub fn contains(&self, wwid: &str) -> bool {
        self.wwids().any(|w| w == wwid)
    }

    /// The file as it would be written.
    pub fn render(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.lines.is_empty() {
            out.extend_from_slice(WWIDS_HEADER.as_bytes());
        }
        for l in &self.lines {
            match l {
                Line::Wwid(w) => {
                    out.push(b'/');
                    out.extend_from_slice(w.as_bytes());
                    out.push(b'/');
                }
                Line::Other(raw) => out.extend_from_slice(raw),
            }
            out.push(b'\n');
        }
        out
    }

    fn save_with(&mut self, lines: Vec<Line>) -> Result<(), FileError> {
        let old = std::mem::replace(&mut self.lines, lines);
        if self.lines_need_header(&old) {
            let mut with = header_lines();
            with.append(&mut self.lines);
            self.lines = with;
        }
        let r = write_atomic(&self.path, &self.render());
        if r.is_err() {
            self.lines = old;
        }
        r
    }

    /// A file that had nothing in it gets the header before its first WWID.
    fn lines_need_header(&self, old: &[Line]) -> bool {
        old.is_empty() && !self.lines.is_empty()
    }

    /// Add `wwid` (written at once). `Ok(false)` when it is already listed.
    pub fn add(&mut self, wwid: &str) -> Result<bool, FileError> {
        check_wwid(wwid)?;
        if self.contains(wwid) {
            return Ok(false);
        }
        let mut lines = self.lines.clone();
        lines.push(Line::Wwid(wwid.to_string()));
        self.save_with(lines).map(|()| true)
    }

    /// Take `wwid` out: each of its lines is commented out in place
    /// (`/w/` becomes `#w/`), as upstream does (seen in the VM), so the
    /// admin still sees what was there. `Ok(false)` when it was not listed.
    pub fn remove(&mut self, wwid: &str) -> Result<bool, FileError> {
        if !self.contains(wwid) {
            return Ok(false);
        }
        let lines = self
            .lines
            .iter()
            .map(|l| match l {
                Line::Wwid(w) if w == wwid => Line::Other(format!("#{w}/").into_bytes()),
                other => other.clone(),
            })
            .collect();
        self.save_with(lines).map(|()| true)
    }

    /// Replace the content with the header and `wwids` (duplicates dropped,
    /// order kept): `multipath -W`.
    pub fn reset<'a>(&mut self, wwids: impl IntoIterator<Item = &'a str>) -> Result<(), FileError> {
        let mut lines = header_lines();
        let mut seen = std::collections::BTreeSet::new();
        for w in wwids {
            check_wwid(w)?;
            if seen.insert(w) {
                lines.push(Line::Wwid(w.to_string()));
            }
        }
        let old = std::mem::replace(&mut self.lines, lines);
        let r = write_atomic(&self.path, &self.render());
        if r.is_err() {
            self.lines = old;
        } else {
            self.diagnostics.clear();
        }
        r
    }
}

fn header_lines() -> Vec<Line> {
    WWIDS_HEADER
        .lines()
        .map(|l| Line::Other(l.as_bytes().to_vec()))
        .collect()
}

/// The `failed_wwids` markers: an empty file per WWID whose map could not
/// be created; `multipath -u` then does not claim its paths.
#[derive(Debug, Clone)]
pub struct FailedWwids {
    dir: PathBuf,
}

impl FailedWwids {
    pub fn new(root: &SysRoot) -> Self {
        FailedWwids {
            dir: root.join(FAILED_WWIDS_DIR),
        }
    }

    fn marker(&self, wwid: &str) -> Result<PathBuf, FileError> {
        check_wwid(wwid)?;
        Ok(self.dir.join(wwid))
    }

    pub fn is_failed(&self, wwid: &str) -> bool {
        self.marker(wwid).is_ok_and(|p| p.exists())
    }

    /// Create the marker; `Ok(false)` when it already existed.
    pub fn mark(&self, wwid: &str) -> Result<bool, FileError> {
        let p = self.marker(wwid)?;
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&self.dir)
            .map_err(|source| FileError::Io {
                path: self.dir.clone(),
                action: "create directory",
                source,
            })?;
        match fs::OpenOptions::new().write(true).create_new(true).open(&p) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(source) => Err(FileError::Io {
                path: p,
                action: "create",
                source,
            }),
        }
    }

    /// Remove the marker; `Ok(false)` when there was none.
    pub fn unmark(&self, wwid: &str) -> Result<bool, FileError> {
        let p = self.marker(wwid)?;
        match fs::remove_file(&p) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(FileError::Io {
                path: p,
                action: "remove",
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn root() -> (tempfile::TempDir, SysRoot) {
        let d = tempfile::tempdir().unwrap();
        let r = SysRoot::new(d.path());
        (d, r)
    }

    #[test]
    fn new_file_gets_header() {
        let (_d, root) = root();
        let mut f = WwidsFile::load(&root).unwrap();
        assert!(!f.contains("3600a"));
        assert!(f.add("3600a").unwrap());
        assert!(!f.add("3600a").unwrap());
        assert!(f.add("3600b").unwrap());
        let text = fs::read_to_string(WwidsFile::path_in(&root)).unwrap();
        assert_eq!(
            text,
            "# Multipath wwids, Version : 1.0\n\
             # NOTE: This file is automatically maintained by multipath and multipathd.\n\
             # You should not need to edit this file in normal circumstances.\n\
             #\n\
             # Valid WWIDs:\n\
             /3600a/\n\
             /3600b/\n"
        );
        let g = WwidsFile::load(&root).unwrap();
        assert_eq!(g.wwids().collect::<Vec<_>>(), ["3600a", "3600b"]);
        assert!(g.diagnostics().is_empty());
    }

    #[test]
    fn corrupt_lines_reported_and_kept() {
        let (_d, root) = root();
        let p = WwidsFile::path_in(&root);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        let content =
            b"# my comment\n/3600a/\ngarbage\n/3600b\n/3600c/ x\n\xff\xfe\n  /3600d/  \n//\n";
        fs::write(&p, content).unwrap();
        let mut f = WwidsFile::load(&root).unwrap();
        let msgs: Vec<String> = f
            .diagnostics()
            .iter()
            .map(|d| d.to_string().rsplit_once("wwids:").unwrap().1.to_string())
            .collect();
        assert_eq!(
            msgs,
            [
                "3: ignoring corrupt line in wwids file: expected /<wwid>/",
                "4: ignoring corrupt line in wwids file: missing closing '/'",
                "5: ignoring corrupt line in wwids file: text after the closing '/'",
                "6: ignoring corrupt line in wwids file: not valid UTF-8",
                "8: ignoring corrupt line in wwids file: empty WWID",
            ]
        );
        assert_eq!(f.wwids().collect::<Vec<_>>(), ["3600a", "3600d"]);
        // Removing comments the line out and keeps everything else byte
        // for byte.
        assert!(f.remove("3600a").unwrap());
        assert!(!f.remove("3600a").unwrap());
        let mut expect = content.to_vec();
        let at = expect.windows(8).position(|w| w == b"/3600a/\n").unwrap();
        expect[at] = b'#';
        // The kept line is rewritten in canonical form.
        let expect = String::from_utf8_lossy(&expect).replace("  /3600d/  ", "/3600d/");
        assert_eq!(String::from_utf8_lossy(&fs::read(&p).unwrap()), expect);
    }

    #[test]
    fn file_without_trailing_newline() {
        let f = WwidsFile::parse(Path::new("w"), b"/a/\n/b/");
        assert_eq!(f.wwids().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(f.render(), b"/a/\n/b/\n");
    }

    #[test]
    fn remove_comments_out_duplicates_too() {
        let (_d, root) = root();
        let p = WwidsFile::path_in(&root);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, format!("{WWIDS_HEADER}/a/\n/b/\n/a/\n")).unwrap();
        let mut f = WwidsFile::load(&root).unwrap();
        assert!(f.remove("a").unwrap());
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            format!("{WWIDS_HEADER}#a/\n/b/\n#a/\n")
        );
        assert!(!f.contains("a"));
        // Added again: a new line at the end, the comments stay.
        assert!(f.add("a").unwrap());
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            format!("{WWIDS_HEADER}#a/\n/b/\n#a/\n/a/\n")
        );
    }

    #[test]
    fn reset_writes_header_and_set() {
        let (_d, root) = root();
        let p = WwidsFile::path_in(&root);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, "junk\n/old/\n").unwrap();
        let mut f = WwidsFile::load(&root).unwrap();
        assert_eq!(f.diagnostics().len(), 1);
        f.reset(["x", "y", "x"]).unwrap();
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            format!("{WWIDS_HEADER}/x/\n/y/\n")
        );
        assert!(f.diagnostics().is_empty());
        f.reset([]).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), WWIDS_HEADER);
        assert!(f.reset(["bad wwid"]).is_err());
        assert_eq!(fs::read_to_string(&p).unwrap(), WWIDS_HEADER);
    }

    #[test]
    fn existing_file_without_header_is_left_alone() {
        let (_d, root) = root();
        let p = WwidsFile::path_in(&root);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, "/a/\n").unwrap();
        let mut f = WwidsFile::load(&root).unwrap();
        f.add("b").unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "/a/\n/b/\n");
    }

    #[test]
    fn read_only_file_is_not_touched() {
        let (_d, root) = root();
        let p = WwidsFile::path_in(&root);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, "/a/\n").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
        if fs::OpenOptions::new().write(true).open(&p).is_ok() {
            return; // running as root: permissions do not apply
        }
        let mut f = WwidsFile::load(&root).unwrap();
        let e = f.add("b").unwrap_err();
        assert!(matches!(e, FileError::ReadOnly { .. }), "{e}");
        assert!(e.to_string().ends_with("wwids: file is read-only"), "{e}");
        assert!(!f.contains("b"));
        assert_eq!(fs::read_to_string(&p).unwrap(), "/a/\n");
        assert!(f.reset(["z"]).is_err());
        assert!(f.contains("a"));
    }

    #[test]
    fn failed_wwids_markers() {
        let (_d, root) = root();
        let fw = FailedWwids::new(&root);
        assert!(!fw.is_failed("3600a"));
        assert!(fw.mark("3600a").unwrap());
        assert!(!fw.mark("3600a").unwrap());
        assert!(fw.is_failed("3600a"));
        assert!(root.join("/run/multipath/failed_wwids/3600a").is_file());
        assert!(fw.unmark("3600a").unwrap());
        assert!(!fw.unmark("3600a").unwrap());
        assert!(!fw.is_failed("3600a"));
        assert!(fw.mark("../etc").is_err());
        assert!(!fw.is_failed(".."));
    }
}
