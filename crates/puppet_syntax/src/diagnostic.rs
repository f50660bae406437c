//! Problems found in Puppet code: syntax errors and the checker's findings, each with
//! Puppet's issue code, Puppet's message and where Puppet reports it.

use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Puppet refuses the code.
    Error,
    /// Puppet accepts the code but warns.
    Warning,
    /// Puppet warns that the code will stop working.
    Deprecation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Puppet's issue code, e.g. `SYNTAX_ERROR`, `ILLEGAL_ASSIGNMENT`.
    pub code: &'static str,
    pub message: String,
    /// Where Puppet reports it: `line` and `column` are what Puppet prints.
    pub span: Span,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Self { severity: Severity::Error, code, message: message.into(), span }
    }

    pub fn warning(code: &'static str, message: impl Into<String>, span: Span) -> Self {
        Self { severity: Severity::Warning, code, message: message.into(), span }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.span.line, self.span.column, self.message)
    }
}
