//! The command handlers: `show` commands render the published snapshot;
//! the others run on the owner thread.

use super::owner::Owner;
use super::{CmdError, Env, Reply};
use crate::cli::Request;
use crate::format;
use crate::model::{Map, Queueing, State};
use mpath::dm::{DmPathState, RemoveOptions, ResumeOptions, SuspendOptions};
use mpath::foreign::{self, ForeignMap};
use std::time::Instant;

fn map_of<'a>(st: &'a State, key: &str) -> Result<&'a Map, CmdError> {
    st.find_map(key).ok_or(CmdError::NoDevice)
}

/// The maps of the foreign libraries `enable_foreign` enables, read from
/// sysfs now (none when it enables none).
fn foreign_maps(env: &Env) -> Vec<ForeignMap> {
    let enabled = foreign::Enabled::from_config(&env.cfg);
    if enabled.any() {
        foreign::maps(&env.root, &enabled)
    } else {
        Vec::new()
    }
}

/// A `list`/`show` command, from the snapshot (and, for the foreign maps,
/// from sysfs).
pub fn show(req: &Request, st: &State, env: &Env, busy: bool) -> Reply {
    let now = Instant::now();
    use Request::*;
    Ok(match req {
        ListPaths => format::paths_with(st, &foreign_maps(env), None, true, now),
        ListPathsFmt { fmt, raw } => {
            format::paths_with(st, &foreign_maps(env), Some(fmt), !raw, now)
        }
        ListPath(p) => format::path_dev_state(st, p).ok_or(CmdError::NoDevice)?,
        ListMaps => format::maps_with(st, &foreign_maps(env), None, true, now),
        ListMapsFmt { fmt, raw } => format::maps_with(st, &foreign_maps(env), Some(fmt), !raw, now),
        ListMapsStatus => format::maps_status(st, now),
        ListMapsStats => format::maps_stats(st, now),
        ListMapsTopology => format::topology_with(st, &foreign_maps(env)),
        ListMapsJson => format::json_maps(st),
        ListMapTopology(m) => format::topology(st, Some(map_of(st, m)?)),
        ListMapFmt { map, fmt, .. } => format::map_one(st, map_of(st, map)?, fmt, now),
        ListMapJson(m) => format::json_map(st, map_of(st, m)?),
        ListStatus => format::status(st, busy),
        ListDaemon => format::daemon(st),
        ListConfig => mpath::config::dump::dump(&env.cfg),
        ListWildcards => format::wildcards(),
        ListConfigLocal => format::config_local(st, &env.cfg),
        ListBlacklist => format::blacklist(&env.cfg),
        ListDevices => format::devices_with(
            st,
            &foreign::Enabled::from_config(&env.cfg),
            &foreign::maps(&env.root, &foreign::Enabled::All),
            &env.filter,
            &mpath::discovery::block_devices(&env.root),
        ),
        _ => return Err(CmdError::Failed),
    })
}

impl Owner {
    fn path_idx(&self, key: &str) -> Result<usize, CmdError> {
        let key = key.strip_prefix("/dev/").unwrap_or(key);
        self.st
            .paths
            .iter()
            .position(|p| p.dev.dev == key || p.dev.dev_t == key)
            .ok_or(CmdError::NoDevice)
    }

    fn map_name_wwid(&self, key: &str) -> Result<(String, String), CmdError> {
        self.st
            .find_map(key)
            .map(|m| (m.name.clone(), m.wwid.clone()))
            .ok_or(CmdError::NoDevice)
    }

    /// A path of a map: its index, `major:minor`, map WWID and map name;
    /// `fail` when the path is in no map.
    fn path_in_map(&self, key: &str) -> Result<(usize, String, String, String), CmdError> {
        let i = self.path_idx(key)?;
        let p = &self.st.paths[i];
        let w = p.map.clone().ok_or(CmdError::Failed)?;
        let (name, _) = self.map_name_wwid(&w)?;
        Ok((i, p.dev.dev_t.clone(), w, name))
    }

    fn dm_message(&self, name: &str, msg: &str) -> Result<(), CmdError> {
        self.env
            .dm
            .message(name, 0, msg)
            .map(|_| ())
            .map_err(dm_failed)
    }

    /// A command that changes something.
    pub fn command(&mut self, req: Request) -> Reply {
        use Request::*;
        self.dirty = true;
        match req {
            FailPath(p) => {
                let (i, devt, w, name) = self.path_in_map(&p)?;
                self.dm_message(&name, &format!("fail_path {devt}"))?;
                tracing::info!(map = %name, "{name}: fail path {devt} (operator)");
                let p = &mut self.st.paths[i];
                p.admin_failed = true;
                p.dm = Some(DmPathState::Failed);
                self.to_sync.insert(w);
                Ok(String::new())
            }
            ReinstatePath(p) => {
                let (i, devt, w, name) = self.path_in_map(&p)?;
                self.dm_message(&name, &format!("reinstate_path {devt}"))?;
                tracing::info!(map = %name, "{name}: reinstate path {devt} (operator)");
                let p = &mut self.st.paths[i];
                p.admin_failed = false;
                p.dm = Some(DmPathState::Active);
                p.next_check = Instant::now();
                self.to_sync.insert(w);
                Ok(String::new())
            }
            AddPath(p) => {
                let name = p.strip_prefix("/dev/").unwrap_or(&p).to_string();
                if self.st.paths.iter().any(|x| x.dev.dev == name) {
                    return Ok(String::new());
                }
                let dev = match self.read_new_path(&name) {
                    Ok(d) => d,
                    Err(e) if e == "blacklisted" => return Ok("blacklisted\n".into()),
                    Err(e) => {
                        tracing::error!("{name}: {e}");
                        return Err(CmdError::NoDevice);
                    }
                };
                let mut log = Vec::new();
                let env = std::sync::Arc::clone(&self.env);
                let f = mpath::assemble::gather(
                    &env.cfg,
                    dev,
                    &env.probe(),
                    mpath::assemble::Gather::Probe,
                    &mut log,
                );
                mpath::prio::trace_said(&f.prio_said);
                self.path_gathered(f);
                Ok(String::new())
            }
            RemovePath(p) => {
                let i = self.path_idx(&p)?;
                let name = self.st.paths[i].dev.dev.clone();
                self.remove_path(&name);
                Ok(String::new())
            }
            AddMap(m) => {
                if self.st.find_map(&m).is_some() {
                    return Ok(String::new());
                }
                let wwid = self
                    .st
                    .paths
                    .iter()
                    .find(|p| p.dev.wwid == m || p.dev.dev == m)
                    .map(|p| p.dev.wwid.clone())
                    .ok_or(CmdError::NoDevice)?;
                self.create_for(&wwid, true)
                    .map(|_| String::new())
                    .map_err(|_| CmdError::Failed)
            }
            RemoveMap(m) => {
                let (name, wwid) = self.map_name_wwid(&m)?;
                self.flush(&name, &wwid)?;
                Ok(String::new())
            }
            RemoveMaps => {
                let all: Vec<(String, String)> = self
                    .st
                    .maps
                    .iter()
                    .map(|m| (m.name.clone(), m.wwid.clone()))
                    .collect();
                let mut res = Ok(String::new());
                for (n, w) in all {
                    if let Err(e) = self.flush(&n, &w) {
                        res = Err(e);
                    }
                }
                res
            }
            SwitchGroup { map, group } => {
                let (name, wwid) = self.map_name_wwid(&map)?;
                let n: u32 = group.parse().map_err(|_| CmdError::Failed)?;
                let ngroups = self.st.find_map(&name).map_or(0, |m| m.groups.len()) as u32;
                if n == 0 || n > ngroups {
                    return Err(CmdError::Failed);
                }
                self.dm_message(&name, &format!("switch_group {n}"))?;
                if let Some(m) = self.st.maps.iter_mut().find(|m| m.wwid == wwid) {
                    m.stats.switch_grp += 1;
                }
                self.to_sync.insert(wwid);
                Ok(String::new())
            }
            SuspendMap(m) => {
                let (name, wwid) = self.map_name_wwid(&m)?;
                self.env
                    .dm
                    .suspend(
                        &name,
                        SuspendOptions {
                            noflush: true,
                            skip_lockfs: false,
                        },
                    )
                    .map_err(dm_failed)?;
                self.to_sync.insert(wwid);
                Ok(String::new())
            }
            ResumeMap(m) => {
                let (name, wwid) = self.map_name_wwid(&m)?;
                self.env
                    .dm
                    .resume(
                        &name,
                        ResumeOptions {
                            noflush: true,
                            ..Default::default()
                        },
                    )
                    .map_err(dm_failed)?;
                self.to_sync.insert(wwid);
                Ok(String::new())
            }
            ReloadMap(m) | ResizeMap(m) => {
                let (_, wwid) = self.map_name_wwid(&m)?;
                if self.regroup(&wwid, true) {
                    Ok(String::new())
                } else {
                    Err(CmdError::Failed)
                }
            }
            DisableQueueing(m) => {
                let targets = self.queue_targets(m)?;
                for (name, wwid) in targets {
                    self.dm_message(&name, "fail_if_no_path")?;
                    if let Some(m) = self.st.maps.iter_mut().find(|m| m.wwid == wwid) {
                        m.queueing_disabled = true;
                        m.retry_left = None;
                    }
                    self.to_sync.insert(wwid);
                }
                Ok(String::new())
            }
            RestoreQueueing(m) => {
                let targets = self.queue_targets(m)?;
                for (name, wwid) in targets {
                    let Some(mi) = self.st.maps.iter().position(|m| m.wwid == wwid) else {
                        continue;
                    };
                    if !self.st.maps[mi].queueing_disabled {
                        continue;
                    }
                    self.st.maps[mi].queueing_disabled = false;
                    if matches!(
                        self.st.maps[mi].no_path_retry,
                        Queueing::Queue | Queueing::Retries(_)
                    ) {
                        self.dm_message(&name, "queue_if_no_path")?;
                    }
                    self.to_sync.insert(wwid);
                }
                Ok(String::new())
            }
            ForceQueueingDaemon => {
                self.queue_forced = true;
                Ok(String::new())
            }
            RestoreQueueingDaemon => {
                self.queue_forced = false;
                Ok(String::new())
            }
            ResetMapsStats => {
                for m in &mut self.st.maps {
                    m.stats = Default::default();
                }
                Ok(String::new())
            }
            ResetMapStats(m) => {
                let (_, wwid) = self.map_name_wwid(&m)?;
                if let Some(m) = self.st.maps.iter_mut().find(|m| m.wwid == wwid) {
                    m.stats = Default::default();
                }
                Ok(String::new())
            }
            Reconfigure { all } => {
                // Counted before the reply, so the client's next `show`
                // waits for the new snapshot.
                self.reconf_requested
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let _ = self.tx.send(super::Msg::Reconfigure { all });
                Ok(String::new())
            }
            Shutdown => {
                self.shutdown = true;
                Ok(String::new())
            }
            Quit => Ok(String::new()),
            ResetMap(_)
            | GetPrStatus(_)
            | SetPrStatus { .. }
            | UnsetPrStatus(_)
            | GetPrKey(_)
            | SetPrKey { .. }
            | UnsetPrKey(_)
            | GetPrHold(_)
            | SetPrHold(_)
            | UnsetPrHold(_)
            | SetMarginalPath(_)
            | UnsetMarginalPath(_)
            | UnsetMarginalMap(_) => Err(CmdError::Reason(
                "not supported by this multipathd yet".into(),
            )),
            other => show(&other, &self.st, &self.env, true),
        }
    }

    fn queue_targets(&self, m: Option<String>) -> Result<Vec<(String, String)>, CmdError> {
        Ok(match m {
            Some(m) => vec![self.map_name_wwid(&m)?],
            None => self
                .st
                .maps
                .iter()
                .map(|m| (m.name.clone(), m.wwid.clone()))
                .collect(),
        })
    }

    /// Remove a map unless it is in use.
    fn flush(&mut self, name: &str, wwid: &str) -> Result<(), CmdError> {
        let open = self
            .env
            .dm
            .info(name)
            .ok()
            .flatten()
            .map_or(0, |i| i.open_count);
        if open > 0 {
            return Err(CmdError::Busy);
        }
        self.env
            .dm
            .remove(name, RemoveOptions::default())
            .map_err(|e| {
                tracing::error!("{e}");
                match e {
                    mpath::dm::DmError::Busy { .. } => CmdError::Busy,
                    _ => CmdError::Failed,
                }
            })?;
        tracing::info!(map = %name, "{name}: map flushed");
        self.st.maps.retain(|m| m.wwid != wwid);
        for p in &mut self.st.paths {
            if p.map.as_deref() == Some(wwid) {
                p.map = None;
                p.dm = None;
            }
        }
        Ok(())
    }
}

/// A device-mapper call behind a command failed: logged, the client hears
/// `fail`.
fn dm_failed(e: mpath::dm::DmError) -> CmdError {
    tracing::error!("{e}");
    CmdError::Failed
}
