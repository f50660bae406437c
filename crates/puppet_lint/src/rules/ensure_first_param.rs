//! `ensure_first_param`: `ensure` not the first attribute of a resource.

use puppet_syntax::visit::{KindSet, Node, NodeKind};

use super::ast;
use crate::context::Context;
use crate::rule::{FixKind, FixResult, Level, NoFix, Problem, Rule, RuleMeta, NO_TOKENS};
use crate::token::{TokenId, TokenKind, Tokens};

crate::declare_rule! {
    /// ## What it does
    /// Finds resources whose `ensure` attribute is not the first one.
    ///
    /// ## Why
    /// `ensure` says whether the resource exists at all; the style guide puts it first
    /// so it is read first.
    ///
    /// ## Example
    /// ```puppet
    /// file { '/etc/motd':
    ///   mode   => '0644',
    ///   ensure => file,
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```puppet
    /// file { '/etc/motd':
    ///   ensure => file,
    ///   mode   => '0644',
    /// }
    /// ```
    ///
    /// ## Fix
    /// Safe: swaps `ensure` with the first attribute. Refused where the swap would
    /// change any value (a heredoc attribute, whose text follows its line, or comments
    /// between the attributes).
    pub struct EnsureFirstParam;
    crate::rule::RuleMeta {
        name: "ensure_first_param",
        category: "check_resources",
        default_enabled: true,
        level: Level::Warning,
        fix: FixKind::Rewrite,
        summary: "ensure should be the first attribute of a resource",
        docs: Self::DOCS,
        tokens: NO_TOKENS,
        nodes: KindSet::of(&[NodeKind::ResourceBody]),
        file: false,
        uses_resources: false,
    }
}

/// The resource's attribute names.
struct Params(Vec<TokenId>);

impl Rule for EnsureFirstParam {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check_node(&self, ctx: &Context<'_, '_>, node: Node<'_>, ancestors: &[Node<'_>], out: &mut Vec<Problem>) {
        let Some((body, type_name)) = ast::resource_body(node, ancestors) else { return };
        if type_name == "class" {
            return;
        }
        let names: Vec<TokenId> = ast::attributes(body).filter_map(|(operation, _, _)| ctx.first_token(operation.span())).collect();
        let position = ast::attributes(body).position(|(_, name, _)| name == "ensure");
        let Some(position) = position.filter(|position| *position > 0) else { return };
        let Some(ensure) = names.get(position).copied() else { return };
        let problem = ctx.problem_at(&Self::META, "ensure found on line but it's not the first attribute", ensure);
        out.push(problem.with_fix(Params(names)));
    }

    fn fix(&self, tokens: &mut Tokens<'_>, problem: &Problem) -> FixResult {
        let Some(Params(params)) = problem.fix_data() else { return Err(NoFix::NotFixable) };
        let Some(first_name) = params.first().copied() else { return Err(NoFix::NotFixable) };
        let Some(first_comma) = tokens.next_token_of(first_name, &[TokenKind::Comma]) else { return Err(NoFix::NotFixable) };
        let Some(ensure_name) = tokens.find_token_of(first_comma, true, &[TokenKind::Name], Some("ensure")) else {
            return Err(NoFix::NotFixable);
        };
        let Some(ensure_comma) = tokens.next_token_of(ensure_name, &[TokenKind::Comma, TokenKind::Semic]) else {
            return Err(NoFix::NotFixable);
        };
        let index = |tokens: &Tokens<'_>, id| tokens.index_of(id).ok_or(NoFix::NotFixable);
        let first_name_index = index(tokens, first_name)?;
        let first_comma_index = index(tokens, first_comma)?;
        let ensure_name_index = index(tokens, ensure_name)?;
        let ensure_comma_index = index(tokens, ensure_comma)?;
        if ensure_name_index < first_comma_index {
            return Err(NoFix::NotFixable);
        }

        // puppet-lint swaps some links (which only the rendering of strings reads), then
        // moves the two token runs in the list.
        let prev = tokens.prev(first_name);
        let ensure_prev = tokens.prev(ensure_name);
        tokens.get_mut(first_name).prev = ensure_prev;
        tokens.get_mut(ensure_name).prev = prev;
        let prev_code = tokens.prev_code(first_name);
        let ensure_prev_code = tokens.prev_code(ensure_name);
        tokens.get_mut(first_name).prev_code = ensure_prev_code;
        tokens.get_mut(ensure_name).prev_code = prev_code;
        let next = tokens.next(first_comma);
        let after_ensure_comma = tokens.next(ensure_comma);
        tokens.get_mut(ensure_comma).next = next;
        let next_code = after_ensure_comma.and_then(|id| tokens.next_code(id));
        tokens.get_mut(ensure_comma).next_code = next_code;

        let order = tokens.order_mut();
        let ensure_run: Vec<TokenId> = order.drain(ensure_name_index..ensure_comma_index).collect();
        let first_run: Vec<TokenId> = order.drain(first_name_index..first_comma_index).collect();
        for item in ensure_run.iter().rev() {
            order.insert(first_name_index, *item);
        }
        let target = ensure_name_index + ensure_run.len() - first_run.len();
        for item in first_run.iter().rev() {
            order.insert(target.min(order.len()), *item);
        }
        Ok(())
    }
}
