//! `--fix`: applies the rules' fixes the way puppet-lint does (check by check, on the
//! token list, then renders the tokens back to text), and keeps a fix only when
//!
//! - the text still parses,
//! - its AST is the AST before the fix apart from the node the fix meant to change (a
//!   fix of how code is written, [`FixKind::Format`], must not change the AST at all).
//!
//! Fixes of different rules may rewrite the same code in turn (`"true"` becomes `'true'`,
//! then `true`), as in puppet-lint; a rule whose fix would go wrong after another's says
//! so itself (`top_scope_facts` after `legacy_facts`).
//!
//! A fix that fails one of these is undone and its problem keeps its kind, with the
//! reason in [`Problem::reason`].

use std::collections::{HashMap, HashSet};

use puppet_syntax::ast::{AttributeOp, ExprKind, Program};
use puppet_syntax::visit::Node;
use puppet_syntax::Parse;

use crate::rule::{FixKind, Kind, NoFix, Problem};
use crate::rules::RULES;
use crate::token::{TokenId, Tokens};

/// The text a token list renders to, and where each token is in it.
struct Rendered {
    text: String,
    spans: HashMap<TokenId, (u32, u32)>,
    order: Vec<TokenId>,
}

fn render(tokens: &Tokens<'_>) -> Rendered {
    let mut text = String::new();
    let mut spans = HashMap::with_capacity(tokens.len());
    for id in tokens.ids() {
        let start = text.len() as u32;
        text.push_str(&tokens.manifest(*id));
        spans.insert(*id, (start, text.len() as u32));
    }
    Rendered { text, spans, order: tokens.ids().to_vec() }
}

/// A state of the file that parses: its tokens rendered and parsed.
struct State<'a> {
    tokens: Tokens<'a>,
    rendered: Rendered,
    parse: Parse,
}

/// Applies the fixes of the problems, in order; returns the fixed text when it differs
/// from `source`. Problems fixed become [`Kind::Fixed`]; a refused fix keeps its kind and
/// says why in `reason`.
pub fn apply(source: &str, original: &Parse, tokens: Tokens<'_>, problems: &mut [Problem]) -> Option<String> {
    let fixable = |problem: &Problem| problem.kind != Kind::Ignored && problem.check != "syntax" && problem.fix.is_some();
    if !problems.iter().any(fixable) {
        return None;
    }
    let rendered = render(&tokens);
    // puppet-lint writes its tokens back even where no fix changed them; where that alone
    // changes the code (a `//` comment, CR LF line ends inside a string), no fix is safe.
    let parse = if rendered.text == source { None } else { Some(puppet_syntax::parse(&rendered.text)) };
    if let Some(parse) = &parse {
        if parse.has_errors() || !same_tree(&original.program, &parse.program, None) {
            for problem in problems.iter_mut().filter(|problem| fixable(problem)) {
                problem.reason = Some(
                    "fix refused: puppet-lint's rendering of this file changes its code (a `//` comment, line ends inside a string, ...)".to_string(),
                );
            }
            return None;
        }
    }
    let parse = parse.unwrap_or_else(|| puppet_syntax::parse(&rendered.text));
    let mut state = State { tokens, rendered, parse };

    let mut start = 0;
    while start < problems.len() {
        let rule = problems[start].rule;
        let end = problems[start..].iter().position(|problem| problem.rule != rule).map_or(problems.len(), |offset| start + offset);
        let group = &mut problems[start..end];
        start = end;
        if !group.iter().any(fixable) {
            continue;
        }
        if RULES[rule].meta().fix == FixKind::Format && apply_layout_group(&mut state, rule, group) {
            continue;
        }
        for problem in group.iter_mut().filter(|problem| fixable(problem)) {
            apply_one(&mut state, rule, problem);
        }
    }
    let text = state.rendered.text;
    (text != source).then_some(text)
}

/// All the fixes of a formatting rule at once: kept when the AST does not change at all.
fn apply_layout_group(state: &mut State<'_>, rule: usize, group: &mut [Problem]) -> bool {
    let mut tokens = state.tokens.clone();
    let mut fixed = Vec::new();
    for (index, problem) in group.iter().enumerate() {
        if problem.kind == Kind::Ignored || problem.fix.is_none() {
            continue;
        }
        let snapshot = tokens.clone();
        match RULES[rule].fix(&mut tokens, problem) {
            Ok(()) => fixed.push(index),
            Err(_) => tokens = snapshot,
        }
    }
    let rendered = render(&tokens);
    let parse = puppet_syntax::parse(&rendered.text);
    if parse.has_errors() || !same_tree(&state.parse.program, &parse.program, None) {
        return false;
    }
    for index in fixed {
        group[index].kind = Kind::Fixed;
    }
    *state = State { tokens, rendered, parse };
    true
}

/// One fix, checked on its own.
fn apply_one(state: &mut State<'_>, rule: usize, problem: &mut Problem) {
    let meta = RULES[rule].meta();
    let mut tokens = state.tokens.clone();
    match RULES[rule].fix(&mut tokens, problem) {
        Ok(()) => {}
        Err(NoFix::NotFixable) => return,
        Err(NoFix::Refused(reason)) => {
            problem.reason = Some(format!("fix refused: {reason}"));
            return;
        }
    }
    let rendered = render(&tokens);
    if rendered.text == state.rendered.text {
        problem.kind = Kind::Fixed;
        state.tokens = tokens;
        return;
    }
    let touched = touched(&state.tokens, &state.rendered, &tokens, &rendered);
    let parse = puppet_syntax::parse(&rendered.text);
    if let Some(error) = parse.errors.first() {
        problem.reason = Some(format!("fix refused: the fixed code would not parse ({} at line {})", error.message, error.span.line));
        return;
    }
    let regions = match meta.fix {
        FixKind::Rewrite => Some((hull(&touched, &state.rendered), hull(&touched, &rendered))),
        FixKind::Format | FixKind::None => None,
    };
    if !same_tree(&state.parse.program, &parse.program, regions) {
        problem.reason = Some(
            match meta.fix {
                FixKind::Format => "fix refused: it would change what the code means, not only how it is written",
                _ => "fix refused: it would change the code beyond what it fixes",
            }
            .to_string(),
        );
        return;
    }
    problem.kind = Kind::Fixed;
    *state = State { tokens, rendered, parse };
}

/// The tokens a fix changed: rendered differently, removed, added, or moved (their
/// predecessor changed); an added token marks its successor too, so the place it was
/// added at has a position in the old text.
fn touched(before: &Tokens<'_>, old: &Rendered, after: &Tokens<'_>, new: &Rendered) -> HashSet<TokenId> {
    let old_ids: HashSet<TokenId> = old.order.iter().copied().collect();
    let new_ids: HashSet<TokenId> = new.order.iter().copied().collect();
    let old_prev: HashMap<TokenId, Option<TokenId>> = old.order.iter().enumerate().map(|(index, id)| (*id, index.checked_sub(1).map(|prev| old.order[prev]))).collect();
    let mut touched = HashSet::new();
    for id in old_ids.difference(&new_ids) {
        touched.insert(*id);
    }
    for (index, id) in new.order.iter().enumerate() {
        let prev = index.checked_sub(1).map(|prev| new.order[prev]);
        if !old_ids.contains(id) {
            touched.insert(*id);
            if let Some(next) = new.order.get(index + 1) {
                touched.insert(*next);
            }
            continue;
        }
        if old_prev.get(id) != Some(&prev) || before.manifest(*id) != after.manifest(*id) {
            touched.insert(*id);
        }
    }
    touched
}

/// The byte range covering the touched tokens present in a rendering.
fn hull(touched: &HashSet<TokenId>, rendered: &Rendered) -> (u32, u32) {
    let spans: Vec<(u32, u32)> = touched.iter().filter_map(|id| rendered.spans.get(id).copied()).collect();
    let start = spans.iter().map(|span| span.0).min().unwrap_or(0);
    let end = spans.iter().map(|span| span.1).max().unwrap_or(start);
    (start, end)
}

/// The child positions from the root to the deepest node containing `region`.
fn path_to(program: &Program, region: (u32, u32)) -> Vec<usize> {
    let mut path = Vec::new();
    let mut node = Node::Program(program);
    loop {
        let children = node.children();
        let inside = children.iter().position(|child| {
            let span = child.span();
            span.start <= region.0 && region.1 <= span.end && !(span.start == span.end && region.0 != region.1)
        });
        let Some(index) = inside else { return path };
        path.push(index);
        node = children[index];
    }
}

/// Are two trees the same, spans aside? With regions (`old`, `new`), the deepest nodes
/// containing each (taken at the place both paths share) may differ.
fn same_tree(old: &Program, new: &Program, regions: Option<((u32, u32), (u32, u32))>) -> bool {
    let skip = regions.map(|(old_region, new_region)| {
        let old_path = path_to(old, old_region);
        let new_path = path_to(new, new_region);
        old_path.iter().zip(&new_path).take_while(|(a, b)| a == b).map(|(a, _)| *a).collect::<Vec<usize>>()
    });
    let mut pending: Vec<(Node<'_>, Node<'_>, Vec<usize>)> = vec![(Node::Program(old), Node::Program(new), Vec::new())];
    while let Some((a, b, path)) = pending.pop() {
        if skip.as_ref() == Some(&path) {
            continue;
        }
        if label(a) != label(b) {
            return false;
        }
        let (left, right) = (a.children(), b.children());
        if left.len() != right.len() {
            return false;
        }
        for (index, (left, right)) in left.into_iter().zip(right).enumerate() {
            let mut child_path = path.clone();
            child_path.push(index);
            pending.push((left, right, child_path));
        }
    }
    true
}

/// What a node is apart from its children and its place: its kind and its own values.
fn label(node: Node<'_>) -> String {
    match node {
        Node::Program(_) => "program".to_string(),
        Node::Parameter(parameter) => {
            format!("parameter {} {} {} {}", parameter.name, parameter.captures_rest, parameter.value.is_some(), parameter.type_expr.is_some())
        }
        Node::KeyedEntry(_) => "keyed".to_string(),
        Node::SelectorEntry(_) => "selector entry".to_string(),
        Node::CaseOption(option) => format!("case option {}", option.then_expr.is_some()),
        Node::AttributeOp(AttributeOp::Set { name, append, .. }) => format!("attribute {name} {append}"),
        Node::AttributeOp(AttributeOp::Splat { .. }) => "splat".to_string(),
        Node::ResourceBody(_) => "body".to_string(),
        Node::Query(exported, query) => format!("query {exported} {}", query.is_some()),
        Node::Expr(expr) => match &expr.kind {
            ExprKind::LiteralString(text) | ExprKind::RenderString(text) => format!("string {text:?}"),
            ExprKind::LiteralInteger { value, radix } => format!("integer {value} {radix}"),
            ExprKind::LiteralFloat(value) => format!("float {}", value.to_bits()),
            ExprKind::LiteralBoolean(value) => format!("boolean {value}"),
            ExprKind::LiteralRegex(source) => format!("regex {source:?}"),
            ExprKind::QualifiedName(name) => format!("name {name}"),
            ExprKind::QualifiedReference(name) => format!("reference {name}"),
            ExprKind::ReservedWord { word, future } => format!("reserved {word} {future}"),
            ExprKind::Heredoc { syntax, .. } => format!("heredoc {syntax:?}"),
            ExprKind::Unary { op, .. } => format!("unary {op:?}"),
            ExprKind::Binary { op, .. } => format!("binary {op:?}"),
            ExprKind::If { then_expr, else_expr, .. } => format!("if {} {}", then_expr.is_some(), else_expr.is_some()),
            ExprKind::Unless { then_expr, else_expr, .. } => format!("unless {} {}", then_expr.is_some(), else_expr.is_some()),
            ExprKind::Call(call) => format!("call {:?} {} {}", call.kind, call.rval_required, call.lambda.is_some()),
            ExprKind::Lambda(lambda) => format!("lambda {} {}", lambda.body.is_some(), lambda.return_type.is_some()),
            ExprKind::Resource { form, .. } => format!("resource {form:?}"),
            ExprKind::ResourceDefaults { form, .. } => format!("defaults {form:?}"),
            ExprKind::ResourceOverride { form, .. } => format!("override {form:?}"),
            ExprKind::Collect { exported, .. } => format!("collect {exported}"),
            ExprKind::Definition(definition) => format!(
                "definition {:?} {} {:?} {} {}",
                definition.kind,
                definition.name,
                definition.parent_class,
                definition.body.is_some(),
                definition.return_type.is_some()
            ),
            ExprKind::Node { parent, body, .. } => format!("node {} {}", parent.is_some(), body.is_some()),
            ExprKind::TypeAlias { name, .. } => format!("type alias {name}"),
            ExprKind::TypeDefinition { name, parent, body } => format!("type definition {name} {parent:?} {}", body.is_some()),
            ExprKind::Epp { parameters_specified, body } => format!("epp {parameters_specified} {}", body.is_some()),
            other => format!("{:?}", puppet_syntax::visit::NodeKind::of_expr(other)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(code: &str) -> Program {
        let parsed = puppet_syntax::parse(code);
        assert!(!parsed.has_errors(), "{:?}", parsed.errors);
        parsed.program
    }

    #[test]
    fn layout_does_not_change_the_tree() {
        assert!(same_tree(&tree("file { 'a': ensure => file, mode => '0644' }"), &tree("file { 'a':\n  ensure => file,\n  mode   => '0644',\n}\n"), None));
        assert!(!same_tree(&tree("$a = 'x '"), &tree("$a = 'x'"), None));
        assert!(!same_tree(&tree("$a = \"\\u00e9\""), &tree("$a = '\\u00e9'"), None));
    }

    #[test]
    fn a_node_fix_may_change_the_node_it_fixes_only() {
        let old = tree("notify { foo: message => bar }");
        let new = tree("notify { 'foo': message => bar }");
        // The title `foo` (bytes 9..12) became `'foo'` (bytes 9..14).
        assert!(same_tree(&old, &new, Some(((9, 12), (9, 14)))));
        let elsewhere = tree("notify { 'foo': message => baz }");
        assert!(!same_tree(&old, &elsewhere, Some(((9, 12), (9, 14)))));
    }

    #[test]
    fn the_guide_finds_puppets_regexes() {
        let program = tree("$x = { 'a' => /b/ }\nif $y =~ // {}\n");
        assert_eq!(crate::lexer::regex_starts(&program), vec![14, 29]);
    }
}
