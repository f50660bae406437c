//! What `140chars` and `80chars` share (puppet-lint's `LineLengthCheck`).

use crate::context::{problem, Context};
use crate::rule::{Problem, RuleMeta};

/// Lines longer than `limit` characters, except lines with a URL or a `template(` call.
pub fn check(ctx: &Context<'_, '_>, meta: &'static RuleMeta, limit: usize, out: &mut Vec<Problem>) {
    for (index, line) in ctx.lines.iter().enumerate() {
        if line.len() <= limit || line.contains("://") || line.contains("template(") {
            continue;
        }
        if line.chars().count() > limit {
            out.push(problem(meta, format!("line has more than {limit} characters"), index as u32 + 1, limit as u32));
        }
    }
}
