//! Command-line parsing with the exact POSIX getopt semantics of upstream's
//! `multipath` (option string `:adDcChl::eFfM:v:p:b:BrR:itTquUwW`): bundled
//! flags (`-ll`, `-vd`), attached or separate arguments (`-v3`, `-v 3`), the
//! optional argument of `-l`. Scripts depend on these forms, and no argument
//! crate reproduces `l::` and getopt's error texts, so it is written here.

use std::fmt;

/// What the command was asked to do (upstream's "cmd" modes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Create,
    DryRun,
    List,
    ListLong,
    Flush,
    FlushAll,
    AddWwid,
    RemoveWwid,
    ResetWwids,
    ValidPath,
    UdevValidPath,
    UsablePaths,
    UdevUsablePaths,
    DumpConfig,
    DumpLocalConfig,
    Usage,
    /// `--check-config [FILE]` (ours, beyond upstream).
    CheckConfig,
}

#[derive(Debug, Clone, Default)]
pub struct Args {
    pub mode: Mode,
    pub verbosity: Option<u32>,
    pub force_pgpolicy: Option<String>,
    pub bindings_read_only: bool,
    pub retain_queueing: bool,
    pub ignore_wwids: bool,
    pub enable_foreign: bool,
    /// `-D` (undocumented): never hand a command to multipathd.
    pub no_delegate: bool,
    /// `-r`: reload every map (create mode: delegated as `reconfigure all`).
    /// A flag, not a mode, as upstream's: `-r -d` is a dry run, `-r -l` a list.
    pub force_reload: bool,
    pub retries: Option<i32>,
    pub device: Option<String>,
    /// Messages to print before running (e.g. `option -b ignored`).
    pub notices: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgError {
    MissingArgument(char),
    UnknownSwitch(char),
    BadVerbosity(String),
    BadPolicy(String),
}

impl fmt::Display for ArgError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgError::MissingArgument(_) => write!(f, "Missing option argument"),
            ArgError::UnknownSwitch(c) => write!(f, "Unknown switch: {c}"),
            ArgError::BadVerbosity(v) => write!(f, "invalid verbosity '{v}'"),
            ArgError::BadPolicy(p) => write!(f, "'{p}' is not a valid policy"),
        }
    }
}

use conf_parser::keywords::PGPOLICIES as POLICIES;

/// Options that take an argument.
fn takes_arg(c: char) -> bool {
    matches!(c, 'M' | 'v' | 'p' | 'b' | 'R')
}

pub fn parse(argv: &[String]) -> Result<Args, ArgError> {
    let mut a = Args::default();
    let mut positional: Vec<String> = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let arg = &argv[i];
        i += 1;
        if arg == "--" {
            positional.extend(argv[i..].iter().cloned());
            break;
        }
        if arg == "--check-config" {
            a.mode = Mode::CheckConfig;
            continue;
        }
        if !arg.starts_with('-') || arg == "-" {
            positional.push(arg.clone());
            continue;
        }
        let chars: Vec<char> = arg.chars().skip(1).collect();
        let mut j = 0;
        while j < chars.len() {
            let c = chars[j];
            j += 1;
            let rest: String = chars[j..].iter().collect();
            if c == 'l' {
                // Optional argument, only when attached: `-ll`.
                if rest == "l" {
                    a.mode = Mode::ListLong;
                    j = chars.len();
                } else if rest.is_empty() {
                    if a.mode != Mode::ListLong {
                        a.mode = Mode::List;
                    }
                } else {
                    a.mode = Mode::List;
                    j = chars.len();
                }
                continue;
            }
            let optarg = if takes_arg(c) {
                j = chars.len();
                if !rest.is_empty() {
                    Some(rest)
                } else if i < argv.len() {
                    i += 1;
                    Some(argv[i - 1].clone())
                } else {
                    return Err(ArgError::MissingArgument(c));
                }
            } else {
                None
            };
            match c {
                'a' => a.mode = Mode::AddWwid,
                'B' => a.bindings_read_only = true,
                'b' => a.notices.push("option -b ignored".into()),
                'c' => a.mode = Mode::ValidPath,
                'C' => a.mode = Mode::UsablePaths,
                'd' => {
                    if a.mode == Mode::Create {
                        a.mode = Mode::DryRun;
                    }
                }
                'D' => a.no_delegate = true,
                'e' => a.enable_foreign = true,
                'f' => a.mode = Mode::Flush,
                'F' => a.mode = Mode::FlushAll,
                'M' => {}
                'v' => {
                    let v = optarg.unwrap_or_default();
                    if !v.starts_with(|ch: char| ch.is_ascii_digit()) {
                        return Err(ArgError::BadVerbosity(v));
                    }
                    let digits: String = v.chars().take_while(|ch| ch.is_ascii_digit()).collect();
                    a.verbosity = Some(digits.parse().unwrap_or(u32::MAX));
                }
                'p' => {
                    let p = optarg.unwrap_or_default();
                    if !POLICIES.contains(&p.as_str()) {
                        return Err(ArgError::BadPolicy(p));
                    }
                    a.force_pgpolicy = Some(p);
                }
                'r' => a.force_reload = true,
                'R' => a.retries = optarg.and_then(|r| r.parse().ok()),
                'h' => a.mode = Mode::Usage,
                'i' => a.ignore_wwids = true,
                't' => a.mode = Mode::DumpConfig,
                'T' => a.mode = Mode::DumpLocalConfig,
                'q' => a.retain_queueing = true,
                'u' => a.mode = Mode::UdevValidPath,
                'U' => a.mode = Mode::UdevUsablePaths,
                'w' => a.mode = Mode::RemoveWwid,
                'W' => a.mode = Mode::ResetWwids,
                other => return Err(ArgError::UnknownSwitch(other)),
            }
        }
    }
    a.device = positional.into_iter().next();
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<Args, ArgError> {
        parse(&s.split_whitespace().map(String::from).collect::<Vec<_>>())
    }

    #[test]
    fn getopt_forms() {
        assert_eq!(p("-ll").unwrap().mode, Mode::ListLong);
        assert_eq!(p("-l").unwrap().mode, Mode::List);
        assert_eq!(p("-l -l").unwrap().mode, Mode::List);
        let a = p("-v3 -d sdb").unwrap();
        assert_eq!(
            (a.verbosity, a.mode, a.device.as_deref()),
            (Some(3), Mode::DryRun, Some("sdb"))
        );
        assert_eq!(p("-v 2 -t").unwrap().verbosity, Some(2));
        assert_eq!(p("-tv0").unwrap().verbosity, Some(0));
        assert_eq!(p("-v").unwrap_err(), ArgError::MissingArgument('v'));
        assert_eq!(p("-vx").unwrap_err(), ArgError::BadVerbosity("x".into()));
        assert_eq!(p("-k").unwrap_err(), ArgError::UnknownSwitch('k'));
        assert_eq!(
            p("-p foo").unwrap_err().to_string(),
            "'foo' is not a valid policy"
        );
        assert_eq!(
            p("--check-config /x").unwrap().device.as_deref(),
            Some("/x")
        );
        // -r is a flag; -d still turns create mode into a dry run.
        let a = p("-r").unwrap();
        assert_eq!((a.mode, a.force_reload), (Mode::Create, true));
        assert_eq!(p("-r -d").unwrap().mode, Mode::DryRun);
        assert_eq!(p("-dr").unwrap().mode, Mode::DryRun);
        assert_eq!(p("-l -r").unwrap().mode, Mode::List);
        assert!(p("-D -F").unwrap().no_delegate);
    }
}
