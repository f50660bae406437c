//! Puppet's lexer, `lib/puppet/pops/parser/lexer2.rb` with its support modules (slurp,
//! interpolation, heredoc, epp) of Puppet 7.23, token for token: the same tokens, values,
//! byte offsets and errors, produced lazily as Racc pulls them (a double quoted string or
//! a heredoc is read whole, interpolations included, when its first token is asked for).

use std::borrow::Cow;
use std::collections::VecDeque;

use super::issues::Issue;
use super::tables::T;

/// A token's kind: one of the grammar's tokens, or one the lexer makes and the grammar
/// does not know (Racc turns those into its error token).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    G(T),
    /// lexer2's OTHER (a character no token starts with) and TILDE (a lone `~`).
    Unknown,
}

#[derive(Debug, Clone)]
pub struct Token<'s> {
    pub kind: Kind,
    /// Byte offset in the file.
    pub offset: usize,
    /// Byte offset of the token's end in the file; for the text pieces of a double quoted
    /// string, where its interpolation starts (the `$`).
    pub end: usize,
    /// Puppet's `value[:value]` as `on_error` prints it.
    pub value: Cow<'s, str>,
}

#[derive(Debug, Clone)]
pub struct LexError {
    pub issue: Issue,
    /// Byte offset in the file.
    pub offset: usize,
}

type Lexed<T> = Result<T, LexError>;

/// Where the text of a heredoc (with its margin removed) sits in the file.
#[derive(Debug, Clone)]
struct SubLocator {
    leading_offset: usize,
    /// Start offsets of the text's lines.
    line_starts: Vec<usize>,
    /// Margin removed from each line, summed up to each line (index = 1-based line).
    accumulated_margin: Vec<usize>,
    has_margin: bool,
}

impl SubLocator {
    fn to_global(&self, offset: usize) -> usize {
        if !self.has_margin {
            return offset + self.leading_offset;
        }
        if offset == 0 {
            return self.leading_offset;
        }
        let line = self.line_starts.partition_point(|start| *start <= offset).max(1);
        let margin = self.accumulated_margin.get(line).or(self.accumulated_margin.last()).copied().unwrap_or(0);
        offset + self.leading_offset + margin
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EppMode {
    Text,
    Epp,
    Expr,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Escapes {
    /// Double quoted: `\\ $ ' " r n t s u` and a line break.
    Double,
    /// A heredoc's text: the escapes its spec lists (`None`: none at all).
    Heredoc { flags: Option<String> },
}

pub struct Lexer<'s> {
    text: &'s str,
    bytes: &'s [u8],
    pos: usize,
    /// StringScanner#matched: what the last successful scan matched.
    matched: Option<Cow<'s, str>>,
    queue: VecDeque<Token<'s>>,
    brace_count: i64,
    after: Option<Kind>,
    line_lexical_start: usize,
    newline_jump: Option<usize>,
    epp_mode: Option<EppMode>,
    epp_open: bool,
    /// Where the EPP tag that ended the last template text starts (its `<%`).
    epp_tag: usize,
    /// Set for the lexer of a heredoc's text.
    sub: Option<SubLocator>,
    /// Heredoc text: the escapes and whether `$` interpolates.
    uq: Option<(Escapes, bool)>,
    /// Byte ranges of the comments skipped, in order (not kept for a heredoc's text).
    pub comments: Vec<(usize, usize)>,
    /// The first token was asked for (lexer2 skips leading blanks, EPP starts its text).
    started: bool,
    finished: bool,
}

const STATEMENT_KEYWORDS: &[(&str, T)] = &[
    ("case", T::CASE),
    ("class", T::CLASS),
    ("default", T::DEFAULT),
    ("define", T::DEFINE),
    ("if", T::IF),
    ("elsif", T::ELSIF),
    ("else", T::ELSE),
    ("inherits", T::INHERITS),
    ("node", T::NODE),
    ("and", T::AND),
    ("or", T::OR),
    ("undef", T::UNDEF),
    ("false", T::BOOLEAN),
    ("true", T::BOOLEAN),
    ("in", T::IN),
    ("unless", T::UNLESS),
    ("function", T::FUNCTION),
    ("type", T::TYPE),
    ("attr", T::ATTR),
    ("private", T::PRIVATE),
];

fn keyword(word: &str) -> Option<T> {
    STATEMENT_KEYWORDS.iter().find(|(name, _)| *name == word).map(|(_, token)| *token)
}

fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Ruby's `[[:blank:]]` (space, tab and the Unicode space separators) or `\r`.
fn blank_at(text: &str, at: usize) -> usize {
    let Some(ch) = text[at..].chars().next() else { return 0 };
    let blank = matches!(ch, ' ' | '\t' | '\r' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}');
    if blank {
        ch.len_utf8()
    } else {
        0
    }
}

impl<'s> Lexer<'s> {
    pub fn new(text: &'s str, epp: bool) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            matched: None,
            queue: VecDeque::new(),
            brace_count: 0,
            after: None,
            line_lexical_start: 0,
            newline_jump: None,
            epp_mode: epp.then_some(EppMode::Text),
            epp_open: false,
            epp_tag: 0,
            sub: None,
            uq: None,
            comments: Vec::new(),
            started: false,
            finished: false,
        }
    }

    fn global(&self, offset: usize) -> usize {
        self.sub.as_ref().map_or(offset, |sub| sub.to_global(offset))
    }

    fn error<X>(&self, issue: Issue, offset: usize) -> Lexed<X> {
        Err(LexError { issue, offset: self.global(offset) })
    }

    fn eos(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn token(&self, kind: Kind, offset: usize, value: impl Into<Cow<'s, str>>) -> Token<'s> {
        Token { kind, offset: self.global(offset), end: self.global(self.pos.max(offset)), value: value.into() }
    }

    /// lexer2's `followed_by`: the next five characters, for messages.
    fn followed_by(&self) -> String {
        if self.eos() {
            return "<eof>".to_string();
        }
        let head: String = self.text[self.pos..].chars().take(5).collect();
        format!("{head}...").replace('\t', "\\t").replace('\n', "\\n").replace('\r', "\\r")
    }

    fn skip_ws(&mut self) -> bool {
        let start = self.pos;
        loop {
            let length = blank_at(self.text, self.pos);
            if length == 0 {
                break;
            }
            self.pos += length;
        }
        if self.pos > start {
            self.matched = Some(Cow::Borrowed(&self.text[start..self.pos]));
            true
        } else {
            // A failed scan leaves StringScanner without a match.
            self.matched = None;
            false
        }
    }

    /// The next token for the parser; `None` at the end of the input.
    pub fn next_token(&mut self) -> Lexed<Option<Token<'s>>> {
        if !self.started {
            self.started = true;
            if self.epp_mode.is_some() {
                self.queue.push_back(self.token(Kind::G(T::EPP_START), 0, ""));
                self.interpolate_epp(false)?;
            } else {
                self.skip_ws();
            }
        }
        loop {
            if let Some(token) = self.queue.pop_front() {
                self.after = Some(token.kind);
                return Ok(Some(token));
            }
            if self.eos() {
                if self.epp_open && !self.finished {
                    self.finished = true;
                    return self.error(Issue::EppUnbalancedTag, self.pos);
                }
                return Ok(None);
            }
            if let Some(token) = self.lex_token()? {
                self.after = Some(token.kind);
                return Ok(Some(token));
            }
        }
    }

    fn emit(&mut self, token: T, offset: usize, length: usize) -> Option<Token<'s>> {
        self.pos = offset + length;
        let value = &self.text[offset..offset + length];
        Some(self.token(Kind::G(token), offset, value))
    }

    /// lexer2's selector: one token (or `None` for whitespace and comments).
    fn lex_token(&mut self) -> Lexed<Option<Token<'s>>> {
        let before = self.pos;
        let Some(c) = self.peek(0) else { return Ok(None) };
        let next = self.peek(1);
        let next2 = self.peek(2);
        Ok(match c {
            b'.' => self.emit(T::DOT, before, 1),
            b',' => self.emit(T::COMMA, before, 1),
            b'[' => {
                let after_space = before == 0 || matches!(self.bytes[before - 1], b' ' | b'\t' | b'\r' | b'\n')
                    || self.bytes[before - 1] >= 0x80
                        && self.text[..before].chars().next_back().is_some_and(|ch| blank_at(self.text, before - ch.len_utf8()) > 0);
                self.emit(if after_space { T::LISTSTART } else { T::LBRACK }, before, 1)
            }
            b']' => self.emit(T::RBRACK, before, 1),
            b'(' => {
                let line = &self.text[self.line_lexical_start.min(before)..before];
                let mut at = 0;
                while at < line.len() {
                    let length = blank_at(line, at);
                    if length == 0 {
                        break;
                    }
                    at += length;
                }
                let ws = before == self.line_lexical_start || (!line.is_empty() && at == line.len());
                self.emit(if ws { T::WSLPAREN } else { T::LPAREN }, before, 1)
            }
            b')' => self.emit(T::RPAREN, before, 1),
            b';' => self.emit(T::SEMIC, before, 1),
            b'?' => self.emit(T::QMARK, before, 1),
            b'*' => self.emit(T::TIMES, before, 1),
            b'%' => {
                if next == Some(b'>') && self.epp_mode.is_some() {
                    self.pos += 2;
                    if self.epp_mode == Some(EppMode::Expr) {
                        self.queue.push_back(self.token(Kind::G(T::EPP_END), before, "%>"));
                    }
                    self.epp_mode = Some(EppMode::Text);
                    self.interpolate_epp(false)?;
                    None
                } else {
                    self.emit(T::MODULO, before, 1)
                }
            }
            b'{' => {
                self.brace_count += 1;
                let token = if self.after == Some(Kind::G(T::QMARK)) { T::SELBRACE } else { T::LBRACE };
                self.emit(token, before, 1)
            }
            b'}' => {
                self.brace_count -= 1;
                self.emit(T::RBRACE, before, 1)
            }
            b'@' => match next {
                Some(b'@') => self.emit(T::ATAT, before, 2),
                Some(b'(') => {
                    self.heredoc()?;
                    None
                }
                _ => self.emit(T::AT, before, 1),
            },
            b'|' => match (next, next2) {
                (Some(b'>'), Some(b'>')) => self.emit(T::RRCOLLECT, before, 3),
                (Some(b'>'), _) => self.emit(T::RCOLLECT, before, 2),
                _ => self.emit(T::PIPE, before, 1),
            },
            b'=' => match next {
                Some(b'=') => self.emit(T::ISEQUAL, before, 2),
                Some(b'>') => self.emit(T::FARROW, before, 2),
                Some(b'~') => self.emit(T::MATCH, before, 2),
                _ => self.emit(T::EQUALS, before, 1),
            },
            b'+' => match next {
                Some(b'=') => self.emit(T::APPENDS, before, 2),
                Some(b'>') => self.emit(T::PARROW, before, 2),
                _ => self.emit(T::PLUS, before, 1),
            },
            b'-' => {
                if self.epp_mode.is_some() && next == Some(b'%') && next2 == Some(b'>') {
                    self.pos += 3;
                    if self.epp_mode == Some(EppMode::Expr) {
                        self.queue.push_back(self.token(Kind::G(T::EPP_END_TRIM), before, "-%>"));
                    }
                    self.interpolate_epp(true)?;
                    None
                } else {
                    match next {
                        Some(b'>') => self.emit(T::IN_EDGE, before, 2),
                        Some(b'=') => self.emit(T::DELETES, before, 2),
                        _ => self.emit(T::MINUS, before, 1),
                    }
                }
            }
            b'!' => match next {
                Some(b'=') => self.emit(T::NOTEQUAL, before, 2),
                Some(b'~') => self.emit(T::NOMATCH, before, 2),
                _ => self.emit(T::NOT, before, 1),
            },
            b'~' => {
                if next == Some(b'>') {
                    self.emit(T::IN_EDGE_SUB, before, 2)
                } else {
                    self.pos = before + 1;
                    Some(self.token(Kind::Unknown, before, "~"))
                }
            }
            b'#' => {
                while self.peek(0).is_some_and(|byte| byte != b'\n') {
                    self.pos += 1;
                }
                self.matched = Some(Cow::Borrowed(&self.text[before..self.pos]));
                if self.sub.is_none() {
                    self.comments.push((before, self.pos));
                }
                None
            }
            b'/' => {
                if next == Some(b'*') {
                    match self.text[before + 2..].find("*/") {
                        Some(end) => {
                            self.pos = before + 2 + end + 2;
                            self.matched = Some(Cow::Borrowed(&self.text[before..self.pos]));
                            if self.sub.is_none() {
                                self.comments.push((before, self.pos));
                            }
                        }
                        None => return self.error(Issue::UnclosedMlComment, before),
                    }
                    None
                } else if self.regexp_acceptable() {
                    self.regex(before)?
                } else {
                    self.emit(T::DIV, before, 1)
                }
            }
            b'<' => match (next, next2) {
                (Some(b'<'), Some(b'|')) => self.emit(T::LLCOLLECT, before, 3),
                (Some(b'<'), _) => self.emit(T::LSHIFT, before, 2),
                (Some(b'='), _) => self.emit(T::LESSEQUAL, before, 2),
                (Some(b'|'), _) => self.emit(T::LCOLLECT, before, 2),
                (Some(b'-'), _) => self.emit(T::OUT_EDGE, before, 2),
                (Some(b'~'), _) => self.emit(T::OUT_EDGE_SUB, before, 2),
                _ => self.emit(T::LESSTHAN, before, 1),
            },
            b'>' => match next {
                Some(b'>') => self.emit(T::RSHIFT, before, 2),
                Some(b'=') => self.emit(T::GREATEREQUAL, before, 2),
                _ => self.emit(T::GREATERTHAN, before, 1),
            },
            b':' => {
                if next == Some(b':') {
                    if next2.is_some_and(|byte| byte.is_ascii_uppercase()) {
                        let end = self.classref_end(before);
                        if self.bytes.get(end..end + 2) != Some(b"::") {
                            self.pos = end;
                            self.matched = Some(Cow::Borrowed(&self.text[before..end]));
                            Some(self.token(Kind::G(T::CLASSREF), before, &self.text[before..end]))
                        } else {
                            return self.error(Issue::IllegalFullyQualifiedClassReference, end + 3);
                        }
                    } else {
                        match self.bare_word_end(before) {
                            Some(end) => {
                                self.pos = end;
                                let value = &self.text[before..end];
                                self.matched = Some(Cow::Borrowed(value));
                                let kind = if is_name(value) { T::NAME } else { T::WORD };
                                Some(self.token(Kind::G(kind), before, value))
                            }
                            None => return self.error(Issue::IllegalFullyQualifiedName, before + 2),
                        }
                    }
                } else {
                    self.emit(T::COLON, before, 1)
                }
            }
            b'$' => {
                let end = dollar_var_end(self.bytes, before);
                if end > before {
                    self.pos = end;
                    self.matched = Some(Cow::Borrowed(&self.text[before..end]));
                    Some(self.token(Kind::G(T::VARIABLE), before, &self.text[before + 1..end]))
                } else {
                    self.pos = before + 1;
                    Some(self.token(Kind::G(T::VARIABLE), before, ""))
                }
            }
            b'"' => self.interpolate_dq()?,
            b'\'' => {
                self.pos += 1;
                match slurp_sq(self.text, self.pos) {
                    Some((end, value)) => {
                        // SLURP_SQ_PATTERN's match: the character before the closing quote
                        // (and the escaped backslashes after it), then the quote.
                        let close = end - 1;
                        let mut from = close;
                        while from >= self.pos + 2 && self.bytes[from - 2..from] == *b"\\\\" {
                            from -= 2;
                        }
                        if from > self.pos {
                            from -= self.text[..from].chars().next_back().map_or(1, char::len_utf8);
                        }
                        self.pos = end;
                        self.matched = Some(Cow::Borrowed(&self.text[from..end]));
                        Some(self.token(Kind::G(T::STRING), before, value))
                    }
                    None => {
                        return self.error(
                            Issue::UnclosedQuote { after: "\"'\"".to_string(), followed_by: self.followed_by() },
                            self.pos,
                        )
                    }
                }
            }
            b'\n' => {
                self.pos = match self.newline_jump.take() {
                    Some(jump) => jump,
                    None => self.pos + 1,
                };
                self.line_lexical_start = self.pos;
                None
            }
            b' ' | b'\t' | b'\r' => {
                self.skip_ws();
                None
            }
            b'0'..=b'9' => Some(self.number(before)?),
            b'a'..=b'z' | b'_' => {
                let end = self.bare_word_end(before).unwrap_or(before + 1);
                self.pos = end;
                let value = &self.text[before..end];
                self.matched = Some(Cow::Borrowed(value));
                if is_name(value) {
                    let kind = keyword(value).unwrap_or(T::NAME);
                    Some(self.token(Kind::G(kind), before, value))
                } else {
                    Some(self.token(Kind::G(T::WORD), before, value))
                }
            }
            b'A'..=b'Z' => {
                let end = self.classref_end(before);
                self.pos = end;
                self.matched = Some(Cow::Borrowed(&self.text[before..end]));
                if self.bytes.get(end..end + 2) == Some(b"::") {
                    return self.error(Issue::IllegalClassReference, end + 1);
                }
                Some(self.token(Kind::G(T::CLASSREF), before, &self.text[before..end]))
            }
            _ => {
                if self.skip_ws() {
                    None
                } else {
                    // lexer2 steps one byte; a whole character keeps the text sliceable (the
                    // parser stops at this token anyway).
                    self.pos = before + self.text[before..].chars().next().map_or(1, char::len_utf8);
                    Some(self.token(Kind::Unknown, before, ""))
                }
            }
        })
    }

    fn regexp_acceptable(&self) -> bool {
        let Some(Kind::G(after)) = self.after else { return true };
        !matches!(
            after,
            T::RPAREN
                | T::RBRACK
                | T::RRCOLLECT
                | T::RCOLLECT
                | T::NAME
                | T::CLASSREF
                | T::NUMBER
                | T::STRING
                | T::BOOLEAN
                | T::DQPRE
                | T::DQMID
                | T::DQPOST
                | T::HEREDOC
                | T::REGEX
                | T::VARIABLE
                | T::WORD
        )
    }

    /// `/[^/]*/`, extended while its end is an escaped slash; else a DIV.
    fn regex(&mut self, before: usize) -> Lexed<Option<Token<'s>>> {
        let Some(close) = self.text[before + 1..].find('/') else {
            return Ok(self.emit(T::DIV, before, 1));
        };
        let mut end = before + 1 + close + 1;
        while escaped_end(&self.text[before..end]) {
            match self.text[end..].find('/') {
                Some(more) => end += more + 1,
                None => return Ok(self.emit(T::DIV, before, 1)),
            }
        }
        self.pos = end;
        let value = &self.text[before..end];
        self.matched = Some(Cow::Borrowed(value));
        let source = value[1..value.len() - 1].replace("\\/", "/");
        if let Some(problem) = regex_problem(&source) {
            let message = format!("{problem}: /{}/", source.replace('/', "\\/"));
            return Err(LexError { issue: Issue::Regexp { message }, offset: self.global(before) });
        }
        Ok(Some(self.token(Kind::G(T::REGEX), before, format!("(?-mix:{source})"))))
    }

    /// `((::){0,1}[A-Z][\w]*)+` from `start`.
    fn classref_end(&self, start: usize) -> usize {
        let mut end = start;
        loop {
            let mut at = end;
            if self.bytes.get(at..at + 2) == Some(b"::") {
                at += 2;
            }
            if !self.bytes.get(at).is_some_and(u8::is_ascii_uppercase) {
                return end;
            }
            at += 1;
            while self.bytes.get(at).copied().is_some_and(is_word) {
                at += 1;
            }
            end = at;
        }
    }

    /// `((?:::){0,1}(?:[a-z_](?:[\w-]*[\w])?))+` from `start` (`None`: no match).
    fn bare_word_end(&self, start: usize) -> Option<usize> {
        let mut end = None;
        let mut from = start;
        loop {
            let mut at = from;
            if self.bytes.get(at..at + 2) == Some(b"::") {
                at += 2;
            }
            if !self.bytes.get(at).is_some_and(|byte| byte.is_ascii_lowercase() || *byte == b'_') {
                return end;
            }
            at += 1;
            let mut last_word = at;
            while let Some(byte) = self.bytes.get(at).copied() {
                if is_word(byte) {
                    at += 1;
                    last_word = at;
                } else if byte == b'-' {
                    at += 1;
                } else {
                    break;
                }
            }
            end = Some(last_word);
            from = last_word;
        }
    }

    fn number(&mut self, before: usize) -> Lexed<Token<'s>> {
        if let Some(end) = number_end(self.bytes, before) {
            self.pos = end;
            let value = &self.text[before..end];
            self.matched = Some(Cow::Borrowed(value));
            if let Some(issue) = numeric_issue(value) {
                return self.error(issue, before);
            }
            return Ok(self.token(Kind::G(T::NUMBER), before, value));
        }
        // scan_until(\w+\b?): the first word from here.
        let mut before = before;
        let word_start = (self.pos..self.bytes.len()).find(|&at| is_word(self.bytes[at]));
        let mut invalid = word_start.map(|start| {
            let end = (start..self.bytes.len()).find(|&at| !is_word(self.bytes[at])).unwrap_or(self.bytes.len());
            self.pos = end;
            self.text[self.pos.min(before)..end].to_string()
        });
        if before > 1 {
            let after = self.pos;
            if self.bytes[before - 1] == b'.' {
                let mut at = before - 2;
                while self.bytes[at].is_ascii_digit() {
                    invalid = None;
                    before = at;
                    if before == 0 {
                        break;
                    }
                    at -= 1;
                }
            }
            if invalid.is_none() {
                invalid = Some(self.text[before..after.max(before)].to_string());
            }
        }
        let value = invalid.unwrap_or_default();
        if let Some(issue) = numeric_issue(&value) {
            return self.error(issue, before);
        }
        self.error(Issue::IllegalNumber { value }, before + 1)
    }

    // ------------------------------------------------------------- strings

    /// interpolate_dq: a double quoted string, as one STRING or as DQPRE, its
    /// interpolations' tokens, DQMID... DQPOST, all queued before the first is returned.
    fn interpolate_dq(&mut self) -> Lexed<Option<Token<'s>>> {
        let before = self.pos;
        self.pos += 1;
        self.matched = Some(Cow::Borrowed("\""));
        let queued = self.queue.len();
        self.interpolate(before, true, true)?;
        Ok(self.queue.remove(queued))
    }

    /// The string from `before` (its opening quote already read for double quotes):
    /// lexer2's interpolate_dq / interpolate_tail_dq (`dq`) or interpolate_uq / tail.
    fn interpolate(&mut self, mut before: usize, dq: bool, first: bool) -> Lexed<()> {
        let mut first = first;
        loop {
            let (mut text, mut terminator) = self.slurp(dq)?;
            let mut after = self.pos;
            loop {
                match terminator {
                    Terminator::End => {
                        let kind = if first { T::STRING } else { T::DQPOST };
                        self.queue.push_back(self.token(Kind::G(kind), before, text));
                        return Ok(());
                    }
                    Terminator::Expression => {
                        let count = self.brace_count;
                        self.brace_count += 1;
                        let kind = if first { T::DQPRE } else { T::DQMID };
                        let mut token = self.token(Kind::G(kind), before, text);
                        token.end = self.global(self.pos - 2);
                        self.queue.push_back(token);
                        self.enqueue_until(count)?;
                        break;
                    }
                    Terminator::Dollar => {
                        let end = variable_end(self.bytes, self.pos);
                        if end > self.pos {
                            let kind = if first { T::DQPRE } else { T::DQMID };
                            let mut token = self.token(Kind::G(kind), before, text);
                            token.end = self.global(after - 1);
                            self.queue.push_back(token);
                            let name = &self.text[self.pos..end];
                            self.matched = Some(Cow::Borrowed(name));
                            let mut variable = self.token(Kind::G(T::VARIABLE), after - 1, name);
                            variable.end = self.global(end);
                            self.queue.push_back(variable);
                            self.pos = end;
                            break;
                        }
                        // The failed scan of a variable name leaves no match.
                        self.matched = None;
                        text.push('$');
                        let (more, next) = self.slurp(dq)?;
                        text.push_str(&more);
                        terminator = next;
                        after = self.pos;
                    }
                }
            }
            first = false;
            before = self.pos;
        }
    }

    /// enqueue_until: the tokens of `${...}` up to the brace that closes it.
    fn enqueue_until(&mut self, brace_count: i64) -> Lexed<()> {
        self.skip_ws();
        let queue_size = self.queue.len();
        while !self.eos() {
            // A nested string queues its tokens and returns its first: keep their order.
            let length_before = self.queue.len();
            let Some(token) = self.lex_token()? else {
                self.skip_ws();
                continue;
            };
            if self.queue.len() > length_before {
                self.after = Some(token.kind);
                self.queue.insert(length_before, token);
                continue;
            }
            self.after = Some(token.kind);
            if token.kind == Kind::G(T::RBRACE) && self.brace_count == brace_count {
                let length = self.queue.len() - queue_size;
                if length == 1 {
                    let last = self.queue.len() - 1;
                    transform_to_variable(&mut self.queue[last]);
                } else if length > 1 && matches!(self.queue[queue_size + 1].kind, Kind::G(T::DOT | T::LBRACK)) {
                    transform_to_variable(&mut self.queue[queue_size]);
                }
                return Ok(());
            }
            self.queue.push_back(token);
        }
        Ok(())
    }

    /// slurp_dqstring / slurp_uqstring: text up to `"`, `$` or `${` (or the end of a
    /// heredoc's text), escapes processed, and what ended it.
    fn slurp(&mut self, dq: bool) -> Lexed<(String, Terminator)> {
        let (escapes, interpolate) = if dq { (Escapes::Double, true) } else { self.uq.clone().unwrap_or((Escapes::Heredoc { flags: None }, false)) };
        let last = self.matched.clone();
        let start = self.pos;
        let mut at = start;
        let mut text = String::new();
        loop {
            let Some(ch) = self.text[at..].chars().next() else {
                if dq {
                    let after = match last.as_deref() {
                        Some("'") => "\"'\"".to_string(),
                        Some(quote) => format!("'{quote}'"),
                        None => "''".to_string(),
                    };
                    return self.error(Issue::UnclosedQuote { after, followed_by: self.followed_by() }, self.pos);
                }
                self.pos = at;
                self.matched = Some(Cow::Borrowed(""));
                return Ok((text, Terminator::End));
            };
            let escapes_apply = !matches!(escapes, Escapes::Heredoc { flags: None });
            if ch == '\\' && escapes_apply {
                let rest = &self.text[at + 1..];
                let (consumed, replacement) = escape(rest, &escapes);
                text.push_str(&replacement);
                at += 1 + consumed;
                continue;
            }
            if ch == '"' && dq {
                self.pos = at + 1;
                self.matched = Some(Cow::Borrowed("\""));
                return Ok((text, Terminator::End));
            }
            if ch == '$' && interpolate {
                if self.bytes.get(at + 1) == Some(&b'{') {
                    self.pos = at + 2;
                    self.matched = Some(Cow::Borrowed("${"));
                    return Ok((text, Terminator::Expression));
                }
                self.pos = at + 1;
                self.matched = Some(Cow::Borrowed("$"));
                return Ok((text, Terminator::Dollar));
            }
            text.push(ch);
            at += ch.len_utf8();
        }
    }

    // ------------------------------------------------------------- heredoc

    fn heredoc(&mut self) -> Lexed<()> {
        let before = self.pos;
        let Some(close) = self.text[before..].find(')') else {
            return self.error(Issue::HeredocUnclosedParenthesis { followed_by: self.followed_by() }, self.pos);
        };
        let pos_after_heredoc = before + close + 1;
        self.pos = pos_after_heredoc;
        let spec_text = &self.text[before..pos_after_heredoc];
        let Some(spec) = parse_heredoc_spec(spec_text) else {
            return self.error(Issue::HeredocInvalidSyntax, self.pos);
        };
        let mut endtag = spec.endtag.trim().to_string();
        let mut dqstring_style = false;
        if endtag.len() >= 2 && endtag.starts_with('"') && endtag.ends_with('"') {
            dqstring_style = true;
            endtag = endtag[1..endtag.len() - 1].trim().to_string();
        }
        if endtag.is_empty() {
            return self.error(Issue::HeredocEmptyEndtag, self.pos);
        }
        let mut flags: Option<String> = None;
        if let Some(escapes) = spec.escapes {
            let escapes = if escapes.is_empty() { "trnsuL$".to_string() } else { escapes };
            let list: Vec<char> = escapes.chars().collect();
            let mut unique = list.clone();
            unique.sort_unstable();
            unique.dedup();
            if unique.len() != list.len() {
                let shown = list.iter().map(char::to_string).collect::<Vec<_>>().join(", ");
                return self.error(Issue::HeredocMultipleAtEscapes { escapes: shown }, self.pos);
            }
            for ch in &list {
                if !matches!(ch, 't' | 'r' | 'n' | 's' | 'u' | '$' | 'L') {
                    return self.error(Issue::HeredocInvalidEscape { actual: ch.to_string() }, self.pos);
                }
            }
            flags = Some(escapes);
        }
        self.queue.push_back(self.token(Kind::G(T::HEREDOC), before, spec.syntax.clone()));
        if let Some(jump) = self.newline_jump {
            self.pos = jump;
        } else {
            match self.text[self.pos..].find('\n') {
                Some(newline) => self.pos += newline + 1,
                None => return self.error(Issue::HeredocWithoutText, self.pos),
            }
        }
        let heredoc_offset = self.pos;
        let mut lines: Vec<&str> = Vec::new();
        while !self.eos() {
            let rest = &self.text[self.pos..];
            let line_end = rest.find('\n').map_or(rest.len(), |newline| newline + 1);
            let line = &rest[..line_end];
            self.pos += line_end;
            if let Some(end) = match_end_line(line, &endtag) {
                self.newline_jump = Some(self.pos);
                let (text, margins) = heredoc_text(&lines, end.leading, end.margin, end.remove_break);
                let mut line_starts = vec![0];
                line_starts.extend(text.match_indices('\n').map(|(index, _)| index + 1));
                let mut accumulated_margin = vec![0];
                for margin in &margins {
                    accumulated_margin.push(accumulated_margin.last().copied().unwrap_or(0) + margin);
                }
                let sub = SubLocator {
                    leading_offset: self.global(heredoc_offset),
                    line_starts,
                    accumulated_margin,
                    has_margin: end.margin,
                };
                let lines_text: String = lines.concat();
                // The text's token ends where the end tag's line starts.
                let mut sublocate = self.token(Kind::G(T::SUBLOCATE), heredoc_offset, format!("{lines_text:?}"));
                sublocate.end = self.global(self.pos - line_end);
                self.queue.push_back(sublocate);
                let mut sublexer = Lexer::new(&text, false);
                sublexer.started = true;
                sublexer.sub = Some(sub);
                sublexer.uq = Some((Escapes::Heredoc { flags }, dqstring_style));
                sublexer.interpolate(0, false, true)?;
                self.queue.extend(sublexer.queue.drain(..).map(|token| Token { value: Cow::Owned(token.value.into_owned()), ..token }));
                self.pos = pos_after_heredoc;
                return Ok(());
            }
            lines.push(line);
        }
        self.error(Issue::HeredocWithoutEndTaggedLine, heredoc_offset)
    }

    // ------------------------------------------------------------- epp

    /// interpolate_epp: template text up to the next tag.
    fn interpolate_epp(&mut self, skip_leading: bool) -> Lexed<()> {
        let before = self.pos;
        let (text, mode) = self.epp_scan(skip_leading);
        match mode {
            EppScan::Text => {
                if let Some(text) = text {
                    self.queue.push_back(self.token(Kind::G(T::RENDER_STRING), before, text));
                }
                self.epp_open = false;
            }
            EppScan::Error(issue) => return self.error(issue, self.pos),
            EppScan::Epp => {
                if let Some(text) = text.filter(|text| !text.is_empty()) {
                    let mut token = self.token(Kind::G(T::RENDER_STRING), before, text);
                    token.end = self.global(self.epp_tag);
                    self.queue.push_back(token);
                }
                self.epp_mode = Some(EppMode::Epp);
                self.epp_open = true;
            }
            EppScan::Expr => {
                if let Some(text) = text.filter(|text| !text.is_empty()) {
                    let mut token = self.token(Kind::G(T::RENDER_STRING), before, text);
                    token.end = self.global(self.epp_tag);
                    self.queue.push_back(token);
                }
                self.queue.push_back(self.token(Kind::G(T::RENDER_EXPR), before, ""));
                self.epp_mode = Some(EppMode::Expr);
                self.epp_open = true;
            }
        }
        Ok(())
    }

    /// EppScanner#scan.
    fn epp_scan(&mut self, skip_leading: bool) -> (Option<String>, EppScan) {
        if self.eos() {
            return (None, EppScan::Text);
        }
        let mut skip_leading = skip_leading;
        let mut text = String::new();
        while !self.eos() {
            let rest = &self.text[self.pos..];
            let (mut part, found) = match rest.find("<%") {
                Some(open) => (rest[..open + 2].to_string(), true),
                None => (rest.to_string(), false),
            };
            self.pos += part.len();
            if skip_leading {
                // part.sub!(/^[ \t]*\r?(?:\n|\z)?/, ''): the line break is optional.
                let trimmed = part.trim_start_matches([' ', '\t']);
                let trimmed = trimmed.strip_prefix('\r').unwrap_or(trimmed);
                part = trimmed.strip_prefix('\n').unwrap_or(trimmed).to_string();
                skip_leading = false;
            }
            part = part.replace("%%>", "%>");
            text.push_str(&part);
            if !found {
                return (Some(text), EppScan::Text);
            }
            self.epp_tag = self.pos - 2;
            match self.peek(0) {
                None => {
                    return (Some(text), EppScan::Error(Issue::EppUnbalancedExpression));
                }
                Some(b'-') => {
                    self.pos += 1;
                    text.truncate(text.len() - 2);
                    let trimmed = text.trim_end_matches([' ', '\t']).len();
                    text.truncate(trimmed);
                    return (Some(text), EppScan::Epp);
                }
                Some(b'%') => {
                    self.pos += 1;
                }
                Some(b'=') => {
                    self.pos += 1;
                    text.truncate(text.len() - 2);
                    return (Some(text), EppScan::Expr);
                }
                Some(b'#') => {
                    text.truncate(text.len() - 2);
                    let rest = &self.text[self.pos..];
                    let Some(close) = find_comment_end(rest) else {
                        return (Some(text), EppScan::Error(Issue::EppUnbalancedComment));
                    };
                    let part = &rest[..close];
                    if part.as_bytes().get(1) == Some(&b'-') {
                        let trimmed = text.trim_end_matches([' ', '\t']).len();
                        text.truncate(trimmed);
                    }
                    skip_leading = part.ends_with("-%>");
                    self.pos += close;
                }
                Some(_) => {
                    text.truncate(text.len() - 2);
                    return (Some(text), EppScan::Epp);
                }
            }
        }
        // The input ended right after a comment or `<%%`: Ruby's `until` loop ends with
        // nil, so Puppet renders nothing of this text.
        (None, EppScan::Text)
    }
}

enum EppScan {
    Text,
    Epp,
    Expr,
    Error(Issue),
}

/// `scan_until(/[^%]%>/)` from the `#` of `<%#`: the length up to and including `%>`.
fn find_comment_end(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    (1..bytes.len().saturating_sub(1)).find(|&at| bytes[at] == b'%' && bytes[at + 1] == b'>' && bytes[at - 1] != b'%').map(|at| at + 2)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Terminator {
    End,
    Dollar,
    Expression,
}

/// transform_to_variable: a lone NUMBER, NAME, WORD or keyword in `${...}` is a variable.
fn transform_to_variable(token: &mut Token) {
    let Kind::G(kind) = token.kind else { return };
    let convertible = matches!(kind, T::NUMBER | T::NAME | T::WORD) || STATEMENT_KEYWORDS.iter().any(|(_, keyword)| *keyword == kind);
    if convertible {
        token.kind = Kind::G(T::VARIABLE);
    }
}

/// One escape after a backslash: how many bytes it takes and what it becomes.
fn escape(rest: &str, escapes: &Escapes) -> (usize, String) {
    let allowed: &str = match escapes {
        Escapes::Double => "\\$'\"rntsu\n",
        Escapes::Heredoc { flags: Some(flags) } => {
            // The backslash is always an escape; `L` allows line breaks.
            if flags.contains('L') {
                return escape_with(rest, &format!("\\{flags}\n"));
            }
            return escape_with(rest, &format!("\\{flags}"));
        }
        Escapes::Heredoc { flags: None } => "",
    };
    escape_with(rest, allowed)
}

fn escape_with(rest: &str, allowed: &str) -> (usize, String) {
    if rest.starts_with("\r\n") && allowed.contains('\n') {
        return (2, String::new());
    }
    let Some(ch) = rest.chars().next() else { return (0, "\\".to_string()) };
    if !allowed.contains(ch) {
        return (ch.len_utf8(), format!("\\{ch}"));
    }
    match ch {
        'r' => (1, "\r".to_string()),
        'n' => (1, "\n".to_string()),
        't' => (1, "\t".to_string()),
        's' => (1, " ".to_string()),
        '\n' => (1, String::new()),
        'u' => {
            let hex4 = rest.get(1..5).filter(|hex| hex.bytes().all(|byte| byte.is_ascii_hexdigit()));
            if let Some(hex) = hex4 {
                let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
                return (5, ch.to_string());
            }
            if rest[1..].starts_with('{') {
                if let Some(close) = rest[2..].find('}') {
                    let hex = &rest[2..2 + close];
                    if (1..=6).contains(&hex.len()) && hex.bytes().all(|byte| byte.is_ascii_hexdigit()) {
                        let ch = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32).unwrap_or('\u{fffd}');
                        return (3 + close, ch.to_string());
                    }
                }
            }
            (1, "\\u".to_string())
        }
        other => (other.len_utf8(), other.to_string()),
    }
}

/// slurp_sqstring after the opening quote: the end (after the closing quote) and value.
fn slurp_sq(text: &str, start: usize) -> Option<(usize, String)> {
    let bytes = text.as_bytes();
    let mut at = start;
    let mut value = String::new();
    let mut run = start;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' if matches!(bytes.get(at + 1), Some(b'\\' | b'\'')) => {
                value.push_str(&text[run..at]);
                value.push(bytes[at + 1] as char);
                at += 2;
                run = at;
            }
            b'\\' => at += if at + 1 < bytes.len() { 1 + text[at + 1..].chars().next().map_or(1, char::len_utf8) } else { 1 },
            b'\'' => {
                value.push_str(&text[run..at]);
                return Some((at + 1, value));
            }
            _ => at += 1,
        }
    }
    None
}

/// `\$(::)?(\w+::)*\w+` at `start` (the `$`): its end, or `start` when none.
fn dollar_var_end(bytes: &[u8], start: usize) -> usize {
    let end = variable_end(bytes, start + 1);
    if end > start + 1 {
        end
    } else {
        start
    }
}

/// `(::)?(\w+::)*\w+` at `start`: its end, or `start` when none.
fn variable_end(bytes: &[u8], start: usize) -> usize {
    let mut at = start;
    if bytes.get(at..at + 2) == Some(b"::") {
        at += 2;
    }
    let mut end = start;
    loop {
        let word_start = at;
        while bytes.get(at).copied().is_some_and(is_word) {
            at += 1;
        }
        if at == word_start {
            return end;
        }
        end = at;
        if bytes.get(at..at + 2) == Some(b"::") && bytes.get(at + 2).copied().is_some_and(is_word) {
            at += 2;
        } else {
            return end;
        }
    }
}

/// `^((::)?[a-z][\w]*)(::[a-z][\w]*)*$`
fn is_name(value: &str) -> bool {
    let value = value.strip_prefix("::").unwrap_or(value);
    value.split("::").all(|segment| {
        let bytes = segment.as_bytes();
        bytes.first().is_some_and(u8::is_ascii_lowercase) && bytes.iter().all(|byte| is_word(*byte))
    })
}

/// `\b(?:0[xX][0-9A-Fa-f]+|0?\d+(?:\.\d+)?(?:[eE]-?\d+)?)\b` at `start`: its end.
fn number_end(bytes: &[u8], start: usize) -> Option<usize> {
    if start > 0 && is_word(bytes[start - 1]) {
        return None;
    }
    let boundary = |at: usize| !bytes.get(at).copied().is_some_and(is_word);
    let digits = |from: usize| (from..bytes.len()).find(|&at| !bytes[at].is_ascii_digit()).unwrap_or(bytes.len());
    // Hex first.
    if bytes.get(start) == Some(&b'0') && matches!(bytes.get(start + 1), Some(b'x' | b'X')) {
        let end = (start + 2..bytes.len()).find(|&at| !bytes[at].is_ascii_hexdigit()).unwrap_or(bytes.len());
        if end > start + 2 && boundary(end) {
            return Some(end);
        }
    }
    // Decimal, trying the longest form first as the regex's backtracking does.
    let integer_end = digits(start);
    let mut candidates = Vec::new();
    let mut fraction_ends = vec![integer_end];
    if bytes.get(integer_end) == Some(&b'.') {
        let end = digits(integer_end + 1);
        if end > integer_end + 1 {
            fraction_ends.insert(0, end);
        }
    }
    for fraction_end in fraction_ends {
        if matches!(bytes.get(fraction_end), Some(b'e' | b'E')) {
            let sign = usize::from(bytes.get(fraction_end + 1) == Some(&b'-'));
            let end = digits(fraction_end + 1 + sign);
            if end > fraction_end + 1 + sign {
                candidates.push(end);
            }
        }
        candidates.push(fraction_end);
    }
    // `0?\d+` can also give up digits of the integer part; a shorter integer is followed
    // by a digit, never a boundary, so only the candidates above can match.
    candidates.into_iter().find(|&end| end > start && boundary(end))
}

/// assert_numeric.
fn numeric_issue(value: &str) -> Option<Issue> {
    let bytes = value.as_bytes();
    let value_string = value.to_string();
    if value.starts_with("0x") || value.starts_with("0X") {
        let valid = bytes.len() > 2 && bytes[2..].iter().all(u8::is_ascii_hexdigit);
        return (!valid).then_some(Issue::InvalidHexNumber { value: value_string });
    }
    if bytes.first() == Some(&b'0') && bytes.get(1).is_some_and(|byte| *byte != b'.') {
        let valid = bytes[1..].iter().all(|byte| (b'0'..=b'7').contains(byte));
        return (!valid).then_some(Issue::InvalidOctalNumber { value: value_string });
    }
    let integer = bytes.iter().take_while(|byte| byte.is_ascii_digit()).count();
    if integer > 0 && matches!(bytes.get(integer), Some(b'e' | b'E' | b'.')) {
        let valid = number_end(bytes, 0) == Some(bytes.len()) && !value.contains(['x', 'X']);
        return (!valid).then_some(Issue::InvalidDecimalNumber { value: value_string });
    }
    let valid = integer > 0 && integer == bytes.len();
    (!valid).then_some(Issue::IllegalNumber { value: value_string })
}

/// What Ruby's Regexp.new (Onigmo) rejects in a regex's source, for the errors a broken
/// bracket or parenthesis makes: its message, or `None`. Puppet's lexer compiles each
/// regex as it reads it; the error has no position.
pub fn regex_problem(source: &str) -> Option<&'static str> {
    let chars: Vec<char> = source.chars().collect();
    let mut depth = 0usize;
    // Whether a repeat operator here has something to repeat.
    let mut has_target = false;
    let mut at = 0;
    while at < chars.len() {
        match chars[at] {
            '\\' => {
                at += 2;
                has_target = true;
                continue;
            }
            '[' => {
                let Some(end) = char_class_end(&chars, at) else { return Some("premature end of char-class") };
                at = end;
                has_target = true;
                continue;
            }
            '(' => {
                depth += 1;
                has_target = false;
                if chars.get(at + 1) == Some(&'?') {
                    at += 2;
                    continue;
                }
            }
            ')' => {
                if depth == 0 {
                    return Some("unmatched close parenthesis");
                }
                depth -= 1;
                has_target = true;
            }
            '|' => has_target = false,
            '?' | '*' | '+' => {
                if !has_target {
                    return Some("target of repeat operator is not specified");
                }
            }
            _ => has_target = true,
        }
        at += 1;
    }
    (depth > 0).then_some("end pattern with unmatched parenthesis")
}

/// The index after the character class that opens at `start`; `None` (Onigmo's
/// "premature end of char-class") when it never closes. Nested classes count.
fn char_class_end(chars: &[char], start: usize) -> Option<usize> {
    let mut at = start + 1;
    if chars.get(at) == Some(&'^') {
        at += 1;
    }
    // A `]` first in the class is a character.
    if chars.get(at) == Some(&']') {
        at += 1;
    }
    while at < chars.len() {
        match chars[at] {
            '\\' => at += 2,
            '[' => at = char_class_end(chars, at)?,
            ']' => return Some(at + 1),
            _ => at += 1,
        }
    }
    None
}

/// escaped_end: a regex whose closing slash is escaped.
fn escaped_end(value: &str) -> bool {
    if !value.ends_with("\\/") {
        return false;
    }
    let inner = &value[1..value.len() - 1];
    let mut escaped = false;
    for ch in inner.chars() {
        escaped = if ch == '\\' { !escaped } else { false };
    }
    escaped
}

struct HeredocSpec {
    endtag: String,
    syntax: String,
    escapes: Option<String>,
}

/// PATTERN_HEREDOC: `@\(([^:/\r\n\)]+)(?::[[:blank:]]*([a-z][a-zA-Z0-9_+]+)[[:blank:]]*)?(?:/((?:\w|[$])*)[[:blank:]]*)?\)`
/// matched anywhere in `text` (`@(` up to the first `)`).
fn parse_heredoc_spec(text: &str) -> Option<HeredocSpec> {
    let inner = text.strip_prefix("@(")?.strip_suffix(')')?;
    let tag_end = inner.find([':', '/', '\r', '\n', ')']).unwrap_or(inner.len());
    if tag_end == 0 {
        return None;
    }
    let endtag = inner[..tag_end].to_string();
    let mut rest = &inner[tag_end..];
    let mut syntax = String::new();
    if let Some(after) = rest.strip_prefix(':') {
        let after = after.trim_start_matches([' ', '\t']);
        let length = after.bytes().take_while(|byte| byte.is_ascii_alphanumeric() || *byte == b'_' || *byte == b'+').count();
        if length < 2 || !after.as_bytes()[0].is_ascii_lowercase() {
            return None;
        }
        syntax = after[..length].to_string();
        rest = after[length..].trim_start_matches([' ', '\t']);
    }
    let mut escapes = None;
    if let Some(after) = rest.strip_prefix('/') {
        let length = after.bytes().take_while(|byte| is_word(*byte) || *byte == b'$').count();
        escapes = Some(after[..length].to_string());
        rest = after[length..].trim_start_matches([' ', '\t']);
    }
    rest.is_empty().then_some(HeredocSpec { endtag, syntax, escapes })
}

struct EndLine<'a> {
    leading: &'a str,
    margin: bool,
    remove_break: bool,
}

/// The heredoc's end line pattern, matched anywhere in `line` (as Ruby's `match` does).
fn match_end_line<'a>(line: &'a str, tag: &str) -> Option<EndLine<'a>> {
    let body = line.strip_suffix('\n').unwrap_or(line);
    let body = body.strip_suffix('\r').unwrap_or(body);
    let body = body.trim_end_matches([' ', '\t']);
    let before_tag = body.strip_suffix(tag)?;
    // [[:blank:]]* ( | [[:blank:]]* )? ( - [[:blank:]]* )? before the tag, from the line start.
    let leading_length = before_tag.len() - before_tag.trim_start_matches([' ', '\t']).len();
    let leading = &before_tag[..leading_length];
    let mut rest = &before_tag[leading_length..];
    let mut margin = false;
    let mut remove_break = false;
    if let Some(after) = rest.strip_prefix('|') {
        margin = true;
        rest = after.trim_start_matches([' ', '\t']);
    }
    if let Some(after) = rest.strip_prefix('-') {
        remove_break = true;
        rest = after.trim_start_matches([' ', '\t']);
    }
    rest.is_empty().then_some(EndLine { leading, margin, remove_break })
}

/// heredoc_text: the lines without their margin, and the margin taken from each.
fn heredoc_text(lines: &[&str], leading: &str, margin: bool, remove_break: bool) -> (String, Vec<usize>) {
    let mut margins = vec![0; lines.len()];
    let mut text = String::new();
    for (index, line) in lines.iter().enumerate() {
        if margin && !leading.is_empty() && line.starts_with(leading) {
            margins[index] = leading.len();
            text.push_str(&line[leading.len()..]);
        } else {
            text.push_str(line);
        }
    }
    if remove_break {
        if let Some(stripped) = text.strip_suffix('\n') {
            text = stripped.strip_suffix('\r').unwrap_or(stripped).to_string();
        }
    }
    (text, margins)
}
