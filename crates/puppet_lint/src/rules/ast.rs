//! What the rules that read Puppet's AST share: the definitions and resources the visitor
//! shows them, and the tokens their problems are reported at (puppet-lint's positions).

use puppet_syntax::ast::{AttributeOp, DefinitionKind, Expr, ExprKind, NamedDefinition, ResourceBody};
use puppet_syntax::visit::Node;

use crate::context::Context;
use crate::token::{TokenId, TokenKind};

/// A class or defined type (puppet-lint's `class_indexes + defined_type_indexes`; functions
/// and plans are not its business), with its keyword token.
pub struct Definition<'a> {
    pub expr: &'a Expr,
    pub definition: &'a NamedDefinition,
    /// `class` or `define`.
    pub keyword: TokenId,
}

impl Definition<'_> {
    pub fn is_class(&self) -> bool {
        self.definition.kind == DefinitionKind::Class
    }

    /// `class` or `defined type`, as puppet-lint's messages say.
    pub fn what(&self) -> &'static str {
        if self.is_class() {
            "class"
        } else {
            "defined type"
        }
    }

    /// The token of the name after the keyword.
    pub fn name_token(&self, ctx: &Context<'_, '_>) -> Option<TokenId> {
        ctx.tokens.next_code(self.keyword)
    }

    /// The token after `inherits` (the parent class), when the class has one.
    pub fn parent_token(&self, ctx: &Context<'_, '_>) -> Option<TokenId> {
        self.definition.parent_class.as_ref()?;
        let inherits = ctx.token_of_kind(self.expr.span.start, self.expr.span.end, TokenKind::Inherits)?;
        ctx.tokens.next_code(inherits)
    }
}

/// The class or defined type a node is, if it is one.
pub fn definition<'a>(ctx: &Context<'_, '_>, node: Node<'a>) -> Option<Definition<'a>> {
    let expr = node.expr()?;
    let ExprKind::Definition(definition) = &expr.kind else { return None };
    if !matches!(definition.kind, DefinitionKind::Class | DefinitionKind::Define) {
        return None;
    }
    let keyword = ctx.first_token(expr.span).filter(|token| matches!(ctx.tokens.kind(*token), TokenKind::Class | TokenKind::Define))?;
    Some(Definition { expr, definition, keyword })
}

/// A resource body with the type of its resource (`file` for `file { 'x': }`), as the
/// visitor shows it: the resource is the body's parent.
pub fn resource_body<'a>(node: Node<'a>, ancestors: &[Node<'a>]) -> Option<(&'a ResourceBody, &'a str)> {
    let Node::ResourceBody(body) = node else { return None };
    let resource = ancestors.last()?.expr()?;
    let ExprKind::Resource { type_name, .. } = &resource.kind else { return None };
    let ExprKind::QualifiedName(name) = &type_name.kind else { return None };
    Some((body, name))
}

/// The `name => value` operations of a body, in order.
pub fn attributes(body: &ResourceBody) -> impl Iterator<Item = (&AttributeOp, &str, &Expr)> {
    body.operations.iter().filter_map(|operation| match operation {
        AttributeOp::Set { name, value, .. } => Some((operation, name.as_str(), value)),
        AttributeOp::Splat { .. } => None,
    })
}
