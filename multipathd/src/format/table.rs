//! Tables of maps and paths: `show paths|maps [raw] format F` and the fixed
//! formats of `show paths`, `show maps`, `show maps status|stats`.
//!
//! A format is literal text with `%X` wildcards. Unknown wildcards are
//! dropped (with their `%`), literal text is kept, every line ends with a
//! newline. In pretty mode every field, the last one included, is padded to
//! the widest of its header and its values over all objects of the kind (a
//! value counts for at most 255 columns), and a header line comes first;
//! raw mode pads nothing and prints no header.

use super::wildcards::{lookup, Field, MAP_FIELDS, PATH_FIELDS};
use super::Ctx;
use crate::model::{Map, State};
use std::time::Instant;

/// `show paths`.
pub const PATHS_DEFAULT: &str = "%i %d %D %p %t %T %o %C";
/// `show maps`.
pub const MAPS_DEFAULT: &str = "%n %d %w";
/// `show maps status`.
pub const MAPS_STATUS: &str = "%n %F %Q %N %t %r";
/// `show maps stats`.
pub const MAPS_STATS: &str = "%n %0 %1 %2 %3 %4";

/// Widest a value may make its column.
const MAX_FIELD_WIDTH: usize = 255;

/// A format string, split into literal text and wildcards.
enum Piece<'f> {
    Text(&'f str),
    /// Index into the field table.
    Field(usize),
}

fn parse<'f, T>(fmt: &'f str, fields: &[Field<T>]) -> Vec<Piece<'f>> {
    let mut out = Vec::new();
    let mut rest = fmt;
    while let Some(at) = rest.find('%') {
        if at > 0 {
            out.push(Piece::Text(&rest[..at]));
        }
        let after = &rest[at + 1..];
        let Some(key) = after.chars().next() else {
            rest = after;
            break;
        };
        if let Some(i) = lookup(fields, key) {
            out.push(Piece::Field(i));
        }
        rest = &after[key.len_utf8()..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// A parsed format with its column widths (pretty mode) or none (raw).
struct Layout<'f, 'a, T: 'static> {
    ctx: &'a Ctx<'a>,
    fields: &'static [Field<T>],
    pieces: Vec<Piece<'f>>,
    /// Width per field index; `None` in raw mode.
    widths: Option<Vec<usize>>,
}

impl<'f, 'a, T: 'static> Layout<'f, 'a, T> {
    fn raw(ctx: &'a Ctx<'a>, fields: &'static [Field<T>], fmt: &'f str) -> Self {
        Layout {
            ctx,
            fields,
            pieces: parse(fmt, fields),
            widths: None,
        }
    }

    /// Widths over `all`: the header, or the longest value (capped).
    fn pretty<'i>(
        ctx: &'a Ctx<'a>,
        fields: &'static [Field<T>],
        fmt: &'f str,
        all: impl Iterator<Item = &'i T> + Clone,
    ) -> Self
    where
        T: 'i,
    {
        let mut l = Self::raw(ctx, fields, fmt);
        let mut widths = vec![0; fields.len()];
        for p in &l.pieces {
            let Piece::Field(i) = *p else { continue };
            if widths[i] > 0 {
                continue;
            }
            let f = &fields[i];
            let longest = all
                .clone()
                .map(|item| (f.value)(ctx, item).len().min(MAX_FIELD_WIDTH))
                .max()
                .unwrap_or(0);
            widths[i] = f.header.len().max(longest);
        }
        l.widths = Some(widths);
        l
    }

    fn push_padded(&self, out: &mut String, i: usize, text: &str) {
        out.push_str(text);
        if let Some(w) = &self.widths {
            for _ in text.len()..w[i] {
                out.push(' ');
            }
        }
    }

    fn header(&self, out: &mut String) {
        for p in &self.pieces {
            match *p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(i) => self.push_padded(out, i, self.fields[i].header),
            }
        }
        out.push('\n');
    }

    fn row(&self, out: &mut String, item: &T) {
        for p in &self.pieces {
            match *p {
                Piece::Text(t) => out.push_str(t),
                Piece::Field(i) => {
                    let v = (self.fields[i].value)(self.ctx, item);
                    self.push_padded(out, i, &v);
                }
            }
        }
        out.push('\n');
    }
}

/// `show paths [format F]` (pretty) and `show paths raw format F`: one line
/// per path in the daemon's order; empty when there are no paths (the
/// caller answers `ok`). `fmt` defaults to [`PATHS_DEFAULT`].
pub fn paths(st: &State, fmt: Option<&str>, pretty: bool, now: Instant) -> String {
    let ctx = Ctx::new(st, now);
    listing(
        &ctx,
        &PATH_FIELDS,
        fmt.unwrap_or(PATHS_DEFAULT),
        &st.paths,
        pretty,
    )
}

/// One line per item, after a header line in pretty mode; empty when there
/// are no items.
fn listing<T: 'static>(
    ctx: &Ctx<'_>,
    fields: &'static [Field<T>],
    fmt: &str,
    items: &[T],
    pretty: bool,
) -> String {
    let mut out = String::new();
    if items.is_empty() {
        return out;
    }
    let layout = if pretty {
        let l = Layout::pretty(ctx, fields, fmt, items.iter());
        l.header(&mut out);
        l
    } else {
        Layout::raw(ctx, fields, fmt)
    };
    for item in items {
        layout.row(&mut out, item);
    }
    out
}

/// `show path P`: the path's `%o` (`running`, `offline`, `unknown` when it
/// is in no map) and a newline; `None` when the daemon does not know the
/// path (the caller answers `fail`).
pub fn path_dev_state(st: &State, key: &str) -> Option<String> {
    let p = st.find_path(key)?;
    let ctx = Ctx::new(st, Instant::now());
    let mut out = String::new();
    Layout::raw(&ctx, &PATH_FIELDS, "%o").row(&mut out, p);
    Some(out)
}

/// `show maps [format F]` (pretty) and `show maps raw format F`; empty when
/// there are no maps. `fmt` defaults to [`MAPS_DEFAULT`].
pub fn maps(st: &State, fmt: Option<&str>, pretty: bool, now: Instant) -> String {
    let ctx = Ctx::new(st, now);
    listing(
        &ctx,
        &MAP_FIELDS,
        fmt.unwrap_or(MAPS_DEFAULT),
        &st.maps,
        pretty,
    )
}

/// `show map M [raw] format F`: one line, padded like `show maps format F`
/// (widths over all maps and the headers), no header line; `raw` makes no
/// difference here.
pub fn map_one(st: &State, map: &Map, fmt: &str, now: Instant) -> String {
    let ctx = Ctx::new(st, now);
    let mut out = String::new();
    Layout::pretty(&ctx, &MAP_FIELDS, fmt, st.maps.iter()).row(&mut out, map);
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
