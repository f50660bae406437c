//! Ruby regular expressions (what Puppet matches with) on top of `fancy_regex`: the
//! pattern is translated where Ruby's syntax or defaults differ (`^`/`$` always match at
//! line breaks, `(?m)` is Rust's `(?s)`, `\h`, `\Z`).

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use rustc_hash::FxHashMap;

/// A compiled regular expression with its Ruby source and options, as Puppet keeps it.
#[derive(Clone)]
pub struct Regex {
    source: Rc<str>,
    /// Ruby's option bits: 1 ignore case, 2 extended, 4 multiline (dot matches newline).
    options: u8,
    compiled: Rc<fancy_regex::Regex>,
}

pub const IGNORECASE: u8 = 1;
pub const EXTENDED: u8 = 2;
pub const MULTILINE: u8 = 4;

/// How many compiled patterns a thread keeps for each combination of options: a compiled
/// regex holds its automata and match caches (kilobytes, more for a large pattern), and
/// patterns built from data can be endless.
const MAX_CACHED_PER_OPTIONS: usize = 512;

thread_local! {
    /// The patterns this thread compiled, by options (the index) and source.
    static COMPILED: RefCell<[FxHashMap<Box<str>, Regex>; 8]> = RefCell::new(Default::default());
}

impl Regex {
    /// Compiles a Ruby pattern; the error is the message Ruby would give (close enough to
    /// name the problem).
    pub fn new(source: &str) -> Result<Regex, String> {
        Self::with_options(source, 0)
    }

    /// Compiles with Ruby's option bits. Compiling is costly (the regex engine builds its
    /// automata) and the same patterns come back in every compile: a resource type's title
    /// pattern, a regex literal in a loop, a `Pattern` in a signature. So each thread keeps
    /// what it compiled, and a compile of a pattern seen before is a lookup.
    pub fn with_options(source: &str, options: u8) -> Result<Regex, String> {
        COMPILED.with(|compiled| {
            let mut compiled = compiled.borrow_mut();
            let by_options = &mut compiled[usize::from(options & (IGNORECASE | EXTENDED | MULTILINE))];
            if let Some(regex) = by_options.get(source) {
                return Ok(regex.clone());
            }
            let regex = Self::compile(source, options)?;
            if by_options.len() >= MAX_CACHED_PER_OPTIONS {
                // Patterns built from data can be endless: start over rather than grow.
                by_options.clear();
            }
            by_options.insert(Box::from(source), regex.clone());
            Ok(regex)
        })
    }

    fn compile(source: &str, options: u8) -> Result<Regex, String> {
        let mut translated = String::with_capacity(source.len() + 8);
        translated.push_str("(?m");
        if options & IGNORECASE != 0 {
            translated.push('i');
        }
        if options & EXTENDED != 0 {
            translated.push('x');
        }
        if options & MULTILINE != 0 {
            translated.push('s');
        }
        translated.push(')');
        translate(source, &mut translated);
        let compiled = fancy_regex::RegexBuilder::new(&translated)
            .backtrack_limit(1_000_000)
            .build()
            .map_err(|error| format!("{error}"))?;
        Ok(Regex { source: Rc::from(source), options, compiled: Rc::new(compiled) })
    }

    /// Ruby's `Regexp#source`.
    pub fn source(&self) -> &str {
        &self.source
    }

    pub fn options(&self) -> u8 {
        self.options
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.compiled.is_match(text).unwrap_or(false)
    }

    /// The captures of the first match: group 0 and each group (`None` when it did not
    /// take part).
    pub fn captures(&self, text: &str) -> Option<Vec<Option<String>>> {
        let captures = self.compiled.captures(text).ok().flatten()?;
        Some((0..captures.len()).map(|index| captures.get(index).map(|group| group.as_str().to_string())).collect())
    }

    /// Byte ranges of each group of the first match at or after `start`.
    pub fn captures_at(&self, text: &str, start: usize) -> Option<Vec<Option<(usize, usize)>>> {
        let captures = self.compiled.captures_from_pos(text, start).ok().flatten()?;
        Some((0..captures.len()).map(|index| captures.get(index).map(|group| (group.start(), group.end()))).collect())
    }

    /// Names of the capture groups, by index.
    pub fn group_names(&self) -> Vec<Option<String>> {
        self.compiled.capture_names().map(|name| name.map(str::to_string)).collect()
    }

    /// Ruby's `Regexp#to_s`, which Puppet uses as the pattern of a Regexp type: the
    /// source wrapped in a flags group when there are options.
    pub fn to_s_with_flags(&self) -> String {
        if self.options == 0 {
            return self.source.to_string();
        }
        let mut out = String::from("(?");
        if self.options & IGNORECASE != 0 {
            out.push('i');
        }
        if self.options & MULTILINE != 0 {
            out.push('m');
        }
        if self.options & EXTENDED != 0 {
            out.push('x');
        }
        if self.options != IGNORECASE | MULTILINE | EXTENDED {
            out.push('-');
            if self.options & IGNORECASE == 0 {
                out.push('i');
            }
            if self.options & MULTILINE == 0 {
                out.push('m');
            }
            if self.options & EXTENDED == 0 {
                out.push('x');
            }
        }
        out.push(':');
        out.push_str(&self.source);
        out.push(')');
        out
    }

    /// Ruby's `Regexp#inspect`: `/source/` with `/` escaped, and the option letters.
    pub fn inspect(&self) -> String {
        let mut out = String::from("/");
        let mut escaped = false;
        for ch in self.source.chars() {
            if ch == '/' && !escaped {
                out.push('\\');
            }
            escaped = ch == '\\' && !escaped;
            out.push(ch);
        }
        out.push('/');
        if self.options & MULTILINE != 0 {
            out.push('m');
        }
        if self.options & IGNORECASE != 0 {
            out.push('i');
        }
        if self.options & EXTENDED != 0 {
            out.push('x');
        }
        out
    }
}

impl PartialEq for Regex {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source && self.options == other.options
    }
}

impl fmt::Debug for Regex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.inspect())
    }
}

/// Escapes a string so that it matches itself (Ruby's `Regexp.escape`).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '.' | '*' | '?' | '+' | '^' | '$' | '|' | '(' | ')' | '[' | ']' | '{' | '}' | '\\' | '/' | '-' => {
                out.push('\\');
                out.push(ch);
            }
            ' ' => out.push_str("\\ "),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            _ => out.push(ch),
        }
    }
    out
}

/// Rewrites Ruby-only syntax into what `fancy_regex` reads with the same meaning.
fn translate(source: &str, out: &mut String) {
    let chars: Vec<char> = source.chars().collect();
    let mut index = 0;
    let mut in_class = 0usize;
    while index < chars.len() {
        let ch = chars[index];
        if ch == '\\' && index + 1 < chars.len() {
            let next = chars[index + 1];
            match next {
                'h' if in_class == 0 => out.push_str("[0-9a-fA-F]"),
                'h' => out.push_str("0-9a-fA-F"),
                'H' if in_class == 0 => out.push_str("[^0-9a-fA-F]"),
                'Z' => out.push_str("(?=\\n?\\z)"),
                // Ruby's \d, \w and \s are ASCII only.
                'd' if in_class == 0 => out.push_str("[0-9]"),
                'd' => out.push_str("0-9"),
                'D' if in_class == 0 => out.push_str("[^0-9]"),
                'w' if in_class == 0 => out.push_str("[a-zA-Z0-9_]"),
                'w' => out.push_str("a-zA-Z0-9_"),
                'W' if in_class == 0 => out.push_str("[^a-zA-Z0-9_]"),
                's' if in_class == 0 => out.push_str("[ \\t\\r\\n\\f\\v]"),
                's' => out.push_str(" \\t\\r\\n\\f\\v"),
                'S' if in_class == 0 => out.push_str("[^ \\t\\r\\n\\f\\v]"),
                '/' => out.push('/'),
                _ => {
                    out.push('\\');
                    out.push(next);
                }
            }
            index += 2;
            continue;
        }
        if in_class == 0 && ch == '(' && index + 2 < chars.len() && chars[index + 1] == '?' {
            // Inline option groups: Ruby's m is Rust's s.
            let mut end = index + 2;
            let mut flags = String::new();
            while end < chars.len() && (chars[end].is_ascii_alphabetic() || chars[end] == '-') {
                flags.push(chars[end]);
                end += 1;
            }
            if !flags.is_empty() && end < chars.len() && (chars[end] == ')' || chars[end] == ':') && flags.chars().all(|c| "mix-".contains(c)) {
                out.push_str("(?");
                let mut negative = false;
                for flag in flags.chars() {
                    match flag {
                        'm' => out.push('s'),
                        '-' => {
                            negative = true;
                            out.push('-');
                        }
                        other => out.push(other),
                    }
                }
                let _ = negative;
                if out.ends_with('-') {
                    out.pop();
                }
                out.push(chars[end]);
                index = end + 1;
                continue;
            }
        }
        match ch {
            '[' => {
                in_class += 1;
                out.push('[');
                // A `]` right after `[` or `[^` is literal.
                if index + 1 < chars.len() && chars[index + 1] == '^' {
                    out.push('^');
                    index += 1;
                }
                if index + 1 < chars.len() && chars[index + 1] == ']' {
                    out.push_str("\\]");
                    index += 1;
                }
            }
            ']' if in_class > 0 => {
                in_class -= 1;
                out.push(']');
            }
            _ => out.push(ch),
        }
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_match_at_line_breaks_as_in_ruby() {
        let regex = Regex::new("^b$").unwrap();
        assert!(regex.is_match("a\nb\nc"));
        let regex = Regex::new("\\Ab\\z").unwrap();
        assert!(!regex.is_match("a\nb"));
    }

    #[test]
    fn ruby_multiline_is_dot_all() {
        assert!(Regex::new("(?m)a.b").unwrap().is_match("a\nb"));
        assert!(!Regex::new("a.b").unwrap().is_match("a\nb"));
    }

    #[test]
    fn captures_and_hex_class() {
        let regex = Regex::new("^(\\h+)-(x)?").unwrap();
        assert_eq!(regex.captures("ff-"), Some(vec![Some("ff-".into()), Some("ff".into()), None]));
    }

    #[test]
    fn inspect_escapes_slashes() {
        assert_eq!(Regex::new("a/b").unwrap().inspect(), "/a\\/b/");
    }
}
