//! Limits a `puppet-ci.yaml` must stay within before the YAML parser sees it.
//!
//! The YAML parser's time grows with the square of the nesting depth (100,000 `[` took
//! 33 s to reject), and no real configuration nests deeper than a handful of levels or
//! weighs more than a few kilobytes. So the size is capped, and one linear pass over the
//! text finds the first place that nests deeper than [`MAX_DEPTH`], which is refused with
//! its line and column.

/// The largest configuration file read, in bytes.
pub const MAX_SIZE: usize = 1 << 20;

/// The deepest nesting of collections accepted (flow `[`/`{` and block levels alike).
pub const MAX_DEPTH: usize = 64;

/// Where the text first nests deeper than [`MAX_DEPTH`]: 1-based line and column.
///
/// Counts block levels (a stack of indentations, and the `- ` of sequences that nest on
/// one line) and flow collections (`[`, `{`) opened where a value may start. Quoted
/// scalars, block scalars (`|`, `>`) and comments are skipped. This is not a YAML parser:
/// it only has to tell text that nests about that deep from text that does not.
pub(crate) fn too_deep(text: &str) -> Option<(usize, usize)> {
    let mut flow_depth = 0usize;
    let mut indents: Vec<usize> = Vec::new();
    let mut quote: Option<char> = None;
    // The indentation of the line a block scalar (`run: |`) started on: more indented
    // lines after it are its text.
    let mut block_scalar: Option<usize> = None;
    for (line_index, line) in text.lines().enumerate() {
        let characters: Vec<char> = line.chars().collect();
        let indent = characters.iter().take_while(|character| **character == ' ').count();
        let blank = characters[indent..].iter().all(|character| character.is_whitespace()) || characters.get(indent) == Some(&'#');
        if let Some(scalar_indent) = block_scalar {
            if blank || indent > scalar_indent {
                continue;
            }
            block_scalar = None;
        }
        if quote.is_none() && flow_depth == 0 && !blank {
            while indents.last().is_some_and(|last| *last >= indent) {
                indents.pop();
            }
            indents.push(indent);
            if indents.len() > MAX_DEPTH {
                return Some((line_index + 1, indent + 1));
            }
        }
        let mut block_depth = indents.len();
        let mut value_may_start = quote.is_none();
        let mut previous = ' ';
        let mut last_significant = ' ';
        let mut column_index = if quote.is_none() { indent } else { 0 };
        while column_index < characters.len() {
            let character = characters[column_index];
            let next = characters.get(column_index + 1).copied().unwrap_or(' ');
            let at = (line_index + 1, column_index + 1);
            column_index += 1;
            if let Some(open) = quote {
                if character == open && open == '\'' && next == '\'' {
                    column_index += 1;
                } else if character == open {
                    quote = None;
                    value_may_start = false;
                } else if open == '"' && character == '\\' {
                    column_index += 1;
                }
                previous = character;
                continue;
            }
            match character {
                '#' if previous == ' ' || previous == '\t' => break,
                '\'' | '"' if value_may_start => quote = Some(character),
                '[' | '{' if value_may_start => {
                    flow_depth += 1;
                    if flow_depth + block_depth > MAX_DEPTH {
                        return Some(at);
                    }
                }
                ']' | '}' => flow_depth = flow_depth.saturating_sub(1),
                // `- - - x`: each dash followed by a space opens one more block sequence.
                '-' | '?' if value_may_start && flow_depth == 0 && (next == ' ' || column_index == characters.len()) => {
                    block_depth += 1;
                    if flow_depth + block_depth > MAX_DEPTH {
                        return Some(at);
                    }
                }
                _ => {}
            }
            if !matches!(character, ' ' | '\t') {
                value_may_start = matches!(character, ':' | ',' | '[' | '{' | '-' | '?');
                last_significant = character;
            }
            previous = character;
        }
        if quote.is_none() && flow_depth == 0 && matches!(last_significant, '|' | '>' | '-' | '+' | '0'..='9') {
            let trimmed = line.split(" #").next().unwrap_or(line).trim_end();
            let indicator = trimmed.rsplit(' ').next().unwrap_or("");
            if indicator.starts_with(['|', '>']) && indicator[1..].chars().all(|character| matches!(character, '-' | '+' | '1'..='9')) {
                block_scalar = Some(indent);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_configurations_pass() {
        let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/control-repo/puppet-ci.yaml")).unwrap();
        assert_eq!(too_deep(&example), None);
        assert_eq!(too_deep("a: [[[1]], {b: [c, \"[[[[\"]}]\nd: '{{{{{{'\n# [[[[[[[[\n"), None);
    }

    #[test]
    fn deep_flow_nesting_is_found_where_it_crosses_the_limit() {
        let text = format!("roles:\n  x: {}", "[".repeat(100_000));
        // Line 2: the first `[` is column 6, and the limit counts the two spaces of indent.
        assert_eq!(too_deep(&text), Some((2, 6 + MAX_DEPTH - 2)));
        assert_eq!(too_deep(&"{a: ".repeat(MAX_DEPTH + 1)), Some((1, 4 * (MAX_DEPTH - 1) + 1)));
    }

    #[test]
    fn deep_block_nesting_is_found() {
        assert!(too_deep(&"- ".repeat(1000)).is_some());
        let indented: String = (0..200).map(|level| format!("{}k{level}:\n", " ".repeat(level))).collect();
        assert!(too_deep(&indented).is_some());
    }

    #[test]
    fn nesting_within_the_limit_passes() {
        assert_eq!(too_deep(&format!("a: {}{}", "[".repeat(MAX_DEPTH - 1), "]".repeat(MAX_DEPTH - 1))), None);
    }
}
