//! Lossless line-based editing of a configuration file (used by `mpathconf`).
