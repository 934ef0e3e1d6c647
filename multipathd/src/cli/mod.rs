//! The command language of the control socket: the requests clients send
//! (`multipathd show paths`, `multipathd -k"fail path sdb"`, `multipathc`),
//! parsed into [`Request`] values, and the help text (`CLI commands
//! reference`) sent back for words the daemon does not know.
//!
//! Parsing follows upstream's rules (see `parse`): config-style tokens,
//! unique-prefix keywords, up to four keywords whose order matters.

pub mod help;
pub mod parse;

pub use help::{error_reply, help_text};
pub use parse::{parse, ParseError};

/// One parsed command. Map and path arguments are kept as typed by the
/// client (`sda`, `8:0`, `/dev/sda`, `mpatha`, a WWID, `dm-0`); the handlers
/// resolve them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// `list|show paths`
    ListPaths,
    /// `list|show paths [raw] format F`
    ListPathsFmt {
        fmt: String,
        raw: bool,
    },
    /// `list|show path P`
    ListPath(String),
    /// `list|show maps|multipaths`
    ListMaps,
    /// `list|show maps [raw] format F`
    ListMapsFmt {
        fmt: String,
        raw: bool,
    },
    ListMapsStatus,
    ListMapsStats,
    /// `list|show maps topology` and `list|show topology`
    ListMapsTopology,
    ListMapsJson,
    ListMapTopology(String),
    /// `list|show map M [raw] format F`
    ListMapFmt {
        map: String,
        fmt: String,
        raw: bool,
    },
    ListMapJson(String),
    ListStatus,
    ListDaemon,
    ListConfig,
    ListConfigLocal,
    ListBlacklist,
    ListDevices,
    ListWildcards,
    ResetMapsStats,
    ResetMapStats(String),
    AddPath(String),
    RemovePath(String),
    AddMap(String),
    RemoveMap(String),
    RemoveMaps,
    SwitchGroup {
        map: String,
        group: String,
    },
    Reconfigure {
        all: bool,
    },
    SuspendMap(String),
    ResumeMap(String),
    ResizeMap(String),
    ReloadMap(String),
    ResetMap(String),
    ReinstatePath(String),
    FailPath(String),
    /// `disablequeueing map M` (`Some`) or `disablequeueing maps` (`None`).
    DisableQueueing(Option<String>),
    RestoreQueueing(Option<String>),
    ForceQueueingDaemon,
    RestoreQueueingDaemon,
    Quit,
    Shutdown,
    GetPrStatus(String),
    SetPrStatus {
        map: String,
        pathlist: Option<String>,
    },
    UnsetPrStatus(String),
    GetPrKey(String),
    SetPrKey {
        map: String,
        key: String,
    },
    UnsetPrKey(String),
    GetPrHold(String),
    SetPrHold(String),
    UnsetPrHold(String),
    SetMarginalPath(String),
    UnsetMarginalPath(String),
    UnsetMarginalMap(String),
}

impl std::str::FromStr for Request {
    type Err = ParseError;

    fn from_str(cmd: &str) -> Result<Request, ParseError> {
        parse(cmd)
    }
}

impl Request {
    /// Only `list`/`show` commands may be sent by users other than root.
    pub fn needs_root(&self) -> bool {
        !self.is_show()
    }

    /// A `list`/`show` command: answered from the published snapshot.
    pub fn is_show(&self) -> bool {
        use Request::*;
        matches!(
            self,
            ListPaths
                | ListPathsFmt { .. }
                | ListPath(_)
                | ListMaps
                | ListMapsFmt { .. }
                | ListMapsStatus
                | ListMapsStats
                | ListMapsTopology
                | ListMapsJson
                | ListMapTopology(_)
                | ListMapFmt { .. }
                | ListMapJson(_)
                | ListStatus
                | ListDaemon
                | ListConfig
                | ListConfigLocal
                | ListBlacklist
                | ListDevices
                | ListWildcards
        )
    }
}
