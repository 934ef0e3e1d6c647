//! multipath.conf syntax: tokenizer, keyword table, typed values, the section
//! tree with line/column spans, and a lossless line editor for tools that
//! rewrite the file (`mpathconf`).
//!
//! This crate knows nothing about devices; the config model that merges
//! sections lives in the core library.

pub mod diag;
pub mod edit;
pub mod keywords;
pub mod lexer;
pub mod parse;
pub mod value;

pub use diag::{Diagnostic, Severity};
pub use keywords::{Kind, Section};
pub use parse::{parse_bytes, parse_str, Block, Document, Entry, Node};
pub use value::Value;
