//! Where a node is: its byte range and the line and column it starts at.

/// A node's place in its file: bytes `start..end`, and the 1-based line and column
/// (counted in characters, as Puppet counts them) of `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub column: u32,
}

impl Span {
    /// The span from the start of `self` to the end of `other`.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span { end: other.end.max(self.start), ..self }
    }
}

/// Line starts of a source text, to turn byte offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the start of each line.
    starts: Vec<u32>,
    /// Byte offset of the first non-ASCII byte of each line (the next line's start when
    /// there is none): before it a column is a byte count, so that finding the columns
    /// of a long line's nodes does not count its characters again for each.
    first_non_ascii: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        let mut first_non_ascii = Vec::new();
        let mut non_ascii: Option<u32> = None;
        for (index, byte) in text.bytes().enumerate() {
            if byte == b'\n' {
                first_non_ascii.push(non_ascii.take().unwrap_or(index as u32 + 1));
                starts.push(index as u32 + 1);
            } else if byte >= 0x80 && non_ascii.is_none() {
                non_ascii = Some(index as u32);
            }
        }
        first_non_ascii.push(non_ascii.unwrap_or(text.len() as u32 + 1));
        Self { starts, first_non_ascii }
    }

    /// The 1-based line and character column of a byte offset.
    pub fn line_column(&self, text: &str, offset: u32) -> (u32, u32) {
        let line = self.starts.partition_point(|start| *start <= offset).max(1);
        let start = self.starts[line - 1] as usize;
        let end = (offset as usize).min(text.len());
        let ascii_end = (self.first_non_ascii[line - 1] as usize).clamp(start, end.max(start));
        let characters = text.get(ascii_end..end).map_or(end.saturating_sub(ascii_end), |slice| slice.chars().count());
        (line as u32, (ascii_end - start + characters) as u32 + 1)
    }

    /// The byte offset where 1-based `line` starts, when the text has that line.
    pub fn line_start(&self, line: u32) -> Option<u32> {
        self.starts.get((line as usize).checked_sub(1)?).copied()
    }

    /// A span for the byte range `start..end`.
    pub fn span(&self, text: &str, start: u32, end: u32) -> Span {
        let (line, column) = self.line_column(text, start);
        Span { start, end, line, column }
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn columns_count_characters_after_the_first_non_ascii_byte() {
        let text = "ab\nx\u{e9}y z\n\u{e9}\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_column(text, 0), (1, 1));
        assert_eq!(index.line_column(text, 2), (1, 3));
        assert_eq!(index.line_column(text, 3), (2, 1));
        assert_eq!(index.line_column(text, 4), (2, 2));
        // 'y' is after the two-byte 'é': byte 6, character column 3.
        assert_eq!(index.line_column(text, 6), (2, 3));
        assert_eq!(index.line_column(text, 8), (2, 5));
        assert_eq!(index.line_column(text, 10), (3, 1));
        assert_eq!(index.line_column(text, 12), (3, 2));
        assert_eq!(index.line_column(text, text.len() as u32), (4, 1));
    }
}
