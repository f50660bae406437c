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
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, byte)| *byte == b'\n').map(|(index, _)| index as u32 + 1));
        Self { starts }
    }

    /// The 1-based line and character column of a byte offset.
    pub fn line_column(&self, text: &str, offset: u32) -> (u32, u32) {
        let line = self.starts.partition_point(|start| *start <= offset).max(1);
        let start = self.starts[line - 1] as usize;
        let end = (offset as usize).min(text.len());
        let prefix = text.get(start..end).map_or(end.saturating_sub(start), |slice| slice.chars().count());
        (line as u32, prefix as u32 + 1)
    }

    /// A span for the byte range `start..end`.
    pub fn span(&self, text: &str, start: u32, end: u32) -> Span {
        let (line, column) = self.line_column(text, start);
        Span { start, end, line, column }
    }
}
