//! What a rule sees of one file: its path, text, lines and tokens, puppet-lint's token
//! indexes (computed once, on first use), and the settings of the run.

use std::cell::OnceCell;

use puppet_syntax::ast::Program;
use puppet_syntax::Span;

use crate::data::{self, DefinitionIndex, IndexError, ResourceIndex};
use crate::rule::{Kind, Problem, RuleMeta};
use crate::settings::Settings;
use crate::token::{TokenId, TokenKind, Tokens};

pub struct Context<'src, 'run> {
    /// The path as given (puppet-lint's `path`).
    pub path: &'run str,
    /// The absolute path (puppet-lint's `fullpath`).
    pub fullpath: &'run str,
    pub source: &'src str,
    /// The text split on `\n` (puppet-lint's `manifest_lines`).
    pub lines: Vec<&'src str>,
    pub tokens: Tokens<'src>,
    /// Puppet's reading of the file (it parsed: a file that does not is not linted).
    pub program: &'run Program,
    pub settings: &'run Settings,
    resources: OnceCell<Result<Vec<ResourceIndex>, IndexError>>,
    classes: OnceCell<Vec<DefinitionIndex>>,
    defines: OnceCell<Vec<DefinitionIndex>>,
}

impl<'src, 'run> Context<'src, 'run> {
    pub fn new(path: &'run str, fullpath: &'run str, source: &'src str, tokens: Tokens<'src>, program: &'run Program, settings: &'run Settings) -> Self {
        Context {
            path,
            fullpath,
            source,
            lines: source.split('\n').collect(),
            tokens,
            program,
            settings,
            resources: OnceCell::new(),
            classes: OnceCell::new(),
            defines: OnceCell::new(),
        }
    }

    /// Resource bodies (`resource_indexes`); `Err` where puppet-lint raises its syntax error.
    pub fn resource_indexes(&self) -> Result<&[ResourceIndex], IndexError> {
        match self.resources.get_or_init(|| data::resource_indexes(&self.tokens)) {
            Ok(indexes) => Ok(indexes),
            Err(err) => Err(*err),
        }
    }

    /// Resource bodies, or none where puppet-lint would have stopped with a syntax error
    /// (the runner reports that error before any rule runs).
    pub fn resources(&self) -> &[ResourceIndex] {
        self.resource_indexes().unwrap_or(&[])
    }

    pub fn class_indexes(&self) -> &[DefinitionIndex] {
        self.classes.get_or_init(|| data::definition_indexes(&self.tokens, TokenKind::Class))
    }

    pub fn defined_type_indexes(&self) -> &[DefinitionIndex] {
        self.defines.get_or_init(|| data::definition_indexes(&self.tokens, TokenKind::Define))
    }

    /// Classes, then defined types (puppet-lint's `class_indexes + defined_type_indexes`).
    pub fn classes_and_defines(&self) -> impl Iterator<Item = &DefinitionIndex> {
        self.class_indexes().iter().chain(self.defined_type_indexes())
    }

    /// The first token at or after a byte offset (tokens are in source order while the
    /// rules run): the token an AST node starts with.
    pub fn token_at(&self, offset: u32) -> Option<TokenId> {
        let ids = self.tokens.ids();
        let index = ids.partition_point(|id| self.tokens.get(*id).offset < offset);
        ids.get(index).copied()
    }

    /// The first token of a node.
    pub fn first_token(&self, span: Span) -> Option<TokenId> {
        self.token_at(span.start)
    }

    /// The first token of `kind` from `offset` on, before `end`.
    pub fn token_of_kind(&self, offset: u32, end: u32, kind: TokenKind) -> Option<TokenId> {
        let ids = self.tokens.ids();
        let start = ids.partition_point(|id| self.tokens.get(*id).offset < offset);
        ids[start..].iter().copied().take_while(|id| self.tokens.get(*id).offset < end).find(|id| self.tokens.kind(*id) == kind)
    }

    /// A problem at a token's line and column.
    pub fn problem_at(&self, meta: &'static RuleMeta, message: impl Into<String>, token: TokenId) -> Problem {
        let token = self.tokens.get(token);
        problem(meta, message, token.line, token.column)
    }
}

/// A problem of a rule at a line and column, of the rule's level.
pub fn problem(meta: &'static RuleMeta, message: impl Into<String>, line: u32, column: u32) -> Problem {
    Problem {
        rule: 0,
        check: meta.name,
        kind: Kind::from(meta.level),
        message: message.into(),
        line,
        column,
        reason: None,
        fix: None,
    }
}
