//! Tables of `%` wildcards, as upstream lays them out for `multipathd show
//! paths|maps [raw] format F` and for the path list `multipath -v3` prints
//! before the topology.
//!
//! A format is literal text with `%X` wildcards. Unknown wildcards are
//! dropped (with their `%`), literal text is kept, every line ends with a
//! newline. In pretty mode every field, the last one included, is padded to
//! the widest of its header and its values over all objects of the kind (a
//! value counts for at most 255 columns), and a header line comes first;
//! raw mode pads nothing and prints no header.
//!
//! The wildcards themselves belong to the caller ([`Columns`]): the daemon
//! renders them from its snapshot, `multipath` from what it discovered.

/// The wildcards of one kind of object, each a column: its key (`d` for
/// `%d`), the header printed above it and its value for an item.
pub trait Columns<T: ?Sized> {
    /// The column of wildcard `key`, `None` for an unknown wildcard.
    fn find(&self, key: char) -> Option<usize>;
    fn header(&self, col: usize) -> &str;
    fn value(&self, col: usize, item: &T) -> String;
}

/// Widest a value may make its column.
const MAX_FIELD_WIDTH: usize = 255;

/// A format string, split into literal text and wildcards.
enum Piece<'f> {
    Text(&'f str),
    Column(usize),
}

fn parse<'f, T: ?Sized>(fmt: &'f str, cols: &impl Columns<T>) -> Vec<Piece<'f>> {
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
        if let Some(c) = cols.find(key) {
            out.push(Piece::Column(c));
        }
        rest = &after[key.len_utf8()..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// A parsed format with its column widths (pretty mode) or none (raw).
pub struct Layout<'f, 'c, C> {
    cols: &'c C,
    pieces: Vec<Piece<'f>>,
    /// Width per column used by the format; `None` in raw mode.
    widths: Option<Vec<(usize, usize)>>,
}

impl<'f, 'c, C> Layout<'f, 'c, C> {
    /// No padding, no header.
    pub fn raw<T: ?Sized>(cols: &'c C, fmt: &'f str) -> Self
    where
        C: Columns<T>,
    {
        Layout {
            pieces: parse(fmt, cols),
            cols,
            widths: None,
        }
    }

    /// Every column as wide as its header or its longest value over `all`
    /// (capped).
    pub fn pretty<'i, T: ?Sized + 'i>(
        cols: &'c C,
        fmt: &'f str,
        all: impl Iterator<Item = &'i T> + Clone,
    ) -> Self
    where
        C: Columns<T>,
    {
        let mut l = Self::raw(cols, fmt);
        let mut widths: Vec<(usize, usize)> = Vec::new();
        for p in &l.pieces {
            let Piece::Column(c) = *p else { continue };
            if widths.iter().any(|&(k, _)| k == c) {
                continue;
            }
            let longest = all
                .clone()
                .map(|item| cols.value(c, item).len().min(MAX_FIELD_WIDTH))
                .max()
                .unwrap_or(0);
            widths.push((c, cols.header(c).len().max(longest)));
        }
        l.widths = Some(widths);
        l
    }

    fn push_padded(&self, out: &mut String, col: usize, text: &str) {
        out.push_str(text);
        let width = self
            .widths
            .as_ref()
            .and_then(|w| w.iter().find(|&&(c, _)| c == col))
            .map_or(0, |&(_, w)| w);
        for _ in text.len()..width {
            out.push(' ');
        }
    }

    /// The header line (the headers in place of the values).
    pub fn header<T: ?Sized>(&self, out: &mut String)
    where
        C: Columns<T>,
    {
        for p in &self.pieces {
            match *p {
                Piece::Text(t) => out.push_str(t),
                Piece::Column(c) => self.push_padded(out, c, self.cols.header(c)),
            }
        }
        out.push('\n');
    }

    /// The line of `item`.
    pub fn row<T: ?Sized>(&self, out: &mut String, item: &T)
    where
        C: Columns<T>,
    {
        for p in &self.pieces {
            match *p {
                Piece::Text(t) => out.push_str(t),
                Piece::Column(c) => {
                    let v = self.cols.value(c, item);
                    self.push_padded(out, c, &v);
                }
            }
        }
        out.push('\n');
    }
}

/// One line per item, after a header line in pretty mode; empty when there
/// are no items.
pub fn listing<'i, T: ?Sized + 'i, C: Columns<T>>(
    cols: &C,
    fmt: &str,
    items: impl Iterator<Item = &'i T> + Clone,
    pretty: bool,
) -> String {
    let mut out = String::new();
    if items.clone().next().is_none() {
        return out;
    }
    let layout = if pretty {
        let l = Layout::pretty(cols, fmt, items.clone());
        l.header(&mut out);
        l
    } else {
        Layout::raw(cols, fmt)
    };
    for item in items {
        layout.row(&mut out, item);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `%a` the item, `%l` its length.
    struct Words;

    impl Columns<str> for Words {
        fn find(&self, key: char) -> Option<usize> {
            "al".find(key)
        }
        fn header(&self, col: usize) -> &str {
            ["word", "len"][col]
        }
        fn value(&self, col: usize, item: &str) -> String {
            match col {
                0 => item.to_string(),
                _ => item.len().to_string(),
            }
        }
    }

    fn words() -> [&'static str; 2] {
        ["a", "abcdefg"]
    }

    #[test]
    fn pretty_pads_every_column_and_the_header() {
        let w = words();
        assert_eq!(
            listing(&Words, "%l %a", w.iter().copied(), true),
            "len word   \n1   a      \n7   abcdefg\n"
        );
    }

    #[test]
    fn raw_pads_nothing_and_drops_unknown_wildcards() {
        let w = words();
        assert_eq!(
            listing(&Words, "<%a|%z%%>%", w.iter().copied(), false),
            "<a|>\n<abcdefg|>\n"
        );
        assert_eq!(listing(&Words, "%a", std::iter::empty::<&str>(), true), "");
    }
}
