//! `multipathd`'s command line: POSIX getopt over `:dsv:k::Bniw`, as
//! upstream (options may follow words, `--` ends them, `-k` takes its
//! command only when attached: `-k"show paths"`).
//!
//! What it asks for:
//! - the daemon, with [`DaemonOpts`];
//! - one command: `-k'cmd'` sends `cmd` as written; words after the options
//!   are sent each followed by a space (in `"` if it holds a space), then a
//!   newline (`multipathd show paths` sends `show paths \n`);
//! - the interactive shell: a bare `-k`.
//!
//! `-k` acts where it stands: options after it are not looked at, words
//! before or after it are not sent.

use crate::daemon::DaemonOpts;
use std::fmt;

/// The largest command built from words, its terminating NUL included.
pub const MAX_WORDS_CMD: usize = 160;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    Daemon(DaemonOpts),
    /// Send this command and print the reply.
    Command(String),
    /// `multipathd -k`: the interactive shell.
    Interactive,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    pub mode: Mode,
    /// Warnings to print before going on (`-n`).
    pub notices: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgError {
    /// `-v` without its value.
    MissingArgument(char),
    UnknownSwitch(char),
    BadVerbosity(String),
    /// The words make a command of more than [`MAX_WORDS_CMD`] bytes.
    CommandTooLarge,
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::MissingArgument(c) => write!(f, "Missing option argument for -{c}"),
            ArgError::UnknownSwitch(c) => write!(f, "Unknown switch: -{c}"),
            ArgError::BadVerbosity(v) => write!(f, "invalid verbosity '{v}'"),
            ArgError::CommandTooLarge => write!(f, "multipathd command too large"),
        }
    }
}

impl std::error::Error for ArgError {}

/// The usage text (`-h` is no option: it comes with an unknown switch).
pub const USAGE: &str = "\
multipath-tools (Rust) v0.15.1-compatible
Usage:
  multipathd [-d] [-s] [-B] [-w] [-v level]
  multipathd -k[command]
  multipathd command

Where:
  -d      stay in the foreground, log to stderr with timestamps
  -s      log without timestamps
  -v lvl  verbosity level (0-6)
  -B      treat the bindings file as read only
  -w      accepted for compatibility (dm events are always watched)
  -n      deprecated, ignored
  -k      interactive shell; -k\"command\" sends one command
  command send a command to the running daemon (see 'multipathd help')
";

/// The notice for `-n`.
pub const DEPRECATED_N: &str = "multipathd: option -n is deprecated and ignored";

/// Parse `argv` without the program name.
pub fn parse(argv: &[String]) -> Result<Args, ArgError> {
    let mut opts = DaemonOpts::default();
    let mut notices = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let arg = &argv[i];
        i += 1;
        if arg == "--" {
            words.extend(argv[i..].iter().map(String::as_str));
            break;
        }
        let Some(flags) = arg.strip_prefix('-').filter(|f| !f.is_empty()) else {
            words.push(arg);
            continue;
        };
        for (at, c) in flags.char_indices() {
            let rest = &flags[at + c.len_utf8()..];
            match c {
                'd' => opts.foreground = true,
                's' => opts.no_timestamps = true,
                'B' => opts.bindings_read_only = true,
                'w' => opts.waiters = true,
                'i' => {}
                'n' => notices.push(DEPRECATED_N.to_string()),
                'k' => {
                    let mode = if rest.is_empty() {
                        Mode::Interactive
                    } else {
                        Mode::Command(rest.to_string())
                    };
                    return Ok(Args { mode, notices });
                }
                'v' => {
                    let v = if !rest.is_empty() {
                        rest.to_string()
                    } else if i < argv.len() {
                        i += 1;
                        argv[i - 1].clone()
                    } else {
                        return Err(ArgError::MissingArgument('v'));
                    };
                    if !v.starts_with(|ch: char| ch.is_ascii_digit()) {
                        return Err(ArgError::BadVerbosity(v));
                    }
                    let digits: String = v.chars().take_while(char::is_ascii_digit).collect();
                    opts.verbosity = Some(digits.parse().unwrap_or(u32::MAX));
                    break;
                }
                other => return Err(ArgError::UnknownSwitch(other)),
            }
        }
    }
    if words.is_empty() {
        return Ok(Args {
            mode: Mode::Daemon(opts),
            notices,
        });
    }
    Ok(Args {
        mode: Mode::Command(words_command(&words)?),
        notices,
    })
}

/// The command sent for words typed after the options.
pub fn words_command(words: &[&str]) -> Result<String, ArgError> {
    let mut cmd = String::new();
    for w in words {
        if w.contains(' ') {
            cmd.push('"');
            cmd.push_str(w);
            cmd.push_str("\" ");
        } else {
            cmd.push_str(w);
            cmd.push(' ');
        }
    }
    cmd.push('\n');
    if cmd.len() + 1 > MAX_WORDS_CMD {
        return Err(ArgError::CommandTooLarge);
    }
    Ok(cmd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Args, ArgError> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn mode(args: &[&str]) -> Mode {
        p(args).unwrap().mode
    }

    #[test]
    fn daemon_options() {
        assert_eq!(mode(&[]), Mode::Daemon(DaemonOpts::default()));
        let Mode::Daemon(o) = mode(&["-ds", "-v3", "-B", "-w"]) else {
            panic!()
        };
        assert!(o.foreground && o.no_timestamps && o.bindings_read_only && o.waiters);
        assert_eq!(o.verbosity, Some(3));
        let Mode::Daemon(o) = mode(&["-v", "4", "-d"]) else {
            panic!()
        };
        assert_eq!((o.verbosity, o.foreground), (Some(4), true));
        assert_eq!(p(&["-v"]).unwrap_err(), ArgError::MissingArgument('v'));
        assert_eq!(p(&["-vx"]).unwrap_err(), ArgError::BadVerbosity("x".into()));
        assert_eq!(p(&["-h"]).unwrap_err(), ArgError::UnknownSwitch('h'));
        let a = p(&["-n", "-d"]).unwrap();
        assert_eq!(a.notices, vec![DEPRECATED_N.to_string()]);
    }

    #[test]
    fn client_modes() {
        assert_eq!(mode(&["-k"]), Mode::Interactive);
        assert_eq!(mode(&["-kshow paths"]), Mode::Command("show paths".into()));
        assert_eq!(mode(&["-dkshow maps"]), Mode::Command("show maps".into()));
        // A separate word is no argument of -k, and -k acts at once.
        assert_eq!(mode(&["-k", "show", "paths"]), Mode::Interactive);
        assert_eq!(mode(&["show", "-kfoo"]), Mode::Command("foo".into()));
        assert_eq!(
            mode(&["show", "paths"]),
            Mode::Command("show paths \n".into())
        );
        assert_eq!(mode(&["help"]), Mode::Command("help \n".into()));
        assert_eq!(
            mode(&["show", "maps", "format", "%n %w"]),
            Mode::Command("show maps format \"%n %w\" \n".into())
        );
        // Options may follow words (getopt permutes); `--` ends them.
        assert_eq!(
            mode(&["show", "paths", "-d"]),
            Mode::Command("show paths \n".into())
        );
        assert_eq!(
            mode(&["--", "show", "-d"]),
            Mode::Command("show -d \n".into())
        );
        assert_eq!(mode(&["-"]), Mode::Command("- \n".into()));
    }

    #[test]
    fn command_size() {
        // 158 bytes + newline + NUL = 160: fits.
        let w = "x".repeat(157);
        assert_eq!(words_command(&[&w]).unwrap().len(), 159);
        let w = "x".repeat(158);
        assert_eq!(words_command(&[&w]), Err(ArgError::CommandTooLarge));
        assert_eq!(
            ArgError::CommandTooLarge.to_string(),
            "multipathd command too large"
        );
    }
}
