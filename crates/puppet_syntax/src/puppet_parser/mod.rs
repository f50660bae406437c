//! Puppet's own front end: its lexer ([`lexer`], a port of lexer2.rb) feeding an LR
//! parser of its own grammar (`grammar/egrammar.y`, egrammar.ra without actions; tables
//! built by build.rs with grmtools). Two uses:
//!
//! - [`build`] (module `builder`): the fast path of `parse`, grammar actions that build
//!   the AST directly.
//! - [`first_error`]: where Puppet reports the first syntax error of a file the tree-sitter
//!   grammar rejects. An LR parser stops at the first token that cannot continue a valid
//!   prefix, whatever the table construction, so this is the token Racc's LALR(1) parser
//!   reports. The few grammar actions that raise errors while parsing are replayed on
//!   reductions.

mod builder;
mod issues;
mod lexer;

#[allow(clippy::all, clippy::pedantic, dead_code)]
mod tables {
    include!(concat!(env!("OUT_DIR"), "/egrammar_tables.rs"));
}

pub(crate) use builder::build;
pub use issues::Issue;
pub use lexer::regex_problem;
use lexer::{Kind, Lexer, Token};
use tables::P;

/// The first error Puppet's lexer or parser raises: the issue and its byte offset
/// (`None` for the end of the input, where Puppet gives no position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub issue: Issue,
    pub offset: Option<usize>,
}

/// What the replayed grammar actions need to know of a reduced symbol.
#[derive(Debug, Clone, Default)]
struct Value {
    /// Where Puppet positions it (binary operators at the operator).
    offset: usize,
    shape: Shape,
    /// A token's value.
    text: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
enum Shape {
    #[default]
    Other,
    /// A token, with its kind.
    Token(Kind),
    /// A QualifiedName (a NAME expression) and its text.
    Name(String),
    /// A QualifiedReference (a type) and its text, downcased.
    Reference(String),
    /// An access expression: whether its left is the type `Resource` with one key.
    Access { resource_reference_with_one_key: bool },
    /// A resource, resource defaults or override (AbstractResource).
    Resource,
    /// A list of access arguments and its length.
    Arguments(usize),
    /// Attribute operations: whether one is `+>`.
    Operations { plus: bool },
    /// A comma separated statement (`a, b`): the offset of its first comma.
    List(usize),
    /// Statements before transform_calls: each a list (its comma) or an expression.
    Statements(Vec<Statement>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Statement {
    Name(String),
    List(usize),
    Other,
}

/// Factory::STATEMENT_CALLS.
const STATEMENT_CALLS: &[&str] = &[
    "require", "realize", "include", "contain", "tag", "debug", "info", "notice", "warning", "err", "fail", "import",
    "break", "next", "return",
];

/// Lexes and parses `source` as Puppet does; the first error, or `None` when Puppet's
/// grammar accepts the file. A `$` that starts no name is a VARIABLE token with an empty
/// name that the grammar accepts; Puppet's validation then rejects it, reported here too.
pub fn first_error(source: &str, epp: bool) -> Option<SyntaxError> {
    let mut empty_variable = None;
    let error = parse(source, epp, &mut empty_variable);
    error.or_else(|| {
        empty_variable.map(|offset| SyntaxError {
            issue: Issue::Action {
                code: "ILLEGAL_VAR_NAME",
                message: "Illegal variable name, The given name '' does not conform to the naming rule /^((::)?[a-z]\\w*)*((::)?[a-z_]\\w*)$/"
                    .to_string(),
            },
            offset: Some(offset),
        })
    })
}

fn parse(source: &str, epp: bool, empty_variable: &mut Option<usize>) -> Option<SyntaxError> {
    let mut lexer = Lexer::new(source, epp);
    let mut states: Vec<u16> = vec![tables::START_STATE];
    let mut values: Vec<Value> = Vec::new();
    let mut lookahead: Option<Option<Token>> = None;
    loop {
        if lookahead.is_none() {
            match lexer.next_token() {
                Ok(token) => lookahead = Some(token),
                Err(error) => return Some(SyntaxError { issue: error.issue, offset: Some(error.offset) }),
            }
        }
        let token = lookahead.as_ref().and_then(Option::as_ref);
        let terminal = match token.map(|token| token.kind) {
            None => Some(tables::EOF),
            Some(Kind::G(kind)) => Some(kind as u16),
            Some(Kind::Unknown) => None,
        };
        let state = usize::from(*states.last()?);
        let action = terminal.map_or(0, |terminal| tables::ACTIONS[state * tables::TOKENS + usize::from(terminal)]);
        let action = if action == 0 { default_reduction(state).unwrap_or(0) } else { action };
        match action {
            0 => {
                let issue = Issue::SyntaxError { at: token.map(|token| token.value.to_string()) };
                return Some(SyntaxError { issue, offset: token.map(|token| token.offset) });
            }
            1 => return None,
            shift if shift > 1 => {
                let token = lookahead.take().flatten()?;
                if token.kind == Kind::G(tables::T::VARIABLE) && token.value.is_empty() && empty_variable.is_none() {
                    *empty_variable = Some(token.offset);
                }
                values.push(Value { offset: token.offset, shape: Shape::Token(token.kind), text: token.value.into_owned() });
                states.push((shift - 2) as u16);
            }
            reduce => {
                let production = usize::try_from(-1 - i32::from(reduce)).ok()?;
                let (rule, length, _) = tables::PRODUCTIONS[production];
                let children = values.split_off(values.len().checked_sub(usize::from(length))?);
                states.truncate(states.len() - usize::from(length));
                let value = match reduced(production, children, source.len()) {
                    Ok(value) => value,
                    Err(error) => return Some(error),
                };
                values.push(value);
                let state = usize::from(*states.last()?);
                let goto = tables::GOTOS[state * tables::RULES + usize::from(rule)];
                if goto == u16::MAX {
                    return None;
                }
                states.push(goto);
            }
        }
    }
}

/// Racc, like yacc, reduces by a state's most frequent reduction whatever the lookahead
/// when the lookahead has no action of its own: the error is then found in a later state
/// (at the same token), after the grammar actions of those reductions ran.
fn default_reduction(state: usize) -> Option<i16> {
    let row = &tables::ACTIONS[state * tables::TOKENS..(state + 1) * tables::TOKENS];
    let mut best: Option<(i16, usize)> = None;
    for &action in row.iter().filter(|action| **action < 0) {
        let count = row.iter().filter(|other| **other == action).count();
        if best.is_none_or(|(_, best_count)| count > best_count) {
            best = Some((action, count));
        }
    }
    best.map(|(action, _)| action)
}

fn action_error(code: &'static str, message: impl Into<String>, offset: usize) -> SyntaxError {
    SyntaxError { issue: Issue::Action { code, message: message.into() }, offset: Some(offset) }
}

/// The value of a reduction by the production of index `production`, replaying the
/// grammar actions that raise errors.
fn reduced(production: usize, children: Vec<Value>, end: usize) -> Result<Value, SyntaxError> {
    let offset = children.first().map_or(end, |child| child.offset);
    let shape = |index: usize| children.get(index).map(|child| &child.shape);
    let value = |shape: Shape| Ok(Value { offset, shape, text: String::new() });
    let text = |index: usize| children.get(index).map_or("", |child| child.text.as_str());
    let offset_of = |index: usize| children.get(index).map_or(offset, |child| child.offset);
    match tables::PRODUCTION_KINDS[production] {
        P::classname__CLASS => {
            return Err(action_error("SYNTAX_ERROR", "'class' keyword not allowed at this location", offset));
        }
        P::classname__STRING => {
            return Err(action_error("SYNTAX_ERROR", "A quoted string is not valid as a name here", offset));
        }
        P::primary_expression__NAME => return value(Shape::Name(text(0).to_string())),
        P::type__CLASSREF => return value(Shape::Reference(text(0).to_lowercase())),
        // Method calls are positioned at the dot and at the parenthesis.
        P::named_access__expression_DOT_NAME | P::named_access__expression_DOT_TYPE => return Ok(Value { offset: offset_of(1), shape: Shape::Other, text: String::new() }),
        P::call_method_expression__named_access_LPAREN_arguments_RPAREN | P::call_method_expression__named_access_LPAREN_RPAREN => {
            return Ok(Value { offset: offset_of(1), shape: Shape::Other, text: String::new() });
        }
        kind @ (P::resource__AT_resource | P::resource__ATAT_resource) => {
            if shape(1) != Some(&Shape::Resource) {
                let message = if kind == P::resource__AT_resource {
                    "Virtual (@) can only be applied to a Resource Expression"
                } else {
                    "Exported (@@) can only be applied to a Resource Expression"
                };
                return Err(action_error("SYNTAX_ERROR", message, offset));
            }
            return value(Shape::Resource);
        }
        P::resource__resource_LBRACE_expression_COLON_attribute_operations_additional_resource_bodies_RBRACE
        | P::resource__CLASS_LBRACE_resource_bodies_endsemi_RBRACE => {
            return value(Shape::Resource);
        }
        P::resource__resource_LBRACE_attribute_operations_endcomma_RBRACE => {
            let resource_shape = match shape(0) {
                Some(Shape::Name(_)) => "resource",
                Some(Shape::Reference(_)) => "defaults",
                Some(Shape::Access { resource_reference_with_one_key: true }) => "defaults",
                Some(Shape::Access { .. }) => "override",
                _ => "error",
            };
            if resource_shape == "error" {
                return Err(action_error(
                    "SYNTAX_ERROR",
                    "Expression is not valid as a resource, resource-default, or resource-override",
                    offset,
                ));
            }
            if resource_shape == "resource" && shape(2) == Some(&Shape::Operations { plus: true }) {
                let brace = children.get(1).map_or(offset, |child| child.offset);
                return Err(action_error("SYNTAX_ERROR", "Syntax error resource body without title or hash with +>", brace));
            }
            return value(Shape::Resource);
        }
        P::attribute_operation__attribute_name_PARROW_expression => return value(Shape::Operations { plus: true }),
        P::attribute_operations__attribute_operation => {
            let plus = shape(0) == Some(&Shape::Operations { plus: true });
            return value(Shape::Operations { plus });
        }
        P::attribute_operations__attribute_operations_COMMA_attribute_operation => {
            let plus = shape(0) == Some(&Shape::Operations { plus: true }) || shape(2) == Some(&Shape::Operations { plus: true });
            return value(Shape::Operations { plus });
        }
        P::access_args__access_arg => return value(Shape::Arguments(1)),
        P::access_args__access_args_COMMA_access_arg => {
            let count = match shape(0) {
                Some(Shape::Arguments(count)) => count + 1,
                _ => 2,
            };
            return value(Shape::Arguments(count));
        }
        P::bracketed_expression__expression_LBRACK_access_args_endcomma_RBRACK => {
            let resource = matches!(shape(0), Some(Shape::Reference(name)) if name == "resource")
                && shape(2) == Some(&Shape::Arguments(1));
            return value(Shape::Access { resource_reference_with_one_key: resource });
        }
        P::syntactic_statement__syntactic_statement_COMMA_assignment => {
            let comma = match shape(0) {
                Some(Shape::List(comma)) => *comma,
                _ => children.get(1).map_or(offset, |child| child.offset),
            };
            return value(Shape::List(comma));
        }
        P::syntactic_statements__syntactic_statement
        | P::syntactic_statements__syntactic_statements_SEMIC_syntactic_statement
        | P::syntactic_statements__syntactic_statements_syntactic_statement => {
            let last = match children.last().map(|child| &child.shape) {
                Some(Shape::List(comma)) => Statement::List(*comma),
                Some(Shape::Name(name)) => Statement::Name(name.clone()),
                _ => Statement::Other,
            };
            // The list so far is moved, not copied: a copy per statement made a file of
            // many statements quadratic.
            let mut statements = match children.into_iter().next().map(|child| child.shape) {
                Some(Shape::Statements(statements)) => statements,
                _ => Vec::new(),
            };
            statements.push(last);
            return Ok(Value { offset, shape: Shape::Statements(statements), text: String::new() });
        }
        P::statements__syntactic_statements => {
            if let Some(Shape::Statements(statements)) = shape(0) {
                transform_calls(statements)?;
            }
            return value(Shape::Other);
        }
        _ => {}
    }
    // Binary operators are positioned at the operator.
    if tables::BINARY[production] {
        let operator = children.get(1).map_or(offset, |child| child.offset);
        return Ok(Value { offset: operator, shape: Shape::Other, text: String::new() });
    }
    // A unit production passes its child on.
    if let [child] = children.as_slice() {
        if !matches!(child.shape, Shape::Token(_)) {
            return Ok(child.clone());
        }
    }
    value(Shape::Other)
}

/// Factory.transform_calls' errors: a comma separated list that is not the arguments of
/// a statement call.
fn transform_calls(statements: &[Statement]) -> Result<(), SyntaxError> {
    let mut last: Option<&Statement> = None;
    for statement in statements {
        if let Some(Statement::Name(name)) = last {
            if STATEMENT_CALLS.contains(&name.as_str()) {
                last = Some(&Statement::Other);
                continue;
            }
        }
        if let Statement::List(comma) = statement {
            let message = match last {
                Some(Statement::Name(name)) => {
                    format!("attempt to pass argument list to the function '{name}' which cannot be called without parentheses")
                }
                _ => "illegal comma separated argument list".to_string(),
            };
            return Err(action_error("SYNTAX_ERROR", message, *comma));
        }
        last = Some(statement);
    }
    Ok(())
}

/// The tokens Puppet's lexer makes of `source` (kind, offset, value), up to its first
/// error; for debugging and the lexer's tests.
#[doc(hidden)]
pub fn tokens(source: &str, epp: bool) -> Vec<String> {
    let mut lexer = Lexer::new(source, epp);
    let mut tokens = Vec::new();
    loop {
        match lexer.next_token() {
            Ok(Some(token)) => tokens.push(format!("{:?}@{} {:?}", token.kind, token.offset, token.value)),
            Ok(None) => return tokens,
            Err(error) => {
                tokens.push(format!("error@{} {}", error.offset, error.issue.message()));
                return tokens;
            }
        }
    }
}
