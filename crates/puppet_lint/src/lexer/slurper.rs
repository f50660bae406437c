//! Port of puppet-lint's `StringSlurper` (`lib/puppet-lint/lexer/string_slurper.rs`): splits
//! a double quoted string or a heredoc body into text, `${...}` interpolations and
//! unenclosed `$variables`, exactly where puppet-lint splits them.
//!
//! Ruby's `StringScanner` anchors `\A` and `^` at the scan position, so each pattern below
//! is tried at the current position only; the helpers spell out what each pattern matches.

/// What a piece of the string is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    /// Text of a double quoted string (`:STRING`) or of a heredoc (`:HEREDOC`).
    Text,
    /// The code inside `${...}`.
    Interp,
    /// An unenclosed variable, `$` included (sometimes with the character before it).
    UnencVar,
    /// The heredoc's end tag line.
    HeredocTerm,
}

/// One piece: its kind and its byte range in the slurped text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub kind: SegmentKind,
    pub start: usize,
    pub end: usize,
}

/// The string ran to the end of the file without its closing quote.
#[derive(Debug)]
pub struct Unterminated;

pub struct Slurper<'a> {
    text: &'a str,
    pos: usize,
    results: Vec<Segment>,
    /// Depth of `{` inside an interpolation.
    interp_depth: usize,
    /// Where the current segment starts, and the current segment's last piece (Ruby keeps
    /// the pieces in an array and looks at the last one).
    segment_start: usize,
    last_piece: Option<(usize, usize)>,
    /// Whether the last scanner operation matched (Ruby's `scanner.matched?`).
    matched: bool,
}

fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Ruby's `\s`: space, tab, CR, LF, FF, VT.
fn is_ruby_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | 0x0c | 0x0b)
}

/// Length of `(::)?(\w+(-\w+)*::)*\w+(-\w+)*` at the start of `text` (a variable name as
/// puppet-lint's string lexer reads it), with Ruby's backtracking.
pub fn variable_name_len(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    if bytes.starts_with(b"::") {
        pos = 2;
    }
    // Read `\w+(-\w+)*` groups separated by `::`; the last group must not be followed by
    // a `::` that starts nothing.
    let mut end = None;
    while let Some(group_end) = dashed_word_len(&bytes[pos..]).map(|len| pos + len) {
        end = Some(group_end);
        if !(bytes[group_end..].starts_with(b"::") && dashed_word_len(&bytes[group_end + 2..]).is_some()) {
            break;
        }
        pos = group_end + 2;
    }
    end
}

/// Length of `\w+(-\w+)*` at the start of `bytes`.
fn dashed_word_len(bytes: &[u8]) -> Option<usize> {
    let mut pos = bytes.iter().take_while(|byte| is_word(**byte)).count();
    if pos == 0 {
        return None;
    }
    while bytes.get(pos) == Some(&b'-') {
        let more = bytes[pos + 1..].iter().take_while(|byte| is_word(**byte)).count();
        if more == 0 {
            break;
        }
        pos += 1 + more;
    }
    Some(pos)
}

impl<'a> Slurper<'a> {
    pub fn new(text: &'a str) -> Self {
        Slurper { text, pos: 0, results: Vec::new(), interp_depth: 0, segment_start: 0, last_piece: None, matched: false }
    }

    /// Bytes consumed so far.
    pub fn consumed(&self) -> usize {
        self.pos
    }

    fn rest(&self) -> &'a [u8] {
        &self.text.as_bytes()[self.pos..]
    }

    fn eos(&self) -> bool {
        self.pos >= self.text.len()
    }

    fn piece(&mut self, len: usize) {
        self.last_piece = Some((self.pos, self.pos + len));
        self.pos += len;
        self.matched = true;
    }

    fn last_piece_text(&self) -> Option<&'a str> {
        self.last_piece.map(|(start, end)| &self.text[start..end])
    }

    fn push_segment(&mut self, kind: SegmentKind, end: usize) {
        self.results.push(Segment { kind, start: self.segment_start, end });
    }

    fn reset_segment(&mut self) {
        self.segment_start = self.pos;
        self.last_piece = None;
    }

    /// `getch`: one character into the current segment; braces count inside `${`.
    fn read_char(&mut self) {
        let len = self.text[self.pos..].chars().next().map_or(1, char::len_utf8);
        let byte = self.rest()[0];
        self.piece(len);
        if self.interp_depth == 0 {
            return;
        }
        match byte {
            b'{' => self.interp_depth += 1,
            b'}' => self.interp_depth -= 1,
            _ => {}
        }
    }

    /// Length of `(\A|[^\\])(\\\\)*"` at the position, if it matches.
    fn end_string_len(&self) -> Option<usize> {
        let rest = self.rest();
        let quote_after = |from: usize| {
            let mut pos = from;
            while rest.get(pos) == Some(&b'\\') && rest.get(pos + 1) == Some(&b'\\') {
                pos += 2;
            }
            (rest.get(pos) == Some(&b'"')).then_some(pos + 1)
        };
        if let Some(len) = quote_after(0) {
            return Some(len);
        }
        let first = *rest.first()?;
        if first == b'\\' {
            return None;
        }
        let char_len = self.text[self.pos..].chars().next().map_or(1, char::len_utf8);
        // `(\\\\)*` is greedy but may give back pairs: a quote after any even run counts.
        let mut pos = char_len;
        loop {
            if rest.get(pos) == Some(&b'"') {
                return Some(pos + 1);
            }
            if rest.get(pos) == Some(&b'\\') && rest.get(pos + 1) == Some(&b'\\') {
                pos += 2;
                continue;
            }
            return None;
        }
    }

    /// Length of `(\A|[^\\])\$(::)?(\w+(-\w+)*::)*\w+(-\w+)*` at the position.
    fn unenc_var_len(&self) -> Option<usize> {
        let rest = self.rest();
        if rest.first() == Some(&b'$') {
            if let Some(len) = variable_name_len(&self.text[self.pos + 1..]) {
                return Some(1 + len);
            }
        }
        let first = *rest.first()?;
        if first == b'\\' {
            return None;
        }
        let char_len = self.text[self.pos..].chars().next().map_or(1, char::len_utf8);
        if rest.get(char_len) == Some(&b'$') {
            let name = variable_name_len(&self.text[self.pos + char_len + 1..])?;
            return Some(char_len + 1 + name);
        }
        None
    }

    fn unenclosed_variable_here(&self) -> bool {
        self.interp_depth == 0 && self.unenc_var_len().is_some() && !self.last_piece_text().is_some_and(|piece| piece.ends_with('\\'))
    }

    fn start_interp(&mut self) {
        if self.last_piece_text() == Some("\\") {
            self.read_char();
            return;
        }
        if self.interp_depth == 0 {
            self.push_segment(self.segment_kind_text(), self.pos);
            self.pos += 2;
            self.matched = true;
            self.reset_segment();
        } else {
            self.piece(2);
        }
        self.interp_depth += 1;
    }

    fn segment_kind_text(&self) -> SegmentKind {
        SegmentKind::Text
    }

    fn end_interp(&mut self) {
        if self.interp_depth == 0 {
            self.piece(1);
            return;
        }
        self.interp_depth -= 1;
        if self.interp_depth == 0 {
            self.push_segment(SegmentKind::Interp, self.pos);
            self.pos += 1;
            self.matched = true;
            self.reset_segment();
        } else {
            self.piece(1);
        }
    }

    fn unenclosed_variable(&mut self) {
        // `read_char if scanner.match?(/.\$/)`: `.` is any character but a newline.
        let rest = self.rest();
        let char_len = self.text[self.pos..].chars().next().map_or(1, char::len_utf8);
        if rest.first() != Some(&b'\n') && rest.get(char_len) == Some(&b'$') {
            self.read_char();
        }
        self.push_segment(SegmentKind::Text, self.pos);
        let start = self.pos;
        // The pattern matched before `read_char`; it may not match now (Ruby's `scan` then
        // returns nil and the segment is nil). Keep an empty piece then.
        let len = self.unenc_var_len().unwrap_or(0);
        self.pos += len;
        self.matched = len > 0;
        self.results.push(Segment { kind: SegmentKind::UnencVar, start, end: self.pos });
        self.reset_segment();
    }

    fn end_string(&mut self, len: usize) {
        if self.interp_depth == 0 {
            let end = self.pos + len - 1;
            self.piece(len);
            self.push_segment(SegmentKind::Text, end);
        } else {
            self.piece(len);
        }
    }

    /// Slurps a double quoted string (the text after its opening quote).
    pub fn parse(mut self) -> Result<(Vec<Segment>, usize), Unterminated> {
        while !self.eos() {
            let rest = self.rest();
            if rest.starts_with(b"${") {
                self.start_interp();
            } else if self.interp_depth > 0 && rest[0] == b'{' {
                self.read_char();
            } else if rest[0] == b'}' {
                self.end_interp();
            } else if self.unenclosed_variable_here() {
                self.unenclosed_variable();
            } else if let Some(len) = self.end_string_len() {
                self.end_string(len);
                if self.interp_depth == 0 {
                    break;
                }
            } else if rest[0] == b'\\' && {
                let run = rest.iter().take_while(|byte| **byte == b'\\').count();
                rest.get(run) == Some(&b'"')
            } {
                let run = rest.iter().take_while(|byte| **byte == b'\\').count();
                self.piece(run + 1);
            } else {
                self.read_char();
            }
        }
        if self.results.is_empty() && self.matched {
            return Err(Unterminated);
        }
        let consumed = self.pos;
        Ok((self.results, consumed))
    }

    /// Length of `^\|?\s*-?\s*NAME$` at the position (`^` holds at the scan position).
    fn heredoc_end_len(&self, name: &str) -> Option<usize> {
        let rest = self.rest();
        let mut pos = 0;
        if rest.first() == Some(&b'|') {
            pos += 1;
        }
        while rest.get(pos).is_some_and(|byte| is_ruby_space(*byte)) {
            pos += 1;
        }
        if rest.get(pos) == Some(&b'-') {
            pos += 1;
            while rest.get(pos).is_some_and(|byte| is_ruby_space(*byte)) {
                pos += 1;
            }
        }
        if !rest[pos..].starts_with(name.as_bytes()) {
            return None;
        }
        pos += name.len();
        matches!(rest.get(pos), None | Some(b'\n')).then_some(pos)
    }

    /// Slurps a heredoc body (the text after the line holding `@(TAG)`).
    pub fn parse_heredoc(mut self, tag: &str) -> (Vec<Segment>, usize) {
        let name = heredoc_name(tag);
        let interpolation = tag.starts_with('"');
        while !self.eos() {
            if let Some(len) = self.heredoc_end_len(name) {
                // end_heredoc
                self.push_segment(SegmentKind::Text, self.pos);
                let start = self.pos;
                self.pos += len;
                self.matched = true;
                self.results.push(Segment { kind: SegmentKind::HeredocTerm, start, end: self.pos });
                self.reset_segment();
                if self.interp_depth == 0 {
                    break;
                }
                continue;
            }
            let rest = self.rest();
            if interpolation && rest.starts_with(b"${") {
                self.start_interp();
            } else if interpolation && self.interp_depth > 0 && rest[0] == b'{' {
                self.read_char();
            } else if interpolation && self.unenclosed_variable_here() {
                self.unenclosed_variable();
            } else if interpolation && rest[0] == b'}' {
                self.end_interp();
            } else {
                self.read_char();
            }
        }
        let consumed = self.pos;
        (self.results, consumed)
    }
}

/// The heredoc's name from the text between `@(` and `)`:
/// `\A"?(.+?)"?(:.+?)?[\t\v\f\p{Zs}]*(/.*)?\Z`, group 1.
pub fn heredoc_name(tag: &str) -> &str {
    let body = tag.strip_prefix('"').unwrap_or(tag);
    let tail_ok = |tail: &str| {
        // `(:.+?)?` can take everything after a colon and one more character.
        if tail.starts_with(':') && tail.chars().count() >= 2 {
            return true;
        }
        let trimmed = tail.trim_start_matches(super::is_whitespace_char);
        trimmed.is_empty() || trimmed.starts_with('/')
    };
    let rest_ok = |rest: &str| tail_ok(rest) || rest.strip_prefix('"').is_some_and(tail_ok);
    for (index, ch) in body.char_indices() {
        let end = index + ch.len_utf8();
        if rest_ok(&body[end..]) {
            return &body[..end];
        }
    }
    // `"?` at the start is optional: with no match after it, Ruby retries with the quote
    // as part of the name.
    if body.len() != tag.len() {
        for (index, ch) in tag.char_indices() {
            let end = index + ch.len_utf8();
            if rest_ok(&tag[end..]) {
                return &tag[..end];
            }
        }
    }
    tag
}
