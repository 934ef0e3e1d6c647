//! `-a`, `-w`, `-W`: the wwids file.

use crate::ctx::{alias_wwid, arg_form, resolve, ArgForm, Ctx, Fail, Res, Target};
use mpath::files::wwids::WwidsFile;

fn load(ctx: &Ctx) -> Res<WwidsFile> {
    WwidsFile::load(&ctx.root).map_err(|e| {
        ctx.error(format!("{e}"));
        Fail
    })
}

/// The WWID a device argument names: a path's or a map's for a `/dev/`
/// node or `maj:min`; any other word is a `multipaths` or bindings alias,
/// else the WWID itself, whatever it looks like (the reference adds and
/// removes `sda` or `nosuchname` as given; seen in the VM).
fn wwid_of(ctx: &Ctx) -> Res<String> {
    let Some(arg) = ctx.args.device.clone() else {
        ctx.error("this mode needs a device argument");
        return Err(Fail);
    };
    if arg_form(&arg) == ArgForm::Name {
        return Ok(alias_wwid(ctx, &arg).unwrap_or(arg));
    }
    let paths = ctx.scan();
    let live = ctx.live_or_empty();
    match resolve(&arg, &paths, &live) {
        Some(Target::Path(p)) if !p.wwid.is_empty() => Ok(p.wwid),
        Some(Target::Wwid(w)) => Ok(w),
        Some(Target::Map(n)) => Ok(live
            .into_iter()
            .find(|m| m.name == n)
            .map(|m| m.wwid)
            .unwrap_or_default()),
        _ => {
            ctx.invalid_argument(&arg);
            Err(Fail)
        }
    }
}

pub fn add(ctx: &Ctx) -> Res {
    let wwid = wwid_of(ctx)?;
    let mut f = load(ctx)?;
    match f.add(&wwid) {
        Ok(_) => {
            println!("wwid '{wwid}' added");
            Ok(())
        }
        Err(e) => {
            ctx.error(format!("{e}"));
            println!("failed adding '{wwid}' to wwids file");
            Err(Fail)
        }
    }
}

pub fn remove(ctx: &Ctx) -> Res {
    let wwid = wwid_of(ctx)?;
    let mut f = load(ctx)?;
    match f.remove(&wwid) {
        Ok(true) => {
            println!("wwid '{wwid}' removed");
            Ok(())
        }
        Ok(false) => {
            println!("wwid '{wwid}' not in wwids file");
            Ok(())
        }
        Err(e) => {
            ctx.error(format!("{e}"));
            println!("failed removing '{wwid}' from wwids file");
            Err(Fail)
        }
    }
}

pub fn reset(ctx: &Ctx) -> Res {
    let dm = ctx.dm()?;
    let live = ctx.live(&dm)?;
    let mut f = load(ctx)?;
    match f.reset(live.iter().map(|m| m.wwid.as_str())) {
        Ok(()) => {
            println!("successfully reset wwids");
            Ok(())
        }
        Err(e) => {
            ctx.error(format!("{e}"));
            println!("failed resetting wwids");
            Err(Fail)
        }
    }
}
