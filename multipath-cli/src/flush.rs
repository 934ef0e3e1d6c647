//! `-f map` and `-F`: remove maps that nothing holds open. With multipathd
//! running they are its job first (`del map <map>`, `del maps`; see
//! [`crate::delegate`]).

use crate::ctx::{resolve, Ctx, Fail, Res, Target};
use crate::delegate::{delegate, Delegated};
use mpath::configure::LiveMap;
use mpath::dm::{DeviceMapper, DmError, RemoveOptions};
use mpath::SysRoot;
use std::time::Duration;

/// The removal retries: `-R n`, else `remove_retries`.
fn retries(ctx: &Ctx) -> i32 {
    ctx.args
        .retries
        .or_else(|| {
            ctx.cfg
                .defaults
                .get("remove_retries")
                .and_then(|v| v.as_int())
                .map(|v| v as i32)
        })
        .unwrap_or(0)
        .max(0)
}

/// Remove one map: stop queueing first (a queueing map with no paths would
/// block the removal's flush), retry `-R` times one second apart while busy.
fn flush_one(ctx: &Ctx, dm: &dyn DeviceMapper, m: &LiveMap, retries: i32) -> Res {
    let mut attempt = 0;
    loop {
        let open = dm.info(&m.name).ok().flatten().map_or(0, |i| i.open_count);
        if open > 0 {
            if attempt < retries {
                attempt += 1;
                ctx.log(
                    3,
                    format!("{}: map in use, retrying ({attempt}/{retries})", m.name),
                );
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
            // Status 1 and, below -v3, no message: the reference says
            // nothing on a map in use (seen in the VM, scenario 18).
            ctx.log(3, format!("{}: map in use", m.name));
            return Err(Fail);
        }
        if m.table
            .as_ref()
            .is_some_and(|t| t.params.has_feature("queue_if_no_path"))
        {
            let _ = dm.message(&m.name, 0, "fail_if_no_path");
        }
        match dm.remove(&m.name, RemoveOptions::default()) {
            Ok(()) => {
                ctx.log(3, format!("{}: removed map", m.name));
                return Ok(());
            }
            Err(DmError::Busy { .. }) if attempt < retries => {
                attempt += 1;
                std::thread::sleep(Duration::from_secs(1));
            }
            Err(e @ DmError::Busy { .. }) => {
                ctx.log(3, format!("{e}"));
                return Err(Fail);
            }
            Err(e) => {
                ctx.error(format!("{e}"));
                return Err(Fail);
            }
        }
    }
}

/// What `-f`'s argument names, judged before anything asks the kernel or
/// the daemon (upstream's device types).
#[derive(Debug, PartialEq, Eq)]
enum ArgKind {
    /// A map name, or a device-mapper node: may be flushed.
    Map,
    /// A path's node or `maj:min`: not a map.
    Other,
    /// Names nothing.
    Invalid,
}

/// A block node (stat on the root) is a map if its `maj:min` is a dm
/// device. On a fixture root, where `/dev` holds no nodes, `/dev/mapper/*`
/// and `/dev/dm-N` count as maps and `/dev/<disk in sys/block>` as a path.
/// Else `maj:min` is a path, a word without `/` a map name (upstream's
/// `valid_alias`), anything else invalid.
fn arg_kind(root: &SysRoot, arg: &str) -> ArgKind {
    use std::os::unix::fs::FileTypeExt;
    if arg.contains('/') {
        let node = if arg.starts_with('/') {
            root.join(arg)
        } else {
            arg.into()
        };
        if let Ok(m) = std::fs::metadata(&node) {
            if m.file_type().is_block_device() {
                use std::os::unix::fs::MetadataExt;
                let (maj, min) = (
                    nix::sys::stat::major(m.rdev()),
                    nix::sys::stat::minor(m.rdev()),
                );
                let dm = root.join(format!("/sys/dev/block/{maj}:{min}/dm"));
                return if dm.exists() {
                    ArgKind::Map
                } else {
                    ArgKind::Other
                };
            }
        }
        if !root.is_real() {
            if let Some(base) = arg.strip_prefix("/dev/") {
                let dm_node = base
                    .strip_prefix("dm-")
                    .is_some_and(|n| n.parse::<u32>().is_ok());
                if base.starts_with("mapper/") || dm_node {
                    return ArgKind::Map;
                }
                if root.join(format!("/sys/block/{base}")).exists() {
                    return ArgKind::Other;
                }
            }
        }
    }
    if let Some((maj, min)) = arg.split_once(':') {
        let digits = |s: &str| s.starts_with(|c: char| c.is_ascii_digit());
        if !maj.is_empty() && maj.chars().all(|c| c.is_ascii_digit()) && digits(min) {
            return ArgKind::Other;
        }
    }
    if arg.contains('/') {
        ArgKind::Invalid
    } else {
        ArgKind::Map
    }
}

pub fn flush(ctx: &Ctx) -> Res {
    const NEEDS_MAP: &str = "the -f option requires a map name to remove";
    let Some(arg) = ctx.args.device.clone() else {
        ctx.error(NEEDS_MAP);
        return Err(Fail);
    };
    match arg_kind(&ctx.root, &arg) {
        ArgKind::Map => {}
        ArgKind::Other => {
            ctx.error(NEEDS_MAP);
            return Err(Fail);
        }
        ArgKind::Invalid => {
            ctx.invalid_argument(&arg);
            return Err(Fail);
        }
    }
    let mut retries = retries(ctx);
    if let Delegated::Done(r) = delegate(ctx, &format!("del map {arg}"), Some(&mut retries)) {
        return r;
    }
    let dm = ctx.dm()?;
    let live = ctx.live(&dm)?;
    // A map name or node only: the reference flushes no map named by its
    // WWID, nor by a bare `dm-N`.
    let m = match resolve(&arg, &[], &live) {
        Some(Target::Map(n)) => live.iter().find(|m| m.name == n),
        _ => None,
    };
    let Some(m) = m else {
        let shown = arg.strip_prefix("/dev/mapper/").unwrap_or(&arg);
        ctx.error(format!("{shown} is not a multipath device"));
        return Err(Fail);
    };
    flush_one(ctx, &dm, m, retries)
}

pub fn flush_all(ctx: &Ctx) -> Res {
    let mut retries = retries(ctx);
    if let Delegated::Done(r) = delegate(ctx, "del maps", Some(&mut retries)) {
        return r;
    }
    let dm = ctx.dm()?;
    let live = ctx.live(&dm)?;
    let mut ok = true;
    for m in &live {
        if flush_one(ctx, &dm, m, retries).is_err() {
            ok = false;
        }
    }
    if ok {
        Ok(())
    } else {
        Err(Fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_kinds() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("sys/block/sda")).unwrap();
        let root = SysRoot::new(t.path());
        for (arg, kind) in [
            ("mpatha", ArgKind::Map),
            ("3600a0b80", ArgKind::Map),
            ("/dev/mapper/mpatha", ArgKind::Map),
            ("/dev/dm-0", ArgKind::Map),
            ("/dev/sda", ArgKind::Other),
            ("8:16", ArgKind::Other),
            ("/dev/sdz", ArgKind::Invalid),
            ("a/b", ArgKind::Invalid),
        ] {
            assert_eq!(arg_kind(&root, arg), kind, "{arg}");
        }
    }
}
