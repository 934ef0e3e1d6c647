//! What `show` commands print, rendered from a [`crate::model::State`]
//! snapshot: the `%` wildcards of maps and paths (pretty with a header and
//! padded columns, or raw), `show maps status|stats`, `show status`,
//! `show wildcards`, `show daemon`, the topology and the JSON document.
