//! The messages of Puppet's lexer and parser, in Puppet's words (`lib/puppet/pops/issues.rb`
//! of Puppet 7.23): one table, so that every syntax error puppet-ci reports from Puppet's
//! grammar reads as Puppet's does.

/// A syntax error Puppet raises while lexing or parsing, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    /// `on_error`: the token where the parser stopped (`'value'` or `end of input`).
    SyntaxError { at: Option<String> },
    UnclosedQuote { after: String, followed_by: String },
    UnclosedMlComment,
    IllegalNumber { value: String },
    InvalidHexNumber { value: String },
    InvalidOctalNumber { value: String },
    InvalidDecimalNumber { value: String },
    IllegalClassReference,
    IllegalFullyQualifiedClassReference,
    IllegalFullyQualifiedName,
    IllegalNameOrBareWord,
    HeredocUnclosedParenthesis { followed_by: String },
    HeredocInvalidSyntax,
    HeredocEmptyEndtag,
    HeredocMultipleAtEscapes { escapes: String },
    HeredocInvalidEscape { actual: String },
    HeredocWithoutText,
    HeredocWithoutEndTaggedLine,
    EppUnbalancedTag,
    EppUnbalancedComment,
    EppUnbalancedExpression,
    IllegalUnicodeEscape,
    /// Ruby's RegexpError for a regex that does not compile (no issue code in Puppet).
    Regexp { message: String },
    /// An error a grammar action raises (`error val[0], "..."` in egrammar.ra, and
    /// parser_support's transform_calls): the message as the action words it.
    Action { code: &'static str, message: String },
}

impl Issue {
    /// Puppet's issue code.
    pub fn code(&self) -> &'static str {
        match self {
            Issue::SyntaxError { .. } => "SYNTAX_ERROR",
            Issue::UnclosedQuote { .. } => "UNCLOSED_QUOTE",
            Issue::UnclosedMlComment => "UNCLOSED_MLCOMMENT",
            Issue::IllegalNumber { .. } => "ILLEGAL_NUMBER",
            Issue::InvalidHexNumber { .. } => "INVALID_HEX_NUMBER",
            Issue::InvalidOctalNumber { .. } => "INVALID_OCTAL_NUMBER",
            Issue::InvalidDecimalNumber { .. } => "INVALID_DECIMAL_NUMBER",
            Issue::IllegalClassReference => "ILLEGAL_CLASS_REFERENCE",
            Issue::IllegalFullyQualifiedClassReference => "ILLEGAL_FULLY_QUALIFIED_CLASS_REFERENCE",
            Issue::IllegalFullyQualifiedName => "ILLEGAL_FULLY_QUALIFIED_NAME",
            Issue::IllegalNameOrBareWord => "ILLEGAL_NAME_OR_BARE_WORD",
            Issue::HeredocUnclosedParenthesis { .. } => "HEREDOC_UNCLOSED_PARENTHESIS",
            Issue::HeredocInvalidSyntax => "HEREDOC_INVALID_SYNTAX",
            Issue::HeredocEmptyEndtag => "HEREDOC_EMPTY_ENDTAG",
            Issue::HeredocMultipleAtEscapes { .. } => "HEREDOC_MULTIPLE_AT_ESCAPES",
            Issue::HeredocInvalidEscape { .. } => "HEREDOC_INVALID_ESCAPE",
            Issue::HeredocWithoutText => "HEREDOC_WITHOUT_TEXT",
            Issue::HeredocWithoutEndTaggedLine => "HEREDOC_WITHOUT_END_TAGGED_LINE",
            Issue::EppUnbalancedTag => "EPP_UNBALANCED_TAG",
            Issue::EppUnbalancedComment => "EPP_UNBALANCED_COMMENT",
            Issue::EppUnbalancedExpression => "EPP_UNBALANCED_EXPRESSION",
            Issue::IllegalUnicodeEscape => "ILLEGAL_UNICODE_ESCAPE",
            Issue::Regexp { .. } => "INVALID_REGEX",
            Issue::Action { code, .. } => code,
        }
    }

    /// Puppet's message.
    pub fn message(&self) -> String {
        match self {
            Issue::SyntaxError { at: Some(value) } => format!("Syntax error at '{value}'"),
            Issue::SyntaxError { at: None } => "Syntax error at end of input".to_string(),
            Issue::UnclosedQuote { after, followed_by } => format!("Unclosed quote after {after} followed by '{followed_by}'"),
            Issue::UnclosedMlComment => "Unclosed multiline comment".to_string(),
            Issue::IllegalNumber { value } => format!("Illegal number '{value}'"),
            Issue::InvalidHexNumber { value } => format!("Not a valid hex number {value}"),
            Issue::InvalidOctalNumber { value } => format!("Not a valid octal number {value}"),
            Issue::InvalidDecimalNumber { value } => format!("Not a valid decimal number {value}"),
            Issue::IllegalClassReference => "Illegal class reference".to_string(),
            Issue::IllegalFullyQualifiedClassReference => "Illegal fully qualified class reference".to_string(),
            Issue::IllegalFullyQualifiedName => "Illegal fully qualified name".to_string(),
            Issue::IllegalNameOrBareWord => "Illegal name or bare word".to_string(),
            Issue::HeredocUnclosedParenthesis { followed_by } => {
                format!("Unclosed parenthesis after '@(' followed by '{followed_by}'")
            }
            Issue::HeredocInvalidSyntax => "Invalid syntax in heredoc expected @(endtag[:syntax][/escapes])".to_string(),
            Issue::HeredocEmptyEndtag => "Heredoc with an empty endtag".to_string(),
            Issue::HeredocMultipleAtEscapes { escapes } => format!("An escape char for @() may only appear once. Got '{escapes}'"),
            Issue::HeredocInvalidEscape { actual } => {
                format!("Invalid heredoc escape char. Only t, r, n, s,  u, L, $ allowed. Got '{actual}'")
            }
            Issue::HeredocWithoutText => "Heredoc without any following lines of text".to_string(),
            Issue::HeredocWithoutEndTaggedLine => "Heredoc without end-tagged line".to_string(),
            Issue::EppUnbalancedTag => "Unbalanced epp tag, reached <eof> without closing tag.".to_string(),
            Issue::EppUnbalancedComment => "Reaching end after opening <%# without seeing %>".to_string(),
            Issue::EppUnbalancedExpression => "Unbalanced embedded expression - opening <% and reaching end of input".to_string(),
            Issue::IllegalUnicodeEscape => {
                "Unicode escape '\\u' was not followed by 4 hex digits or 1-6 hex digits in {} or was > 10ffff".to_string()
            }
            Issue::Regexp { message } | Issue::Action { message, .. } => message.clone(),
        }
    }
}
