//! Linting one file: parse it (a file Puppet cannot parse gets its syntax error and
//! nothing else), lex it as puppet-lint does, run the enabled rules in one pass over the
//! tokens, apply control comments, and with `--fix` apply and check the fixes.

use puppet_syntax::visit::{walk, KindSet, Node, Visitor, Walk};

use crate::context::{problem, Context};
use crate::control;
use crate::fix;
use crate::lexer;
use crate::rule::{Kind, Problem, RuleMeta};
use crate::rules::RULES;
use crate::settings::Settings;
use crate::token::{TokenKind, TOKEN_KIND_COUNT};

/// What linting one file found.
#[derive(Debug, Default)]
pub struct FileLint {
    /// Problems in puppet-lint's order: by check, then as each check found them.
    pub problems: Vec<Problem>,
    /// With `--fix`: the fixed text, when it differs from the file.
    pub fixed: Option<String>,
    /// Control comment warnings (puppet-lint prints them on stderr).
    pub warnings: Vec<String>,
}

impl FileLint {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|problem| problem.kind == Kind::Error)
    }

    pub fn has_warnings(&self) -> bool {
        self.problems.iter().any(|problem| problem.kind == Kind::Warning)
    }
}

/// The metadata of the `syntax` pseudo-check puppet-lint reports parse failures under.
pub static SYNTAX: RuleMeta = RuleMeta {
    name: "syntax",
    category: "syntax",
    default_enabled: true,
    level: crate::rule::Level::Error,
    fix: crate::rule::FixKind::None,
    summary: "the file must parse",
    docs: "",
    tokens: crate::token::TokenKindSet::EMPTY,
    nodes: crate::rule::NO_NODES,
    file: false,
    uses_resources: false,
};

fn syntax_problem(message: impl Into<String>, line: u32, column: u32) -> FileLint {
    FileLint { problems: vec![problem(&SYNTAX, message, line, column)], ..FileLint::default() }
}

/// The rules that want each token kind, built once per run.
pub struct Dispatch {
    by_kind: Vec<Vec<usize>>,
    file_rules: Vec<usize>,
    /// Rules that want AST nodes, with the kinds they want.
    node_rules: Vec<(usize, KindSet)>,
    uses_resources: bool,
}

impl Dispatch {
    pub fn new(settings: &Settings) -> Self {
        let mut by_kind = vec![Vec::new(); TOKEN_KIND_COUNT];
        let mut file_rules = Vec::new();
        let mut node_rules = Vec::new();
        let mut uses_resources = false;
        for (index, rule) in RULES.iter().enumerate() {
            if !settings.enabled[index] {
                continue;
            }
            let meta = rule.meta();
            if meta.file {
                file_rules.push(index);
            }
            if meta.nodes != KindSet::EMPTY {
                node_rules.push((index, meta.nodes));
            }
            uses_resources |= meta.uses_resources;
            for kind in TokenKind::ALL {
                if meta.tokens.contains(kind) {
                    by_kind[kind as usize].push(index);
                }
            }
        }
        Dispatch { by_kind, file_rules, node_rules, uses_resources }
    }
}

/// Lints the text of a `.pp` file. `path` is the path as given, `fullpath` the absolute
/// one (for `autoloader_layout`).
pub fn lint_source(source: &str, path: &str, fullpath: &str, settings: &Settings, dispatch: &Dispatch) -> FileLint {
    let parsed = puppet_syntax::parse(source);
    if let Some(error) = parsed.errors.first() {
        return syntax_problem(error.message.clone(), error.span.line, error.span.column);
    }
    let guide = lexer::Guide::new(&parsed.program);
    let tokens = match lexer::tokenise_guided(source, &guide) {
        Ok(tokens) => tokens,
        Err(err) => return syntax_problem(err.message(), err.line, err.column),
    };
    let ctx = Context::new(path, fullpath, source, tokens, &parsed.program, settings);
    if dispatch.uses_resources {
        if let Err(err) = ctx.resource_indexes() {
            let token = ctx.tokens.get(err.token);
            return syntax_problem("Syntax error", token.line, token.column);
        }
    }

    let mut problems = Vec::new();
    for index in &dispatch.file_rules {
        let before = problems.len();
        RULES[*index].check_file(&ctx, &mut problems);
        mark(&mut problems[before..], *index);
    }
    if !dispatch.node_rules.is_empty() {
        // A walk meets a chain `a -> b -> c` at its last arrow first: what the AST rules
        // find is reported in the order of the file.
        let mut found = Vec::new();
        let mut nodes = NodeDispatch { ctx: &ctx, rules: &dispatch.node_rules, problems: &mut found };
        walk(&parsed.program, &mut nodes);
        found.sort_by_key(|problem| (problem.rule, problem.line, problem.column));
        problems.extend(found);
    }
    for id in ctx.tokens.ids() {
        for index in &dispatch.by_kind[ctx.tokens.kind(*id) as usize] {
            let before = problems.len();
            RULES[*index].check_token(&ctx, *id, &mut problems);
            mark(&mut problems[before..], *index);
        }
    }
    // puppet-lint's order: by check, each check's problems as it found them.
    problems.sort_by_key(|problem| problem.rule);

    let overrides = control::parse(&ctx.tokens);
    for problem in &mut problems {
        if problem.check == "syntax" {
            continue;
        }
        if let Some(reason) = overrides.reason(problem.check, problem.line) {
            problem.kind = Kind::Ignored;
            problem.reason = Some(reason.to_string());
        }
    }

    let mut result = FileLint { problems, fixed: None, warnings: overrides.warnings };
    if settings.fix && !result.problems.iter().any(|problem| problem.check == "syntax") {
        let Context { tokens, .. } = ctx;
        result.fixed = fix::apply(source, &parsed, tokens, &mut result.problems);
    }
    result
}

/// Calls the rules that want each node, in one walk of the tree.
struct NodeDispatch<'c, 'src, 'run> {
    ctx: &'c Context<'src, 'run>,
    rules: &'c [(usize, KindSet)],
    problems: &'c mut Vec<Problem>,
}

impl<'a> Visitor<'a> for NodeDispatch<'_, '_, '_> {
    fn enter(&mut self, node: Node<'a>, ancestors: &[Node<'a>]) -> Walk {
        let kind = node.kind();
        for (index, kinds) in self.rules {
            if kinds.contains(kind) {
                let before = self.problems.len();
                RULES[*index].check_node(self.ctx, node, ancestors, self.problems);
                mark(&mut self.problems[before..], *index);
            }
        }
        Walk::Children
    }
}

fn mark(problems: &mut [Problem], rule: usize) {
    for problem in problems {
        problem.rule = rule;
    }
}
