//! Tables of maps and paths: `show paths|maps [raw] format F` and the fixed
//! formats of `show paths`, `show maps`, `show maps status|stats`, laid out
//! by the core's table renderer ([`mpath::print::table`]: literal text and
//! `%X` wildcards, padded columns and a header line in pretty mode).

use super::foreign;
use super::wildcards::{Columns, MAP_FIELDS, PATH_FIELDS};
use super::Ctx;
use crate::model::{Map, Path, State};
use mpath::foreign::ForeignMap;
use mpath::print::table::Layout;
use std::time::Instant;

/// `show paths`.
pub const PATHS_DEFAULT: &str = "%i %d %D %p %t %T %o %C";
/// `show maps`.
pub const MAPS_DEFAULT: &str = "%n %d %w";
/// `show maps status`.
pub const MAPS_STATUS: &str = "%n %F %Q %N %t %r";
/// `show maps stats`.
pub const MAPS_STATS: &str = "%n %0 %1 %2 %3 %4";

/// `show paths [format F]` (pretty) and `show paths raw format F`: one line
/// per path in the daemon's order; empty when there are no paths (the
/// caller answers `ok`). `fmt` defaults to [`PATHS_DEFAULT`].
pub fn paths(st: &State, fmt: Option<&str>, pretty: bool, now: Instant) -> String {
    paths_with(st, &[], fmt, pretty, now)
}

/// [`paths`] followed by the paths of the foreign maps, the columns as
/// wide as the widest value over both.
pub fn paths_with(
    st: &State,
    foreign: &[ForeignMap],
    fmt: Option<&str>,
    pretty: bool,
    now: Instant,
) -> String {
    let fmt = fmt.unwrap_or(PATHS_DEFAULT);
    let ctx = Ctx::new(st, now);
    foreign::listing(
        &ctx,
        &PATH_FIELDS,
        st.paths.iter(),
        foreign,
        true,
        fmt,
        pretty,
    )
}

/// `show path P`: the path's `%o` (`running`, `offline`, `unknown` when it
/// is in no map) and a newline; `None` when the daemon does not know the
/// path (the caller answers `fail`).
pub fn path_dev_state(st: &State, key: &str) -> Option<String> {
    let p = st.find_path(key)?;
    let ctx = Ctx::new(st, Instant::now());
    let mut out = String::new();
    Layout::raw::<Path>(&Columns::new(&ctx, &PATH_FIELDS), "%o").row(&mut out, p);
    Some(out)
}

/// `show maps [format F]` (pretty) and `show maps raw format F`; empty when
/// there are no maps. `fmt` defaults to [`MAPS_DEFAULT`].
pub fn maps(st: &State, fmt: Option<&str>, pretty: bool, now: Instant) -> String {
    maps_with(st, &[], fmt, pretty, now)
}

/// [`maps`] followed by the foreign maps, the columns as wide as the
/// widest value over both.
pub fn maps_with(
    st: &State,
    foreign: &[ForeignMap],
    fmt: Option<&str>,
    pretty: bool,
    now: Instant,
) -> String {
    let fmt = fmt.unwrap_or(MAPS_DEFAULT);
    let ctx = Ctx::new(st, now);
    foreign::listing(
        &ctx,
        &MAP_FIELDS,
        st.maps.iter(),
        foreign,
        false,
        fmt,
        pretty,
    )
}

/// `show map M [raw] format F`: one line, padded like `show maps format F`
/// (widths over all maps and the headers), no header line; `raw` makes no
/// difference here.
pub fn map_one(st: &State, map: &Map, fmt: &str, now: Instant) -> String {
    let ctx = Ctx::new(st, now);
    let cols = Columns::new(&ctx, &MAP_FIELDS);
    let mut out = String::new();
    Layout::pretty(&cols, fmt, st.maps.iter()).row(&mut out, map);
    out
}

/// `show maps status`.
pub fn maps_status(st: &State, now: Instant) -> String {
    maps(st, Some(MAPS_STATUS), true, now)
}

/// `show maps stats`.
pub fn maps_stats(st: &State, now: Instant) -> String {
    maps(st, Some(MAPS_STATS), true, now)
}
