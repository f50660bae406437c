//! ERB templates (Puppet's `template()`): the Ruby code of a template, as Ruby's `erb`
//! compiles it with trim mode `-` (`erb -P -x -T -`), checked for Ruby syntax errors.
//!
//! The template is compiled to Ruby line for line (line N of the code is line N of the
//! template), so an error in the code is an error at the template's line. The Ruby is parsed
//! with tree-sitter's Ruby grammar; where Ruby's own parser and tree-sitter's disagree on
//! valid code, `tests/differential/erb-parity` over real templates says how often.

use crate::diagnostic::Diagnostic;
use crate::span::{LineIndex, Span};

/// The Ruby syntax errors of an ERB template: none, or the first, as `ruby -c` reports one.
pub fn check(template: &str) -> Vec<Diagnostic> {
    let code = compile(template);
    let mut parser = tree_sitter::Parser::new();
    if parser.set_language(&tree_sitter_ruby::LANGUAGE.into()).is_err() {
        return Vec::new();
    }
    let Some(tree) = parser.parse(&code, None) else { return Vec::new() };
    let Some(node) = first_error(tree.root_node(), &code) else { return Vec::new() };
    let template_lines = LineIndex::new(template);
    let last_line = template.lines().count().max(1) as u32;
    // An error that runs to the end of the code is something left open (`if` without
    // `end`): Ruby reports it where the input ends.
    let unclosed = node.end_byte() >= code.trim_end().len() || (node.is_missing() && node.kind() == "end");
    let row = if unclosed { u32::MAX } else { node.start_position().row as u32 + 1 };
    let line = row.min(last_line);
    let message = if unclosed {
        "Ruby syntax error in the template: unexpected end-of-input".to_string()
    } else if node.is_missing() {
        format!("Ruby syntax error in the template: expecting `{}`", node.kind())
    } else {
        let token = first_token(node).map_or_else(String::new, |token| code[token.byte_range()].lines().next().unwrap_or("").to_string());
        format!("Ruby syntax error in the template: unexpected `{token}`")
    };
    // Columns of the generated code do not map back to the template: point at the line.
    let start = template_lines.line_start(line).unwrap_or(0);
    let span: Span = template_lines.span(template, start, start);
    vec![Diagnostic::error("ERB_SYNTAX_ERROR", message, span)]
}

/// Ruby's keywords that end or continue a construct: tree-sitter's grammar reads a stray
/// one as a plain identifier, where Ruby refuses it.
const CLOSING_KEYWORDS: [&str; 8] = ["end", "else", "elsif", "when", "rescue", "ensure", "then", "in"];

/// The first ERROR or MISSING node in document order, or a closing keyword standing where
/// an identifier would.
fn first_error<'t>(node: tree_sitter::Node<'t>, code: &str) -> Option<tree_sitter::Node<'t>> {
    let mut cursor = node.walk();
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        let stray_keyword = node.kind() == "identifier"
            && CLOSING_KEYWORDS.contains(&&code[node.byte_range()])
            && node.parent().is_none_or(|parent| parent.child_by_field_name("method") != Some(node));
        if stray_keyword {
            return Some(node);
        }
        let children: Vec<_> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    None
}

fn first_token(node: tree_sitter::Node<'_>) -> Option<tree_sitter::Node<'_>> {
    let mut node = node;
    while node.child_count() > 0 {
        node = node.child(0)?;
    }
    Some(node)
}

/// What ERB's scanner sees in a template with trim mode `-`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tag {
    /// `<%` or `<%-`
    Code,
    /// `<%=`
    Output,
    /// `<%#`
    Comment,
}

/// Compiles a template to Ruby as `erb -x -T -` does, keeping one code line per template
/// line.
pub fn compile(template: &str) -> String {
    let mut code = String::with_capacity(template.len() * 2);
    code.push_str("_erbout = +''; ");
    let bytes = template.as_bytes();
    let mut text = String::new();
    let mut at = 0;
    while at < bytes.len() {
        if template[at..].starts_with("<%%") {
            text.push_str("<%");
            at += 3;
            continue;
        }
        if !template[at..].starts_with("<%") {
            let ch = template[at..].chars().next().unwrap_or('\0');
            text.push(ch);
            at += ch.len_utf8().max(1);
            continue;
        }
        // A tag: find its end; an unclosed `<%` is text, as ERB reads it.
        let (tag, body_start) = match bytes.get(at + 2) {
            Some(b'=') => (Tag::Output, at + 3),
            Some(b'#') => (Tag::Comment, at + 3),
            Some(b'-') => (Tag::Code, at + 3),
            _ => (Tag::Code, at + 2),
        };
        let Some((body_end, close_end, trims_newline)) = close(template, body_start) else {
            text.push_str(&template[at..]);
            break;
        };
        flush_text(&mut code, &mut text);
        let body = template[body_start..body_end].replace("%%>", "%>");
        match tag {
            Tag::Code => {
                code.push_str("; ");
                code.push_str(&body);
                code.push_str(" ; ");
            }
            Tag::Output => {
                code.push_str("_erbout.<<(( ");
                code.push_str(&body);
                code.push_str(" ).to_s); ");
            }
            Tag::Comment => code.extend(std::iter::repeat_n('\n', body.matches('\n').count())),
        }
        at = close_end;
        if trims_newline {
            // `-%>` swallows the newline after it; the code keeps the line.
            code.push('\n');
        }
    }
    flush_text(&mut code, &mut text);
    code.push_str("; _erbout\n");
    code
}

/// Where a tag's body ends, where the tag ends, and whether `-%>` swallowed a newline.
fn close(template: &str, from: usize) -> Option<(usize, usize, bool)> {
    let mut search = from;
    loop {
        let found = search + template[search..].find("%>")?;
        // `%%>` is a literal `%>` inside the code.
        if found > from && template.as_bytes()[found - 1] == b'%' {
            search = found + 2;
            continue;
        }
        let trim = found > from && template.as_bytes()[found - 1] == b'-';
        let body_end = if trim { found - 1 } else { found };
        let mut end = found + 2;
        let mut trims_newline = false;
        if trim {
            if template[end..].starts_with("\r\n") {
                end += 2;
                trims_newline = true;
            } else if template[end..].starts_with('\n') {
                end += 1;
                trims_newline = true;
            }
        }
        return Some((body_end, end, trims_newline));
    }
}

/// Emits pending template text as string appends, one per line, so the code keeps the
/// template's line breaks.
fn flush_text(code: &mut String, text: &mut String) {
    if text.is_empty() {
        return;
    }
    let mut lines = text.split('\n').peekable();
    while let Some(line) = lines.next() {
        if !line.is_empty() {
            code.push_str("_erbout.<< \"");
            for ch in line.chars() {
                match ch {
                    '"' | '\\' | '#' => {
                        code.push('\\');
                        code.push(ch);
                    }
                    '\r' => code.push_str("\\r"),
                    _ => code.push(ch),
                }
            }
            code.push_str("\"; ");
        }
        if lines.peek().is_some() {
            code.push('\n');
        }
    }
    text.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(template: &str) -> Option<(u32, String)> {
        check(template).into_iter().next().map(|diagnostic| (diagnostic.span.line, diagnostic.message))
    }

    #[test]
    fn valid_templates_have_no_errors() {
        for template in [
            "plain text\n",
            "<% if @enabled -%>\nListen <%= @port %>\n<% end -%>\n",
            "<%# a comment\n over lines %>\n<%= [1, 2].map { |x| x * 2 }.join(',') %>\n",
            "<%% not a tag %%>\n",
            "<% @items.each do |item| -%>\n  <%= item['name'] %> # \"quoted\" #{x}\n<% end -%>\n",
            "x <% foo(\n",
            "<%- unless @x.nil? -%>\ny\n<%- end -%>\n",
        ] {
            assert_eq!(first(template), None, "{template:?}\n{}", compile(template));
        }
    }

    #[test]
    fn errors_are_at_the_templates_line() {
        assert_eq!(first("a\n<% if true %>\nb\n").map(|(line, _)| line), Some(3));
        let (line, message) = first("one\n<%= foo( %>\nthree\n").unwrap();
        assert_eq!(line, 2, "{message}");
        let (line, _) = first("<% [1].each do |x| %>\n<%= x %>\n<% end %>\n<% end %>\n").unwrap();
        assert_eq!(line, 4);
    }

    #[test]
    fn the_code_keeps_the_templates_lines() {
        let template = "a\n<% if x -%>\nb\n<%# c\nd %>\n<% end -%>\ne\n";
        assert_eq!(compile(template).lines().count(), template.lines().count() + 1);
    }
}
