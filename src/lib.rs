//! Core library of the multipath-tools replacement.
