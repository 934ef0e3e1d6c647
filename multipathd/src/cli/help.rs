//! The help the daemon sends back for commands it does not understand, and
//! the reply texts of parse errors.

use super::parse::{keyword_def, ParseError, COMMANDS};

/// The first line of the help (the same as `multipath`'s usage text).
pub const VERSION_LINE: &str = "multipath-tools (Rust) v0.15.1-compatible";

/// One line per command, in help order, without the leading space:
/// aliases joined with `|`, parameters as `$name`
/// (`list|show map|multipath $map format $format`).
pub fn command_lines() -> Vec<String> {
    COMMANDS
        .iter()
        .map(|c| {
            c.keywords
                .iter()
                .map(|k| {
                    let d = keyword_def(*k);
                    let names = d.names.join("|");
                    match d.param {
                        Some(p) => format!("{names} {p}"),
                        None => names,
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The version line, `CLI commands reference:` and every command, one per
/// line with a leading space; ends with a newline.
pub fn help_text() -> String {
    let mut s = format!("{VERSION_LINE}\nCLI commands reference:\n");
    for line in command_lines() {
        s.push(' ');
        s.push_str(&line);
        s.push('\n');
    }
    s
}

/// The whole reply to a command that did not parse, `fail\n` included:
/// `fail\n<cmd>: not found\n<help>`, `fail\n<cmd>: Missing argument\n<help>`
/// or a bare `fail\n`. `raw_cmd` is the text as received, so `multipathd
/// help` (which sends `help \n`) reads `help ` newline `: not found`.
pub fn error_reply(raw_cmd: &str, e: &ParseError) -> String {
    let what = match e {
        ParseError::NotFound { .. } => "not found",
        ParseError::MissingArgument => "Missing argument",
        ParseError::Fail { .. } => return "fail\n".to_string(),
    };
    format!("fail\n{raw_cmd}: {what}\n{}", help_text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::parse;

    #[test]
    fn help_lines() {
        let lines = command_lines();
        assert_eq!(lines.len(), 61);
        assert_eq!(lines[0], "list|show paths");
        assert_eq!(lines[2], "list|show paths raw format $format");
        assert_eq!(lines[16], "list|show map|multipath $map raw format $format");
        assert!(lines.contains(&"switch|switchgroup map|multipath $map group $group".to_string()));
        assert!(lines.contains(&"quit|exit".to_string()));
        assert!(lines.contains(&"remove|del maps|multipaths".to_string()));
        assert!(lines.contains(&"setprstatus map|multipath $map pathlist $pathlist".to_string()));
        assert_eq!(lines[60], "unsetmarginal map|multipath $map");
    }

    #[test]
    fn error_texts() {
        let e = parse("help \n").unwrap_err();
        let r = error_reply("help \n", &e);
        assert!(r.starts_with(&format!(
            "fail\nhelp \n: not found\n{VERSION_LINE}\nCLI commands reference:\n list|show paths\n list|show paths format $format\n"
        )));
        assert!(r.ends_with("\n unsetmarginal map|multipath $map\n"));
        let e = parse("show map").unwrap_err();
        assert!(error_reply("show map", &e)
            .starts_with("fail\nshow map: Missing argument\nmultipath-tools"));
        let e = parse("foo paths").unwrap_err();
        assert_eq!(error_reply("foo paths", &e), "fail\n");
    }
}
