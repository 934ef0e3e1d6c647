//! The name of a map: the `multipaths` alias, else a friendly name from the
//! bindings file when `user_friendly_names` is on, else the WWID.

use crate::config::Config;
use crate::discovery::PathDev;
use crate::files::bindings::{AliasRequest, Bindings, FriendlyName};

/// The chosen name and what to tell the admin about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AliasChoice {
    pub name: String,
    /// Problems (for stderr), e.g. a bindings file that cannot be written.
    pub messages: Vec<String>,
    /// The bindings file was written (a new binding): the reference says
    /// `updated bindings file <path>`.
    pub saved: bool,
}

/// Choose the name of the map for `wwid` (first path `first`).
/// `current` is the name of the live map with this WWID, `in_use` tells
/// which other WWID's map holds a name.
pub fn select_alias(
    cfg: &Config,
    wwid: &str,
    first: &PathDev,
    bindings: Option<&mut Bindings>,
    current: Option<&str>,
    read_only: bool,
    in_use: &dyn Fn(&str) -> Option<String>,
) -> AliasChoice {
    let mut messages = Vec::new();
    if let Some(a) = cfg
        .multipath_entry(wwid)
        .and_then(|m| m.get_str("alias"))
        .filter(|a| !a.is_empty())
    {
        return AliasChoice {
            name: a.to_string(),
            messages,
            saved: false,
        };
    }
    let ufn = super::setting(cfg, "user_friendly_names", first).is_some_and(|v| v == "yes");
    if ufn {
        let prefix = super::setting(cfg, "alias_prefix", first).unwrap_or_else(|| "mpath".into());
        if let Some(b) = bindings {
            let req = AliasRequest {
                wwid,
                prefix: &prefix,
                current_alias: current,
                read_only,
                in_use,
            };
            match b.friendly_name(&req) {
                Ok(f) => {
                    if let Some(a) = f.alias() {
                        return AliasChoice {
                            name: a.to_string(),
                            messages,
                            saved: matches!(f, FriendlyName::Adopted(_) | FriendlyName::Created(_))
                                && !read_only,
                        };
                    }
                    if let FriendlyName::UseWwid(why) = f {
                        messages.push(why);
                    }
                }
                Err(e) => messages.push(format!("{wwid}: {e}; using the WWID as map name")),
            }
        }
    }
    AliasChoice {
        name: wwid.to_string(),
        messages,
        saved: false,
    }
}
