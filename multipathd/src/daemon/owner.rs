//! The state owner: the one thread that changes maps and paths.
//!
//! It waits on one channel with a one-second tick. Each message is handled
//! to the end (device-mapper calls are short ioctls); path checks and the
//! probing of new paths run elsewhere and come back as messages. After a
//! batch of messages, the maps touched are synchronised with the kernel
//! (table and status), the policies run (fail or reinstate paths, regroup,
//! fail back, queueing), and a snapshot is published for `show` commands.

use super::check::{CheckDone, CheckJob};
use super::{notify, server, uevent, Env, Msg, Published};
use crate::model::{DaemonState, State};
use std::collections::{BTreeSet, HashMap};
use std::os::unix::net::UnixListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::runtime::Handle;
use tokio::sync::{watch, Semaphore};

/// Checks running at once, whatever the number of paths.
const CHECK_CONCURRENCY: usize = 32;
const TICK: Duration = Duration::from_secs(1);

/// What the owner keeps about a path beyond the snapshot.
#[derive(Debug, Clone, Default)]
pub struct PathExtra {
    /// ALUA support (INQUIRY TPGS bits).
    pub tpgs: u8,
    /// Checker timeout in ms.
    pub timeout_ms: u32,
}

/// What the owner keeps about a map beyond the snapshot.
#[derive(Debug, Clone, Default)]
pub struct MapExtra {
    /// The kernel's next group (1-based) from the last status.
    pub next_pg: u32,
}

pub struct Owner {
    pub st: State,
    pub env: Arc<Env>,
    pub paths_extra: HashMap<String, PathExtra>,
    pub maps_extra: HashMap<String, MapExtra>,
    pub tx: Sender<Msg>,
    pub rt: Handle,
    sem: Arc<Semaphore>,
    state_tx: watch::Sender<Arc<State>>,
    env_tx: watch::Sender<Arc<Env>>,
    pub dirty: bool,
    /// Maps (by WWID) to synchronise with the kernel after this batch.
    pub to_sync: BTreeSet<String>,
    /// Maps whose grouping must be checked (priorities changed, paths
    /// added or removed).
    pub to_regroup: BTreeSet<String>,
    /// Paths (`major:minor`) with a checker verdict new in this batch: only
    /// those are failed or reinstated in the kernel (as upstream acts from
    /// its checker, not from dm events).
    pub fresh: std::collections::HashSet<String>,
    /// Paths (by name) left out of their map because they were offline:
    /// orphans whose SCSI device state is read again every polling
    /// interval, to add them when they are back.
    pub offline_out: std::collections::HashSet<String>,
    /// Paths (by name) of [`Owner::offline_out`] found back and being
    /// probed: their facts replace the orphan when they come in.
    pub rejoining: std::collections::HashSet<String>,
    /// Maps (by WWID) the kernel refused for a device it could not open,
    /// none of whose paths had left sysfs yet: tried again once one goes
    /// ([`Owner::retry_refused`], [`Owner::remove_path`]).
    pub refused: std::collections::HashSet<String>,
    /// `forcequeueing daemon`: keep queueing at shutdown.
    pub queue_forced: bool,
    pub shutdown: bool,
    /// See [`Published::reconf_requested`].
    pub reconf_requested: Arc<AtomicU64>,
}

/// Start everything and run until shutdown; returns the exit status.
pub fn start(rt: Handle, env: Arc<Env>, listeners: Vec<UnixListener>) -> i32 {
    let (tx, rx) = std::sync::mpsc::channel();
    let mut st = State::new(std::process::id(), env.root.clone());
    st.daemon = DaemonState::Startup;
    let (state_tx, state_rx) = watch::channel(Arc::new(st.clone()));
    let (env_tx, env_rx) = watch::channel(Arc::clone(&env));
    notify::notify("STATUS=startup");
    if let Some(e) = &env.dm_error {
        tracing::error!("{e}");
    }
    let reconf_requested = Arc::new(AtomicU64::new(0));
    let published = Published {
        state: state_rx,
        env: env_rx,
        reconf_requested: Arc::clone(&reconf_requested),
    };
    {
        let _g = rt.enter();
        if let Err(e) = server::spawn(listeners, published, tx.clone()) {
            tracing::error!("cannot serve the control socket: {e}");
            return 1;
        }
    }
    if let Err(e) = uevent::start(tx.clone()) {
        tracing::error!("cannot listen to uevents, new and removed paths go unnoticed: {e}");
    }
    spawn_signals(&rt, tx.clone(), Arc::clone(&reconf_requested));
    if let Some(iv) = notify::watchdog_interval() {
        rt.spawn(async move {
            let mut t = tokio::time::interval(iv);
            loop {
                t.tick().await;
                notify::notify("WATCHDOG=1");
            }
        });
    }
    let mut o = Owner {
        st,
        env,
        paths_extra: HashMap::new(),
        maps_extra: HashMap::new(),
        tx,
        rt,
        sem: Arc::new(Semaphore::new(CHECK_CONCURRENCY)),
        state_tx,
        env_tx,
        dirty: true,
        to_sync: BTreeSet::new(),
        to_regroup: BTreeSet::new(),
        fresh: Default::default(),
        offline_out: Default::default(),
        rejoining: Default::default(),
        refused: Default::default(),
        queue_forced: false,
        shutdown: false,
        reconf_requested,
    };
    o.st.daemon = DaemonState::Configure;
    o.publish();
    notify::notify("STATUS=configure");
    o.configure(false);
    o.st.daemon = DaemonState::Idle;
    o.publish();
    notify::notify("READY=1\nSTATUS=up");
    o.run(rx);
    o.st.daemon = DaemonState::Shutdown;
    o.publish();
    notify::notify("STOPPING=1\nSTATUS=shutdown");
    o.at_shutdown();
    // Let the server write the reply to `shutdown` before the runtime stops.
    std::thread::sleep(Duration::from_millis(200));
    0
}

fn spawn_signals(rt: &Handle, tx: Sender<Msg>, reconf_requested: Arc<AtomicU64>) {
    use tokio::signal::unix::{signal, SignalKind};
    rt.spawn(async move {
        let (Ok(mut hup), Ok(mut term), Ok(mut int), Ok(mut usr1)) = (
            signal(SignalKind::hangup()),
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::user_defined1()),
        ) else {
            tracing::error!("cannot install signal handlers");
            return;
        };
        loop {
            let m = tokio::select! {
                _ = hup.recv() => {
                    reconf_requested.fetch_add(1, Ordering::SeqCst);
                    Msg::Reconfigure { all: false }
                }
                _ = term.recv() => Msg::Shutdown,
                _ = int.recv() => Msg::Shutdown,
                _ = usr1.recv() => continue,
            };
            if tx.send(m).is_err() {
                return;
            }
        }
    });
}

impl Owner {
    fn run(&mut self, rx: Receiver<Msg>) {
        let mut next_tick = Instant::now() + TICK;
        while !self.shutdown {
            let wait = next_tick.saturating_duration_since(Instant::now());
            match rx.recv_timeout(wait) {
                Ok(m) => {
                    self.handle(m);
                    // Take what else is waiting before synchronising.
                    for m in rx.try_iter().take(4096) {
                        self.handle(m);
                        if self.shutdown {
                            break;
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            let now = Instant::now();
            if now >= next_tick {
                self.tick(now);
                next_tick = if now > next_tick + TICK {
                    now + TICK
                } else {
                    next_tick + TICK
                };
            }
            self.settle();
            self.publish();
        }
    }

    fn handle(&mut self, m: Msg) {
        match m {
            Msg::Command(req, reply) => {
                let r = self.command(req);
                let _ = reply.send(r);
            }
            Msg::Uevent(u) => self.uevent(u),
            Msg::Checked(done) => self.checked(done),
            Msg::Gathered(f) => self.path_gathered(*f),
            Msg::Reconfigure { all } => {
                self.reconfigure(all);
                self.st.reconfigures += 1;
            }
            Msg::Shutdown => self.shutdown = true,
        }
        self.dirty = true;
    }

    /// Publish the snapshot if something changed.
    pub fn publish(&mut self) {
        if self.dirty {
            self.state_tx.send_replace(Arc::new(self.st.clone()));
            self.dirty = false;
        }
    }

    pub fn set_env(&mut self, env: Env) {
        self.env = Arc::new(env);
        self.env_tx.send_replace(Arc::clone(&self.env));
    }

    /// `polling_interval` (seconds, at least 1).
    pub fn polling_interval(&self) -> u32 {
        self.env.default_int("polling_interval", 5).max(1) as u32
    }

    /// `max_polling_interval` (default 4 × polling_interval).
    pub fn max_polling_interval(&self) -> u32 {
        let p = self.polling_interval();
        (self
            .env
            .default_int("max_polling_interval", 4 * p as i64)
            .max(p as i64)) as u32
    }

    /// The one-second tick: queueing countdowns, offline paths left out of
    /// their map, maps refused for a path on its way out, then the checks
    /// due.
    fn tick(&mut self, now: Instant) {
        self.queueing_tick();
        self.recheck_offline(now);
        self.retry_refused();
        let due: Vec<usize> = self
            .st
            .paths
            .iter()
            .enumerate()
            .filter(|(_, p)| p.map.is_some() && !p.pending && !p.admin_failed)
            .filter(|(_, p)| p.next_check <= now)
            .map(|(i, _)| i)
            .collect();
        for i in due {
            self.start_check(i);
        }
        self.dirty = true;
    }

    fn start_check(&mut self, i: usize) {
        let p = &mut self.st.paths[i];
        p.pending = true;
        let timeout_ms = self
            .paths_extra
            .get(&p.dev.dev_t)
            .map_or(30_000, |e| e.timeout_ms);
        let job = CheckJob {
            dev: Arc::clone(&p.dev),
            checker: p.checker.clone(),
            prio_name: p.prio_name.clone(),
            prio_args: p.prio_args.clone(),
            prio_known: p.prio != mpath::prio::PRIO_UNDEF,
            timeout_ms,
        };
        let (dev_t, dev) = (p.dev.dev_t.clone(), p.dev.dev.clone());
        let env = Arc::clone(&self.env);
        let tx = self.tx.clone();
        let sem = Arc::clone(&self.sem);
        self.rt.spawn(async move {
            let Ok(_permit) = sem.acquire_owned().await else {
                return;
            };
            let done = match tokio::task::spawn_blocking(move || job.run(&env)).await {
                Ok(d) => d,
                Err(e) => CheckDone {
                    dev_t,
                    dev,
                    state: mpath::checker::PathState::Undef,
                    message: format!("checker failed: {e}"),
                    prio: None,
                    dev_state: None,
                },
            };
            let _ = tx.send(Msg::Checked(done));
        });
    }

    fn checked(&mut self, done: CheckDone) {
        let polling = self.polling_interval();
        let max = self.max_polling_interval();
        let Some(p) = self
            .st
            .paths
            .iter_mut()
            .find(|p| p.dev.dev_t == done.dev_t && p.dev.dev == done.dev)
        else {
            return; // removed meanwhile
        };
        p.pending = false;
        let old = p.chk;
        p.chk = done.state;
        if let Some(s) = done.dev_state {
            if p.dev.state != s {
                Arc::make_mut(&mut p.dev).state = s;
            }
        }
        let mut regroup = false;
        if let Some(prio) = done.prio {
            if prio != p.prio {
                if p.prio != mpath::prio::PRIO_UNDEF {
                    tracing::info!(path = %p.dev.dev, "{}: prio changed from {} to {}", p.dev.dev, p.prio, prio);
                }
                p.prio = prio;
                regroup = true;
            }
        }
        if old != done.state {
            let msg = if done.message.is_empty() {
                String::new()
            } else {
                format!(": {}", done.message)
            };
            tracing::info!(path = %p.dev.dev, "{}: path state {} -> {}{msg}", p.dev.dev, old.name(), done.state.name());
            // A state change alone does not regroup (upstream reloads only
            // for new priorities); the kernel fails over by itself.
            p.interval = polling;
        } else if done.state.is_usable() {
            p.interval = (p.interval.max(1) * 2).min(max);
        } else {
            p.interval = polling;
        }
        p.next_check = Instant::now() + Duration::from_secs(p.interval.into());
        self.fresh.insert(done.dev_t.clone());
        if let Some(w) = p.map.clone() {
            if regroup {
                self.to_regroup.insert(w.clone());
            }
            self.to_sync.insert(w);
        }
    }

    /// Synchronise the maps touched by this batch and apply the policies.
    fn settle(&mut self) {
        // New verdicts reach the kernel first (a path found down is failed
        // before a reload can hand it I/O), then maps are regrouped, then
        // the reloaded tables get the verdicts again.
        let sync = std::mem::take(&mut self.to_sync);
        for w in &sync {
            self.sync_map(w);
            self.enforce(w);
        }
        let regroup = std::mem::take(&mut self.to_regroup);
        for w in &regroup {
            self.regroup(w, false);
        }
        let sync = std::mem::take(&mut self.to_sync);
        for w in &sync {
            self.sync_map(w);
            self.enforce(w);
        }
        self.fresh.clear();
    }

    fn reconfigure(&mut self, all: bool) {
        match self.env.reloaded() {
            Ok(env) => {
                for d in &env.diagnostics {
                    tracing::warn!("{d}");
                }
                self.set_env(env);
            }
            Err(diags) => {
                for d in diags {
                    tracing::error!("{d}");
                }
                tracing::error!("configuration has fatal errors, keeping the running one");
                return;
            }
        }
        self.st.daemon = DaemonState::Configure;
        self.dirty = true;
        self.publish();
        notify::notify("RELOADING=1\nSTATUS=configure");
        self.configure(all);
        self.st.daemon = DaemonState::Idle;
        notify::notify("READY=1\nSTATUS=up");
    }

    /// At shutdown: unless `queue_without_daemon yes` (or `forcequeueing
    /// daemon`), maps stop queueing, so I/O does not hang without a daemon
    /// to reinstate paths.
    fn at_shutdown(&mut self) {
        let qwd = self
            .env
            .cfg
            .default_value("queue_without_daemon")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "no".into());
        if qwd == "yes" || self.queue_forced {
            return;
        }
        for m in &self.st.maps {
            if m.features
                .split_whitespace()
                .any(|w| w == "queue_if_no_path")
            {
                tracing::info!(map = %m.name, "{}: queue_if_no_path off at shutdown", m.name);
                if let Err(e) = self.env.dm.message(&m.name, 0, "fail_if_no_path") {
                    tracing::error!("{e}");
                }
            }
        }
    }
}
