//! A set of keyword values for one section or subsection.

use conf_parser::Value;

/// Keyword values of one section, in the order they were set. Setting a
/// keyword again replaces its value (the last one in the file wins).
#[derive(Debug, Clone, Default, Eq)]
pub struct Attrs {
    items: Vec<(&'static str, Value)>,
}

impl Attrs {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.items.iter().find(|(k, _)| *k == name).map(|(_, v)| v)
    }

    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    pub fn set(&mut self, name: &'static str, value: Value) {
        match self.items.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.items.push((name, value)),
        }
    }

    pub fn remove(&mut self, name: &str) {
        self.items.retain(|(k, _)| *k != name);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &Value)> {
        self.items.iter().map(|(k, v)| (*k, v))
    }

    /// Fill every keyword unset here from `older` (used when a later entry
    /// absorbs an earlier identical one).
    pub fn fill_from(&mut self, older: &Attrs) {
        for (k, v) in &older.items {
            if self.get(k).is_none() {
                self.items.push((k, v.clone()));
            }
        }
    }
}

impl PartialEq for Attrs {
    /// The same keywords with the same values, in any order.
    fn eq(&self, other: &Self) -> bool {
        self.items.len() == other.items.len()
            && self.items.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}
