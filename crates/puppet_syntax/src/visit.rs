//! The public visitor over the typed AST: every node Puppet's model contains, its children
//! in Puppet's order, and a walk that calls a [`Visitor`] on entering and leaving each node.
//!
//! A rule or an evaluator names the node kinds it wants ([`NodeKind`], [`KindSet`]) instead
//! of growing one large `match`: a linter builds a table from kind to the rules that want
//! it once, walks each tree once, and calls only those rules.
//!
//! The walk keeps its own stack on the heap, so a 100,000-deep tree does not overflow the
//! thread's stack.

use crate::ast::*;
use crate::span::Span;

/// What a [`Visitor`] tells the walk after entering a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Walk {
    /// Visit the node's children, then leave it.
    #[default]
    Children,
    /// Do not visit the node's children; `leave` is still called.
    SkipChildren,
}

/// Receives the nodes of a tree in a pre-order walk (the order Puppet's validator walks).
/// `ancestors` are the nodes from the root down to the node's parent.
pub trait Visitor<'a> {
    fn enter(&mut self, node: Node<'a>, ancestors: &[Node<'a>]) -> Walk;

    fn leave(&mut self, _node: Node<'a>, _ancestors: &[Node<'a>]) {}
}

/// Walks the whole program: the [`Node::Program`] first, then every node below it.
pub fn walk<'a, V: Visitor<'a> + ?Sized>(program: &'a Program, visitor: &mut V) {
    walk_from(Node::Program(program), visitor);
}

/// Walks `root` and every node below it.
pub fn walk_from<'a, V: Visitor<'a> + ?Sized>(root: Node<'a>, visitor: &mut V) {
    let mut ancestors: Vec<Node<'a>> = Vec::new();
    // One frame per node in `ancestors`: its children not visited yet.
    let mut pending: Vec<std::vec::IntoIter<Node<'a>>> = Vec::new();
    let mut next = Some(root);
    loop {
        if let Some(node) = next.take() {
            match visitor.enter(node, &ancestors) {
                Walk::Children => {
                    ancestors.push(node);
                    pending.push(node.children().into_iter());
                }
                Walk::SkipChildren => visitor.leave(node, &ancestors),
            }
        }
        let Some(frame) = pending.last_mut() else { return };
        match frame.next() {
            Some(child) => next = Some(child),
            None => {
                pending.pop();
                if let Some(node) = ancestors.pop() {
                    visitor.leave(node, &ancestors);
                }
            }
        }
    }
}

/// Every node a [`Visitor`] can see, one variant per [`ExprKind`] plus the objects between
/// expressions (parameters, hash entries, case options, attribute operations, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum NodeKind {
    Program,
    Parameter,
    KeyedEntry,
    SelectorEntry,
    CaseOption,
    /// `name => value` or `name +> value`.
    AttributeSet,
    /// `* => hash`.
    AttributeSplat,
    ResourceBody,
    Query,
    Nop,
    LiteralString,
    LiteralInteger,
    LiteralFloat,
    LiteralBoolean,
    LiteralUndef,
    LiteralDefault,
    LiteralRegex,
    QualifiedName,
    QualifiedReference,
    ReservedWord,
    Variable,
    ConcatenatedString,
    Text,
    Heredoc,
    LiteralList,
    LiteralHash,
    Access,
    NamedAccess,
    Unary,
    Binary,
    Selector,
    Block,
    If,
    Unless,
    Case,
    Call,
    Lambda,
    Resource,
    ResourceDefaults,
    ResourceOverride,
    Collect,
    Definition,
    /// `node name { }` (an [`ExprKind::Node`]).
    NodeDefinition,
    TypeAlias,
    TypeMapping,
    TypeDefinition,
    Apply,
    Epp,
    RenderString,
    Render,
}

impl NodeKind {
    /// The kind of an expression.
    pub fn of_expr(kind: &ExprKind) -> NodeKind {
        match kind {
            ExprKind::Nop => Self::Nop,
            ExprKind::LiteralString(_) => Self::LiteralString,
            ExprKind::LiteralInteger { .. } => Self::LiteralInteger,
            ExprKind::LiteralFloat(_) => Self::LiteralFloat,
            ExprKind::LiteralBoolean(_) => Self::LiteralBoolean,
            ExprKind::LiteralUndef => Self::LiteralUndef,
            ExprKind::LiteralDefault => Self::LiteralDefault,
            ExprKind::LiteralRegex(_) => Self::LiteralRegex,
            ExprKind::QualifiedName(_) => Self::QualifiedName,
            ExprKind::QualifiedReference(_) => Self::QualifiedReference,
            ExprKind::ReservedWord { .. } => Self::ReservedWord,
            ExprKind::Variable(_) => Self::Variable,
            ExprKind::ConcatenatedString(_) => Self::ConcatenatedString,
            ExprKind::Text(_) => Self::Text,
            ExprKind::Heredoc { .. } => Self::Heredoc,
            ExprKind::LiteralList(_) => Self::LiteralList,
            ExprKind::LiteralHash(_) => Self::LiteralHash,
            ExprKind::Access { .. } => Self::Access,
            ExprKind::NamedAccess { .. } => Self::NamedAccess,
            ExprKind::Unary { .. } => Self::Unary,
            ExprKind::Binary { .. } => Self::Binary,
            ExprKind::Selector { .. } => Self::Selector,
            ExprKind::Block(_) => Self::Block,
            ExprKind::If { .. } => Self::If,
            ExprKind::Unless { .. } => Self::Unless,
            ExprKind::Case { .. } => Self::Case,
            ExprKind::Call(_) => Self::Call,
            ExprKind::Lambda(_) => Self::Lambda,
            ExprKind::Resource { .. } => Self::Resource,
            ExprKind::ResourceDefaults { .. } => Self::ResourceDefaults,
            ExprKind::ResourceOverride { .. } => Self::ResourceOverride,
            ExprKind::Collect { .. } => Self::Collect,
            ExprKind::Definition(_) => Self::Definition,
            ExprKind::Node { .. } => Self::NodeDefinition,
            ExprKind::TypeAlias { .. } => Self::TypeAlias,
            ExprKind::TypeMapping { .. } => Self::TypeMapping,
            ExprKind::TypeDefinition { .. } => Self::TypeDefinition,
            ExprKind::Apply { .. } => Self::Apply,
            ExprKind::Epp { .. } => Self::Epp,
            ExprKind::RenderString(_) => Self::RenderString,
            ExprKind::Render(_) => Self::Render,
        }
    }
}

/// A set of [`NodeKind`]s, for a rule to say which nodes it wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct KindSet(u64);

impl KindSet {
    pub const EMPTY: KindSet = KindSet(0);
    pub const ALL: KindSet = KindSet(u64::MAX);

    pub const fn of(kinds: &[NodeKind]) -> KindSet {
        let mut bits = 0u64;
        let mut index = 0;
        while index < kinds.len() {
            bits |= 1 << kinds[index] as u8;
            index += 1;
        }
        KindSet(bits)
    }

    pub const fn contains(self, kind: NodeKind) -> bool {
        self.0 & (1 << kind as u8) != 0
    }

    #[must_use]
    pub const fn union(self, other: KindSet) -> KindSet {
        KindSet(self.0 | other.0)
    }
}

/// Anything Puppet's model contains: expressions and the objects between them.
#[derive(Debug, Clone, Copy)]
pub enum Node<'a> {
    Program(&'a Program),
    Expr(&'a Expr),
    Parameter(&'a Parameter),
    KeyedEntry(&'a KeyedEntry),
    SelectorEntry(&'a SelectorEntry),
    CaseOption(&'a CaseOption),
    AttributeOp(&'a AttributeOp),
    ResourceBody(&'a ResourceBody),
    /// The `<| |>` of a collection: whether exported, and its expression.
    Query(bool, Option<&'a Expr>),
}

impl<'a> Node<'a> {
    pub fn kind(self) -> NodeKind {
        match self {
            Node::Program(_) => NodeKind::Program,
            Node::Expr(expr) => NodeKind::of_expr(&expr.kind),
            Node::Parameter(_) => NodeKind::Parameter,
            Node::KeyedEntry(_) => NodeKind::KeyedEntry,
            Node::SelectorEntry(_) => NodeKind::SelectorEntry,
            Node::CaseOption(_) => NodeKind::CaseOption,
            Node::AttributeOp(AttributeOp::Set { .. }) => NodeKind::AttributeSet,
            Node::AttributeOp(AttributeOp::Splat { .. }) => NodeKind::AttributeSplat,
            Node::ResourceBody(_) => NodeKind::ResourceBody,
            Node::Query(..) => NodeKind::Query,
        }
    }

    /// Where the node is in its file; a query without an expression has no span of its own
    /// and gives an empty one.
    pub fn span(self) -> Span {
        match self {
            Node::Program(program) => program.body.span,
            Node::Expr(expr) => expr.span,
            Node::Parameter(parameter) => parameter.span,
            Node::KeyedEntry(entry) => entry.span,
            Node::SelectorEntry(entry) => entry.span,
            Node::CaseOption(option) => option.span,
            Node::AttributeOp(operation) => operation.span(),
            Node::ResourceBody(body) => body.span,
            Node::Query(_, expr) => expr.map_or_else(Span::default, |expr| expr.span),
        }
    }

    pub fn expr(self) -> Option<&'a Expr> {
        match self {
            Node::Expr(expr) => Some(expr),
            _ => None,
        }
    }

    /// The contained objects in Puppet's order (`_pcore_all_contents`): mostly source
    /// order, but a parameter's default comes before its type, and a node's parent before
    /// its names.
    pub fn children(self) -> Vec<Node<'a>> {
        let mut out = Vec::new();
        let exprs = |out: &mut Vec<Node<'a>>, list: &'a [Expr]| out.extend(list.iter().map(Node::Expr));
        match self {
            Node::Program(program) => out.push(Node::Expr(&program.body)),
            Node::Parameter(parameter) => {
                out.extend(parameter.value.iter().map(Node::Expr));
                out.extend(parameter.type_expr.iter().map(Node::Expr));
            }
            Node::KeyedEntry(entry) => out.extend([Node::Expr(&entry.key), Node::Expr(&entry.value)]),
            Node::SelectorEntry(entry) => out.extend([Node::Expr(&entry.matching), Node::Expr(&entry.value)]),
            Node::CaseOption(option) => {
                exprs(&mut out, &option.values);
                out.extend(option.then_expr.iter().map(Node::Expr));
            }
            Node::AttributeOp(AttributeOp::Set { value, .. }) => out.push(Node::Expr(value)),
            Node::AttributeOp(AttributeOp::Splat { expr, .. }) => out.push(Node::Expr(expr)),
            Node::ResourceBody(body) => {
                out.push(Node::Expr(&body.title));
                out.extend(body.operations.iter().map(Node::AttributeOp));
            }
            Node::Query(_, expr) => out.extend(expr.map(Node::Expr)),
            Node::Expr(expr) => match &expr.kind {
                ExprKind::Variable(inner)
                | ExprKind::Text(inner)
                | ExprKind::Render(inner)
                | ExprKind::Unary { expr: inner, .. }
                | ExprKind::Heredoc { text: inner, .. } => out.push(Node::Expr(inner)),
                ExprKind::ConcatenatedString(list) | ExprKind::LiteralList(list) | ExprKind::Block(list) => exprs(&mut out, list),
                ExprKind::LiteralHash(entries) => out.extend(entries.iter().map(Node::KeyedEntry)),
                ExprKind::Access { left, keys } => {
                    out.push(Node::Expr(left));
                    exprs(&mut out, keys);
                }
                ExprKind::NamedAccess { left, right } | ExprKind::Binary { left, right, .. } => {
                    out.extend([Node::Expr(left), Node::Expr(right)]);
                }
                ExprKind::Selector { left, entries } => {
                    out.push(Node::Expr(left));
                    out.extend(entries.iter().map(Node::SelectorEntry));
                }
                ExprKind::If { test, then_expr, else_expr } | ExprKind::Unless { test, then_expr, else_expr } => {
                    out.push(Node::Expr(test));
                    out.extend(then_expr.as_deref().map(Node::Expr));
                    out.extend(else_expr.as_deref().map(Node::Expr));
                }
                ExprKind::Case { test, options } => {
                    out.push(Node::Expr(test));
                    out.extend(options.iter().map(Node::CaseOption));
                }
                ExprKind::Call(call) => {
                    out.push(Node::Expr(&call.functor));
                    exprs(&mut out, &call.arguments);
                    out.extend(call.lambda.iter().map(Node::Expr));
                }
                ExprKind::Lambda(lambda) => {
                    out.extend(lambda.parameters.iter().map(Node::Parameter));
                    out.extend(lambda.body.iter().map(Node::Expr));
                    out.extend(lambda.return_type.iter().map(Node::Expr));
                }
                ExprKind::Resource { type_name, bodies, .. } => {
                    out.push(Node::Expr(type_name));
                    out.extend(bodies.iter().map(Node::ResourceBody));
                }
                ExprKind::ResourceDefaults { type_ref: target, operations, .. }
                | ExprKind::ResourceOverride { resources: target, operations, .. } => {
                    out.push(Node::Expr(target));
                    out.extend(operations.iter().map(Node::AttributeOp));
                }
                ExprKind::Collect { type_expr, exported, query, operations, .. } => {
                    out.push(Node::Expr(type_expr));
                    out.push(Node::Query(*exported, query.as_deref()));
                    out.extend(operations.iter().map(Node::AttributeOp));
                }
                ExprKind::Definition(definition) => {
                    out.extend(definition.parameters.iter().map(Node::Parameter));
                    out.extend(definition.body.iter().map(Node::Expr));
                    out.extend(definition.return_type.iter().map(Node::Expr));
                }
                ExprKind::Node { host_matches, parent, body } => {
                    out.extend(parent.as_deref().map(Node::Expr));
                    exprs(&mut out, host_matches);
                    out.extend(body.as_deref().map(Node::Expr));
                }
                ExprKind::TypeAlias { type_expr, .. } => out.push(Node::Expr(type_expr)),
                ExprKind::TypeMapping { type_expr, mapping_expr } => {
                    out.extend([Node::Expr(type_expr), Node::Expr(mapping_expr)]);
                }
                ExprKind::TypeDefinition { body, .. } | ExprKind::Epp { body, .. } => out.extend(body.as_deref().map(Node::Expr)),
                ExprKind::Apply { arguments, body } => {
                    exprs(&mut out, arguments);
                    out.push(Node::Expr(body));
                }
                leaf => debug_assert!(leaf.is_leaf(), "{leaf:?} has children"),
            },
        }
        out
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    /// Records what the walk shows: `+Kind` on entering, `-Kind` on leaving, with the depth.
    #[derive(Default)]
    struct Recorder {
        wanted: KindSet,
        seen: Vec<String>,
        skip: Option<NodeKind>,
    }

    impl<'a> Visitor<'a> for Recorder {
        fn enter(&mut self, node: Node<'a>, ancestors: &[Node<'a>]) -> Walk {
            if self.wanted.contains(node.kind()) {
                self.seen.push(format!("{}+{:?}", ancestors.len(), node.kind()));
            }
            if self.skip == Some(node.kind()) {
                Walk::SkipChildren
            } else {
                Walk::Children
            }
        }

        fn leave(&mut self, node: Node<'a>, ancestors: &[Node<'a>]) {
            if self.wanted.contains(node.kind()) {
                self.seen.push(format!("{}-{:?}", ancestors.len(), node.kind()));
            }
        }
    }

    fn record(code: &str, wanted: KindSet, skip: Option<NodeKind>) -> Vec<String> {
        let parsed = crate::parse(code);
        assert!(!parsed.has_errors(), "{:?}", parsed.errors);
        let mut recorder = Recorder { wanted, seen: Vec::new(), skip };
        walk(&parsed.program, &mut recorder);
        recorder.seen
    }

    #[test]
    fn walks_in_puppet_order_with_ancestors() {
        let seen = record(
            "class a(String $x = 'd') { file { '/t': ensure => $x } }",
            KindSet::of(&[NodeKind::Definition, NodeKind::Parameter, NodeKind::Resource, NodeKind::AttributeSet, NodeKind::Variable, NodeKind::LiteralString]),
            None,
        );
        // A parameter's default comes before its type in Puppet's model.
        assert_eq!(
            seen,
            [
                "1+Definition", "2+Parameter", "3+LiteralString", "3-LiteralString", "2-Parameter",
                // Definition > Block > Resource > ResourceBody > title and attributes.
                "3+Resource", "5+LiteralString", "5-LiteralString", "5+AttributeSet", "6+Variable", "6-Variable",
                "5-AttributeSet", "3-Resource", "1-Definition",
            ]
        );
    }

    #[test]
    fn skipped_children_are_not_visited_but_the_node_is_left() {
        let seen = record("if $a { notice($b) } $c = 1", KindSet::of(&[NodeKind::If, NodeKind::Variable, NodeKind::Call]), Some(NodeKind::If));
        // `$c` sits in Program > Block > assignment.
        assert_eq!(seen, ["2+If", "2-If", "3+Variable", "3-Variable"]);
    }

    #[test]
    fn kind_sets() {
        let set = KindSet::of(&[NodeKind::Program, NodeKind::Render]);
        assert!(set.contains(NodeKind::Program) && set.contains(NodeKind::Render));
        assert!(!set.contains(NodeKind::Call));
        assert!(KindSet::ALL.contains(NodeKind::Render) && !KindSet::EMPTY.contains(NodeKind::Program));
        assert!(set.union(KindSet::of(&[NodeKind::Call])).contains(NodeKind::Call));
    }

    #[test]
    fn deep_trees_do_not_overflow_the_stack() {
        let depth = 20_000;
        let code = format!("$x = {}1{}", "[".repeat(depth), "]".repeat(depth));
        let parsed = crate::parse(&code);
        assert!(!parsed.has_errors());
        let mut recorder = Recorder { wanted: KindSet::of(&[NodeKind::LiteralList]), ..Recorder::default() };
        // A small stack: the walk keeps its own on the heap.
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn_scoped(scope, || walk(&parsed.program, &mut recorder))
                .expect("a thread")
                .join()
                .expect("the walk does not overflow");
        });
        assert_eq!(recorder.seen.len(), 2 * depth);
    }
}
