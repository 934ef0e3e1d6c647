//! Prioritizers driven by configuration rather than by the array:
//! random, weightedpath, iet.

use super::{Failure, PrioEnv, PrioResult};
use crate::discovery::{transport, PathDev};
use regex::Regex;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicBool, Ordering};

/// A priority from 1 to 10.
pub(super) fn random() -> i32 {
    let mut h = RandomState::new().build_hasher();
    h.write_u64(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0),
    );
    (h.finish() % 10) as i32 + 1
}

/// Arguments `<hbtl|devname|serial|wwn> <regex> <prio> [<regex> <prio>]...`:
/// the priority after the first regex that matches the path's H:B:T:L,
/// device name, serial or `wwn` names (`%N:%R:%n:%r`, as the path
/// wildcards print them); 0 if none does, or without arguments.
pub(super) fn weightedpath(path: &PathDev, args: &str, env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let mut words = args.split_whitespace();
    let subject = match words.next() {
        Some("hbtl") => path.hcil.clone(),
        Some("devname") => path.dev.clone(),
        Some("serial") => path.serial.clone(),
        Some("wwn") => transport::wwn_names(env.root, path),
        Some(k) => {
            tracing::debug!(path = %dev, "weightedpath: unknown kind {k:?}");
            // Said at every verbosity (seen in the VM), priority 0.
            return Err(Failure::said(
                0,
                0,
                format!("{dev}: weightedpath - Invalid arguments"),
            ));
        }
        // No arguments: 0 without a word (seen in the VM).
        None => return Ok(0),
    };
    let rest: Vec<&str> = words.collect();
    if rest.len() % 2 == 1 {
        tracing::debug!(path = %dev, "weightedpath: regex {:?} has no priority", rest[rest.len() - 1]);
    }
    for pair in rest.chunks_exact(2) {
        let re = Regex::new(pair[0])
            .map_err(|e| format!("{dev}: weightedpath: bad regex {:?}: {e}", pair[0]))?;
        if re.is_match(&subject) {
            return pair[1]
                .parse()
                .map_err(|_| format!("{dev}: weightedpath: bad priority {:?}", pair[1]).into());
        }
    }
    Ok(0)
}

/// Whether the iet prioritizer has said its arguments are unusable: the
/// reference says so once per process, for the first path it is asked
/// about; every path then gets 0 without a word.
static IET_ARGS_SAID: AtomicBool = AtomicBool::new(false);

/// The first IPv4 address (four groups of 1 to 3 digits) in `s`.
fn first_ipv4(s: &str) -> Option<Ipv4Addr> {
    let b = s.as_bytes();
    for start in 0..b.len() {
        let mut i = start;
        let mut ok = true;
        for group in 0..4 {
            let n = b[i..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .take(3)
                .count();
            if n == 0 {
                ok = false;
                break;
            }
            i += n;
            if group < 3 {
                if b.get(i) != Some(&b'.') {
                    ok = false;
                    break;
                }
                i += 1;
            }
        }
        if ok {
            return s[start..i].parse().ok();
        }
    }
    None
}

/// Argument `preferredip=<a.b.c.d>`: 20 when the IPv4 address in the
/// path's udev `ID_PATH` (`ip-<addr>:<port>-iscsi-...`) is that address,
/// else 0. Without `ID_PATH` the path gets 0 and that is said (level 2,
/// every time); arguments it cannot use give every path 0, said once per
/// process.
pub(super) fn iet(path: &PathDev, args: &str, _env: &PrioEnv) -> PrioResult {
    let dev = &path.dev;
    let said = |m: &str| Failure::said(0, 2, format!("{dev} {m}"));
    let once = |m: &str| {
        if IET_ARGS_SAID.swap(true, Ordering::Relaxed) {
            tracing::debug!(path = %dev, "iet: {m} (said before)");
            Ok(0)
        } else {
            Err(Failure::SaidOnce {
                prio: 0,
                level: 2,
                line: format!("{dev} {m}"),
            })
        }
    };
    let Some(ip) = args
        .strip_prefix("preferredip=")
        .and_then(|a| a.split_whitespace().next())
    else {
        return once("unexpected prio_args format");
    };
    let Ok(ip) = ip.parse::<Ipv4Addr>() else {
        return once("invalid prio_args preferredip");
    };
    let Some(id_path) = path.udev_prop("ID_PATH") else {
        return Err(said("failed to get BY_PATH property"));
    };
    tracing::debug!(path = %dev, "iet: ID_PATH {id_path}");
    Ok(if first_ipv4(id_path) == Some(ip) {
        20
    } else {
        0
    })
}
