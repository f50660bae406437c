//! String escapes exactly as Puppet's lexer translates them (`SlurpSupport#slurp`):
//! single-quoted strings, double-quoted strings, and heredocs with their escape flags.

/// Which escapes a piece of text translates; anything else after a backslash is kept
/// as written (backslash included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Escapes {
    pub backslash: bool,
    pub dollar: bool,
    pub single_quote: bool,
    pub double_quote: bool,
    pub r: bool,
    pub n: bool,
    pub t: bool,
    pub s: bool,
    pub u: bool,
    /// A backslash before a line break removes both (`L` in a heredoc).
    pub line_break: bool,
}

impl Escapes {
    /// What a double-quoted string translates.
    pub const DOUBLE_QUOTED: Escapes = Escapes {
        backslash: true,
        dollar: true,
        single_quote: true,
        double_quote: true,
        r: true,
        n: true,
        t: true,
        s: true,
        u: true,
        line_break: true,
    };

    /// A heredoc with no `/escapes` translates nothing.
    pub const NONE: Escapes = Escapes {
        backslash: false,
        dollar: false,
        single_quote: false,
        double_quote: false,
        r: false,
        n: false,
        t: false,
        s: false,
        u: false,
        line_break: false,
    };

    /// The escapes of a heredoc's `/flags` (`/` alone means all of `trnsuL$`).
    /// Returns the offending character for an unknown or repeated flag.
    pub fn heredoc(flags: &str) -> Result<Escapes, HeredocFlagError> {
        let flags = if flags.is_empty() { "trnsuL$" } else { flags };
        let mut seen = Vec::new();
        let mut escapes = Escapes { backslash: true, ..Escapes::NONE };
        for flag in flags.chars() {
            if seen.contains(&flag) {
                return Err(HeredocFlagError::Repeated(flags.to_string()));
            }
            seen.push(flag);
            match flag {
                't' => escapes.t = true,
                'r' => escapes.r = true,
                'n' => escapes.n = true,
                's' => escapes.s = true,
                'u' => escapes.u = true,
                '$' => escapes.dollar = true,
                'L' => escapes.line_break = true,
                other => return Err(HeredocFlagError::Invalid(other)),
            }
        }
        Ok(escapes)
    }

    fn translates(&self, ch: char) -> bool {
        match ch {
            '\\' => self.backslash,
            '$' => self.dollar,
            '\'' => self.single_quote,
            '"' => self.double_quote,
            'r' => self.r,
            'n' => self.n,
            't' => self.t,
            's' => self.s,
            'u' => self.u,
            _ => false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeredocFlagError {
    Repeated(String),
    Invalid(char),
}

/// The error Puppet gives for a `\u` escape of a value that is no character.
pub const ILLEGAL_UNICODE_ESCAPE: &str =
    "Unicode escape '\\u' was not followed by 4 hex digits or 1-6 hex digits in {} or was > 10ffff";

/// A single-quoted string's text: only `\\` and `\'` are escapes.
pub fn unescape_single_quoted(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(ch) = chars.next() {
        if ch == '\\' {
            if let Some(&next) = chars.peek() {
                if next == '\\' || next == '\'' {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(ch);
    }
    out
}

/// Translates the escapes of double-quoted or heredoc text, as Puppet does: `\u`
/// escapes first (repeatedly, so adjacent ones all translate), then the others.
pub fn unescape(raw: &str, escapes: Escapes) -> Result<String, &'static str> {
    if !raw.contains('\\') {
        return Ok(raw.to_string());
    }
    let mut text = raw.to_string();
    if escapes.u {
        while let Some(next) = unicode_pass(&text)? {
            text = next;
        }
    }
    Ok(escape_pass(&text, escapes))
}

/// One pass of `\uXXXX` / `\u{X..}` translation of unescaped `\u`; None when nothing changed.
fn unicode_pass(text: &str) -> Result<Option<String>, &'static str> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut index = 0;
    let mut copied = 0;
    while index < bytes.len() {
        if bytes[index] != b'\\' {
            index += 1;
            continue;
        }
        let run_start = index;
        while index < bytes.len() && bytes[index] == b'\\' {
            index += 1;
        }
        let run = index - run_start;
        if run % 2 == 0 || index >= bytes.len() || bytes[index] != b'u' {
            continue;
        }
        let (code, end) = match hex_escape(&bytes[index + 1..]) {
            Some((code, length)) => (code, index + 1 + length),
            None => continue,
        };
        let ch = char::from_u32(code).ok_or(ILLEGAL_UNICODE_ESCAPE)?;
        out.push_str(&text[copied..index - 1]);
        out.push(ch);
        copied = end;
        index = end;
        changed = true;
    }
    if !changed {
        return Ok(None);
    }
    out.push_str(&text[copied..]);
    Ok(Some(out))
}

/// `XXXX` (4 hex digits) or `{X}` .. `{XXXXXX}`: the code and the bytes it takes.
fn hex_escape(bytes: &[u8]) -> Option<(u32, usize)> {
    let hex = |slice: &[u8]| u32::from_str_radix(std::str::from_utf8(slice).ok()?, 16).ok();
    if bytes.len() >= 4 && bytes[..4].iter().all(u8::is_ascii_hexdigit) {
        return Some((hex(&bytes[..4])?, 4));
    }
    if bytes.first() == Some(&b'{') {
        let digits = bytes[1..].iter().take_while(|byte| byte.is_ascii_hexdigit()).count();
        if (1..=6).contains(&digits) && bytes.get(1 + digits) == Some(&b'}') {
            return Some((hex(&bytes[1..1 + digits])?, digits + 2));
        }
    }
    None
}

fn escape_pass(text: &str, escapes: Escapes) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.char_indices().peekable();
    while let Some((_, ch)) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        let Some(&(_, next)) = chars.peek() else {
            out.push(ch);
            continue;
        };
        match next {
            '\n' => {
                chars.next();
                if !escapes.line_break {
                    out.push_str("\\\n");
                }
            }
            '\r' => {
                // Only `\` CR LF is an escape; a lone CR after a backslash is kept.
                let mut lookahead = chars.clone();
                lookahead.next();
                if lookahead.peek().map(|(_, ch)| *ch) == Some('\n') {
                    chars.next();
                    chars.next();
                    if !escapes.line_break {
                        out.push_str("\\\r\n");
                    }
                } else {
                    out.push(ch);
                }
            }
            other => {
                chars.next();
                if escapes.translates(other) {
                    match other {
                        'r' => out.push('\r'),
                        'n' => out.push('\n'),
                        't' => out.push('\t'),
                        's' => out.push(' '),
                        'u' => out.push_str("\\u"),
                        other => out.push(other),
                    }
                } else {
                    out.push('\\');
                    out.push(other);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_quoted() {
        assert_eq!(unescape_single_quoted(r"a\'b\\c\n"), r"a'b\c\n");
    }

    #[test]
    fn double_quoted() {
        let dq = Escapes::DOUBLE_QUOTED;
        assert_eq!(unescape(r"a\tb\nc\\d\$e\x", dq).unwrap(), "a\tb\nc\\d$e\\x");
        assert_eq!(unescape(r"\u0041\u{42}\\u0041", dq).unwrap(), "AB\\u0041");
        assert_eq!(unescape("a\\\nb", dq).unwrap(), "ab");
        assert_eq!(unescape(r"\u{110000}", dq), Err(ILLEGAL_UNICODE_ESCAPE));
        assert_eq!(unescape(r"\uZZ", dq).unwrap(), "\\uZZ");
    }

    #[test]
    fn heredoc_flags() {
        let escapes = Escapes::heredoc("t").unwrap();
        assert_eq!(unescape(r"a\tb\nc\\", escapes).unwrap(), "a\tb\\nc\\");
        assert_eq!(unescape(r"a\tb", Escapes::NONE).unwrap(), r"a\tb");
        assert_eq!(Escapes::heredoc("tt"), Err(HeredocFlagError::Repeated("tt".into())));
        assert_eq!(Escapes::heredoc("q"), Err(HeredocFlagError::Invalid('q')));
    }
}
