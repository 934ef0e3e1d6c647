//! Which paths and WWIDs get maps: the blacklist and find_multipaths, fed
//! with the facts this command gathers.

use crate::ctx::Ctx;
use mpath::configure::{setting, LiveMap};
use mpath::discovery::PathDev;
use mpath::files::wwids::WwidsFile;
use mpath::filter::{self, Candidate, CreateInput, Criterion, FindMode};

/// The udev property the path's WWID comes from.
pub fn uid_attribute(ctx: &Ctx, p: &PathDev) -> String {
    setting(&ctx.cfg, "uid_attribute", p).unwrap_or_else(|| "ID_SERIAL".into())
}

/// Whether the blacklist rejects `p` (logged at `-v3` with upstream's texts).
pub fn blacklisted(ctx: &Ctx, p: &PathDev) -> bool {
    blacklisted_as_read(ctx, p, true)
}

/// [`blacklisted`] for a mode that reads WWIDs only when `wwid_read`:
/// without them (`-l`/`-ll` with no device argument) upstream's discovery
/// cannot apply the `wwid` rules, so they do not count.
pub fn blacklisted_as_read(ctx: &Ctx, p: &PathDev, wwid_read: bool) -> bool {
    let uid = uid_attribute(ctx, p);
    let v = ctx.filter.path(&Candidate::new(p, &p.udev, &uid));
    if wwid_read || v.criterion() != Some(Criterion::Wwid) {
        if let Some(m) = v.log_message(&p.dev) {
            ctx.log(3, m);
        }
        v.is_blacklisted()
    } else {
        false
    }
}

/// Whether the blacklist rejects `p`, without a word (for paths that are
/// reported otherwise).
pub fn rejected(ctx: &Ctx, p: &PathDev) -> bool {
    let uid = uid_attribute(ctx, p);
    ctx.filter
        .path(&Candidate::new(p, &p.udev, &uid))
        .is_blacklisted()
}

/// What the reference says about the paths of live map `m` that it drops
/// while reading the map (`hidden`: the blacklist as the mode applies it):
/// each such path in table order, and each path group that leaves empty,
/// numbered among the groups left at that moment (so a map losing both of
/// its one-path groups says "removing empty pathgroup 0" twice). Paths of
/// the table that are not on the system stay in their group. Seen in the
/// VM for create, `-d`, `-r` and `-ll` (scenario 28).
pub fn say_discarded(ctx: &Ctx, m: &LiveMap, paths: &[PathDev], hidden: impl Fn(&PathDev) -> bool) {
    let Some(t) = &m.table else { return };
    let mut removed = 0;
    for (i, g) in t.params.groups.iter().enumerate() {
        let mut left = g.paths.len();
        for tp in &g.paths {
            let devt = tp.dev.to_string();
            let Some(p) = paths.iter().find(|p| p.dev_t == devt) else {
                continue;
            };
            if !hidden(p) {
                continue;
            }
            ctx.log(
                2,
                format!("{}: error 2 in pathinfo, discarding path", p.dev),
            );
            left -= 1;
            if left == 0 {
                ctx.log(
                    2,
                    format!("{}: removing empty pathgroup {}", m.name, i - removed),
                );
                removed += 1;
            }
        }
    }
}

/// Whether `-l`/`-ll` leave `p` out of the maps they list: the reference
/// lists a live map's paths from its own discovery, which drops paths
/// blacklisted by device node, USB, vendor/product or protocol, but not by
/// udev property or (without a device argument) WWID; a map none of whose
/// paths is left shows no groups and `##,##` for vendor and product (seen
/// in the VM).
pub fn hidden_from_listing(ctx: &Ctx, p: &PathDev) -> bool {
    let uid = uid_attribute(ctx, p);
    let c = Candidate::new(p, &p.udev, &uid);
    let f = &ctx.filter;
    f.devnode(c.dev).is_blacklisted()
        || f.usb(c.usb).is_blacklisted()
        || f.device(c.info.vendor, c.info.product).is_blacklisted()
        || f.protocol(c.info.protocol).is_blacklisted()
}

/// find_multipaths with `-i` applied.
pub fn find_mode(ctx: &Ctx) -> FindMode {
    let m = FindMode::from_config(&ctx.cfg);
    if ctx.args.ignore_wwids {
        m.ignoring_wwids()
    } else {
        m
    }
}

/// Whether plain `multipath` builds a map for `wwid` with `npaths` usable paths.
pub fn wants_map(ctx: &Ctx, wwid: &str, npaths: usize, has_map: bool, wwids: &WwidsFile) -> bool {
    filter::should_create(&CreateInput {
        mode: find_mode(ctx),
        wwid,
        paths: npaths,
        in_wwids_file: !ctx.args.ignore_wwids && wwids.contains(wwid),
        has_map,
        device_given: ctx.args.device.is_some(),
    })
}
