//! What a rule is: its metadata (puppet-lint's check name, default state, severity, fix),
//! what it wants to see (token kinds, AST node kinds, or the whole file), its check and
//! its fix. One file per rule in `rules/`, each declared with [`declare_rule!`].

use std::any::Any;

use puppet_syntax::visit::{KindSet, Node};

use crate::context::Context;
use crate::token::{TokenId, TokenKindSet, Tokens};

/// How bad a problem is, as puppet-lint's `kind` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warning,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// What `--fix` does for a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixKind {
    /// No fix: puppet-lint has none.
    None,
    /// Changes how the code is written, not what it is (whitespace, comments, quotes): the
    /// AST must stay exactly the same.
    Format,
    /// Changes the flagged node (quotes a title, rewrites a fact): the AST must stay the
    /// same everywhere else.
    Rewrite,
}

impl FixKind {
    pub fn describe(self) -> &'static str {
        match self {
            FixKind::None => "none",
            FixKind::Format => "safe (only how the code is written changes, not its AST)",
            FixKind::Rewrite => "safe (rewrites the flagged code only; refused when anything else would change)",
        }
    }
}

/// A rule's fixed facts.
#[derive(Debug)]
pub struct RuleMeta {
    /// puppet-lint's check name (`--only-checks`, `lint:ignore:<name>`, `--no-<name>-check`).
    pub name: &'static str,
    /// puppet-lint's group of the check (`check_whitespace`, `check_resources`, ...).
    pub category: &'static str,
    /// On unless disabled (puppet-lint disables a few by default).
    pub default_enabled: bool,
    pub level: Level,
    pub fix: FixKind,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// The documentation (the rule's doc comment: What it does, Why, Example, Use instead, Fix).
    pub docs: &'static str,
    /// What the rule wants to see: tokens of these kinds (puppet-lint's reading), AST nodes
    /// of these kinds (Puppet's reading).
    pub tokens: TokenKindSet,
    pub nodes: KindSet,
    /// The rule looks at the whole file once ([`Rule::check_file`]).
    pub file: bool,
    /// The rule reads `resource_indexes` (their failure is puppet-lint's syntax error).
    pub uses_resources: bool,
}

/// A problem a rule found: puppet-lint's problem hash.
#[derive(Debug)]
pub struct Problem {
    /// Index of the rule in [`crate::rules::RULES`].
    pub rule: usize,
    pub check: &'static str,
    pub kind: Kind,
    pub message: String,
    pub line: u32,
    pub column: u32,
    /// The control comment's reason for an ignored problem; why a fix was refused.
    pub reason: Option<String>,
    /// What the rule's fix needs (the token, columns, ...).
    pub fix: Option<Box<dyn Any + Send + Sync>>,
}

impl Problem {
    /// Attaches what the rule's fix needs.
    #[must_use]
    pub fn with_fix<T: Any + Send + Sync>(mut self, data: T) -> Self {
        self.fix = Some(Box::new(data));
        self
    }

    /// What the rule's fix needs, as the rule attached it.
    pub fn fix_data<T: Any>(&self) -> Option<&T> {
        self.fix.as_ref()?.downcast_ref()
    }
}

/// What became of a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Error,
    Warning,
    /// `--fix` fixed it.
    Fixed,
    /// A control comment says to ignore it.
    Ignored,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Error => "error",
            Kind::Warning => "warning",
            Kind::Fixed => "fixed",
            Kind::Ignored => "ignored",
        }
    }
}

impl From<Level> for Kind {
    fn from(level: Level) -> Kind {
        match level {
            Level::Error => Kind::Error,
            Level::Warning => Kind::Warning,
        }
    }
}

/// Why a fix was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoFix {
    /// puppet-lint does not fix this one either (its `PuppetLint::NoFix`).
    NotFixable,
    /// puppet-lint would fix it, but the result would be wrong; the reason says why.
    Refused(String),
}

pub type FixResult = Result<(), NoFix>;

/// A lint rule. Implementations are unit structs declared with [`declare_rule!`].
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;

    /// Called once per file when `meta().file` is set.
    fn check_file(&self, _ctx: &Context<'_, '_>, _out: &mut Vec<Problem>) {}

    /// Called for every token whose kind is in `meta().tokens`, in file order.
    fn check_token(&self, _ctx: &Context<'_, '_>, _token: TokenId, _out: &mut Vec<Problem>) {}

    /// Called for every AST node whose kind is in `meta().nodes`, in Puppet's order, with
    /// the nodes above it (root first).
    fn check_node(&self, _ctx: &Context<'_, '_>, _node: Node<'_>, _ancestors: &[Node<'_>], _out: &mut Vec<Problem>) {}

    /// Applies the fix of one problem to the tokens, as puppet-lint's `fix` does.
    fn fix(&self, _tokens: &mut Tokens<'_>, _problem: &Problem) -> FixResult {
        Err(NoFix::NotFixable)
    }
}

/// Declares a rule: its doc comment (kept as [`RuleMeta::docs`]), the unit struct, and
/// its metadata.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub struct TrailingWhitespace => RuleMeta { name: "trailing_whitespace", .. }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    ($(#[doc = $doc:expr])* pub struct $name:ident; $meta:expr) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $name {
            /// The rule's documentation, from its doc comment.
            pub const DOCS: &'static str = concat!($($doc, "\n"),*);
            pub const META: $crate::rule::RuleMeta = $meta;
        }
    };
}

/// The empty sets, for rules that want no tokens or no nodes.
pub const NO_TOKENS: TokenKindSet = TokenKindSet::EMPTY;
pub const NO_NODES: KindSet = KindSet::EMPTY;
