//! Path grouping policies: which paths share a priority group.

use super::PathFacts;

/// `path_grouping_policy` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PgPolicy {
    Failover,
    Multibus,
    GroupBySerial,
    GroupByPrio,
    GroupByNodeName,
    GroupByTpg,
}

impl PgPolicy {
    pub const ALL: [PgPolicy; 6] = [
        PgPolicy::Failover,
        PgPolicy::Multibus,
        PgPolicy::GroupBySerial,
        PgPolicy::GroupByPrio,
        PgPolicy::GroupByNodeName,
        PgPolicy::GroupByTpg,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PgPolicy::Failover => "failover",
            PgPolicy::Multibus => "multibus",
            PgPolicy::GroupBySerial => "group_by_serial",
            PgPolicy::GroupByPrio => "group_by_prio",
            PgPolicy::GroupByNodeName => "group_by_node_name",
            PgPolicy::GroupByTpg => "group_by_tpg",
        }
    }

    /// Exact policy name (the config parser has already normalised values).
    pub fn from_name(s: &str) -> Option<PgPolicy> {
        PgPolicy::ALL.into_iter().find(|p| p.name() == s)
    }

    /// Split `paths` (indices into `facts`, in discovery order) into groups;
    /// paths keep their order inside a group, groups are in order of their
    /// first path.
    pub fn group(self, facts: &[PathFacts]) -> Vec<Vec<usize>> {
        let idx = 0..facts.len();
        match self {
            PgPolicy::Failover => idx.map(|i| vec![i]).collect(),
            PgPolicy::Multibus => {
                if facts.is_empty() {
                    Vec::new()
                } else {
                    vec![idx.collect()]
                }
            }
            PgPolicy::GroupBySerial => by_key(facts, |f| f.dev.serial.clone()),
            PgPolicy::GroupByNodeName => by_key(facts, |f| f.dev.tgt_node_name.clone()),
            PgPolicy::GroupByPrio => by_key(facts, |f| f.prio),
            PgPolicy::GroupByTpg => by_key(facts, |f| f.tpg),
        }
    }
}

fn by_key<K: PartialEq>(facts: &[PathFacts], key: impl Fn(&PathFacts) -> K) -> Vec<Vec<usize>> {
    let mut keys: Vec<K> = Vec::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, f) in facts.iter().enumerate() {
        let k = key(f);
        match keys.iter().position(|x| *x == k) {
            Some(g) => groups[g].push(i),
            None => {
                keys.push(k);
                groups.push(vec![i]);
            }
        }
    }
    groups
}
