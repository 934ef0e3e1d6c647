//! The merged configuration: built-in defaults and hardware table, then
//! `/etc/multipath.conf`, then `/etc/multipath/conf.d/*.conf` in name order.
//!
//! Later code asks [`Config::resolve`] "which value applies to this path, and
//! where did it come from?"; `multipath -t` prints it with [`dump`].

pub mod attrs;
pub mod defaults;
pub mod dump;
mod hwmatch;
pub mod hwtable;
pub mod local;
pub mod resolve;

use crate::sysroot::SysRoot;
use attrs::Attrs;
use conf_parser::keywords::{Kind, Section};
use conf_parser::{Block, Diagnostic, Document, Node, Severity, Value};
use std::path::{Path, PathBuf};

pub use resolve::{Origin, PathInfo};

/// The main configuration file.
pub const CONFIG_FILE: &str = "/etc/multipath.conf";
/// The drop-in directory; only names ending in `.conf` are read.
pub const CONFIG_DIR: &str = "/etc/multipath/conf.d";
/// The devnode blacklist every configuration starts with.
pub const DEFAULT_DEVNODE_BLACKLIST: &str = "!^(sd[a-z]|dasd[a-z]|nvme[0-9])";
/// The udev property exception every configuration starts with.
pub const DEFAULT_PROPERTY_EXCEPTION: &str = "(SCSI_IDENT_|ID_WWN)";

/// Where a blacklist rule came from (printed by `show blacklist`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleOrigin {
    Config,
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub pattern: String,
    pub origin: RuleOrigin,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRule {
    pub vendor: Option<String>,
    pub product: Option<String>,
    pub origin: RuleOrigin,
}

/// The rules of `blacklist` or `blacklist_exceptions`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    pub devnode: Vec<Rule>,
    pub wwid: Vec<Rule>,
    pub property: Vec<Rule>,
    pub protocol: Vec<Rule>,
    pub device: Vec<DeviceRule>,
}

/// The effective configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Keywords set in `defaults` by the configuration files only.
    pub defaults: Attrs,
    pub blacklist: Rules,
    pub exceptions: Rules,
    /// Built-in entries first, then user entries in file order, after
    /// identical entries were folded into the later one. Changed only while
    /// the files are merged ([`Config::apply`] and the final fold), which
    /// also drop [`Config::matching_devices`]' cache.
    pub hwtable: Vec<Attrs>,
    pub overrides: Attrs,
    /// `overrides { protocol { } }` entries, each with its `type`.
    pub protocols: Vec<Attrs>,
    pub multipaths: Vec<Attrs>,
    /// Whether `/proc/sys/fs/nr_open` could be read (then `max_fds` defaults to `max`).
    pub nr_open_known: bool,
    /// Every problem found in the files, in reading order.
    pub diagnostics: Vec<Diagnostic>,
    /// The files that were read.
    pub files: Vec<PathBuf>,
    /// Compiled `hwtable` patterns and the entries each device model matches.
    pub(crate) hwmatch: hwmatch::HwMatch,
}

impl Config {
    /// The configuration with no file at all.
    pub fn builtin() -> Config {
        let mut c = Config {
            hwtable: hwtable::builtin(),
            ..Config::default()
        };
        c.finish();
        c
    }

    /// Read the main file and the drop-in directory under `root`.
    pub fn load(root: &SysRoot) -> Config {
        Self::load_files(root, &root.join(CONFIG_FILE), CONFIG_FILE, true)
    }

    /// Read `file` (shown as `shown` in messages) and, if `with_conf_d`, the
    /// drop-in directory under `root`.
    pub fn load_files(root: &SysRoot, file: &Path, shown: &str, with_conf_d: bool) -> Config {
        let mut c = Config {
            hwtable: hwtable::builtin(),
            ..Config::default()
        };
        c.nr_open_known = std::fs::read_to_string(root.join("/proc/sys/fs/nr_open")).is_ok();
        c.read_file(file, shown, false);
        if with_conf_d {
            let dir = root.join(CONFIG_DIR);
            let mut names: Vec<String> = match std::fs::read_dir(&dir) {
                Ok(rd) => rd
                    .filter_map(|e| e.ok())
                    .filter(|e| e.file_type().map(|t| !t.is_dir()).unwrap_or(false))
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.ends_with(".conf"))
                    .collect(),
                Err(_) => Vec::new(),
            };
            names.sort();
            for n in names {
                let shown = format!("{CONFIG_DIR}/{n}");
                c.read_file(&dir.join(&n), &shown, true);
            }
        }
        c.finish();
        c
    }

    /// Parse configuration text (for tests and `--check-config` on stdin).
    pub fn from_str_with(file: &str, text: &str) -> Config {
        let mut c = Config {
            hwtable: hwtable::builtin(),
            ..Config::default()
        };
        c.apply(conf_parser::parse_str(file, text));
        c.finish();
        c
    }

    fn read_file(&mut self, path: &Path, shown: &str, must_exist: bool) {
        match std::fs::read(path) {
            Ok(bytes) => {
                self.files.push(path.to_path_buf());
                self.apply(conf_parser::parse_bytes(shown, &bytes));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => {}
            Err(e) => self.diagnostics.push(Diagnostic {
                file: shown.to_string(),
                line: 0,
                col: 0,
                severity: Severity::Error,
                message: format!("cannot read: {e}"),
            }),
        }
    }

    fn warn(&mut self, file: &str, line: u32, message: String) {
        self.diagnostics.push(Diagnostic {
            file: file.to_string(),
            line,
            col: 0,
            severity: Severity::Warning,
            message,
        });
    }

    /// Merge one parsed file into the configuration.
    pub fn apply(&mut self, doc: Document) {
        self.hwmatch = Default::default();
        let file = doc.file.clone();
        self.diagnostics.extend(doc.diagnostics);
        for block in &doc.blocks {
            match block.section {
                Section::Defaults => set_entries(&mut self.defaults, block),
                Section::Blacklist => {
                    let bad = add_rules(&mut self.blacklist, block);
                    self.refuse_bad_regexes(&file, bad);
                }
                Section::BlacklistExceptions => {
                    let bad = add_rules(&mut self.exceptions, block);
                    self.refuse_bad_regexes(&file, bad);
                }
                Section::Devices => {
                    for dev in block.blocks() {
                        let mut a = Attrs::default();
                        set_entries(&mut a, dev);
                        if a.get("vendor").is_none() || a.get("product").is_none() {
                            self.warn(
                                &file,
                                dev.line,
                                "device entry without vendor or product ignored".into(),
                            );
                        } else {
                            self.hwtable.push(a);
                        }
                    }
                }
                Section::Overrides => {
                    set_entries(&mut self.overrides, block);
                    for p in block.blocks() {
                        let mut a = Attrs::default();
                        set_entries(&mut a, p);
                        if a.get("type").is_none() {
                            self.warn(&file, p.line, "protocol entry without type ignored".into());
                        } else {
                            self.protocols.push(a);
                        }
                    }
                }
                Section::Multipaths => {
                    for mp in block.blocks() {
                        let mut a = Attrs::default();
                        set_entries(&mut a, mp);
                        if a.get("wwid").is_none() {
                            self.warn(
                                &file,
                                mp.line,
                                "multipath entry without wwid ignored".into(),
                            );
                        } else {
                            self.multipaths.push(a);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn refuse_bad_regexes(&mut self, file: &str, bad: Vec<(u32, String, String)>) {
        for (line, pattern, err) in bad {
            self.diagnostics.push(Diagnostic {
                file: file.to_string(),
                line,
                col: 0,
                severity: Severity::Fatal,
                message: format!(
                    "invalid regular expression \"{pattern}\": {err}; the configuration is refused"
                ),
            });
        }
    }

    /// Fold duplicates and add the default blacklist rules.
    fn finish(&mut self) {
        self.hwmatch = Default::default();
        self.hwtable = fold_identical(
            std::mem::take(&mut self.hwtable),
            &["vendor", "product", "revision"],
        );
        self.multipaths = fold_identical(std::mem::take(&mut self.multipaths), &["wwid"]);
        // The reference keeps (and prints) multipaths entries sorted by WWID.
        self.multipaths.sort_by(|a, b| {
            a.get_str("wwid")
                .unwrap_or("")
                .as_bytes()
                .cmp(b.get_str("wwid").unwrap_or("").as_bytes())
        });
        self.protocols = fold_identical(std::mem::take(&mut self.protocols), &["type"]);

        // Default rules are added unless an identical rule is already there
        // (so that reading a dump back gives the same dump).
        let add_default = |list: &mut Vec<Rule>, p: &str| {
            if !list.iter().any(|r| r.pattern == p) {
                list.push(Rule {
                    pattern: p.to_string(),
                    origin: RuleOrigin::Default,
                });
            }
        };
        add_default(&mut self.blacklist.devnode, DEFAULT_DEVNODE_BLACKLIST);
        add_default(&mut self.exceptions.property, DEFAULT_PROPERTY_EXCEPTION);
        for e in &self.hwtable {
            let (Some(v), Some(pb)) = (e.get_str("vendor"), e.get_str("product_blacklist")) else {
                continue;
            };
            let dup = self
                .blacklist
                .device
                .iter()
                .any(|r| r.vendor.as_deref() == Some(v) && r.product.as_deref() == Some(pb));
            if !dup {
                self.blacklist.device.push(DeviceRule {
                    vendor: Some(v.to_string()),
                    product: Some(pb.to_string()),
                    origin: RuleOrigin::Default,
                });
            }
        }
    }

    /// The value of a `defaults` keyword: configured, else built in.
    pub fn default_value(&self, name: &str) -> Option<Value> {
        if name == "max_fds" && self.defaults.get(name) == Some(&Value::Int(0)) {
            return None; // `max_fds 0`: unset, not even the built-in "max"
        }
        if name != "polling_interval" {
            if let Some(v) = self.defaults.get(name) {
                return Some(v.clone());
            }
        }
        match name {
            // Each of the two follows the other when unset, and the interval
            // never exceeds its maximum.
            "polling_interval" => {
                let max = self
                    .defaults
                    .get("max_polling_interval")
                    .and_then(Value::as_int);
                let own = self
                    .defaults
                    .get("polling_interval")
                    .and_then(Value::as_int);
                Some(Value::Int(match (own, max) {
                    (Some(p), Some(m)) => p.min(m),
                    (Some(p), None) => p,
                    (None, Some(m)) => (m / 4).max(1),
                    (None, None) => 5,
                }))
            }
            "max_polling_interval" => {
                if let Some(m) = self
                    .defaults
                    .get("max_polling_interval")
                    .and_then(Value::as_int)
                {
                    return Some(Value::Int(m));
                }
                let p = self.default_value("polling_interval")?.as_int()?;
                Some(Value::Int(4 * p))
            }
            "max_fds" => self.nr_open_known.then(|| Value::word("max")),
            _ => defaults::builtin(name),
        }
    }

    /// True if the configuration must be refused as a whole, as the reference
    /// does ("error parsing config file"): an invalid blacklist regular
    /// expression or reservation key.
    pub fn is_fatal(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Fatal)
    }
}

/// Copy the valid entries of `block` into `attrs` (later ones win).
fn set_entries(attrs: &mut Attrs, block: &Block) {
    for n in &block.children {
        let Node::Entry(e) = n else { continue };
        let Some(kw) = conf_parser::keywords::lookup(e.name) else {
            continue;
        };
        if matches!(kw.kind, Kind::Ignored) {
            continue;
        }
        let name = if e.name == "checker" {
            "path_checker"
        } else {
            e.name
        };
        if e.unset {
            attrs.remove(name);
        } else if let Some(v) = &e.value {
            attrs.set(name, v.clone());
        }
    }
}

/// Check a blacklist pattern the way the reference compiles it (a leading
/// `!` inverts the match and is not part of the expression).
fn regex_error(pattern: &str) -> Option<String> {
    let re = pattern.strip_prefix('!').unwrap_or(pattern);
    regex::Regex::new(re).err().map(|e| {
        e.to_string()
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_string()
    })
}

/// Add the rules of a blacklist block; returns `(line, pattern, error)` for
/// every pattern that is not a valid regular expression.
fn add_rules(rules: &mut Rules, block: &Block) -> Vec<(u32, String, String)> {
    let mut bad = Vec::new();
    for n in &block.children {
        match n {
            Node::Entry(e) => {
                let Some(v) = e.value.as_ref().and_then(Value::as_str) else {
                    continue;
                };
                if let Some(err) = regex_error(v) {
                    bad.push((e.line, v.to_string(), err));
                    continue;
                }
                let list = match e.name {
                    "devnode" => &mut rules.devnode,
                    "wwid" => &mut rules.wwid,
                    "property" => &mut rules.property,
                    "protocol" => &mut rules.protocol,
                    _ => continue,
                };
                // An identical rule is listed once.
                if !list.iter().any(|r| r.pattern == v) {
                    list.push(Rule {
                        pattern: v.to_string(),
                        origin: RuleOrigin::Config,
                    });
                }
            }
            Node::Block(b) => {
                let mut a = Attrs::default();
                set_entries(&mut a, b);
                for e in b.entries() {
                    if let Some(v) = e.value.as_ref().and_then(Value::as_str) {
                        if let Some(err) = regex_error(v) {
                            bad.push((e.line, v.to_string(), err));
                        }
                    }
                }
                if a.get("vendor").is_some() || a.get("product").is_some() {
                    rules.device.push(DeviceRule {
                        vendor: a.get_str("vendor").map(str::to_string),
                        product: a.get_str("product").map(str::to_string),
                        origin: RuleOrigin::Config,
                    });
                }
            }
        }
    }
    bad
}

/// Entries whose `keys` are textually identical: the later one absorbs the
/// earlier (fills its unset keywords from it) and the earlier one goes away.
fn fold_identical(entries: Vec<Attrs>, keys: &[&str]) -> Vec<Attrs> {
    let ident = |a: &Attrs| -> Vec<Option<String>> {
        keys.iter()
            .map(|k| a.get_str(k).map(str::to_string))
            .collect()
    };
    // Each slot holds an entry until a later identical one absorbs it.
    let mut out: Vec<Option<Attrs>> = Vec::with_capacity(entries.len());
    let mut index: std::collections::HashMap<Vec<Option<String>>, usize> = Default::default();
    for mut e in entries {
        if let Some(older) = index
            .insert(ident(&e), out.len())
            .and_then(|old| out[old].take())
        {
            e.fill_from(&older);
        }
        out.push(Some(e));
    }
    out.into_iter().flatten().collect()
}
