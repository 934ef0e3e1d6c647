//! The fake's state as a JSON file, so that consecutive runs of a tool
//! (each its own process) see each other's maps: `multipath` run on fakes
//! in component tests loads it at start and writes it back at exit.
//!
//! ```json
//! {
//!   "maps": [
//!     { "name": "mpatha", "uuid": "mpath-3600a", "dev": "253:0",
//!       "table": "0 2048 multipath 0 0 1 1 service-time 0 1 1 8:16 1",
//!       "open_count": 0, "read_only": false, "event_nr": 0 }
//!   ],
//!   "faults": [ { "map": "mpathb", "op": "create", "errno": 5 } ],
//!   "calls": [ "create mpatha" ]
//! }
//! ```
//!
//! Every field but a map's `name` and `table` may be left out. A map's
//! `status` (a whole `dmsetup status` line) replaces the synthesized one,
//! `failed_paths` lists paths failed as by a `fail_path` message. A fault
//! makes `op` (as [`DmOp`]'s `Display` names it: `create`, `remove`,
//! `message`...) fail with `errno` on `map` (every map when left out),
//! `times` times (always when left out). `calls` is the journal of the
//! calls that changed state (`<op> <name>`), appended to by every run.

use super::{parse_table_text, FakeDm, FakeMap, Fault};
use crate::dm::{DevNum, DevRef, DmOp};
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Snapshot {
    #[serde(default)]
    maps: Vec<MapSnap>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    next_minor: Option<u32>,
    #[serde(default)]
    faults: Vec<FaultSnap>,
    #[serde(default)]
    calls: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MapSnap {
    name: String,
    #[serde(default)]
    uuid: String,
    /// `major:minor`; the next free `253:<n>` when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dev: Option<String>,
    table: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default)]
    open_count: u32,
    #[serde(default)]
    read_only: bool,
    #[serde(default)]
    suspended: bool,
    #[serde(default)]
    event_nr: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    failed_paths: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultSnap {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    map: Option<String>,
    op: String,
    errno: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    times: Option<u32>,
}

fn parse_dev(s: &str) -> Option<DevNum> {
    let (major, minor) = s.split_once(':')?;
    Some(DevNum {
        major: major.parse().ok()?,
        minor: minor.parse().ok()?,
    })
}

impl FakeDm {
    /// A fake with the state in JSON `text` (see the module documentation).
    pub fn from_json(text: &str) -> Result<FakeDm, String> {
        let snap: Snapshot = if text.trim().is_empty() {
            Snapshot::default()
        } else {
            serde_json::from_str(text).map_err(|e| e.to_string())?
        };
        let dm = FakeDm::new();
        {
            let mut st = dm.lock();
            let mut next_minor = 0;
            for m in snap.maps {
                let dev = match &m.dev {
                    Some(d) => {
                        parse_dev(d).ok_or_else(|| format!("{}: bad device number {d}", m.name))?
                    }
                    None => DevNum {
                        major: FakeDm::MAJOR,
                        minor: next_minor,
                    },
                };
                if dev.major == FakeDm::MAJOR {
                    next_minor = next_minor.max(dev.minor + 1);
                }
                let failed_paths = m
                    .failed_paths
                    .iter()
                    .map(|p| {
                        p.parse::<DevRef>()
                            .map(|d| (d, 1))
                            .map_err(|()| format!("{}: bad failed path {p}", m.name))
                    })
                    .collect::<Result<_, _>>()?;
                let fail_counts = m
                    .failed_paths
                    .iter()
                    .filter_map(|p| p.parse::<DevRef>().ok().map(|d| (d, 1)))
                    .collect();
                st.maps.insert(
                    m.name,
                    FakeMap {
                        uuid: m.uuid,
                        dev,
                        live: parse_table_text(&m.table),
                        suspended: m.suspended,
                        read_only: m.read_only,
                        open_count: m.open_count,
                        event_nr: m.event_nr,
                        status_override: m.status.as_deref().map(parse_table_text),
                        failed_paths,
                        fail_counts,
                        ..FakeMap::default()
                    },
                );
            }
            st.next_minor = snap.next_minor.unwrap_or(0).max(next_minor);
            for f in snap.faults {
                let op = DmOp::from_name(&f.op).ok_or_else(|| format!("unknown op {}", f.op))?;
                st.faults.push(Fault {
                    map: f.map,
                    op,
                    errno: f.errno,
                    remaining: f.times,
                });
            }
            st.journal = snap.calls;
        }
        Ok(dm)
    }

    /// The state as JSON: maps, remaining faults and the journal of calls
    /// that changed state (earlier runs' and this one's).
    pub fn to_json(&self) -> String {
        let st = self.lock();
        let maps = st
            .maps
            .iter()
            .map(|(name, m)| MapSnap {
                name: name.clone(),
                uuid: m.uuid.clone(),
                dev: Some(m.dev.to_string()),
                table: m
                    .live
                    .iter()
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>()
                    .join("\n"),
                status: m.status_override.as_ref().map(|s| {
                    s.iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                }),
                open_count: m.open_count,
                read_only: m.read_only,
                suspended: m.suspended,
                event_nr: m.event_nr,
                failed_paths: m.failed_paths.keys().map(|d| d.to_string()).collect(),
            })
            .collect();
        let faults = st
            .faults
            .iter()
            .filter(|f| f.remaining != Some(0))
            .map(|f| FaultSnap {
                map: f.map.clone(),
                op: f.op.to_string(),
                errno: f.errno,
                times: f.remaining,
            })
            .collect();
        let mut calls = st.journal.clone();
        calls.extend(
            st.calls
                .iter()
                .filter(|c| c.is_mutating())
                .map(|c| match c.name() {
                    Some(n) => format!("{} {n}", c.op()),
                    None => c.op().to_string(),
                }),
        );
        let snap = Snapshot {
            maps,
            next_minor: Some(st.next_minor),
            faults,
            calls,
        };
        let mut s = serde_json::to_string_pretty(&snap).expect("plain data serializes");
        s.push('\n');
        s
    }

    /// Load the state from a JSON file; a missing file is an empty device
    /// mapper.
    pub fn load_file(path: &Path) -> Result<FakeDm, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        FakeDm::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Write the state to a JSON file.
    pub fn save_file(&self, path: &Path) -> Result<(), String> {
        std::fs::write(path, self.to_json()).map_err(|e| format!("{}: {e}", path.display()))
    }
}
