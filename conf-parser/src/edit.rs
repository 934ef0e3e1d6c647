//! Lossless line-based editing of a configuration file (used by `mpathconf`).
//!
//! An [`Editor`] holds the file as lines and the parsed [`Document`] of those
//! lines. Sections are found through the parser's tree (so their opening and
//! closing lines are what multipath itself sees); keyword lines inside a
//! section are found by tokenizing the section's lines with the same lexer,
//! tracking brace depth so subsections are skipped. Every edit touches only
//! the lines it is about: all other bytes (comments, blank lines, indentation,
//! tabs, CRLF line ends, a missing final newline) are kept as they were.
//! After each edit the text is parsed again, so line numbers stay current.

use crate::diag::{Diagnostic, Severity};
use crate::keywords::Section;
use crate::lexer::{tokenize, Token};
use crate::parse::{parse_str, Block, Document};

/// A keyword line found inside a section, active or commented out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeywordLine {
    /// 1-based line number.
    pub line: u32,
    /// Line of the enclosing section's opening brace.
    pub section_line: u32,
    /// The value as the parser reads it (quotes removed); `None` if missing.
    pub value: Option<String>,
    /// The value was written in double quotes.
    pub quoted: bool,
}

/// Where [`Editor::insert_entry`] puts a new line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// Right after the section's opening line.
    First,
    /// Right before the section's closing brace.
    Last,
}

/// A configuration file being edited.
#[derive(Debug, Clone)]
pub struct Editor {
    file: String,
    /// Lines without their `\n` (a `\r` of a CRLF file stays in the line).
    lines: Vec<String>,
    /// The text ended with a newline.
    final_newline: bool,
    doc: Document,
}

/// Leading white space of `line`.
fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// Byte range of the value token `tok` (the second token) inside `line`.
fn token_span(line: &str, tok: &Token) -> (usize, usize) {
    let start = tok.col as usize - 1;
    let bytes = line.as_bytes();
    if !tok.quoted {
        return (start, start + tok.text.len());
    }
    // Quoted: find the closing quote, skipping `""` pairs.
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == b'"' {
            if bytes.get(i + 1) == Some(&b'"') {
                i += 2;
                continue;
            }
            return (start, i + 1);
        }
        i += 1;
    }
    (start, bytes.len())
}

/// Whether a value must be written in double quotes to be read back as is.
fn needs_quotes(value: &str) -> bool {
    value.is_empty()
        || value
            .chars()
            .any(|c| c.is_ascii_whitespace() || matches!(c, '"' | '#' | '!' | '{' | '}'))
}

/// `value` as written in the file: quoted when `quote` is set or when the
/// value could not be read back otherwise, with `"` doubled inside quotes.
pub fn format_value(value: &str, quote: bool) -> String {
    if quote || needs_quotes(value) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// If `line` is a commented-out keyword line (`#` or `!` markers, then exactly
/// a keyword and its value, e.g. `#\tdevnode ".*"`), its tokens.
fn commented_tokens(line: &str) -> Option<Vec<Token>> {
    let t = line.trim_start();
    if !t.starts_with(['#', '!']) {
        return None;
    }
    let rest = t.trim_start_matches(['#', '!']);
    let (tokens, err) = tokenize(rest);
    if err.is_some() || tokens.len() != 2 || tokens.iter().any(|t| t.is("{") || t.is("}")) {
        return None;
    }
    Some(tokens)
}

impl Editor {
    /// Start editing `text`, read from `file` (used in diagnostics).
    pub fn new(file: &str, text: &str) -> Editor {
        let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
        let final_newline = text.ends_with('\n');
        if final_newline || text.is_empty() {
            lines.pop();
        }
        let mut e = Editor {
            file: file.to_string(),
            lines,
            final_newline,
            doc: Document::default(),
        };
        e.reparse();
        e
    }

    fn reparse(&mut self) {
        self.doc = parse_str(&self.file, &self.text());
    }

    /// The current text.
    pub fn text(&self) -> String {
        let mut s = self.lines.join("\n");
        if self.final_newline {
            s.push('\n');
        }
        s
    }

    /// The parse of the current text.
    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// Error-severity diagnostics of the current text: the file does not
    /// parse as written.
    pub fn errors(&self) -> Vec<&Diagnostic> {
        self.doc
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect()
    }

    /// Line `n` (1-based) without its line end; empty if out of range.
    pub fn line(&self, n: u32) -> &str {
        self.lines
            .get((n as usize).wrapping_sub(1))
            .map_or("", |l| l.strip_suffix('\r').unwrap_or(l))
    }

    /// Number of lines.
    pub fn line_count(&self) -> u32 {
        self.lines.len() as u32
    }

    /// The file uses CRLF line ends (most lines end with `\r`).
    fn crlf(&self) -> bool {
        let cr = self.lines.iter().filter(|l| l.ends_with('\r')).count();
        cr > 0 && cr * 2 >= self.lines.len()
    }

    /// A new line's text with the file's line end convention.
    fn new_line(&self, text: String) -> String {
        if self.crlf() {
            text + "\r"
        } else {
            text
        }
    }

    /// Before appending after a last line that had no line end: give it the
    /// file's line end (the `\n` itself comes from joining).
    fn end_last_line(&mut self) {
        if !self.final_newline && self.crlf() {
            if let Some(last) = self.lines.last_mut() {
                if !last.ends_with('\r') {
                    last.push('\r');
                }
            }
        }
        self.final_newline = true;
    }

    /// Top-level sections of kind `section`, in file order.
    pub fn sections(&self, section: Section) -> Vec<&Block> {
        self.doc
            .blocks
            .iter()
            .filter(|b| b.section == section)
            .collect()
    }

    fn block_at(&self, section_line: u32) -> Option<&Block> {
        self.doc.blocks.iter().find(|b| b.line == section_line)
    }

    /// Last line inside the block (before its closing brace or the file end).
    fn block_inner_end(&self, b: &Block) -> u32 {
        b.end_line.map_or(self.line_count(), |e| e - 1)
    }

    /// Lines directly inside the block (not in subsections), with their tokens.
    /// Comment-only and blank lines come with no tokens.
    fn direct_lines(&self, b: &Block) -> Vec<(u32, Vec<Token>)> {
        let mut out = Vec::new();
        let mut depth = 0i32;
        for n in b.line + 1..=self.block_inner_end(b) {
            let (tokens, _) = tokenize(self.line(n));
            let at_top = depth == 0;
            for t in &tokens {
                if t.is("{") {
                    depth += 1;
                } else if t.is("}") {
                    depth -= 1;
                }
            }
            if at_top {
                out.push((n, tokens));
            }
        }
        out
    }

    /// Active `keyword` lines directly inside every `section` block, in file order.
    pub fn entries(&self, section: Section, keyword: &str) -> Vec<KeywordLine> {
        let mut out = Vec::new();
        for b in self.sections(section) {
            for (n, tokens) in self.direct_lines(b) {
                if tokens.first().is_some_and(|t| t.is(keyword)) {
                    let v = tokens.get(1).filter(|t| !t.is("{") && !t.is("}"));
                    out.push(KeywordLine {
                        line: n,
                        section_line: b.line,
                        value: v.map(|t| t.text.clone()),
                        quoted: v.is_some_and(|t| t.quoted),
                    });
                }
            }
        }
        out
    }

    /// Commented-out `keyword` lines directly inside every `section` block
    /// (a comment that holds exactly the keyword and one value).
    pub fn commented(&self, section: Section, keyword: &str) -> Vec<KeywordLine> {
        let mut out = Vec::new();
        for b in self.sections(section) {
            for (n, tokens) in self.direct_lines(b) {
                if !tokens.is_empty() {
                    continue;
                }
                if let Some(ct) = commented_tokens(self.line(n)) {
                    if ct[0].is(keyword) {
                        out.push(KeywordLine {
                            line: n,
                            section_line: b.line,
                            value: Some(ct[1].text.clone()),
                            quoted: ct[1].quoted,
                        });
                    }
                }
            }
        }
        out
    }

    /// Indentation for a new line directly inside the block opened on
    /// `section_line`: that of its first keyword line, else the opening
    /// line's indentation plus a tab.
    pub fn child_indent(&self, section_line: u32) -> String {
        let Some(b) = self.block_at(section_line) else {
            return "\t".into();
        };
        for (n, tokens) in self.direct_lines(b) {
            if tokens.first().is_some_and(|t| !t.is("}")) {
                return indent_of(self.line(n)).to_string();
            }
        }
        format!("{}\t", indent_of(self.line(b.line)))
    }

    fn set_line(&mut self, n: u32, text: String) {
        let idx = n as usize - 1;
        let cr = self.lines[idx].ends_with('\r');
        self.lines[idx] = if cr { text + "\r" } else { text };
        self.reparse();
    }

    /// Replace the value of the keyword on line `n`, keeping indentation, the
    /// space around it and any trailing comment. The value is quoted if
    /// `quote` is set, if the old one was, or if it needs quotes. A missing
    /// value is added.
    pub fn set_value(&mut self, n: u32, value: &str, quote: bool) {
        let line = self.line(n).to_string();
        let (tokens, _) = tokenize(&line);
        let Some(first) = tokens.first() else { return };
        let new = match tokens.get(1).filter(|t| !t.is("{") && !t.is("}")) {
            Some(t) => {
                let (s, e) = token_span(&line, t);
                format!(
                    "{}{}{}",
                    &line[..s],
                    format_value(value, quote || t.quoted),
                    &line[e..]
                )
            }
            None => {
                let (_, e) = token_span(&line, first);
                format!(
                    "{} {}{}",
                    &line[..e],
                    format_value(value, quote),
                    &line[e..]
                )
            }
        };
        self.set_line(n, new);
    }

    /// Comment line `n` out by putting `#` in front of it.
    pub fn comment_out(&mut self, n: u32) {
        let line = format!("#{}", self.line(n));
        self.set_line(n, line);
    }

    /// Make a commented-out line active again: drop the comment markers; the
    /// line keeps its own indentation, or gets the section's if it had none.
    pub fn uncomment(&mut self, n: u32, section_line: u32) {
        let line = self.line(n).to_string();
        let lead = indent_of(&line).to_string();
        let rest = line
            .trim_start()
            .trim_start_matches(['#', '!'])
            .trim_start();
        let indent = if lead.is_empty() {
            self.child_indent(section_line)
        } else {
            lead
        };
        self.set_line(n, format!("{indent}{rest}"));
    }

    /// Delete line `n`.
    pub fn delete_line(&mut self, n: u32) {
        self.lines.remove(n as usize - 1);
        self.reparse();
    }

    /// Insert `text` so that it becomes line `n` (`n` = line count + 1 appends).
    pub fn insert_line(&mut self, n: u32, text: &str) {
        let l = self.new_line(text.to_string());
        let idx = (n as usize - 1).min(self.lines.len());
        if idx == self.lines.len() {
            self.end_last_line();
        }
        self.lines.insert(idx, l);
        self.reparse();
    }

    /// Insert `keyword value` into the block opened on `section_line`, with the
    /// section's indentation. Returns the new line's number.
    pub fn insert_entry(
        &mut self,
        section_line: u32,
        keyword: &str,
        value: &str,
        pos: Position,
    ) -> u32 {
        let Some(b) = self.block_at(section_line) else {
            return 0;
        };
        let at = match pos {
            Position::First => b.line + 1,
            Position::Last => self.block_inner_end(b) + 1,
        };
        let text = format!("{}{keyword} {value}", self.child_indent(section_line));
        self.insert_line(at, &text);
        at
    }

    /// Append an empty `name {` / `}` section at the end of the file, after a
    /// blank line. Returns the line of its opening.
    pub fn append_section(&mut self, section: Section) -> u32 {
        self.end_last_line();
        if self.lines.last().is_some_and(|l| !l.trim().is_empty()) {
            self.lines.push(self.new_line(String::new()));
        }
        let open = self.new_line(format!("{} {{", section.name()));
        let close = self.new_line("}".to_string());
        self.lines.push(open);
        self.lines.push(close);
        self.reparse();
        self.line_count() - 1
    }

    /// The first `section` block's opening line, appending the section if the
    /// file has none.
    pub fn section_or_append(&mut self, section: Section) -> u32 {
        match self.sections(section).first() {
            Some(b) => b.line,
            None => self.append_section(section),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONF: &str = concat!(
        "# top comment\n",
        "defaults {\n",
        "    user_friendly_names no   # keep names\n",
        "\tfind_multipaths \"yes\"\n",
        "#   enable_foreign \"^$\"\n",
        "}\n",
        "\n",
        "blacklist {\n",
        "  #devnode \".*\"\n",
        "  device {\n",
        "    vendor X\n",
        "    devnode \"never-top\"\n",
        "  }\n",
        "  devnode \"^sd[a-z]\"\n",
        "}\n",
    );

    #[test]
    fn unchanged_text_round_trips() {
        for t in [CONF, "", "x", "defaults {\n}", "a\r\nb\r\n", "\n\n"] {
            assert_eq!(Editor::new("t", t).text(), t);
        }
    }

    #[test]
    fn finds_entries_by_section_and_depth() {
        let e = Editor::new("t", CONF);
        assert!(e.errors().is_empty(), "{:?}", e.errors());
        let d = e.entries(Section::Blacklist, "devnode");
        assert_eq!(d.len(), 1);
        assert_eq!(
            (
                d[0].line,
                d[0].section_line,
                d[0].value.as_deref(),
                d[0].quoted
            ),
            (14, 8, Some("^sd[a-z]"), true)
        );
        let f = e.entries(Section::Defaults, "find_multipaths");
        assert_eq!(
            (f[0].line, f[0].value.as_deref(), f[0].quoted),
            (4, Some("yes"), true)
        );
        assert!(e
            .entries(Section::BlacklistExceptions, "devnode")
            .is_empty());
    }

    #[test]
    fn finds_commented_keyword_lines() {
        let e = Editor::new("t", CONF);
        let c = e.commented(Section::Blacklist, "devnode");
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].line, c[0].value.as_deref()), (9, Some(".*")));
        let f = e.commented(Section::Defaults, "enable_foreign");
        assert_eq!((f[0].line, f[0].value.as_deref()), (5, Some("^$")));
        // Prose comments are not keyword lines.
        let e = Editor::new("t", "defaults {\n# enable_foreign is off by default\n}\n");
        assert!(e.commented(Section::Defaults, "enable_foreign").is_empty());
        // Comments outside the section are not found.
        assert!(e.commented(Section::Blacklist, "devnode").is_empty());
    }

    #[test]
    fn set_value_keeps_spacing_comment_and_quoting() {
        let mut e = Editor::new("t", CONF);
        e.set_value(3, "yes", false);
        assert_eq!(e.line(3), "    user_friendly_names yes   # keep names");
        e.set_value(4, "greedy", false);
        assert_eq!(e.line(4), "\tfind_multipaths \"greedy\"");
        e.set_value(3, "a b", false);
        assert_eq!(e.line(3), "    user_friendly_names \"a b\"   # keep names");
        let mut e = Editor::new("t", "defaults {\n x\t# c\n  y \"a \"\"q\"\" b\" # d\n}\n");
        e.set_value(2, "1", false);
        assert_eq!(e.line(2), " x 1\t# c");
        e.set_value(3, "z", false);
        assert_eq!(e.line(3), "  y \"z\" # d");
    }

    #[test]
    fn comment_and_uncomment() {
        let mut e = Editor::new("t", CONF);
        e.uncomment(9, 8);
        assert_eq!(e.line(9), "  devnode \".*\"");
        assert_eq!(e.entries(Section::Blacklist, "devnode").len(), 2);
        e.comment_out(9);
        assert_eq!(e.text(), CONF.replace("  #devnode", "#  devnode"));
        // A line without indentation gets the section's.
        let mut e = Editor::new("t", "blacklist {\n  wwid x\n#devnode \"*\"\n}\n");
        e.uncomment(3, 1);
        assert_eq!(e.text(), "blacklist {\n  wwid x\n  devnode \"*\"\n}\n");
    }

    #[test]
    fn insert_uses_section_indentation() {
        let mut e = Editor::new("t", CONF);
        let n = e.insert_entry(8, "wwid", "\".*\"", Position::First);
        assert_eq!(n, 9);
        // The first keyword line of blacklist is `device {`, indented by two spaces.
        assert_eq!(e.line(9), "  wwid \".*\"");
        let n = e.insert_entry(2, "recheck_wwid", "yes", Position::Last);
        assert_eq!((n, e.line(n)), (6, "    recheck_wwid yes"));
        assert_eq!(e.line(7), "}");
        let mut e = Editor::new("t", "  blacklist {\n  }\n");
        e.insert_entry(1, "devnode", "\".*\"", Position::Last);
        assert_eq!(e.text(), "  blacklist {\n  \tdevnode \".*\"\n  }\n");
    }

    #[test]
    fn append_section_and_crlf() {
        let mut e = Editor::new("t", "defaults {\r\n}");
        let n = e.section_or_append(Section::Blacklist);
        assert_eq!(n, 4);
        e.insert_entry(n, "devnode", "\".*\"", Position::First);
        assert_eq!(
            e.text(),
            "defaults {\r\n}\r\n\r\nblacklist {\r\n\tdevnode \".*\"\r\n}\r\n"
        );
        assert_eq!(e.section_or_append(Section::Blacklist), 4);
        let mut e = Editor::new("t", "");
        assert_eq!(e.append_section(Section::Defaults), 1);
        assert_eq!(e.text(), "defaults {\n}\n");
    }

    #[test]
    fn delete_and_unclosed_section() {
        let mut e = Editor::new("t", CONF);
        e.delete_line(14);
        assert!(e.entries(Section::Blacklist, "devnode").is_empty());
        let e = Editor::new("t", "defaults {\n verbosity 3\n");
        assert_eq!(e.errors().len(), 1);
        assert_eq!(e.entries(Section::Defaults, "verbosity")[0].line, 2);
    }

    #[test]
    fn format_values() {
        assert_eq!(format_value("yes", false), "yes");
        assert_eq!(format_value("yes", true), "\"yes\"");
        assert_eq!(format_value("", false), "\"\"");
        assert_eq!(format_value("a\"b", false), "\"a\"\"b\"");
        assert_eq!(format_value("service-time 0", false), "\"service-time 0\"");
    }
}
