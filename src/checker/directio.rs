//! The reading checkers (directio, readsector0), the direct block read
//! they and the path_latency prioritizer share, and the bounded runner that
//! keeps a hung read from blocking its caller.

use super::{block_attr, down, reports, CheckEnv, PathState};
use crate::discovery::PathDev;
use crate::scsi::{dev_node, opcode};
use crate::sysroot::SysRoot;
use nix::libc;
use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileExt, FileTypeExt, OpenOptionsExt};
use std::sync::{mpsc, Mutex};
use std::time::Duration;

/// Reads of logical block 0 of a path with O_DIRECT (the page cache would
/// answer for a dead path otherwise).
pub(crate) struct DirectReader {
    dev: String,
    file: File,
    block: usize,
    buf: Vec<u8>,
    start: usize,
}

/// Alignment O_DIRECT buffers get (the largest logical block size used).
const ALIGN: usize = 4096;

impl DirectReader {
    /// Open `/dev/<dev>`. The block size is the queue's logical block size
    /// (512 if unknown, at most 4096). A node that is not a block device
    /// (a fixture file in tests) is read without O_DIRECT.
    pub(crate) fn open(root: &SysRoot, dev: &str) -> Result<Self, String> {
        let block = block_attr(root, dev, "queue/logical_block_size")
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|b| b.is_power_of_two() && (512..=ALIGN).contains(b))
            .unwrap_or(512);
        let path = root.join(dev_node(dev));
        let is_block = std::fs::metadata(&path)
            .map(|m| m.file_type().is_block_device())
            .unwrap_or(false);
        let flags = if is_block { libc::O_DIRECT } else { 0 };
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(flags)
            .open(&path)
            .map_err(|e| format!("{dev}: cannot open {}: {e}", path.display()))?;
        let buf = vec![0u8; ALIGN + block];
        let start = buf.as_ptr().align_offset(ALIGN).min(ALIGN);
        Ok(DirectReader {
            dev: dev.to_string(),
            file,
            block,
            buf,
            start,
        })
    }

    /// Read logical block 0; only a full block counts.
    pub(crate) fn read_first_block(&mut self) -> Result<(), String> {
        let dev = &self.dev;
        let buf = &mut self.buf[self.start..self.start + self.block];
        match self.file.read_at(buf, 0) {
            Ok(n) if n == self.block => Ok(()),
            Ok(n) => Err(format!("{dev}: short read ({n} of {} bytes)", self.block)),
            Err(e) => Err(format!("{dev}: read failed: {e}")),
        }
    }
}

/// Open and read block 0 once.
pub(crate) fn direct_read(root: &SysRoot, dev: &str) -> Result<(), String> {
    DirectReader::open(root, dev)?.read_first_block()
}

/// The outcome of [`run_bounded`].
#[derive(Debug)]
pub(crate) enum Bounded<T> {
    Done(T),
    /// Still running after the timeout (it goes on in the background).
    TimedOut,
    /// An earlier run with the same key has not finished yet.
    Busy,
}

/// Keys of runs still going on.
static OUTSTANDING: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn outstanding() -> std::sync::MutexGuard<'static, Vec<String>> {
    OUTSTANDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Run `f` on a helper thread and wait for it at most `timeout`. At most
/// one run per `key` is under way: a path whose read hangs holds one thread
/// until the kernel gives up, and further runs for it return `Busy` at
/// once instead of piling up threads.
pub(crate) fn run_bounded<T, F>(key: &str, timeout: Duration, f: F) -> Bounded<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    {
        let mut keys = outstanding();
        if keys.iter().any(|k| k == key) {
            return Bounded::Busy;
        }
        keys.push(key.to_string());
    }
    let (tx, rx) = mpsc::channel();
    let owned = key.to_string();
    let spawned = std::thread::Builder::new()
        .name(format!("mpath-io-{key}"))
        .spawn(move || {
            let r = f();
            outstanding().retain(|k| *k != owned);
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        outstanding().retain(|k| k != key);
        tracing::warn!("cannot start an I/O thread for {key}: {e}");
        return Bounded::TimedOut;
    }
    match rx.recv_timeout(timeout) {
        Ok(r) => Bounded::Done(r),
        Err(_) => Bounded::TimedOut,
    }
}

pub(super) fn directio(path: &PathDev, env: &CheckEnv) -> (PathState, String) {
    const NAME: &str = "directio";
    let root = env.root.clone();
    let dev = path.dev.clone();
    let key = format!("{NAME}:{}", path.dev);
    match run_bounded(&key, env.timeout(), move || direct_read(&root, &dev)) {
        Bounded::Done(Ok(())) => (PathState::Up, reports(NAME, "up")),
        Bounded::Done(Err(e)) => down(NAME, e),
        Bounded::TimedOut => (
            PathState::Timeout,
            format!("{NAME} checker timed out: {}: no reply", path.dev),
        ),
        Bounded::Busy => (
            PathState::Pending,
            format!(
                "{NAME} checker is waiting: {}: earlier read still outstanding",
                path.dev
            ),
        ),
    }
}

/// READ(10) of the first 4096 bytes by SCSI command (deprecated upstream).
pub(super) fn readsector0(path: &PathDev, env: &CheckEnv) -> (PathState, String) {
    const NAME: &str = "readsector0";
    const BYTES: usize = 4096;
    let block = block_attr(env.root, &path.dev, "queue/logical_block_size")
        .and_then(|s| s.parse::<usize>().ok())
        .filter(|b| b.is_power_of_two() && (512..=BYTES).contains(b))
        .unwrap_or(512);
    let blocks = (BYTES / block) as u16;
    let [hi, lo] = blocks.to_be_bytes();
    let cdb = [opcode::READ_10, 0, 0, 0, 0, 0, 0, hi, lo, 0];
    match env.scsi.data_in(&path.dev, &cdb, BYTES, env.timeout_ms) {
        Ok(_) => (PathState::Up, reports(NAME, "up")),
        Err(e) if e.is_timeout() => (PathState::Timeout, format!("{NAME} checker timed out: {e}")),
        Err(e) => down(NAME, e),
    }
}
