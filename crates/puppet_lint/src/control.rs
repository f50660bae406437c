//! Control comments, as puppet-lint reads them (`parse_control_comments`):
//!
//! - `code # lint:ignore:<check> reason` ignores the check's problems on that line;
//! - a line `# lint:ignore:<check> [lint:ignore:<other>] reason` starts a block that the
//!   next `# lint:endignore` closes; every line of the block is ignored for the checks.

use std::collections::HashMap;

use crate::ruby;
use crate::token::{TokenKind, Tokens};

/// Which lines each check ignores, with the reason the comment gave.
#[derive(Debug, Default)]
pub struct Overrides {
    by_check: HashMap<String, HashMap<u32, String>>,
    /// What puppet-lint warns about on stderr (an endignore without ignore, an ignore
    /// never closed).
    pub warnings: Vec<String>,
}

impl Overrides {
    /// The reason a problem of `check` on `line` is ignored, if it is.
    pub fn reason(&self, check: &str, line: u32) -> Option<&str> {
        self.by_check.get(check)?.get(&line).map(String::as_str)
    }

    fn set(&mut self, check: &str, line: u32, reason: &str) {
        self.by_check.entry(check.to_string()).or_default().insert(line, reason.to_string());
    }
}

/// One `lint:ignore:<check>` of a block, waiting for its `lint:endignore`.
struct Opened {
    line: u32,
    reason: String,
    check: String,
}

/// Is the comment a control comment (`\Alint:(ignore:[\w\d]+|endignore)` after strip)?
fn is_control(text: &str) -> bool {
    if text.starts_with("lint:endignore") {
        return true;
    }
    text.strip_prefix("lint:ignore:").and_then(|rest| rest.bytes().next()).is_some_and(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}

/// Reads the control comments of a file.
pub fn parse(tokens: &Tokens<'_>) -> Overrides {
    let mut overrides = Overrides::default();
    let mut stack: Vec<Vec<Opened>> = Vec::new();
    for id in tokens.ids() {
        let token = tokens.get(*id);
        if !token.kind.is_comment() {
            continue;
        }
        let text = ruby::strip(&token.value);
        if !is_control(text) {
            continue;
        }
        // Words up to the first that is not a control are controls; the rest is the reason.
        let words: Vec<&str> = text.split(|ch: char| ch.is_ascii_whitespace() || ch == '\u{0b}').filter(|word| !word.is_empty()).collect();
        let controls = words.iter().take_while(|word| word.starts_with("lint:ignore") || word.starts_with("lint:endignore")).count();
        let reason = words[controls..].join(" ");
        let at_line_end = token.prev.is_some_and(|prev| !matches!(tokens.kind(prev), TokenKind::Newline | TokenKind::Indent));
        let mut opened = Vec::new();
        for control in &words[..controls] {
            let parts = ruby::split(control, ":");
            if parts.get(1) == Some(&"ignore") {
                // puppet-lint crashes on `lint:ignore:` without a check; skip it.
                let Some(check) = parts.get(2) else { continue };
                if at_line_end {
                    overrides.set(check, token.line, &reason);
                } else {
                    opened.push(Opened { line: token.line, reason: reason.clone(), check: check.to_string() });
                }
            } else {
                match stack.pop() {
                    None => overrides.warnings.push(format!(
                        "WARNING: lint:endignore comment with no opening lint:ignore:<check> comment found on line {}",
                        token.line
                    )),
                    Some(block) => {
                        for start in block {
                            for line in start.line..=token.line {
                                overrides.set(&start.check, line, &start.reason);
                            }
                        }
                    }
                }
            }
        }
        if !opened.is_empty() {
            stack.push(opened);
        }
    }
    for block in stack {
        if let Some(first) = block.first() {
            overrides
                .warnings
                .push(format!("WARNING: lint:ignore:{} comment on line {} with no closing lint:endignore comment", first.check, first.line));
        }
    }
    overrides
}
