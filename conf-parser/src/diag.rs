//! Diagnostics: every problem in a configuration, with where it is.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Warning,
    Error,
    /// The reference refuses the whole configuration over this problem
    /// ("error parsing config file"), so tools do too.
    Fatal,
}

/// One problem found in a configuration file. `line` and `col` are 1-based;
/// `col` is 0 when the problem concerns the whole line or file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub file: String,
    pub line: u32,
    pub col: u32,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    /// `file:line: message`, the form printed on stderr by every tool.
    pub fn short(&self) -> String {
        if self.line == 0 {
            format!("{}: {}", self.file, self.message)
        } else {
            format!("{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:col: severity: message`, used by `multipath --check-config`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Fatal => "fatal",
        };
        match (self.line, self.col) {
            (0, _) => write!(f, "{}: {sev}: {}", self.file, self.message),
            (l, 0) => write!(f, "{}:{l}: {sev}: {}", self.file, self.message),
            (l, c) => write!(f, "{}:{l}:{c}: {sev}: {}", self.file, self.message),
        }
    }
}
