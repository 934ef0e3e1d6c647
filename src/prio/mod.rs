//! Prioritizers: the priority of a path (const, sysfs, alua, ...).
