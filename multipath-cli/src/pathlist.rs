//! `-v3` and up: the paths list upstream prints on stdout before the
//! topology (`===== paths list =====`, then `%w %i %d %D %p %t %T %s %o`
//! over the paths it discovered). Blacklisted paths are not in it, since
//! upstream's discovery drops them; paths that find_multipaths keeps out
//! of maps are.

use crate::ctx::Ctx;
use mpath::discovery::PathDev;
use mpath::print::ListedPath;

/// The list of `paths` (not blacklisted), in discovery order except that
/// the device argument's path (`first`, a `major:minor`) comes first, as
/// upstream looks it up before discovering the others. `wwid`: the mode
/// reads WWIDs (else the `uuid` column stays blank); `prio` gives each
/// path's priority. Empty below `-v3`.
pub fn render(
    ctx: &Ctx,
    paths: &[PathDev],
    first: Option<&str>,
    wwid: bool,
    prio: impl Fn(&PathDev) -> i32,
) -> String {
    if ctx.verbosity < 3 {
        return String::new();
    }
    let mut rows: Vec<ListedPath<'_>> = paths
        .iter()
        .map(|dev| ListedPath {
            dev,
            prio: prio(dev),
            wwid,
        })
        .collect();
    if let Some(i) = first.and_then(|d| rows.iter().position(|r| r.dev.dev_t == d)) {
        let r = rows.remove(i);
        rows.insert(0, r);
    }
    mpath::print::paths_list(&rows)
}
