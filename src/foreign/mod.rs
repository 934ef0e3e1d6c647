//! Foreign multipath devices: storage that another part of the kernel than
//! device-mapper multipaths, shown (read only) after the native maps by
//! `multipath -l`/`-ll`.
//!
//! Upstream loads such "foreign libraries" as plugins; it has one, `nvme`
//! (the kernel's native NVMe multipath, [`nvme`]). Which ones are active is
//! the `enable_foreign` regular expression on the library names (built-in
//! default `"NONE"`: none), or all of them with `multipath -e`.

pub mod nvme;

use crate::print::TopoMap;
use crate::{Config, SysRoot};
use regex::Regex;

/// The foreign libraries, by name.
pub const LIBRARIES: &[&str] = &["nvme"];

/// Which foreign libraries are enabled.
#[derive(Debug, Clone)]
pub enum Enabled {
    /// `multipath -e`: every library.
    All,
    /// The libraries whose name the `enable_foreign` expression matches.
    Matching(Regex),
    /// None (an `enable_foreign` that is not a valid expression).
    Nothing,
}

impl Enabled {
    /// From `enable_foreign` (configured, else the built-in `"NONE"`).
    pub fn from_config(cfg: &Config) -> Enabled {
        let pattern = cfg
            .default_value("enable_foreign")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "NONE".into());
        Enabled::from_pattern(&pattern)
    }

    /// A POSIX extended expression, unanchored, case sensitive.
    pub fn from_pattern(pattern: &str) -> Enabled {
        Regex::new(pattern).map_or(Enabled::Nothing, Enabled::Matching)
    }

    pub fn library(&self, name: &str) -> bool {
        match self {
            Enabled::All => true,
            Enabled::Matching(r) => r.is_match(name),
            Enabled::Nothing => false,
        }
    }

    /// True if some library is enabled (else nothing needs to be read).
    pub fn any(&self) -> bool {
        LIBRARIES.iter().any(|l| self.library(l))
    }
}

/// A map of a foreign library, as the listings show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignMap {
    /// The library (`nvme`), printed as `[nvme]` in the topology header.
    pub library: &'static str,
    /// Its name (`%n`, what `-v1` prints).
    pub name: String,
    /// The block device the library claims (`nvme0n1`).
    pub dev: String,
    pub topology: TopoMap,
    /// What the library read; its `%` wildcards render from it.
    pub nvme: nvme::NvmeMap,
}

impl ForeignMap {
    /// The topology block (verbosity 2 and up).
    pub fn render(&self) -> String {
        self.topology.render_foreign(self.library)
    }

    /// Its paths, in the library's order.
    pub fn path_count(&self) -> usize {
        self.nvme.paths.len()
    }

    /// The device name of path `i`.
    pub fn path_dev(&self, i: usize) -> &str {
        &self.nvme.paths[i].dev
    }

    /// Map wildcard `key` (`%n`, `%w`, ... of `show maps format`) as the
    /// library prints it.
    pub fn map_wildcard(&self, key: char) -> String {
        self.nvme.wildcard(key)
    }

    /// Path wildcard `key` of path `i` as the library prints it.
    pub fn path_wildcard(&self, i: usize, key: char) -> String {
        self.nvme.paths[i].wildcard(&self.nvme, key)
    }
}

/// The maps of every enabled library, in the order the libraries list them.
pub fn maps(root: &SysRoot, enabled: &Enabled) -> Vec<ForeignMap> {
    let mut out = Vec::new();
    if enabled.library("nvme") {
        out.extend(nvme::maps(root).into_iter().map(|m| ForeignMap {
            library: "nvme",
            name: m.name.clone(),
            dev: m.dev.clone(),
            topology: m.topology(),
            nvme: m,
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enable_foreign_matches_library_names() {
        assert!(!Enabled::from_pattern("NONE").library("nvme"));
        assert!(!Enabled::from_pattern("^$").library("nvme"));
        assert!(Enabled::from_pattern(".*").library("nvme"));
        assert!(Enabled::from_pattern("nvme").library("nvme"));
        assert!(Enabled::from_pattern("^nv").library("nvme"));
        assert!(!Enabled::from_pattern("NVME").library("nvme"));
        assert!(!Enabled::from_pattern("scsi").any());
        assert!(!Enabled::from_pattern("(").any());
        assert!(Enabled::All.any());
    }

    #[test]
    fn enable_foreign_from_the_configuration() {
        let none = Config::from_str_with("t", "");
        assert!(!Enabled::from_config(&none).any());
        let all = Config::from_str_with("t", "defaults {\n\tenable_foreign \".*\"\n}\n");
        assert!(Enabled::from_config(&all).library("nvme"));
        let nvme = Config::from_str_with("t", "defaults {\n\tenable_foreign nvme\n}\n");
        assert!(Enabled::from_config(&nvme).library("nvme"));
    }
}
