//! Where each member and element of a JSON document starts, by JSON pointer
//! (`/dependencies/0/name`), for diagnostics on values serde_json read without positions.

use std::collections::HashMap;

/// The 1-based line and column of every member key and array element of a valid JSON
/// text, by JSON pointer; the document itself is `""` at its first character.
pub fn positions(text: &str) -> HashMap<String, (u32, u32)> {
    let mut scanner = Scanner { bytes: text.as_bytes(), at: 0, line: 1, column: 1, found: HashMap::new() };
    scanner.skip_space();
    scanner.found.insert(String::new(), (scanner.line, scanner.column));
    scanner.value(String::new(), 0);
    scanner.found
}

struct Scanner<'t> {
    bytes: &'t [u8],
    at: usize,
    line: u32,
    column: u32,
    found: HashMap<String, (u32, u32)>,
}

/// Deeper documents are not walked further (their values keep no positions).
const MAX_DEPTH: usize = 128;

impl Scanner<'_> {
    fn bump(&mut self) {
        let Some(&byte) = self.bytes.get(self.at) else { return };
        self.at += 1;
        if byte == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if byte & 0xC0 != 0x80 {
            // Columns count characters: continuation bytes of UTF-8 do not count.
            self.column += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn string(&mut self) -> String {
        let start = self.at + 1;
        self.bump();
        while let Some(byte) = self.peek() {
            match byte {
                b'\\' => {
                    self.bump();
                    self.bump();
                }
                b'"' => break,
                _ => self.bump(),
            }
        }
        let raw = String::from_utf8_lossy(&self.bytes[start.min(self.at)..self.at]).into_owned();
        self.bump();
        serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or(raw)
    }

    fn value(&mut self, pointer: String, depth: usize) {
        self.skip_space();
        match self.peek() {
            Some(b'{') if depth < MAX_DEPTH => {
                self.bump();
                loop {
                    self.skip_space();
                    match self.peek() {
                        Some(b'"') => {
                            let position = (self.line, self.column);
                            let key = self.string();
                            let child = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                            self.found.entry(child.clone()).or_insert(position);
                            self.skip_space();
                            if self.peek() == Some(b':') {
                                self.bump();
                            }
                            self.value(child, depth + 1);
                        }
                        Some(b',') => self.bump(),
                        Some(b'}') => {
                            self.bump();
                            return;
                        }
                        _ => return,
                    }
                }
            }
            Some(b'[') if depth < MAX_DEPTH => {
                self.bump();
                let mut index = 0;
                loop {
                    self.skip_space();
                    match self.peek() {
                        Some(b']') => {
                            self.bump();
                            return;
                        }
                        Some(b',') => self.bump(),
                        Some(_) => {
                            let child = format!("{pointer}/{index}");
                            self.found.insert(child.clone(), (self.line, self.column));
                            self.value(child, depth + 1);
                            index += 1;
                        }
                        None => return,
                    }
                }
            }
            Some(b'"') => {
                self.string();
            }
            Some(_) => {
                while self.peek().is_some_and(|byte| !matches!(byte, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')) {
                    self.bump();
                }
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_and_elements_have_their_places() {
        let text = "{\n  \"name\": \"x\",\n  \"deps\": [\n    {\"name\": \"a/b\"},\n    \"é\", 2\n  ],\n  \"a/b\": {}\n}\n";
        let found = positions(text);
        assert_eq!(found[""], (1, 1));
        assert_eq!(found["/name"], (2, 3));
        assert_eq!(found["/deps"], (3, 3));
        assert_eq!(found["/deps/0"], (4, 5));
        assert_eq!(found["/deps/0/name"], (4, 6));
        assert_eq!(found["/deps/2"], (5, 10));
        assert_eq!(found["/a~1b"], (7, 3));
    }
}
