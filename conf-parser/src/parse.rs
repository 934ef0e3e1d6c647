//! From text to a tree of sections and keyword entries, validated against the
//! keyword table. Problems become diagnostics; parsing never stops early and
//! never panics. Errors are problems of the file's structure (braces, quotes,
//! oversized lines, unreadable bytes), after which a tool must not rewrite
//! the file; everything the reference tolerates (unknown keywords, bad or
//! missing values) is a warning.

use crate::diag::{Diagnostic, Severity};
use crate::keywords::{self, Kind, Section};
use crate::lexer::{tokenize, LexError, Token};
use crate::value::{self, Value};

/// Longest line upstream reads in one piece (bytes, including the newline).
pub const MAX_LINE: usize = 1024;

/// A keyword with its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The keyword's canonical name from the keyword table.
    pub name: &'static str,
    /// The value, if it was valid.
    pub value: Option<Value>,
    /// The value was valid and means "unset" (e.g. `dev_loss_tmo 0`).
    pub unset: bool,
    /// The value as written (first token, or empty if missing).
    pub raw: String,
    pub line: u32,
    pub col: u32,
}

/// A section or subsection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub section: Section,
    pub line: u32,
    pub col: u32,
    /// Line of the closing brace; `None` if the file ended first.
    pub end_line: Option<u32>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Entry(Entry),
    Block(Block),
}

/// One parsed file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub file: String,
    /// Top-level sections, in file order.
    pub blocks: Vec<Block>,
    pub diagnostics: Vec<Diagnostic>,
}

struct Parser<'a> {
    file: &'a str,
    diags: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn diag(&mut self, severity: Severity, line: u32, col: u32, message: String) {
        self.diags.push(Diagnostic {
            file: self.file.to_string(),
            line,
            col,
            severity,
            message,
        });
    }
}

/// Split raw bytes into the pieces the reference reads as lines: up to and
/// including a newline, but at most `MAX_LINE - 1` bytes per piece, so a
/// longer line continues as the next line (and shifts later line numbers).
fn raw_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let limit = rest.len().min(MAX_LINE - 1);
        let end = rest[..limit]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(limit, |p| p + 1);
        out.push(&rest[..end]);
        rest = &rest[end..];
    }
    out
}

struct Frame {
    block: Block,
}

/// Parse configuration `bytes` read from `file` (the name is used in diagnostics).
pub fn parse_bytes(file: &str, bytes: &[u8]) -> Document {
    let mut p = Parser {
        file,
        diags: Vec::new(),
    };
    let mut top: Vec<Block> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();

    for (index, piece) in raw_lines(bytes).into_iter().enumerate() {
        let lineno = index as u32 + 1;
        let continued = !piece.ends_with(b"\n") && piece.len() == MAX_LINE - 1;
        let piece = piece.strip_suffix(b"\n").unwrap_or(piece);
        // A NUL byte ends the line's text, as in C.
        let piece = piece.split(|b| *b == 0).next().unwrap_or(piece);
        if continued {
            p.diag(
                Severity::Warning,
                lineno,
                0,
                format!(
                    "line longer than {} bytes; the rest is read as line {}",
                    MAX_LINE - 1,
                    lineno + 1
                ),
            );
        }
        let line = match std::str::from_utf8(piece) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => {
                p.diag(
                    Severity::Warning,
                    lineno,
                    0,
                    "invalid UTF-8; bad bytes replaced".into(),
                );
                String::from_utf8_lossy(piece)
            }
        };
        let line: &str = &line;
        let (tokens, lex_err) = tokenize(line);
        if let Some(LexError::UnterminatedQuote { col }) = lex_err {
            p.diag(
                Severity::Error,
                lineno,
                col,
                "unterminated quoted string".into(),
            );
        }
        let Some(first) = tokens.first() else {
            continue;
        };

        if first.is("}") {
            match stack.pop() {
                Some(mut f) => {
                    f.block.end_line = Some(lineno);
                    if tokens.len() > 1 {
                        p.diag(
                            Severity::Warning,
                            lineno,
                            tokens[1].col,
                            "text after '}' ignored".into(),
                        );
                    }
                    close(&mut stack, &mut top, f.block);
                }
                None => p.diag(
                    Severity::Error,
                    lineno,
                    first.col,
                    "unbalanced '}' at top level".into(),
                ),
            }
            continue;
        }

        let section = stack.last().map_or(Section::Top, |f| f.block.section);
        let name = first.text.as_str();
        let Some(kw) = (!first.quoted)
            .then(|| keywords::lookup_in(section, name))
            .flatten()
        else {
            let mut msg = if section == Section::Top {
                format!("unknown section '{name}'")
            } else {
                format!("unknown keyword '{name}' in {}", section.describe())
            };
            let elsewhere = keywords::sections_accepting(name);
            if !elsewhere.is_empty() {
                let names: Vec<_> = elsewhere.iter().map(|s| s.describe()).collect();
                msg = format!(
                    "keyword '{name}' is not allowed in {}; it belongs in the {}",
                    section.describe(),
                    names.join(" or ")
                );
            }
            // Like the reference, the rest of the line is ignored, an opening
            // brace included: the next '}' closes the current section.
            msg.push_str("; ignored");
            p.diag(Severity::Warning, lineno, first.col, msg);
            continue;
        };

        // `protocol` alone is a keyword missing its value, not a subsection.
        let opens = !(name == "protocol" && tokens.len() == 1);
        if let (Kind::Section(child), true) = (kw.kind, opens) {
            match tokens.get(1) {
                Some(t) if t.is("{") => {
                    if let Some(extra) = tokens.get(2) {
                        p.diag(
                            Severity::Warning,
                            lineno,
                            extra.col,
                            "text after '{' ignored".into(),
                        );
                    }
                }
                Some(t) => p.diag(
                    Severity::Warning,
                    lineno,
                    t.col,
                    format!("expected '{{' after '{name}'"),
                ),
                None => p.diag(
                    Severity::Warning,
                    lineno,
                    first.col,
                    format!("missing '{{' after '{name}'"),
                ),
            }
            stack.push(Frame {
                block: Block {
                    section: child,
                    line: lineno,
                    col: first.col,
                    end_line: None,
                    children: Vec::new(),
                },
            });
            continue;
        }

        let value_tok: Option<&Token> = tokens.get(1);
        if let Some(extra) = tokens.get(2) {
            p.diag(
                Severity::Warning,
                lineno,
                extra.col,
                format!("extra text after the value of '{name}' ignored"),
            );
        }
        if kw.deprecated {
            p.diag(
                Severity::Warning,
                lineno,
                first.col,
                match kw.kind {
                    Kind::Ignored => format!("'{name}' is deprecated and has no effect"),
                    _ => format!("'{name}' is deprecated"),
                },
            );
        }
        let entry_value = match value_tok {
            None => {
                p.diag(
                    Severity::Warning,
                    lineno,
                    first.col,
                    format!("missing value for '{name}'; ignored"),
                );
                None
            }
            Some(t) => match value::parse(kw.kind, &t.text) {
                Ok(parsed) => {
                    if let Some(w) = parsed.warning {
                        p.diag(Severity::Warning, lineno, t.col, format!("{name}: {w}"));
                    }
                    Some(parsed.value)
                }
                Err(e) => {
                    p.diag(
                        if kw.kind == Kind::ReservationKey {
                            Severity::Fatal
                        } else {
                            Severity::Warning
                        },
                        lineno,
                        t.col,
                        format!("{name}: {e}; ignored"),
                    );
                    None
                }
            },
        };
        let first_col = first.col;
        let entry = Entry {
            name: kw.name,
            unset: matches!(entry_value, Some(None)),
            value: entry_value.flatten(),
            raw: value_tok.map(|t| t.text.clone()).unwrap_or_default(),
            line: lineno,
            col: first.col,
        };
        match stack.last_mut() {
            Some(f) => {
                // The blacklists' keywords are lists; elsewhere a keyword
                // given again replaces the earlier value (as the reference,
                // which warns too).
                let lists = matches!(section, Section::Blacklist | Section::BlacklistExceptions);
                let earlier = f.block.children.iter().rev().find_map(|n| match n {
                    Node::Entry(e) if !lists && e.name == entry.name => Some(e.line),
                    _ => None,
                });
                f.block.children.push(Node::Entry(entry));
                if let Some(first) = earlier {
                    p.diag(
                        Severity::Warning,
                        lineno,
                        first_col,
                        format!(
                            "'{name}' given again in {}; this value replaces the one on line {first}",
                            section.describe()
                        ),
                    );
                }
            }
            None => unreachable_top(&mut p, lineno),
        }
    }

    while let Some(f) = stack.pop() {
        p.diag(
            Severity::Error,
            f.block.line,
            f.block.col,
            format!("'{}' opened here is never closed", f.block.section.name()),
        );
        close(&mut stack, &mut top, f.block);
    }
    Document {
        file: file.to_string(),
        blocks: top,
        diagnostics: p.diags,
    }
}

/// Top-level keywords are all sections, so an entry can never land here; kept
/// as a diagnostic rather than a panic.
fn unreachable_top(p: &mut Parser<'_>, line: u32) {
    p.diag(
        Severity::Warning,
        line,
        0,
        "keyword outside any section ignored".into(),
    );
}

fn close(stack: &mut [Frame], top: &mut Vec<Block>, block: Block) {
    match stack.last_mut() {
        Some(parent) => parent.block.children.push(Node::Block(block)),
        None => top.push(block),
    }
}

/// Parse text (already UTF-8).
pub fn parse_str(file: &str, text: &str) -> Document {
    parse_bytes(file, text.as_bytes())
}

impl Block {
    /// Entries directly inside this block.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.children.iter().filter_map(|n| match n {
            Node::Entry(e) => Some(e),
            Node::Block(_) => None,
        })
    }

    /// Subsections directly inside this block.
    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.children.iter().filter_map(|n| match n {
            Node::Block(b) => Some(b),
            Node::Entry(_) => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_sections() {
        let d = parse_str(
            "t.conf",
            "defaults {\n polling_interval 10\n}\ndevices {\n device {\n  vendor \"X\"\n  product Y\n }\n}\n",
        );
        assert!(d.diagnostics.is_empty(), "{:?}", d.diagnostics);
        assert_eq!(d.blocks.len(), 2);
        let e = d.blocks[0].entries().next().unwrap();
        assert_eq!(
            (e.name, e.value.clone(), e.line),
            ("polling_interval", Some(Value::Int(10)), 2)
        );
        let dev = d.blocks[1].blocks().next().unwrap();
        assert_eq!(dev.section, Section::Device);
        assert_eq!(dev.entries().count(), 2);
    }

    #[test]
    fn a_keyword_given_twice_is_reported_but_blacklist_lists_are_not() {
        let d = parse_str(
            "t.conf",
            "defaults {\n polling_interval 5\n polling_interval 7\n}\n\
             blacklist {\n devnode a\n devnode b\n}\n\
             multipaths {\n multipath {\n  wwid 1\n  alias x\n  wwid 2\n }\n}\n",
        );
        let said: Vec<String> = d.diagnostics.iter().map(|d| d.short()).collect();
        assert_eq!(
            said,
            [
                "t.conf:3: 'polling_interval' given again in defaults section; \
                 this value replaces the one on line 2",
                "t.conf:13: 'wwid' given again in multipath subsection; \
                 this value replaces the one on line 11",
            ]
        );
    }

    #[test]
    fn problems_are_reported_with_lines() {
        let d = parse_str(
            "t.conf",
            "defaults {\n bogus 1\n verbosity 9\n polling_interval\n}\n}\n",
        );
        let lines: Vec<u32> = d.diagnostics.iter().map(|d| d.line).collect();
        assert_eq!(lines, [2, 3, 4, 6]);
        assert!(d.diagnostics[0]
            .short()
            .starts_with("t.conf:2: unknown keyword 'bogus'"));
    }

    #[test]
    fn unclosed_section_is_kept() {
        let d = parse_str("t.conf", "defaults {\n verbosity 3\n");
        assert_eq!(d.blocks.len(), 1);
        assert_eq!(d.diagnostics.len(), 1);
    }
}
