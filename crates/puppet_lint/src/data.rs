//! Port of the token indexes of `PuppetLint::Data` (`lib/puppet-lint/data.rb`): where
//! puppet-lint thinks resources, classes and defined types start and end, read from
//! tokens alone. The checks that match puppet-lint's results read these, quirks included.
//!
//! Positions are indexes in the token order the lexer made (equal to the token ids while
//! checks run; fixes run later).

use crate::token::{TokenId, TokenKind, Tokens};

/// A resource body after its title's colon, as `resource_indexes` finds it.
#[derive(Debug, Clone)]
pub struct ResourceIndex {
    /// Index of the title's colon; the body's tokens are `colon..=end`.
    pub colon: usize,
    /// Index of the `;` or `}` that ends the body.
    pub end: usize,
    /// The token before the `{` of the resource: its type (`file`).
    pub type_token: Option<TokenId>,
    /// The attribute names of the body (names followed by `=>`, outside nested blocks).
    pub param_tokens: Vec<TokenId>,
}

/// A class, defined type or node definition, as `definition_indexes` finds it.
#[derive(Debug, Clone)]
pub struct DefinitionIndex {
    pub start: usize,
    pub end: usize,
    pub kind: TokenKind,
    /// The token after `class` / `define`: the name.
    pub name_token: Option<TokenId>,
    /// The token after the last `inherits` inside the definition.
    pub inherited_token: Option<TokenId>,
    /// The tokens between the parameter list's parentheses, when there is one.
    pub param_tokens: Option<(usize, usize)>,
}

impl DefinitionIndex {
    /// The parameter tokens (an empty slice when there is no parameter list).
    pub fn params<'t>(&self, tokens: &'t Tokens<'_>) -> &'t [TokenId] {
        match self.param_tokens {
            Some((start, end)) if start < end => &tokens.ids()[start..end],
            _ => &[],
        }
    }
}

/// puppet-lint raises its `SyntaxError` at this token when a resource has no end.
#[derive(Debug, Clone, Copy)]
pub struct IndexError {
    pub token: TokenId,
}

/// `classref?`: looking back from a colon, is there a class reference before a name?
fn classref(tokens: &Tokens<'_>, from: TokenId) -> bool {
    let mut current = tokens.prev_code(from);
    while let Some(id) = current {
        match tokens.kind(id) {
            TokenKind::Classref => return true,
            TokenKind::Name => return false,
            _ => current = tokens.prev_code(id),
        }
    }
    false
}

/// `resource_indexes`: every resource body that follows a title and its colon.
pub fn resource_indexes(tokens: &Tokens<'_>) -> Result<Vec<ResourceIndex>, IndexError> {
    let ids = tokens.ids();
    let mut marker = 0;
    let mut result = Vec::new();
    for colon in ids.iter().copied().filter(|id| tokens.kind(*id) == TokenKind::Colon) {
        let Some(next) = tokens.next_code(colon) else { continue };
        if tokens.kind(next) == TokenKind::Lbrace {
            continue;
        }
        if classref(tokens, colon) {
            continue;
        }
        let Some(relative) = ids[marker..].iter().position(|id| *id == colon) else { break };
        let start = relative + marker;
        let end_token = tokens.next_token_of(colon, &[TokenKind::Semic, TokenKind::Rbrace]);
        let end = end_token.and_then(|end_token| ids[start..].iter().position(|id| *id == end_token));
        let Some(end) = end else { return Err(IndexError { token: colon }) };
        marker = end + start;
        let type_token = find_resource_type_token(tokens, start)?;
        let param_tokens = find_resource_param_tokens(tokens, start, marker);
        result.push(ResourceIndex { colon: start, end: marker, type_token, param_tokens });
    }
    Ok(result)
}

/// `find_resource_type_token`: the token before the last `{` (not a selector's) at or
/// before `index`.
fn find_resource_type_token(tokens: &Tokens<'_>, index: usize) -> Result<Option<TokenId>, IndexError> {
    let ids = tokens.ids();
    let lbrace = ids[..=index]
        .iter()
        .rposition(|id| tokens.kind(*id) == TokenKind::Lbrace && tokens.prev_code_kind(*id) != Some(TokenKind::Qmark));
    match lbrace {
        Some(position) => Ok(tokens.prev_code(ids[position])),
        None => Err(IndexError { token: ids[index] }),
    }
}

/// `find_resource_param_tokens`: names followed by `=>` in `start..=end`, found with
/// `next_token_of(:NAME)` (which skips nested blocks).
fn find_resource_param_tokens(tokens: &Tokens<'_>, start: usize, end: usize) -> Vec<TokenId> {
    let ids = tokens.ids();
    let in_range = |id: TokenId| (id as usize) >= start && (id as usize) <= end && ids.get(id as usize) == Some(&id);
    let mut params = Vec::new();
    let mut iter = tokens.prev(ids[start]);
    while let Some(from) = iter {
        let found = tokens.next_token_of(from, &[TokenKind::Name]);
        let Some(name) = found.filter(|name| in_range(*name)) else { break };
        if tokens.next_code_kind(name) == Some(TokenKind::Farrow) {
            params.push(name);
        }
        iter = Some(name);
    }
    params
}

/// `class_indexes`, `defined_type_indexes` and `node_indexes`: `definition_indexes(kind)`.
pub fn definition_indexes(tokens: &Tokens<'_>, kind: TokenKind) -> Vec<DefinitionIndex> {
    let ids = tokens.ids();
    let mut result = Vec::new();
    for (index, id) in ids.iter().enumerate() {
        if tokens.kind(*id) != kind {
            continue;
        }
        // A resource-like `class { 'name': }` is never a definition; puppet-lint finds
        // that out at the end of its scan, we before it.
        let name_token = tokens.next_code(*id);
        if name_token.is_none_or(|name| tokens.kind(name) == TokenKind::Lbrace) {
            continue;
        }
        let mut brace_depth = 0i64;
        let mut paren_depth = 0i64;
        let mut in_params = false;
        let mut inherited_token = None;
        for (offset, definition_token) in ids[index + 1..].iter().enumerate() {
            match tokens.kind(*definition_token) {
                TokenKind::Inherits => inherited_token = tokens.next_code(*definition_token),
                TokenKind::Lparen => {
                    if paren_depth == 0 {
                        in_params = true;
                    }
                    paren_depth += 1;
                }
                TokenKind::Rparen => {
                    if paren_depth == 1 {
                        in_params = false;
                    }
                    paren_depth -= 1;
                }
                TokenKind::Lbrace => brace_depth += 1,
                TokenKind::Rbrace => {
                    brace_depth -= 1;
                    if brace_depth == 0 && !in_params {
                        let end = index + offset + 1;
                        result.push(DefinitionIndex {
                            start: index,
                            end,
                            kind,
                            name_token,
                            inherited_token,
                            param_tokens: param_tokens(tokens, index, end),
                        });
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    result
}

/// `param_tokens`: the tokens inside the first top-level `( )` before the body's `{`.
fn param_tokens(tokens: &Tokens<'_>, start: usize, end: usize) -> Option<(usize, usize)> {
    let ids = tokens.ids();
    let mut depth = 0;
    let mut lparen = None;
    for (index, id) in ids[start..=end].iter().enumerate() {
        match tokens.kind(*id) {
            TokenKind::Lparen => {
                depth += 1;
                if depth == 1 {
                    lparen = Some(index);
                }
            }
            TokenKind::Rparen => {
                depth -= 1;
                if depth == 0 {
                    return lparen.map(|lparen| (start + lparen + 1, start + index));
                }
            }
            TokenKind::Lbrace if depth == 0 => return None,
            _ => {}
        }
    }
    None
}
