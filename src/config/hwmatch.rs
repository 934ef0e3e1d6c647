//! Which `devices` entries apply to a vendor/product/revision.
//!
//! Resolution asks this for every keyword of every path, and all paths of
//! one storage model ask the same question. So each entry's patterns are
//! compiled once per configuration (when first needed), and the answer is
//! kept per distinct vendor/product/revision. The cache belongs to the
//! [`Config`](super::Config) and is dropped whenever its table changes.

use super::attrs::Attrs;
use regex::Regex;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, OnceLock, RwLock};

/// One hardware-table pattern: a POSIX ERE, not anchored, case sensitive.
enum Pattern {
    /// No metacharacter at all: a substring search gives the same answer.
    Literal(String),
    Regex(Regex),
    /// Does not compile, so it never matches (as upstream).
    Never,
}

/// The characters that make a pattern more than a literal string.
const META: &[char] = &[
    '\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$',
];

impl Pattern {
    fn new(text: &str) -> Pattern {
        if !text.contains(META) {
            Pattern::Literal(text.to_string())
        } else {
            Regex::new(text).map_or(Pattern::Never, Pattern::Regex)
        }
    }

    fn matches(&self, s: &str) -> bool {
        match self {
            Pattern::Literal(l) => s.contains(l.as_str()),
            Pattern::Regex(r) => r.is_match(s),
            Pattern::Never => false,
        }
    }
}

/// The vendor, product and revision patterns of one entry, compiled on
/// first use (a product pattern only once some vendor matched).
#[derive(Default)]
struct Entry([OnceLock<Pattern>; 3]);

const FIELDS: [&str; 3] = ["vendor", "product", "revision"];

impl Entry {
    /// Field `i` of `attrs` matches `s`; a missing revision matches anything,
    /// a missing vendor or product nothing.
    fn field_matches(&self, attrs: &Attrs, i: usize, s: &str) -> bool {
        let Some(text) = attrs.get_str(FIELDS[i]) else {
            return i == 2;
        };
        self.0[i].get_or_init(|| Pattern::new(text)).matches(s)
    }

    fn matches(&self, attrs: &Attrs, model: [&str; 3]) -> bool {
        (0..3).all(|i| self.field_matches(attrs, i, model[i]))
    }
}

/// One vendor/product/revision seen, with the indices of its entries.
struct Model {
    key: [String; 3],
    entries: Arc<[usize]>,
}

/// The per-configuration match cache.
#[derive(Default)]
pub(crate) struct HwMatch {
    entries: OnceLock<Vec<Entry>>,
    hasher: RandomState,
    models: RwLock<HashMap<u64, Vec<Model>>>,
}

impl HwMatch {
    /// The indices into `table` of the entries matching `model` (vendor,
    /// product, revision), newest (highest index) first.
    pub(crate) fn matching(&self, table: &[Attrs], model: [&str; 3]) -> Arc<[usize]> {
        let hash = self.hasher.hash_one(model);
        let find = |models: &HashMap<u64, Vec<Model>>| {
            models
                .get(&hash)?
                .iter()
                .find(|m| m.key == model)
                .map(|m| m.entries.clone())
        };
        if let Some(found) = find(&self.models.read().unwrap_or_else(|e| e.into_inner())) {
            return found;
        }
        let entries = self
            .entries
            .get_or_init(|| table.iter().map(|_| Entry::default()).collect());
        let found: Arc<[usize]> = table
            .iter()
            .zip(entries)
            .enumerate()
            .rev()
            .filter(|(_, (attrs, e))| e.matches(attrs, model))
            .map(|(i, _)| i)
            .collect();
        let mut models = self.models.write().unwrap_or_else(|e| e.into_inner());
        let bucket = models.entry(hash).or_default();
        if !bucket.iter().any(|m| m.key == model) {
            bucket.push(Model {
                key: model.map(str::to_string),
                entries: found.clone(),
            });
        }
        found
    }
}

impl Clone for HwMatch {
    /// A copy starts empty (the copy's table may be changed).
    fn clone(&self) -> Self {
        HwMatch::default()
    }
}

impl std::fmt::Debug for HwMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HwMatch").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_and_regex_patterns_match_as_regexes_do() {
        for (pat, s) in [
            ("HP", "HPE"),
            ("HP", "COMPAQ"),
            ("", "x"),
            ("LUN C-Mode", "LUN C-Mode"),
            ("(COMPAQ|HP)", "COMPAQ"),
            ("^NVME", "xNVME"),
            ("MSA [12]0[4567]0", "MSA 2040 SAN"),
            ("a#b &~", "xa#b &~y"),
        ] {
            let want = Regex::new(pat).unwrap().is_match(s);
            assert_eq!(Pattern::new(pat).matches(s), want, "{pat} ~ {s}");
        }
        assert!(!Pattern::new("(unclosed").matches("(unclosed"));
    }
}
