//! Port of puppet-lint 4.3.0's lexer (`lib/puppet-lint/lexer.rb`): the same tokens, values,
//! lines and columns, so that every check reports where puppet-lint reports and every
//! fix renders the text puppet-lint renders.
//!
//! Puppet-lint has no parser; its lexer guesses where Puppet's grammar decides (a `/`
//! starts a regex after some tokens only, `//` is always a comment). Those guesses are
//! kept here on purpose: [`tokenise`] is puppet-lint's reading. Where Puppet reads the code
//! differently, the caller passes the places where Puppet's parser found regexes in
//! [`Guide`], and the lexer follows Puppet there.

pub mod slurper;

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::VecDeque;

use puppet_syntax::ast::{ExprKind, Program};
use puppet_syntax::visit::{walk, Node, Visitor, Walk};
use crate::token::{Token, TokenId, TokenKind, Tokens};
use slurper::{Segment, SegmentKind, Slurper};

/// Where puppet-lint's lexer gives up (`PuppetLint::LexerError`): it reports a syntax
/// error there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub line: u32,
    pub column: u32,
    /// `unterminated string`, or nothing.
    pub reason: Option<&'static str>,
}

impl LexError {
    /// The message puppet-lint reports.
    pub fn message(&self) -> String {
        match self.reason {
            Some(reason) => format!("Syntax error ({reason})"),
            None => "Syntax error".to_string(),
        }
    }
}

/// What Puppet's parser knows that puppet-lint's lexer guesses: where regex literals
/// start (`/.../`), found in Puppet's AST the first time the lexer meets a `/`.
#[derive(Debug, Default)]
pub struct Guide<'p> {
    program: Option<&'p Program>,
    regex_starts: OnceCell<Vec<u32>>,
}

impl<'p> Guide<'p> {
    /// Puppet's reading of the file the lexer reads.
    pub fn new(program: &'p Program) -> Self {
        Guide { program: Some(program), regex_starts: OnceCell::new() }
    }

    /// Does Puppet read a regex starting at this byte offset?
    pub fn regex_at(&self, offset: u32) -> bool {
        let starts = self.regex_starts.get_or_init(|| self.program.map(regex_starts).unwrap_or_default());
        starts.binary_search(&offset).is_ok()
    }
}

/// The byte offsets (sorted) where Puppet's AST has a regex literal.
pub fn regex_starts(program: &Program) -> Vec<u32> {
    struct Regexes(Vec<u32>);
    impl<'a> Visitor<'a> for Regexes {
        fn enter(&mut self, node: Node<'a>, _ancestors: &[Node<'a>]) -> Walk {
            if let Some(expr) = node.expr().filter(|expr| matches!(expr.kind, ExprKind::LiteralRegex(_))) {
                self.0.push(expr.span.start);
            }
            Walk::Children
        }
    }
    let mut regexes = Regexes(Vec::new());
    walk(program, &mut regexes);
    regexes.0.sort_unstable();
    regexes.0.dedup();
    regexes.0
}

/// puppet-lint's `WHITESPACE_RE` character class: `[\t\v\f\p{Zs}]`.
pub fn is_whitespace_char(ch: char) -> bool {
    matches!(ch, '\t' | '\u{0b}' | '\u{0c}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
}

/// Onigmo's `\b` looks at Unicode word characters.
fn is_unicode_word(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

fn is_name_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-'
}

const TYPE_NAMES: [&str; 30] = [
    "Any",
    "Array",
    "Binary",
    "Boolean",
    "Callable",
    "CatalogEntry",
    "Class",
    "Collection",
    "Data",
    "Default",
    "Enum",
    "Error",
    "Float",
    "Hash",
    "Integer",
    "NotUndef",
    "Numeric",
    "Optional",
    "Pattern",
    "Regexp",
    "Resource",
    "Runtime",
    "Scalar",
    "Sensitive",
    "String",
    "Struct",
    "Tuple",
    "Type",
    "Undef",
    "Variant",
];

/// Punctuation of `KNOWN_TOKENS`, in puppet-lint's order (longer before shorter).
const PUNCTUATION: [(&str, TokenKind); 40] = [
    ("[", TokenKind::Lbrack),
    ("]", TokenKind::Rbrack),
    ("{", TokenKind::Lbrace),
    ("}", TokenKind::Rbrace),
    ("(", TokenKind::Lparen),
    (")", TokenKind::Rparen),
    ("==", TokenKind::Isequal),
    ("=~", TokenKind::Match),
    ("=>", TokenKind::Farrow),
    ("=", TokenKind::Equals),
    ("+=", TokenKind::Appends),
    ("+>", TokenKind::Parrow),
    ("+", TokenKind::Plus),
    (">=", TokenKind::Greaterequal),
    (">>", TokenKind::Rshift),
    (">", TokenKind::Greaterthan),
    ("<=", TokenKind::Lessequal),
    ("<<|", TokenKind::Llcollect),
    ("<-", TokenKind::OutEdge),
    ("<~", TokenKind::OutEdgeSub),
    ("<|", TokenKind::Lcollect),
    ("<<", TokenKind::Lshift),
    ("<", TokenKind::Lessthan),
    ("!~", TokenKind::Nomatch),
    ("!=", TokenKind::Notequal),
    ("!", TokenKind::Not),
    ("|>>", TokenKind::Rrcollect),
    ("|>", TokenKind::Rcollect),
    ("->", TokenKind::InEdge),
    ("~>", TokenKind::InEdgeSub),
    ("-", TokenKind::Minus),
    (",", TokenKind::Comma),
    (".", TokenKind::Dot),
    (":", TokenKind::Colon),
    (";", TokenKind::Semic),
    ("?", TokenKind::Qmark),
    ("\\", TokenKind::Backslash),
    ("*", TokenKind::Times),
    ("%", TokenKind::Modulo),
    ("|", TokenKind::Pipe),
];

/// Length of `\A\b(?:0[xX][0-9A-Fa-f]+|0?\d+(?:\.\d+)?(?:[eE]-?\d+)?)\b` at the start of
/// `chunk` (puppet-lint's `NUMBER`), with Ruby's backtracking: a number must end before a
/// character that is not a word character.
fn number_len(chunk: &str) -> Option<usize> {
    let bytes = chunk.as_bytes();
    let digits = |from: usize, hex: bool| bytes[from..].iter().take_while(|byte| if hex { byte.is_ascii_hexdigit() } else { byte.is_ascii_digit() }).count();
    let boundary = |at: usize| !chunk[at..].chars().next().is_some_and(is_unicode_word);
    if bytes.len() > 2 && bytes[0] == b'0' && matches!(bytes[1], b'x' | b'X') {
        let run = digits(2, true);
        if run > 0 && boundary(2 + run) {
            return Some(2 + run);
        }
    }
    let int_end = digits(0, false);
    if int_end == 0 {
        return None;
    }
    let mut end = int_end;
    let mut fraction = false;
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end += 1 + digits(end + 1, false);
        fraction = true;
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let mut at = end + 1;
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        if bytes.get(at).is_some_and(u8::is_ascii_digit) {
            end = at + digits(at, false);
        }
    }
    if boundary(end) {
        return Some(end);
    }
    // Giving back the exponent leaves an `e`, a word character; giving back the fraction
    // leaves the integer before a `.`, which ends a word.
    (fraction && boundary(int_end)).then_some(int_end)
}

/// Length of the name of `\$((::)?(\w+(-\w+)*::)*\w+(-\w+)*(\[.+?\])*)` after the `$`
/// (puppet-lint's `VARIABLE`): a name, then any `[...]` (shortest, on one line).
fn variable_len(after_dollar: &str) -> Option<usize> {
    let mut end = slurper::variable_name_len(after_dollar)?;
    let bytes = after_dollar.as_bytes();
    while bytes.get(end) == Some(&b'[') {
        let body = end + 1;
        let Some(first) = after_dollar[body..].chars().next().filter(|ch| *ch != '\n') else { break };
        let search = body + first.len_utf8();
        match after_dollar[search..].find([']', '\n']).map(|found| search + found) {
            Some(close) if bytes[close] == b']' => end = close + 1,
            _ => break,
        }
    }
    Some(end)
}

/// The tokens of a whole file, as puppet-lint's lexer makes them.
pub fn tokenise(code: &str) -> Result<Tokens<'_>, LexError> {
    tokenise_guided(code, &Guide::default())
}

/// [`tokenise`], reading a `/` as Puppet's parser does where the guide says.
pub fn tokenise_guided<'a>(code: &'a str, guide: &Guide<'_>) -> Result<Tokens<'a>, LexError> {
    let mut queue = VecDeque::new();
    let mut lexer = Lexer::new(code, 0, &mut queue, guide);
    lexer.run()?;
    Ok(lexer.tokens)
}

struct Lexer<'a, 'q, 'p> {
    code: &'a str,
    /// Offset of `code` in the file (sub-lexers read `${...}` code).
    base: u32,
    tokens: Tokens<'a>,
    line: i64,
    column: i64,
    last_code: Option<TokenId>,
    last: Option<TokenId>,
    /// Heredoc tags waiting for the end of their line; puppet-lint shares one queue
    /// between a lexer and the lexers of its interpolations.
    heredocs: &'q mut VecDeque<String>,
    guide: &'q Guide<'p>,
}

impl<'a, 'q, 'p> Lexer<'a, 'q, 'p> {
    fn new(code: &'a str, base: u32, heredocs: &'q mut VecDeque<String>, guide: &'q Guide<'p>) -> Self {
        Lexer { code, base, tokens: Tokens::default(), line: 1, column: 1, last_code: None, last: None, heredocs, guide }
    }

    fn error(&self, reason: Option<&'static str>) -> LexError {
        LexError { line: self.line.max(0) as u32, column: self.column.max(0) as u32, reason }
    }

    /// puppet-lint's `new_token`: links the token and advances line and column by the
    /// text the token renders to.
    fn new_token(&mut self, kind: TokenKind, value: Cow<'a, str>, raw: Option<Cow<'a, str>>, offset: u32) -> TokenId {
        if kind == TokenKind::UnencVariable {
            self.column -= 2;
        }
        let mut token = Token::synthetic(kind, value);
        token.raw = raw;
        token.line = self.line.max(0) as u32;
        token.column = self.column.max(0) as u32;
        token.offset = offset;
        token.prev = self.last;
        let formatting = kind.is_formatting();
        if !formatting {
            token.prev_code = self.last_code;
        }
        let id = self.tokens.push_ordered(token);
        if let Some(last) = self.last {
            self.tokens.get_mut(last).next = Some(id);
        }
        if !formatting {
            if let Some(last_code) = self.last_code {
                self.tokens.get_mut(last_code).next_code = Some(id);
            }
            self.last_code = Some(id);
        }
        self.last = Some(id);

        if kind == TokenKind::Newline {
            self.line += 1;
            self.column = 1;
        } else {
            let (prefix, body, suffix) = self.tokens.manifest_parts(id);
            let (breaks, last_len, empty) = split_lines_parts(prefix, body, suffix);
            if empty {
                // Ruby's `"".split(re, -1)` is `[]`: the line goes back by one.
                self.line -= 1;
            } else {
                self.line += breaks as i64;
                if breaks > 0 {
                    self.column = last_len as i64 + 1;
                } else {
                    self.column += last_len as i64;
                }
            }
        }
        id
    }

    fn offset(&self, index: usize) -> u32 {
        self.base + index as u32
    }

    fn possible_regex(&self) -> bool {
        match self.last_code {
            None => true,
            Some(id) => matches!(
                self.tokens.kind(id),
                TokenKind::Node
                    | TokenKind::Lbrace
                    | TokenKind::Rbrace
                    | TokenKind::Match
                    | TokenKind::Nomatch
                    | TokenKind::Comma
                    | TokenKind::Lbrack
                    | TokenKind::If
                    | TokenKind::Elsif
                    | TokenKind::Lparen
                    | TokenKind::Equals
            ),
        }
    }

    fn run(&mut self) -> Result<(), LexError> {
        let code = self.code;
        let bytes = code.as_bytes();
        let mut index = 0;
        while index < code.len() {
            let chunk = &code[index..];
            if let Some((kind, len)) = self.known_token(chunk) {
                let value = &chunk[..len];
                let kind = if kind == TokenKind::Name { TokenKind::keyword(value).unwrap_or(kind) } else { kind };
                self.new_token(kind, Cow::Borrowed(value), None, self.offset(index));
                index += len;
                continue;
            }
            let first = bytes[index];
            let length;
            if first == b'/' && self.guide.regex_at(self.offset(index)) {
                // Puppet reads a regex here (also `//`, which puppet-lint takes for a comment).
                if let Some(end) = closing_quote(&chunk[1..], b'/') {
                    self.new_token(TokenKind::Regex, Cow::Borrowed(&chunk[1..end + 1]), None, self.offset(index));
                    index += end + 2;
                    continue;
                }
            }
            if let Some(name_len) = (first == b'$').then(|| variable_len(&chunk[1..])).flatten() {
                let name = &chunk[1..1 + name_len];
                length = name.len() + 1;
                self.new_token(TokenKind::Variable, Cow::Borrowed(name), Some(Cow::Borrowed(&chunk[..length])), self.offset(index));
            } else if first == b'\'' && chunk[1..].contains('\'') {
                let Some(end) = closing_quote(&chunk[1..], b'\'') else {
                    return Err(self.error(None));
                };
                length = end + 2;
                self.new_token(TokenKind::Sstring, Cow::Borrowed(&chunk[1..end + 1]), None, self.offset(index));
            } else if first == b'"' {
                let rest = &chunk[1..];
                let Ok((segments, consumed)) = Slurper::new(rest).parse() else {
                    return Err(self.error(Some("unterminated string")));
                };
                self.string_segments(rest, index + 1, &segments, self.offset(index))?;
                length = consumed + 1;
            } else if let Some(tag) = heredoc_tag(chunk) {
                self.heredocs.push_back(tag.to_string());
                self.new_token(TokenKind::HeredocOpen, Cow::Borrowed(tag), None, self.offset(index));
                length = tag.len() + 3;
            } else if first == b'#' {
                let comment = line_text(chunk);
                length = comment.len();
                self.new_token(TokenKind::Comment, Cow::Borrowed(&comment[1..]), None, self.offset(index));
            } else if chunk.starts_with("//") {
                let comment = line_text(chunk);
                length = comment.len();
                self.new_token(TokenKind::SlashComment, Cow::Borrowed(&comment[2..]), None, self.offset(index));
            } else if let Some(end) = chunk.starts_with("/*").then(|| chunk[2..].find("*/")).flatten() {
                length = end + 4;
                let raw = &chunk[..length];
                self.new_token(TokenKind::Mlcomment, Cow::Owned(mlcomment_value(raw)), Some(Cow::Borrowed(raw)), self.offset(index));
            } else if first == b'/' && chunk[1..].contains('/') && self.possible_regex() {
                let Some(end) = closing_quote(&chunk[1..], b'/') else {
                    return Err(self.error(None));
                };
                length = end + 2;
                self.new_token(TokenKind::Regex, Cow::Borrowed(&chunk[1..end + 1]), None, self.offset(index));
            } else if let Some(eol_len) = line_end_len(chunk) {
                let eol = &chunk[..eol_len];
                let indent_len = chunk[eol_len..].chars().take_while(|ch| is_whitespace_char(*ch)).map(char::len_utf8).sum::<usize>();
                self.new_token(TokenKind::Newline, Cow::Borrowed(eol), None, self.offset(index));
                let mut consumed = eol_len;
                if indent_len > 0 && self.heredocs.is_empty() {
                    let indent = &chunk[eol_len..eol_len + indent_len];
                    self.new_token(TokenKind::Indent, Cow::Borrowed(indent), None, self.offset(index + eol_len));
                    consumed += indent_len;
                } else if let Some(tag) = self.heredocs.pop_front() {
                    let body_start = index + eol_len;
                    let body = &code[body_start..];
                    let (segments, body_len) = Slurper::new(body).parse_heredoc(&tag);
                    self.heredoc_segments(body, body_start, &segments)?;
                    consumed += body_len;
                }
                length = consumed;
            } else if first == b'/' {
                length = 1;
                self.new_token(TokenKind::Div, Cow::Borrowed("/"), None, self.offset(index));
            } else if first == b'@' {
                length = 1;
                self.new_token(TokenKind::At, Cow::Borrowed("@"), None, self.offset(index));
            } else {
                return Err(self.error(None));
            }
            index += length;
        }
        Ok(())
    }

    /// The `KNOWN_TOKENS` table: the first pattern that matches at the start of `chunk`.
    fn known_token(&self, chunk: &str) -> Option<(TokenKind, usize)> {
        let bytes = chunk.as_bytes();
        let first_char = chunk.chars().next()?;
        if is_whitespace_char(first_char) {
            let len = chunk.chars().take_while(|ch| is_whitespace_char(*ch)).map(char::len_utf8).sum();
            return Some((TokenKind::Whitespace, len));
        }
        let first = bytes[0];
        if first.is_ascii_uppercase() {
            for name in TYPE_NAMES {
                if chunk.starts_with(name) && !chunk[name.len()..].chars().next().is_some_and(is_unicode_word) {
                    return Some((TokenKind::Type, name.len()));
                }
            }
        }
        if let Some(len) = classref_len(bytes) {
            return Some((TokenKind::Classref, len));
        }
        if first.is_ascii_digit() {
            if let Some(len) = number_len(chunk) {
                return Some((TokenKind::Number, len));
            }
        }
        if let Some(len) = name_len(bytes) {
            let kind = if bytes.get(len) == Some(&b'(') { TokenKind::FunctionName } else { TokenKind::Name };
            return Some((kind, len));
        }
        PUNCTUATION.iter().find(|(text, _)| chunk.starts_with(text)).map(|(text, kind)| (*kind, text.len()))
    }

    /// The tokens of a double quoted string; the first starts at the quote (`quote`).
    fn string_segments(&mut self, text: &'a str, start: usize, segments: &[Segment], quote: u32) -> Result<(), LexError> {
        let slice = |segment: &Segment| &text[segment.start..segment.end];
        let base = self.base;
        let offset = |segment: &Segment| base + (start + segment.start) as u32;
        match segments {
            [] => Ok(()),
            [only] => {
                self.new_token(TokenKind::String, Cow::Borrowed(slice(only)), None, quote);
                Ok(())
            }
            [pre, middle @ .., post] => {
                self.new_token(TokenKind::Dqpre, Cow::Borrowed(slice(pre)), None, quote);
                for segment in middle {
                    match segment.kind {
                        SegmentKind::Interp => self.interpolation(slice(segment), start + segment.start)?,
                        SegmentKind::UnencVar => {
                            let name = slice(segment);
                            let name = name.strip_prefix('$').unwrap_or(name);
                            self.new_token(TokenKind::UnencVariable, Cow::Borrowed(name), None, offset(segment));
                        }
                        SegmentKind::Text | SegmentKind::HeredocTerm => {
                            self.new_token(TokenKind::Dqmid, Cow::Borrowed(slice(segment)), None, offset(segment));
                        }
                    }
                }
                self.new_token(TokenKind::Dqpost, Cow::Borrowed(slice(post)), None, offset(post));
                Ok(())
            }
        }
    }

    fn heredoc_segments(&mut self, text: &'a str, start: usize, segments: &[Segment]) -> Result<(), LexError> {
        let Some((end_tag, segments)) = segments.split_last() else { return Ok(()) };
        let slice = |segment: &Segment| &text[segment.start..segment.end];
        let base = self.base;
        let offset = |segment: &Segment| base + (start + segment.start) as u32;
        let joined = |segment: &Segment| -> Cow<'a, str> {
            if segment.end == end_tag.start {
                Cow::Borrowed(&text[segment.start..end_tag.end])
            } else {
                Cow::Owned(format!("{}{}", slice(segment), slice(end_tag)))
            }
        };
        match segments {
            [] => {}
            [only] => {
                self.new_token(TokenKind::Heredoc, Cow::Borrowed(slice(only)), Some(joined(only)), offset(only));
            }
            [pre, middle @ .., post] => {
                self.new_token(TokenKind::HeredocPre, Cow::Borrowed(slice(pre)), None, offset(pre));
                for segment in middle {
                    match segment.kind {
                        SegmentKind::Interp => self.interpolation(slice(segment), start + segment.start)?,
                        SegmentKind::UnencVar => {
                            let name = slice(segment);
                            let name = name.strip_prefix('$').unwrap_or(name);
                            self.new_token(TokenKind::UnencVariable, Cow::Borrowed(name), None, offset(segment));
                        }
                        SegmentKind::Text | SegmentKind::HeredocTerm => {
                            self.new_token(TokenKind::HeredocMid, Cow::Borrowed(slice(segment)), None, offset(segment));
                        }
                    }
                }
                self.new_token(TokenKind::HeredocPost, Cow::Borrowed(slice(post)), Some(joined(post)), offset(post));
            }
        }
        Ok(())
    }

    /// The code of a `${...}`: lexed on its own, then added here; its first token is a
    /// variable when it is a name or a keyword (`"${foo}"`).
    fn interpolation(&mut self, code: &'a str, start: usize) -> Result<(), LexError> {
        let sub_tokens = {
            let mut sub = Lexer::new(code, self.offset(start), self.heredocs, self.guide);
            sub.run()?;
            sub.tokens
        };
        for (position, id) in sub_tokens.ids().iter().enumerate() {
            let token = sub_tokens.get(*id);
            let kind = if position == 0 && interpolated_variable(token) { TokenKind::Variable } else { token.kind };
            self.new_token(kind, token.value.clone(), token.raw.clone(), token.offset);
        }
        Ok(())
    }
}

/// puppet-lint's `Token#interpolated_variable?`.
fn interpolated_variable(token: &Token<'_>) -> bool {
    if token.kind == TokenKind::Type && token.value != "type" {
        return false;
    }
    token.kind == TokenKind::Name || token.kind.is_keyword() || token.kind == TokenKind::Type
}

/// Splits rendered text on `\r\n|\r|\n` as Ruby's `split(re, -1)` does: the number of
/// line ends, the character length of the last piece, and whether the text is empty.
fn split_lines(text: &str) -> (usize, usize, bool) {
    if text.is_empty() {
        return (0, 0, true);
    }
    let bytes = text.as_bytes();
    let mut breaks = 0;
    let mut last_start = 0;
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\r' => {
                breaks += 1;
                index += if bytes.get(index + 1) == Some(&b'\n') { 2 } else { 1 };
                last_start = index;
            }
            b'\n' => {
                breaks += 1;
                index += 1;
                last_start = index;
            }
            _ => index += 1,
        }
    }
    (breaks, text[last_start..].chars().count(), false)
}

/// [`split_lines`] of `prefix + body + suffix`, without joining them (the prefixes and
/// suffixes of tokens hold no line ends).
fn split_lines_parts(prefix: &str, body: &str, suffix: &str) -> (usize, usize, bool) {
    if prefix.is_empty() && suffix.is_empty() {
        return split_lines(body);
    }
    let (breaks, last_len, _) = split_lines(body);
    let before = if breaks == 0 { prefix.chars().count() } else { 0 };
    (breaks, before + last_len + suffix.chars().count(), false)
}

/// Length of `\r\n|\r|\n` at the start.
fn line_end_len(chunk: &str) -> Option<usize> {
    let bytes = chunk.as_bytes();
    match bytes.first()? {
        b'\r' if bytes.get(1) == Some(&b'\n') => Some(2),
        b'\r' | b'\n' => Some(1),
        _ => None,
    }
}

/// The text up to (not including) the next `\r` or `\n`.
fn line_text(chunk: &str) -> &str {
    let end = chunk.find(['\r', '\n']).unwrap_or(chunk.len());
    &chunk[..end]
}

/// Length of `((::)?[A-Z][-\w]*)+`.
fn classref_len(bytes: &[u8]) -> Option<usize> {
    let mut pos = 0;
    loop {
        let start = if bytes[pos..].starts_with(b"::") { pos + 2 } else { pos };
        if !bytes.get(start).is_some_and(u8::is_ascii_uppercase) {
            break;
        }
        pos = start + 1;
        while bytes.get(pos).is_some_and(|byte| is_name_char(*byte)) {
            pos += 1;
        }
    }
    (pos > 0).then_some(pos)
}

/// Length of puppet-lint's `NAME_RE`: `((?:::)?[_a-z0-9][-\w]*)(::[a-z0-9][-\w]*)*`.
fn name_len(bytes: &[u8]) -> Option<usize> {
    let start = if bytes.starts_with(b"::") { 2 } else { 0 };
    let first = *bytes.get(start)?;
    if !(first == b'_' || first.is_ascii_lowercase() || first.is_ascii_digit()) {
        return None;
    }
    let mut pos = start + 1;
    while bytes.get(pos).is_some_and(|byte| is_name_char(*byte)) {
        pos += 1;
    }
    while bytes[pos..].starts_with(b"::") && bytes.get(pos + 2).is_some_and(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit()) {
        pos += 3;
        while bytes.get(pos).is_some_and(|byte| is_name_char(*byte)) {
            pos += 1;
        }
    }
    Some(pos)
}

/// Index in `text` of the first `quote` not escaped by a backslash (puppet-lint's
/// `scan_until(/(\A|[^\\])(\\\\)*'/)`).
fn closing_quote(text: &str, quote: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            byte if byte == quote => return Some(index),
            _ => index += 1,
        }
    }
    None
}

/// The tag of a heredoc start `@(...)`: `\A@\(("?.+?"?(:.+?)?WS*(/.*?)?)\)`, which is
/// everything up to the first `)` on the line after at least one character.
fn heredoc_tag(chunk: &str) -> Option<&str> {
    let rest = chunk.strip_prefix("@(")?;
    let first_len = rest.chars().next()?.len_utf8();
    if rest.starts_with('\n') {
        return None;
    }
    let after_first = &rest[first_len..];
    let close = after_first.find([')', '\n'])?;
    if after_first.as_bytes()[close] != b')' {
        return None;
    }
    Some(&rest[..first_len + close])
}

/// The value puppet-lint keeps of a `/* */` comment: markers and leading `*`s removed.
fn mlcomment_value(raw: &str) -> String {
    let mut text = raw.strip_prefix("/*").unwrap_or(raw);
    text = text.strip_prefix(' ').unwrap_or(text);
    // ` ?\*/\Z`: `\Z` also matches before a final newline, which a comment cannot end with.
    let mut text = text.strip_suffix("*/").unwrap_or(text);
    text = text.strip_suffix(' ').unwrap_or(text);
    // `gsub(/^ *\*/, '')`: at the start of each line, spaces then a star.
    let mut value = String::with_capacity(text.len());
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            value.push('\n');
        }
        let spaces = line.bytes().take_while(|byte| *byte == b' ').count();
        if line.as_bytes().get(spaces) == Some(&b'*') {
            value.push_str(&line[spaces + 1..]);
        } else {
            value.push_str(line);
        }
    }
    value
}
