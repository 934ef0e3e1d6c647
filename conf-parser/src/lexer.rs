//! Line tokenizer for multipath.conf and for multipathd CLI commands.
//!
//! Rules (upstream behaviour): tokens are separated by white space; `{` and
//! `}` are tokens of their own; a double quote starts a string that runs to
//! the next lone double quote, with `""` standing for one literal quote and
//! white space kept; an unquoted `#` or `!`, even glued to a word
//! (`directio#note`), starts a comment that runs to the end of the line.

use nom::{
    branch::alt,
    bytes::complete::{tag, take_till1, take_while},
    character::complete::char,
    combinator::{map, opt, recognize},
    multi::many0,
    sequence::preceded,
    IResult, Parser,
};

/// One token of a line, with its 1-based column (in bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    /// The token was written in double quotes.
    pub quoted: bool,
    pub col: u32,
}

impl Token {
    pub fn is(&self, s: &str) -> bool {
        !self.quoted && self.text == s
    }
}

/// A problem found while splitting one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexError {
    /// A quoted string has no closing quote; the 1-based column of its opening quote.
    UnterminatedQuote { col: u32 },
}

/// White space as C's `isspace`: space, `\t`, `\n`, `\v`, `\f`, `\r`.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

fn is_word_end(c: char) -> bool {
    is_space(c) || matches!(c, '"' | '{' | '}' | '#' | '!')
}

/// The body of a quoted string after its opening quote: runs of non-quote
/// characters and `""` pairs.
fn quoted_body(input: &str) -> IResult<&str, &str> {
    recognize(many0(alt((take_till1(|c| c == '"'), tag("\"\""))))).parse(input)
}

enum Raw<'a> {
    Brace(&'a str),
    Quoted(&'a str, bool),
    Word(&'a str),
}

fn raw_token(input: &str) -> IResult<&str, Raw<'_>> {
    alt((
        map(alt((tag("{"), tag("}"))), Raw::Brace),
        map(
            preceded(char('"'), (quoted_body, opt(char('"')))),
            |(body, close)| Raw::Quoted(body, close.is_some()),
        ),
        map(take_till1(is_word_end), Raw::Word),
    ))
    .parse(input)
}

/// Split one line (without its line terminator) into tokens.
pub fn tokenize(line: &str) -> (Vec<Token>, Option<LexError>) {
    let mut out = Vec::new();
    let mut rest = line;
    loop {
        // Leading white space (and, as upstream does, non-ASCII bytes between tokens).
        let skipped: IResult<&str, &str> =
            take_while(|c: char| is_space(c) || !c.is_ascii()).parse(rest);
        if let Ok((r, _)) = skipped {
            rest = r;
        }
        if rest.is_empty() || rest.starts_with('#') || rest.starts_with('!') {
            return (out, None);
        }
        let col = (line.len() - rest.len() + 1) as u32;
        match raw_token(rest) {
            Ok((r, tok)) => {
                rest = r;
                match tok {
                    Raw::Brace(b) => out.push(Token {
                        text: b.to_string(),
                        quoted: false,
                        col,
                    }),
                    Raw::Word(w) => out.push(Token {
                        text: w.to_string(),
                        quoted: false,
                        col,
                    }),
                    Raw::Quoted(body, closed) => {
                        out.push(Token {
                            text: body.replace("\"\"", "\""),
                            quoted: true,
                            col,
                        });
                        if !closed {
                            return (out, Some(LexError::UnterminatedQuote { col }));
                        }
                    }
                }
            }
            // Cannot happen (every non-space start matches a branch), but never panic.
            Err(_) => return (out, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(line: &str) -> Vec<String> {
        tokenize(line).0.into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn words_and_braces() {
        assert_eq!(texts("defaults {"), ["defaults", "{"]);
        assert_eq!(
            texts("\tpolling_interval  10   "),
            ["polling_interval", "10"]
        );
        assert_eq!(texts("}"), ["}"]);
    }

    #[test]
    fn comments() {
        assert!(texts("# hello").is_empty());
        assert!(texts("   ! hello").is_empty());
        assert_eq!(texts("a b # c"), ["a", "b"]);
        assert_eq!(texts("a \"b # c\" ! d"), ["a", "b # c"]);
        assert_eq!(texts("polling_interval 7! note"), ["polling_interval", "7"]);
        assert_eq!(texts("devnode ^foo!bar"), ["devnode", "^foo"]);
    }

    #[test]
    fn quotes() {
        let (t, e) = tokenize(r#"vendor "a ""b"" c""#);
        assert_eq!(t[1].text, r#"a "b" c"#);
        assert!(t[1].quoted);
        assert_eq!(t[1].col, 8);
        assert!(e.is_none());
        assert_eq!(texts(r#"x """#), ["x", ""]);
        let (t, e) = tokenize(r#"x "abc"#);
        assert_eq!(t[1].text, "abc");
        assert_eq!(e, Some(LexError::UnterminatedQuote { col: 3 }));
    }
}
