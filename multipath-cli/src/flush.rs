//! `-f map` and `-F`: remove maps that nothing holds open.

use crate::ctx::{resolve, Ctx, Fail, Res, Target};
use mpath::configure::LiveMap;
use mpath::dm::{DeviceMapper, DmError, RemoveOptions};
use std::time::Duration;

/// Remove one map: stop queueing first (a queueing map with no paths would
/// block the removal's flush), retry `-R` times one second apart while busy.
fn flush_one(ctx: &Ctx, dm: &dyn DeviceMapper, m: &LiveMap) -> Res {
    let retries = ctx
        .args
        .retries
        .or_else(|| {
            ctx.cfg
                .defaults
                .get("remove_retries")
                .and_then(|v| v.as_int())
                .map(|v| v as i32)
        })
        .unwrap_or(0)
        .max(0);
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
            ctx.error(format!("{}: map in use", m.name));
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
            Err(e) => {
                ctx.error(format!("{e}"));
                return Err(Fail);
            }
        }
    }
}

pub fn flush(ctx: &Ctx) -> Res {
    let Some(arg) = ctx.args.device.clone() else {
        ctx.error("multipath -f needs a map name");
        return Err(Fail);
    };
    let dm = ctx.dm()?;
    let live = ctx.live(&dm)?;
    let m = match resolve(&arg, &[], &live) {
        Some(Target::Map(n)) => live.iter().find(|m| m.name == n),
        Some(Target::Wwid(w)) => live.iter().find(|m| m.wwid == w),
        _ => None,
    };
    let Some(m) = m else {
        let shown = arg.strip_prefix("/dev/mapper/").unwrap_or(&arg);
        ctx.error(format!("{shown} is not a multipath device"));
        return Err(Fail);
    };
    flush_one(ctx, &dm, m)
}

pub fn flush_all(ctx: &Ctx) -> Res {
    let dm = ctx.dm()?;
    let live = ctx.live(&dm)?;
    let mut ok = true;
    for m in &live {
        if flush_one(ctx, &dm, m).is_err() {
            ok = false;
        }
    }
    if ok {
        Ok(())
    } else {
        Err(Fail)
    }
}
