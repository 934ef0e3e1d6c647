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

    /// For boolean keywords: `yes` is true.
    pub fn is_yes(&self) -> bool {
        matches!(self, Value::Word(s) if s == "yes")
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
    Missing,
    Invalid {
        value: String,
        expected: &'static str,
    },
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueError::Missing => write!(f, "missing value"),
            ValueError::Invalid { value, expected } => {
                write!(f, "invalid value \"{value}\" (expected {expected})")
            }
        }
    }
}

/// The outcome of parsing one value: the value, plus a warning when it was
/// accepted only after adjustment (clamped into range).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub value: Value,
    pub warning: Option<String>,
}

impl Parsed {
    fn ok(value: Value) -> Self {
        Parsed {
            value,
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

/// Parse a decimal integer the way C's `strtol` does for a whole token:
/// optional sign, digits, nothing after.
pub fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Saturate like strtol on overflow.
    match t.parse::<i64>() {
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
        value: Value::Int(c),
        warning: (c != v).then(|| format!("value {v} out of range, using {c}")),
    }
}

fn count_prefixed(s: &str, index: usize) -> bool {
    // The word at `index` must be the number of words after it.
    let words: Vec<&str> = s.split_ascii_whitespace().collect();
    match words.get(index).and_then(|w| w.parse::<usize>().ok()) {
        Some(n) => words.len() == index + 1 + n,
        None => false,
    }
}

/// Numeric id of `name` in a passwd/group style file (`name:x:id:...`).
fn lookup_id(file: &str, name: &str) -> Option<i64> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().find_map(|l| {
        let mut f = l.split(':');
        (f.next()? == name).then_some(())?;
        f.nth(1)?.parse().ok()
    })
}

/// Parse the value `s` of a keyword of kind `kind`.
pub fn parse(kind: Kind, s: &str) -> Result<Parsed, ValueError> {
    let word = |w: &str| Ok(Parsed::ok(Value::word(w)));
    let bare = |w: &str| Ok(Parsed::ok(Value::Bare(w.to_string())));
    match kind {
        Kind::Int { min, max } => parse_int(s)
            .map(|v| clamp(v, min, max))
            .ok_or_else(|| invalid(s, "a number")),
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
        Kind::Str | Kind::Regex | Kind::HwHandler => word(s),
        Kind::Features => {
            if count_prefixed(s, 0) {
                word(s)
            } else {
                Err(invalid(s, "\"<count> <feature>...\" with a matching count"))
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
            _ => match parse_int(s) {
                Some(0) => word("immediate"),
                Some(v) if v > 0 => Ok(Parsed::ok(Value::Int(v))),
                _ => Err(invalid(s, "manual, immediate, followover or seconds")),
            },
        },
        Kind::NoPathRetry => match s {
            "fail" | "queue" => word(s),
            _ => match parse_int(s) {
                Some(0) => word("fail"),
                Some(v) if v > 0 => Ok(Parsed::ok(Value::Int(v))),
                _ => Err(invalid(s, "fail, queue or a retry count")),
            },
        },
        Kind::OffOrInt => match s {
            "off" => bare("off"),
            _ => match parse_int(s) {
                Some(v) if v >= 0 => Ok(Parsed::ok(Value::Int(v))),
                _ => Err(invalid(s, "off or seconds")),
            },
        },
        Kind::DevLossTmo => match s {
            "infinity" => word("infinity"),
            _ => match parse_int(s) {
                Some(v) if v >= 0 => Ok(Parsed::ok(Value::Int(v))),
                _ => Err(invalid(s, "infinity or seconds")),
            },
        },
        Kind::NoOrInt => match s {
            "no" => word("no"),
            _ => match parse_int(s) {
                Some(0) => word("no"),
                Some(v) if v > 0 => Ok(Parsed::ok(Value::Int(v))),
                _ => Err(invalid(s, "no or a positive number")),
            },
        },
        Kind::MaxRetries => match s {
            "off" => bare("off"),
            _ => match parse_int(s) {
                Some(v) if (0..=5).contains(&v) => Ok(Parsed::ok(Value::Int(v))),
                _ => Err(invalid(s, "off or 0 to 5")),
            },
        },
        Kind::Mode => match i64::from_str_radix(s, 8) {
            Ok(v) if (0..=0o777).contains(&v) => bare(&format!("0{v:o}")),
            _ => Err(invalid(s, "an octal mode up to 0777")),
        },
        Kind::Uid | Kind::Gid => {
            // A leading digit means a number, read as far as the digits go
            // (`01750` is decimal 1750, `0x10` is 0), else a name.
            let id = if s.starts_with(|c: char| c.is_ascii_digit()) {
                s.bytes()
                    .take_while(u8::is_ascii_digit)
                    .try_fold(0i64, |acc, d| {
                        acc.checked_mul(10)?.checked_add(i64::from(d - b'0'))
                    })
            } else {
                lookup_id(
                    if kind == Kind::Uid {
                        "/etc/passwd"
                    } else {
                        "/etc/group"
                    },
                    s,
                )
            };
            match id {
                Some(v) => bare(&format!("0{v:o}")),
                None => Err(invalid(s, "a known name or a number")),
            }
        }
        Kind::UidAttrs => {
            let bad = s
                .split_ascii_whitespace()
                .find(|rec| match rec.split_once(':') {
                    Some((sub, attr)) => sub.is_empty() || attr.is_empty(),
                    None => true,
                });
            match bad {
                None if !s.trim().is_empty() => bare(s),
                _ => Err(invalid(s, "\"subsystem:ATTRIBUTE ...\" records")),
            }
        }
        Kind::ReservationKey => {
            if s == "file" {
                return word("file");
            }
            let (key, aptpl) = match s.strip_suffix(":aptpl") {
                Some(k) => (k, true),
                None => (s, false),
            };
            let hex = key
                .strip_prefix("0x")
                .or_else(|| key.strip_prefix("0X"))
                .unwrap_or(key);
            match u64::from_str_radix(hex, 16) {
                Ok(v) if v != 0 && hex.len() <= 16 => {
                    bare(&format!("0x{v:x}{}", if aptpl { ":aptpl" } else { "" }))
                }
                _ => Err(invalid(
                    s,
                    "up to 16 hex digits, optionally :aptpl, or file",
                )),
            }
        }
        Kind::MaxFds => match s {
            "max" => word("max"),
            _ => match parse_int(s) {
                Some(v) if v > 0 => Ok(Parsed::ok(Value::Int(v))),
                _ => Err(invalid(s, "max or a number")),
            },
        },
        Kind::VpdVendor => match s {
            "hp3par" => word(s),
            _ => Err(invalid(s, "hp3par")),
        },
        Kind::Delimiter => {
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
        assert_eq!(p.value, Value::Int(4));
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
