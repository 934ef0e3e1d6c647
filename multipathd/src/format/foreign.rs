//! Foreign maps (NVMe native multipath, [`mpath::foreign`]) in the `show`
//! listings, as the reference prints them when `enable_foreign` matches a
//! library: after the daemon's own maps and paths, in the same columns
//! (the widths computed over both), each wildcard rendered by the library.
//!
//! A row of a listing is a [`Row`]: one of the daemon's objects or one of
//! a foreign map (the map itself, or one of its paths).

use super::wildcards::{lookup, Columns, Field};
use super::Ctx;
use mpath::foreign::ForeignMap;
use mpath::print::table;

/// A row of `show maps` (`T` = [`crate::model::Map`]) or `show paths`
/// (`T` = [`crate::model::Path`]).
pub(crate) enum Row<'a, T> {
    Native(&'a T),
    /// A foreign map (`None`) or its path number `Some(i)`.
    Foreign(&'a ForeignMap, Option<usize>),
}

// Not derived: `T` need not be `Clone` for a reference to be copied.
impl<T> Clone for Row<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Row<'_, T> {}

/// The native objects, then the foreign maps (`paths: false`) or their
/// paths (`paths: true`), map after map.
fn rows<'a, T>(
    native: impl Iterator<Item = &'a T>,
    foreign: &'a [ForeignMap],
    paths: bool,
) -> Vec<Row<'a, T>> {
    let mut out: Vec<Row<'a, T>> = native.map(Row::Native).collect();
    for m in foreign {
        if paths {
            out.extend((0..m.path_count()).map(|i| Row::Foreign(m, Some(i))));
        } else {
            out.push(Row::Foreign(m, None));
        }
    }
    out
}

/// The wildcard table over [`Row`]s: the daemon's fields for its objects,
/// the library's rendering for the foreign ones.
impl<T> table::Columns<Row<'_, T>> for Columns<'_, '_, T> {
    fn find(&self, key: char) -> Option<usize> {
        lookup(self.fields, key)
    }

    fn header(&self, col: usize) -> &str {
        self.fields[col].header
    }

    fn value(&self, col: usize, item: &Row<'_, T>) -> String {
        let f = &self.fields[col];
        match *item {
            Row::Native(o) => (f.value)(self.ctx, o),
            Row::Foreign(m, None) => m.map_wildcard(f.key),
            Row::Foreign(m, Some(i)) => m.path_wildcard(i, f.key),
        }
    }
}

/// `show paths|maps [raw] [format F]`: the daemon's objects `native` with
/// the `fields` of their kind, then the foreign maps (`paths: false`) or
/// their paths (`paths: true`), in columns as wide as the widest value
/// over both.
pub(crate) fn listing<'a, T: 'static>(
    ctx: &Ctx<'_>,
    fields: &'static [Field<T>],
    native: impl Iterator<Item = &'a T>,
    foreign: &'a [ForeignMap],
    paths: bool,
    fmt: &str,
    pretty: bool,
) -> String {
    let rows = rows(native, foreign, paths);
    table::listing(&Columns::new(ctx, fields), fmt, rows.iter(), pretty)
}
