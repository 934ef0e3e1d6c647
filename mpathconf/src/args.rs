//! Command line: the options of Red Hat's `mpathconf` script.

use std::path::PathBuf;

/// What to do with the blacklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Enable,
    Disable,
    /// Blacklist every WWID except the `--allow` ones.
    Allow,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    pub mode: Option<Mode>,
    /// `--allow` arguments, as given.
    pub allow: Vec<String>,
    pub user_friendly_names: Option<bool>,
    /// Normalised: `y` -> `yes`, `n` -> `no`.
    pub find_multipaths: Option<String>,
    pub property_blacklist: Option<bool>,
    pub enable_foreign: Option<bool>,
    pub recheck_wwid: Option<bool>,
    /// `--option name:value`, in order; an empty value deletes the keyword.
    pub options: Vec<(String, String)>,
    pub with_module: bool,
    pub with_multipathd: bool,
    pub outfile: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            mode: None,
            allow: Vec::new(),
            user_friendly_names: None,
            find_multipaths: None,
            property_blacklist: None,
            enable_foreign: None,
            recheck_wwid: None,
            options: Vec::new(),
            with_module: true,
            with_multipathd: false,
            outfile: None,
        }
    }
}

impl Options {
    /// Any option that edits the configuration (otherwise the status is shown).
    pub fn edits(&self) -> bool {
        self.mode.is_some() || self.has_value_edits()
    }

    fn has_value_edits(&self) -> bool {
        self.user_friendly_names.is_some()
            || self.find_multipaths.is_some()
            || self.property_blacklist.is_some()
            || self.enable_foreign.is_some()
            || self.recheck_wwid.is_some()
            || !self.options.is_empty()
    }
}

/// The outcome of reading the command line.
#[derive(Debug, PartialEq, Eq)]
pub enum Command {
    Run(Options),
    /// Print the usage text and exit 0 (`--help`, or an unknown argument, as
    /// the script does); the unknown argument if there was one.
    Usage(Option<String>),
}

/// Read the command line (without the program name). `Err` is a message to
/// print before exiting 1. `notes` collects messages for stdout.
pub fn parse(args: &[String], notes: &mut Vec<String>) -> Result<Command, String> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n, Some(v.to_string())),
            _ => (arg.as_str(), None),
        };
        let takes_value = matches!(
            name,
            "--allow"
                | "--user_friendly_names"
                | "--find_multipaths"
                | "--property_blacklist"
                | "--enable_foreign"
                | "--recheck_wwid"
                | "--option"
                | "--with_module"
                | "--with_multipathd"
                | "--outfile"
        );
        if inline.is_some() && !takes_value {
            return Ok(Command::Usage(Some(arg.clone())));
        }
        let value = if takes_value {
            inline.or_else(|| it.next().cloned()).unwrap_or_default()
        } else {
            String::new()
        };
        match name {
            "--enable" => o.mode = Some(Mode::Enable),
            "--disable" => o.mode = Some(Mode::Disable),
            "--allow" => {
                if value.is_empty() {
                    return Err("--allow requires a device or a WWID".into());
                }
                o.mode = Some(Mode::Allow);
                o.allow.push(value);
            }
            "--user_friendly_names" => o.user_friendly_names = Some(yes_no(name, &value)?),
            "--find_multipaths" => {
                o.find_multipaths = Some(match value.as_str() {
                    "y" | "yes" => "yes".into(),
                    "n" | "no" => "no".into(),
                    "strict" | "greedy" | "smart" => value,
                    _ => return Err(
                        "--find_multipaths must be one of 'yes' 'no' 'strict' 'greedy' or 'smart'"
                            .into(),
                    ),
                })
            }
            "--property_blacklist" => o.property_blacklist = Some(yes_no(name, &value)?),
            "--enable_foreign" => o.enable_foreign = Some(yes_no(name, &value)?),
            "--recheck_wwid" => o.recheck_wwid = Some(yes_no(name, &value)?),
            "--option" => o.options.push(option(&value)?),
            "--with_module" => o.with_module = yes_no(name, &value)?,
            "--with_multipathd" => o.with_multipathd = yes_no(name, &value)?,
            "--outfile" => {
                if value.is_empty() {
                    return Err("--outfile requires a file name".into());
                }
                o.outfile = Some(PathBuf::from(value));
            }
            "--help" | "-h" => return Ok(Command::Usage(None)),
            _ => return Ok(Command::Usage(Some(arg.clone()))),
        }
    }
    if o.mode == Some(Mode::Disable) && (o.has_value_edits() || !o.allow.is_empty()) {
        notes.push("ignoring extra parameters on disable".into());
        o = Options {
            mode: o.mode,
            with_module: o.with_module,
            with_multipathd: o.with_multipathd,
            outfile: o.outfile,
            ..Options::default()
        };
    }
    if o.mode != Some(Mode::Allow) {
        o.allow.clear();
    }
    if o.mode == Some(Mode::Allow) && o.outfile.is_none() {
        return Err("--allow can only be used together with --outfile".into());
    }
    Ok(Command::Run(o))
}

fn yes_no(name: &str, value: &str) -> Result<bool, String> {
    match value {
        "y" => Ok(true),
        "n" => Ok(false),
        _ => Err(format!("{name} must be either 'y' or 'n'")),
    }
}

/// `name:[value]`.
fn option(arg: &str) -> Result<(String, String), String> {
    let Some((name, value)) = arg.split_once(':') else {
        return Err(format!(
            "--option must be given as <name>:[<value>], not '{arg}'"
        ));
    };
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || "#\"!{}".contains(c))
    {
        return Err(format!("--option: invalid keyword name '{name}'"));
    }
    if value.chars().any(|c| "#\"!{}".contains(c)) {
        return Err(format!(
            "--option: invalid value '{value}' for {name} (it may not contain \" # ! {{ }})"
        ));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

/// The usage text (stdout).
pub fn usage() -> &'static str {
    "\
usage: mpathconf [<command> ...]

With no command (or only --with_module/--with_multipathd), print how multipath
is configured.

Commands:
  --enable                      let multipath use devices (remove the
                                blacklist-everything entry)
  --disable                     blacklist every device (devnode \".*\")
  --allow <device|WWID>         multipath only these devices (repeatable;
                                requires --outfile); a device is maj:min,
                                a device-mapper name or /dev path
  --user_friendly_names <y|n>   set user_friendly_names in defaults
  --find_multipaths <yes|no|strict|greedy|smart>
                                set find_multipaths in defaults (y and n are
                                yes and no)
  --property_blacklist <y|n>    use the default property blacklist exception
                                property \"(SCSI_IDENT_|ID_WWN)\"
  --enable_foreign <y|n>        show foreign (e.g. native NVMe) multipath devices
  --recheck_wwid <y|n>          set recheck_wwid in defaults
  --option <name>:[<value>]     set a defaults keyword; no value removes it
  --with_module <y|n>           load dm_multipath on --enable (default y)
  --with_multipathd <y|n>       start, stop or reload multipathd as needed
                                (default n)
  --outfile <file>              write the result to <file> instead of
                                /etc/multipath.conf
"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Command, String> {
        let v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse(&v, &mut Vec::new())
    }

    fn opts(args: &[&str]) -> Options {
        match p(args) {
            Ok(Command::Run(o)) => o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn values() {
        let o = opts(&[
            "--find_multipaths",
            "y",
            "--user_friendly_names=n",
            "--option",
            "a:b c ",
        ]);
        assert_eq!(o.find_multipaths.as_deref(), Some("yes"));
        assert_eq!(o.user_friendly_names, Some(false));
        assert_eq!(o.options, [("a".to_string(), "b c".to_string())]);
        assert!(o.with_module && !o.with_multipathd);
        assert!(!opts(&["--with_module", "n"]).edits());
    }

    #[test]
    fn errors() {
        assert_eq!(
            p(&["--recheck_wwid", "yes"]),
            Err("--recheck_wwid must be either 'y' or 'n'".into())
        );
        assert_eq!(
            p(&["--user_friendly_names"]),
            Err("--user_friendly_names must be either 'y' or 'n'".into())
        );
        assert!(p(&["--find_multipaths", "on"]).is_err());
        assert!(p(&["--allow", "x"]).is_err());
        assert!(p(&["--option", "a b:c"]).is_err());
        assert!(p(&["--option", "a:\"c\""]).is_err());
        assert!(p(&["--option", "abc"]).is_err());
        assert_eq!(p(&["--bogus"]), Ok(Command::Usage(Some("--bogus".into()))));
    }

    #[test]
    fn disable_drops_other_edits() {
        let mut notes = Vec::new();
        let v: Vec<String> = ["--user_friendly_names", "y", "--disable"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let Ok(Command::Run(o)) = parse(&v, &mut notes) else {
            panic!()
        };
        assert_eq!(o.user_friendly_names, None);
        assert_eq!(notes, ["ignoring extra parameters on disable"]);
    }
}
