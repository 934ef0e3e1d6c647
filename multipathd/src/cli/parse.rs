//! From the text a client sent to a [`Request`].
//!
//! The rules are upstream's (they are an interface: scripts depend on them):
//!
//! - the text is split like a multipath.conf line (white space, `"..."`
//!   with `""` for a quote, an unquoted `#` or `!` starts a comment);
//! - each word is a keyword: an exact name, else the unique keyword name it
//!   is a prefix of (`sho` = `show`, `disable` = `disablequeueing`; `s` and
//!   `sh` are ambiguous and so unknown);
//! - keywords that take a parameter (`map`, `path`, `group`, `format`,
//!   `key`, `pathlist`) consume the next word, whatever it is;
//! - the keywords, in order, must be one of the [`COMMANDS`]: order matters
//!   (`show map X format F raw` is not a command).

use super::Request;
use conf_parser::lexer::tokenize;
use std::fmt;

/// A keyword of the command language. Aliases share one keyword.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kw {
    List,
    Add,
    Remove,
    Switch,
    Suspend,
    Resume,
    Reinstate,
    Fail,
    Resize,
    Reset,
    Reload,
    ForceQueueing,
    DisableQueueing,
    RestoreQueueing,
    Paths,
    Maps,
    Path,
    Map,
    Group,
    Reconfigure,
    Daemon,
    Status,
    Stats,
    Topology,
    Config,
    Blacklist,
    Devices,
    Raw,
    Wildcards,
    Quit,
    Shutdown,
    GetPrStatus,
    SetPrStatus,
    UnsetPrStatus,
    Format,
    Json,
    GetPrKey,
    SetPrKey,
    UnsetPrKey,
    Key,
    Local,
    SetMarginal,
    UnsetMarginal,
    All,
    GetPrHold,
    SetPrHold,
    UnsetPrHold,
    PathList,
}

/// One keyword: its names (the first is the main one; all are shown in the
/// help, joined with `|`) and, if it takes a parameter, the parameter's name
/// as the help shows it (`$map`).
pub struct KeywordDef {
    pub kw: Kw,
    pub names: &'static [&'static str],
    pub param: Option<&'static str>,
}

const fn kw(kw: Kw, names: &'static [&'static str]) -> KeywordDef {
    KeywordDef {
        kw,
        names,
        param: None,
    }
}

const fn kwp(kw: Kw, names: &'static [&'static str], param: &'static str) -> KeywordDef {
    KeywordDef {
        kw,
        names,
        param: Some(param),
    }
}

/// Every keyword of the language.
pub const KEYWORDS: &[KeywordDef] = &[
    kw(Kw::List, &["list", "show"]),
    kw(Kw::Add, &["add"]),
    kw(Kw::Remove, &["remove", "del"]),
    kw(Kw::Switch, &["switch", "switchgroup"]),
    kw(Kw::Suspend, &["suspend"]),
    kw(Kw::Resume, &["resume"]),
    kw(Kw::Reinstate, &["reinstate"]),
    kw(Kw::Fail, &["fail"]),
    kw(Kw::Resize, &["resize"]),
    kw(Kw::Reset, &["reset"]),
    kw(Kw::Reload, &["reload"]),
    kw(Kw::ForceQueueing, &["forcequeueing"]),
    kw(Kw::DisableQueueing, &["disablequeueing"]),
    kw(Kw::RestoreQueueing, &["restorequeueing"]),
    kw(Kw::Paths, &["paths"]),
    kw(Kw::Maps, &["maps", "multipaths"]),
    kwp(Kw::Path, &["path"], "$path"),
    kwp(Kw::Map, &["map", "multipath"], "$map"),
    kwp(Kw::Group, &["group"], "$group"),
    kw(Kw::Reconfigure, &["reconfigure"]),
    kw(Kw::Daemon, &["daemon"]),
    kw(Kw::Status, &["status"]),
    kw(Kw::Stats, &["stats"]),
    kw(Kw::Topology, &["topology"]),
    kw(Kw::Config, &["config"]),
    kw(Kw::Blacklist, &["blacklist"]),
    kw(Kw::Devices, &["devices"]),
    kw(Kw::Raw, &["raw"]),
    kw(Kw::Wildcards, &["wildcards"]),
    kw(Kw::Quit, &["quit", "exit"]),
    kw(Kw::Shutdown, &["shutdown"]),
    kw(Kw::GetPrStatus, &["getprstatus"]),
    kw(Kw::SetPrStatus, &["setprstatus"]),
    kw(Kw::UnsetPrStatus, &["unsetprstatus"]),
    kwp(Kw::Format, &["format"], "$format"),
    kw(Kw::Json, &["json"]),
    kw(Kw::GetPrKey, &["getprkey"]),
    kw(Kw::SetPrKey, &["setprkey"]),
    kw(Kw::UnsetPrKey, &["unsetprkey"]),
    kwp(Kw::Key, &["key"], "$key"),
    kw(Kw::Local, &["local"]),
    kw(Kw::SetMarginal, &["setmarginal"]),
    kw(Kw::UnsetMarginal, &["unsetmarginal"]),
    kw(Kw::All, &["all"]),
    kw(Kw::GetPrHold, &["getprhold"]),
    kw(Kw::SetPrHold, &["setprhold"]),
    kw(Kw::UnsetPrHold, &["unsetprhold"]),
    kwp(Kw::PathList, &["pathlist"], "$pathlist"),
];

/// The definition of a keyword.
pub fn keyword_def(k: Kw) -> &'static KeywordDef {
    KEYWORDS
        .iter()
        .find(|d| d.kw == k)
        .expect("every keyword is in KEYWORDS")
}

/// The keyword a word names: an exact name, else the one name the word is a
/// prefix of. Two names of one keyword (`sw` of `switch` and `switchgroup`)
/// count as two, so such a prefix is ambiguous too.
pub fn lookup(word: &str) -> Option<Kw> {
    let all = || {
        KEYWORDS
            .iter()
            .flat_map(|d| d.names.iter().map(move |n| (*n, d.kw)))
    };
    if let Some((_, k)) = all().find(|(n, _)| *n == word) {
        return Some(k);
    }
    let mut found = all().filter(|(n, _)| n.starts_with(word));
    match (found.next(), found.next()) {
        (Some((_, k)), None) => Some(k),
        _ => None,
    }
}

/// The parameters of one command, by the keyword that introduced them.
#[derive(Debug, Default)]
pub struct Params(Vec<(Kw, String)>);

impl Params {
    fn get(&self, k: Kw) -> String {
        self.0
            .iter()
            .find(|(p, _)| *p == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
}

/// One command: its keywords in order, and how its request is built.
pub struct Command {
    pub keywords: &'static [Kw],
    pub build: fn(&Params) -> Request,
}

const fn cmd(keywords: &'static [Kw], build: fn(&Params) -> Request) -> Command {
    Command { keywords, build }
}

use Kw::*;

/// Every command, in the order the help lists them.
pub const COMMANDS: &[Command] = &[
    cmd(&[List, Paths], |_| Request::ListPaths),
    cmd(&[List, Paths, Format], |p| Request::ListPathsFmt {
        fmt: p.get(Format),
        raw: false,
    }),
    cmd(&[List, Paths, Raw, Format], |p| Request::ListPathsFmt {
        fmt: p.get(Format),
        raw: true,
    }),
    cmd(&[List, Path], |p| Request::ListPath(p.get(Path))),
    cmd(&[List, Maps], |_| Request::ListMaps),
    cmd(&[List, Status], |_| Request::ListStatus),
    cmd(&[List, Daemon], |_| Request::ListDaemon),
    cmd(&[List, Maps, Status], |_| Request::ListMapsStatus),
    cmd(&[List, Maps, Stats], |_| Request::ListMapsStats),
    cmd(&[List, Maps, Format], |p| Request::ListMapsFmt {
        fmt: p.get(Format),
        raw: false,
    }),
    cmd(&[List, Maps, Raw, Format], |p| Request::ListMapsFmt {
        fmt: p.get(Format),
        raw: true,
    }),
    cmd(&[List, Maps, Topology], |_| Request::ListMapsTopology),
    cmd(&[List, Topology], |_| Request::ListMapsTopology),
    cmd(&[List, Maps, Json], |_| Request::ListMapsJson),
    cmd(&[List, Map, Topology], |p| {
        Request::ListMapTopology(p.get(Map))
    }),
    cmd(&[List, Map, Format], |p| Request::ListMapFmt {
        map: p.get(Map),
        fmt: p.get(Format),
        raw: false,
    }),
    cmd(&[List, Map, Raw, Format], |p| Request::ListMapFmt {
        map: p.get(Map),
        fmt: p.get(Format),
        raw: true,
    }),
    cmd(&[List, Map, Json], |p| Request::ListMapJson(p.get(Map))),
    cmd(&[List, Config], |_| Request::ListConfig),
    cmd(&[List, Config, Local], |_| Request::ListConfigLocal),
    cmd(&[List, Blacklist], |_| Request::ListBlacklist),
    cmd(&[List, Devices], |_| Request::ListDevices),
    cmd(&[List, Wildcards], |_| Request::ListWildcards),
    cmd(&[Reset, Maps, Stats], |_| Request::ResetMapsStats),
    cmd(&[Reset, Map, Stats], |p| Request::ResetMapStats(p.get(Map))),
    cmd(&[Add, Path], |p| Request::AddPath(p.get(Path))),
    cmd(&[Remove, Path], |p| Request::RemovePath(p.get(Path))),
    cmd(&[Add, Map], |p| Request::AddMap(p.get(Map))),
    cmd(&[Remove, Map], |p| Request::RemoveMap(p.get(Map))),
    cmd(&[Remove, Maps], |_| Request::RemoveMaps),
    cmd(&[Switch, Map, Group], |p| Request::SwitchGroup {
        map: p.get(Map),
        group: p.get(Group),
    }),
    cmd(&[Reconfigure], |_| Request::Reconfigure { all: false }),
    cmd(&[Reconfigure, All], |_| Request::Reconfigure { all: true }),
    cmd(&[Suspend, Map], |p| Request::SuspendMap(p.get(Map))),
    cmd(&[Resume, Map], |p| Request::ResumeMap(p.get(Map))),
    cmd(&[Resize, Map], |p| Request::ResizeMap(p.get(Map))),
    cmd(&[Reload, Map], |p| Request::ReloadMap(p.get(Map))),
    cmd(&[Reset, Map], |p| Request::ResetMap(p.get(Map))),
    cmd(&[Reinstate, Path], |p| Request::ReinstatePath(p.get(Path))),
    cmd(&[Fail, Path], |p| Request::FailPath(p.get(Path))),
    cmd(&[DisableQueueing, Map], |p| {
        Request::DisableQueueing(Some(p.get(Map)))
    }),
    cmd(&[DisableQueueing, Maps], |_| Request::DisableQueueing(None)),
    cmd(&[RestoreQueueing, Map], |p| {
        Request::RestoreQueueing(Some(p.get(Map)))
    }),
    cmd(&[RestoreQueueing, Maps], |_| Request::RestoreQueueing(None)),
    cmd(&[ForceQueueing, Daemon], |_| Request::ForceQueueingDaemon),
    cmd(&[RestoreQueueing, Daemon], |_| {
        Request::RestoreQueueingDaemon
    }),
    cmd(&[Quit], |_| Request::Quit),
    cmd(&[Shutdown], |_| Request::Shutdown),
    cmd(&[GetPrStatus, Map], |p| Request::GetPrStatus(p.get(Map))),
    cmd(&[SetPrStatus, Map], |p| Request::SetPrStatus {
        map: p.get(Map),
        pathlist: None,
    }),
    cmd(&[SetPrStatus, Map, PathList], |p| Request::SetPrStatus {
        map: p.get(Map),
        pathlist: Some(p.get(PathList)),
    }),
    cmd(&[UnsetPrStatus, Map], |p| {
        Request::UnsetPrStatus(p.get(Map))
    }),
    cmd(&[GetPrKey, Map], |p| Request::GetPrKey(p.get(Map))),
    cmd(&[SetPrKey, Map, Key], |p| Request::SetPrKey {
        map: p.get(Map),
        key: p.get(Key),
    }),
    cmd(&[UnsetPrKey, Map], |p| Request::UnsetPrKey(p.get(Map))),
    cmd(&[GetPrHold, Map], |p| Request::GetPrHold(p.get(Map))),
    cmd(&[SetPrHold, Map], |p| Request::SetPrHold(p.get(Map))),
    cmd(&[UnsetPrHold, Map], |p| Request::UnsetPrHold(p.get(Map))),
    cmd(&[SetMarginal, Path], |p| {
        Request::SetMarginalPath(p.get(Path))
    }),
    cmd(&[UnsetMarginal, Path], |p| {
        Request::UnsetMarginalPath(p.get(Path))
    }),
    cmd(&[UnsetMarginal, Map], |p| {
        Request::UnsetMarginalMap(p.get(Map))
    }),
];

/// The most keywords a command has; more is never a command.
const MAX_KEYWORDS: usize = 4;

/// Why a command was not understood. Each kind has its own reply
/// ([`super::error_reply`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The last word is no keyword (`show foo`, `help`): `<cmd>: not found`
    /// and the help.
    NotFound { word: String },
    /// A keyword lacks its parameter (`show map`), or the keywords are known
    /// but form no command (`show map X format F raw`, `show`):
    /// `<cmd>: Missing argument` and the help.
    MissingArgument,
    /// A word before the last is no keyword (`foo paths`): a bare `fail`.
    Fail { word: String },
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::NotFound { word } => write!(f, "unknown keyword '{word}'"),
            ParseError::MissingArgument => write!(f, "missing argument or unknown command"),
            ParseError::Fail { word } => write!(f, "unknown keyword '{word}'"),
        }
    }
}

impl std::error::Error for ParseError {}

/// Parse the text a client sent (as received: a trailing newline or space
/// does not matter).
pub fn parse(cmd: &str) -> Result<Request, ParseError> {
    let words: Vec<String> = tokenize(cmd).0.into_iter().map(|t| t.text).collect();
    let mut keywords = Vec::new();
    let mut params = Params::default();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        let last = i + 1 == words.len();
        let Some(k) = lookup(word) else {
            let word = word.clone();
            return Err(if last {
                ParseError::NotFound { word }
            } else {
                ParseError::Fail { word }
            });
        };
        i += 1;
        if keyword_def(k).param.is_some() {
            let Some(value) = words.get(i) else {
                return Err(ParseError::MissingArgument);
            };
            params.0.push((k, value.clone()));
            i += 1;
        }
        keywords.push(k);
    }
    if keywords.len() > MAX_KEYWORDS {
        return Err(ParseError::MissingArgument);
    }
    COMMANDS
        .iter()
        .find(|c| c.keywords == keywords.as_slice())
        .map(|c| (c.build)(&params))
        .ok_or(ParseError::MissingArgument)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Request {
        parse(s).unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
    }

    #[test]
    fn every_help_line_parses_to_its_request() {
        let help = super::super::help::command_lines();
        assert_eq!(help.len(), COMMANDS.len());
        for (line, c) in help.iter().zip(COMMANDS) {
            // Take the first alias of each keyword and a value for each parameter.
            let words: Vec<String> = line
                .split_whitespace()
                .map(|w| {
                    if let Some(p) = w.strip_prefix('$') {
                        format!("V{p}")
                    } else {
                        w.split('|').next().unwrap().to_string()
                    }
                })
                .collect();
            let text = words.join(" ");
            let p = Params(
                c.keywords
                    .iter()
                    .filter(|k| keyword_def(**k).param.is_some())
                    .map(|k| {
                        let name = keyword_def(*k).param.unwrap();
                        (*k, format!("V{}", &name[1..]))
                    })
                    .collect(),
            );
            assert_eq!(ok(&text), (c.build)(&p), "{text}");
            // Every alias works too.
            let alias_text: String = line
                .split_whitespace()
                .map(|w| {
                    if w.starts_with('$') {
                        "X".to_string()
                    } else {
                        w.split('|').next_back().unwrap().to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ");
            assert!(parse(&alias_text).is_ok(), "{alias_text}");
        }
    }

    #[test]
    fn requests() {
        assert_eq!(ok("show paths"), Request::ListPaths);
        assert_eq!(ok("list multipaths\n"), Request::ListMaps);
        assert_eq!(
            ok("show map mpatha raw format \"%n %w\""),
            Request::ListMapFmt {
                map: "mpatha".into(),
                fmt: "%n %w".into(),
                raw: true
            }
        );
        assert_eq!(
            ok("switchgroup multipath mpatha group 2"),
            Request::SwitchGroup {
                map: "mpatha".into(),
                group: "2".into()
            }
        );
        assert_eq!(ok("del maps"), Request::RemoveMaps);
        assert_eq!(ok("exit"), Request::Quit);
        assert_eq!(ok("reconfigure all"), Request::Reconfigure { all: true });
        assert_eq!(
            ok("setprstatus map mpatha pathlist \"sda sdb\""),
            Request::SetPrStatus {
                map: "mpatha".into(),
                pathlist: Some("sda sdb".into())
            }
        );
        assert_eq!(ok("restorequeueing maps"), Request::RestoreQueueing(None));
        // A parameter is taken whatever it looks like, even a keyword.
        assert_eq!(ok("show path show"), Request::ListPath("show".into()));
    }

    #[test]
    fn prefixes() {
        assert_eq!(ok("sho paths"), Request::ListPaths);
        assert_eq!(
            ok("disable map mpatha"),
            Request::DisableQueueing(Some("mpatha".into()))
        );
        assert_eq!(
            ok("show maps form %n"),
            Request::ListMapsFmt {
                fmt: "%n".into(),
                raw: false
            }
        );
        assert_eq!(ok("li top"), Request::ListMapsTopology);
        assert_eq!(ok("shutd"), Request::Shutdown);
        // Exact match wins over being a prefix of a longer name.
        assert_eq!(lookup("switch"), Some(Kw::Switch));
        assert_eq!(lookup("map"), Some(Kw::Map));
        assert_eq!(lookup("fail"), Some(Kw::Fail));
        // Ambiguous prefixes are unknown words.
        for w in ["s", "sh", "ma", "for", "multi", "sw", "re", ""] {
            assert_eq!(lookup(w), None, "{w:?}");
        }
        assert_eq!(parse("s"), Err(ParseError::NotFound { word: "s".into() }));
        assert_eq!(
            parse("show ma"),
            Err(ParseError::NotFound { word: "ma".into() })
        );
        assert_eq!(
            parse("sh paths"),
            Err(ParseError::Fail { word: "sh".into() })
        );
        // Case matters.
        assert_eq!(lookup("SHOW"), None);
    }

    #[test]
    fn order_matters() {
        assert_eq!(
            parse("show map X format F raw"),
            Err(ParseError::MissingArgument)
        );
        assert_eq!(parse("paths show"), Err(ParseError::MissingArgument));
        assert_eq!(parse("show"), Err(ParseError::MissingArgument));
        assert_eq!(parse("show map"), Err(ParseError::MissingArgument));
        assert_eq!(parse("show paths format"), Err(ParseError::MissingArgument));
        assert_eq!(parse(""), Err(ParseError::MissingArgument));
        assert_eq!(
            parse("show maps raw format F json"),
            Err(ParseError::MissingArgument)
        );
    }

    #[test]
    fn unknown_words() {
        assert_eq!(
            parse("help \n"),
            Err(ParseError::NotFound {
                word: "help".into()
            })
        );
        assert_eq!(
            parse("show foo"),
            Err(ParseError::NotFound { word: "foo".into() })
        );
        assert_eq!(
            parse("foo paths"),
            Err(ParseError::Fail { word: "foo".into() })
        );
        assert_eq!(
            parse("show { paths"),
            Err(ParseError::Fail { word: "{".into() })
        );
    }

    #[test]
    fn quoting_and_comments() {
        assert_eq!(
            ok(r#"show paths format "%d ""x"" %t""#),
            Request::ListPathsFmt {
                fmt: r#"%d "x" %t"#.into(),
                raw: false
            }
        );
        assert_eq!(ok("show paths # format %d"), Request::ListPaths);
        assert_eq!(ok("show paths!format"), Request::ListPaths);
        assert_eq!(
            ok("show paths format \"%d # %t\""),
            Request::ListPathsFmt {
                fmt: "%d # %t".into(),
                raw: false
            }
        );
        // An unquoted `#` cuts the format short.
        assert_eq!(
            ok("show paths format %d#%t"),
            Request::ListPathsFmt {
                fmt: "%d".into(),
                raw: false
            }
        );
        assert_eq!(ok("  \t show\tpaths  \n"), Request::ListPaths);
        assert_eq!(ok("\"show\" paths"), Request::ListPaths);
    }
}
