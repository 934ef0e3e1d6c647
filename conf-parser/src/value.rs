//! Typed keyword values: parsing (with upstream's range clamping and leniency)
//! and the canonical text printed by `multipath -t`.

use crate::keywords::Kind;
use std::fmt;

/// A parsed keyword value. Integers print bare; words print double-quoted.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Int(i64),
    Word(String),
    /// A word printed without quotes (`mode 0644`, `fast_io_fail_tmo off`).
    Bare(String),
}

impl Value {
    pub fn word(s: impl Into<String>) -> Value {
        Value::Word(s.into())
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Word(s) | Value::Bare(s) => Some(s),
            Value::Int(_) => None,
        }
    }
}

impl fmt::Display for Value {
    /// The value as `multipath -t` prints it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(i) => write!(f, "{i}"),
            Value::Word(s) => write!(f, "\"{}\"", s.replace('"', "\"\"")),
            Value::Bare(s) => f.write_str(s),
        }
    }
}

/// Why a value was rejected. The keyword keeps its previous value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueError {
    Invalid {
        value: String,
        expected: &'static str,
    },
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueError::Invalid { value, expected } => {
                write!(f, "invalid value \"{value}\" (expected {expected})")
            }
        }
    }
}

/// The outcome of parsing one value: the value (`None`: the keyword is
/// explicitly unset, e.g. `dev_loss_tmo 0`), plus a warning when it was
/// accepted only after adjustment (clamped into range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub value: Option<Value>,
    pub warning: Option<String>,
}

impl Parsed {
    fn ok(value: Value) -> Self {
        Parsed {
            value: Some(value),
            warning: None,
        }
    }
    fn unset() -> Self {
        Parsed {
            value: None,
            warning: None,
        }
    }
}

fn invalid(value: &str, expected: &'static str) -> ValueError {
    ValueError::Invalid {
        value: value.to_string(),
        expected,
    }
}

/// Parse a decimal integer the way the reference does for a whole token:
/// surrounding white space and a `+` sign allowed, digits only, nothing after.
/// Saturates on overflow.
pub fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim_matches(|c: char| c.is_ascii_whitespace());
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match t.trim_start_matches('+').parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => Some(if t.starts_with('-') {
            i64::MIN
        } else {
            i64::MAX
        }),
    }
}

fn clamp(v: i64, min: i64, max: i64) -> Parsed {
    let c = v.clamp(min, max);
    Parsed {
        value: Some(Value::Int(c)),
        warning: match c.cmp(&v) {
            std::cmp::Ordering::Greater => Some(format!("value {v} too small, using {c}")),
            std::cmp::Ordering::Less => Some(format!("value {v} too large, using {c}")),
            std::cmp::Ordering::Equal => None,
        },
    }
}

/// Like [`clamp`], but a (clamped) zero means "unset".
fn clamp_zero_unset(v: i64, min: i64) -> Parsed {
    let mut p = clamp(v, min, i32::MAX as i64);
    if p.value == Some(Value::Int(0)) {
        p.value = None;
    }
    p
}

fn count_prefixed(s: &str, index: usize) -> bool {
    // The word at `index` must be the number of words after it.
    let words: Vec<&str> = s.split_ascii_whitespace().collect();
    match words.get(index).and_then(|w| w.parse::<usize>().ok()) {
        Some(n) => words.len() == index + 1 + n,
        None => false,
    }
}

/// Numeric id of user `name` in a passwd-style file (`name:x:id:...`).
fn lookup_id(file: &str, name: &str) -> Option<i64> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        (f.next()? == name).then_some(())?;
        f.nth(1)?.parse().ok()
    })
}

/// Leading decimal digits of `s` (`-` allowed), wrapped to 32 bits like C's
/// `strtoul` into an unsigned int.
fn leading_u32(s: &str) -> Option<u32> {
    let (neg, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return None;
    }
    let v = digits.bytes().fold(0u64, |acc, d| {
        acc.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
    });
    let v = v as u32;
    Some(if neg { v.wrapping_neg() } else { v })
}

/// Transport names accepted by `overrides { protocol { type ... } }`.
pub const PROTOCOLS: &[&str] = &[
    "scsi:fcp",
    "scsi:spi",
    "scsi:ssa",
    "scsi:sbp",
    "scsi:srp",
    "scsi:iscsi",
    "scsi:sas",
    "scsi:adt",
    "scsi:ata",
    "scsi:unspec",
    "nvme:pcie",
    "nvme:rdma",
    "nvme:fc",
    "nvme:tcp",
    "nvme:loop",
    "nvme:apple-nvme",
    "nvme:unspec",
    "ccw",
    "cciss",
    "undef",
];

/// Parse the value `s` of a keyword of kind `kind`.
pub fn parse(kind: Kind, s: &str) -> Result<Parsed, ValueError> {
    let word = |w: &str| Ok(Parsed::ok(Value::word(w)));
    let bare = |w: &str| Ok(Parsed::ok(Value::Bare(w.to_string())));
    let int = |expected| parse_int(s).ok_or_else(|| invalid(s, expected));
    match kind {
        Kind::Int { min, max } => Ok(clamp(int("a number")?, min, max)),
        Kind::IntZeroUnset { min } => Ok(clamp_zero_unset(int("a number")?, min)),
        Kind::PollingInterval => match parse_int(s) {
            Some(v) if v > 0 && !s.trim_start().starts_with('+') => {
                Ok(clamp(v, 1, i32::MAX as i64))
            }
            _ => Err(invalid(s, "a positive number of seconds")),
        },
        Kind::MaxPollingInterval => match parse_int(s) {
            Some(0) => Ok(Parsed::unset()),
            Some(v) if v > 0 => Ok(clamp(v, 1, i32::MAX as i64)),
            _ => Err(invalid(s, "a positive number of seconds")),
        },
        Kind::FindMultipathsTimeout => match int("a number")? {
            0 => Ok(Parsed::unset()),
            v => Ok(clamp(v, i32::MIN as i64, i32::MAX as i64)),
        },
        Kind::Bool => match s {
            "yes" | "1" => word("yes"),
            "no" | "0" => word("no"),
            _ => Err(invalid(s, "yes or no")),
        },
        Kind::Choice(choices) => choices
            .iter()
            .find(|(accepted, _)| *accepted == s)
            .map(|(_, stored)| Parsed::ok(Value::word(*stored)))
            .ok_or_else(|| invalid(s, "one of the listed values")),
        Kind::PgPolicy => crate::keywords::PGPOLICIES
            .iter()
            .find(|p| s.starts_with(**p))
            .map(|p| Parsed::ok(Value::word(*p)))
            .ok_or_else(|| invalid(s, "a path grouping policy")),
        Kind::ProtocolType => match PROTOCOLS.contains(&s) {
            true => word(s),
            false => Err(invalid(
                s,
                "a protocol such as scsi:fcp, scsi:iscsi, nvme:tcp",
            )),
        },
        Kind::Str | Kind::Regex => word(s),
        Kind::Features | Kind::HwHandler => {
            if count_prefixed(s, 0) {
                word(s)
            } else {
                Err(invalid(s, "\"<count> <word>...\" with a matching count"))
            }
        }
        Kind::Selector => {
            if count_prefixed(s, 1) {
                word(s)
            } else {
                Err(invalid(
                    s,
                    "\"<selector> <count> [args]\" with a matching count",
                ))
            }
        }
        Kind::Failback => match s {
            "manual" | "immediate" | "followover" => word(s),
            _ => match int("manual, immediate, followover or seconds")? {
                v if v <= 0 => Ok(Parsed {
                    value: None,
                    warning: (v < 0).then(|| format!("value {v} too small, unset")),
                }),
                v => Ok(clamp(v, 1, i32::MAX as i64)),
            },
        },
        Kind::NoPathRetry => match s {
            "fail" | "queue" => word(s),
            _ => match int("fail, queue or a retry count")? {
                0 => word("fail"),
                v => Ok(clamp(v, 1, i32::MAX as i64)),
            },
        },
        Kind::OffOrInt => match s {
            "off" => bare("off"),
            _ => match int("off or seconds")? {
                0 => Ok(Parsed::ok(Value::Int(0))),
                v => Ok(clamp(v, 1, i32::MAX as i64)),
            },
        },
        Kind::MaxRetries => match s {
            "off" => bare("off"),
            _ => match int("off or 0 to 5")? {
                0 => Ok(Parsed::ok(Value::Int(0))),
                v => Ok(clamp(v, 1, 5)),
            },
        },
        Kind::DevLossTmo => match s {
            "infinity" => word("infinity"),
            _ => {
                let v = int("infinity or seconds")?;
                // Stored as an unsigned 32-bit number, as the reference does.
                let w = v.rem_euclid(1 << 32) as u32;
                Ok(match w {
                    0 => Parsed::unset(),
                    u32::MAX => Parsed::ok(Value::word("infinity")),
                    w => Parsed::ok(Value::Int(i64::from(w))),
                })
            }
        },
        Kind::NoOrInt => match s {
            "no" => word("no"),
            _ => match int("no or a positive number")? {
                0 => word("no"),
                v => Ok(clamp(v, 1, i32::MAX as i64)),
            },
        },
        Kind::Mode => {
            let digits: String = s.chars().take_while(|c| ('0'..='7').contains(c)).collect();
            match i64::from_str_radix(&digits, 8) {
                Ok(v) if (0..=0o777).contains(&v) => bare(&format!("0{v:o}")),
                _ => Err(invalid(s, "an octal mode up to 0777")),
            }
        }
        Kind::Uid | Kind::Gid => {
            // The reference looks both up as user names, then as numbers.
            let id = lookup_id("/etc/passwd", s).map(|v| v as u32).or_else(|| {
                s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
                    .then(|| leading_u32(s))
                    .flatten()
            });
            match id {
                Some(v) => bare(&format!("0{v:o}")),
                None => Err(invalid(s, "a known user name or a number")),
            }
        }
        Kind::UidAttrs => {
            if s.trim().is_empty() {
                return Ok(Parsed::unset());
            }
            match s.split_ascii_whitespace().find(|rec| !rec.contains(':')) {
                None => bare(s),
                Some(_) => Err(invalid(s, "\"subsystem:ATTRIBUTE ...\" records")),
            }
        }
        Kind::ReservationKey => {
            if s == "file" {
                return word("file");
            }
            let (key, suffix) = match s.split_once(':') {
                Some((k, suf)) => (k, Some(suf)),
                None => (s, None),
            };
            let (hex, prefixed) = match key.strip_prefix("0x").or_else(|| key.strip_prefix("0X")) {
                Some(h) => (h, true),
                None => (key, false),
            };
            let aptpl = suffix == Some("aptpl");
            match u64::from_str_radix(hex, 16) {
                Ok(v)
                    if (v != 0 || prefixed) && hex.len() <= 16 && !hex.starts_with(['+', '-']) =>
                {
                    bare(&format!("0x{v:x}{}", if aptpl { ":aptpl" } else { "" }))
                }
                _ => Err(invalid(
                    s,
                    "up to 16 hex digits, optionally :aptpl, or file",
                )),
            }
        }
        // 0 is kept (not unset): it must also switch off the built-in "max".
        Kind::MaxFds => match s {
            "max" => word("max"),
            _ => Ok(clamp(int("max or a number")?, 0, i32::MAX as i64)),
        },
        Kind::VpdVendor => match s {
            "hp3par" => word(s),
            _ => Err(invalid(s, "hp3par")),
        },
        Kind::NoSlash => {
            if s.contains('/') {
                Err(invalid(s, "a string without '/'"))
            } else {
                word(s)
            }
        }
        Kind::Ignored | Kind::Section(_) => word(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_clamp() {
        let p = parse(Kind::Int { min: 0, max: 4 }, "9").unwrap();
        assert_eq!(p.value, Some(Value::Int(4)));
        assert!(p.warning.is_some());
        assert!(parse(Kind::Int { min: 0, max: 4 }, "x").is_err());
    }

    #[test]
    fn display_quotes_words() {
        assert_eq!(Value::Int(-10).to_string(), "-10");
        assert_eq!(Value::word("a\"b").to_string(), "\"a\"\"b\"");
    }

    #[test]
    fn counted_strings() {
        assert!(parse(Kind::Features, "2 pg_init_retries 50").is_ok());
        assert!(parse(Kind::Features, "1 a b").is_err());
        assert!(parse(Kind::Selector, "service-time 0").is_ok());
        assert!(parse(Kind::Selector, "round-robin 1").is_err());
    }
}
