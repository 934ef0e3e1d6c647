//! The daemon proper.
