//! Ruby's string operations as puppet-lint's checks use them, where Rust's differ
//! (`split` drops trailing empty strings, `strip` also strips NUL, a few regexes).

/// Ruby's `str.split(separator)`: trailing empty pieces are dropped.
pub fn split<'a>(text: &'a str, separator: &str) -> Vec<&'a str> {
    let mut pieces: Vec<&str> = text.split(separator).collect();
    while pieces.last().is_some_and(|piece| piece.is_empty()) {
        pieces.pop();
    }
    pieces
}

/// Ruby's `String#strip`: ASCII whitespace and NUL at both ends.
pub fn strip(text: &str) -> &str {
    text.trim_matches(|ch: char| matches!(ch, ' ' | '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | '\0'))
}

/// `value.gsub(/\[.+?\]/, '')`: removes each `[...]` (shortest, on one line).
pub fn remove_index_brackets(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = String::with_capacity(value.len());
    let mut copied = 0;
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'[' {
            // `.+?` takes at least one character that is not a newline.
            let body_start = index + 1;
            let first_len = value[body_start..].chars().next().map_or(0, char::len_utf8);
            if first_len > 0 && bytes[body_start] != b'\n' {
                let search_from = body_start + first_len;
                let close = value[search_from..].find([']', '\n']).map(|found| search_from + found);
                if let Some(close) = close.filter(|close| bytes[*close] == b']') {
                    out.push_str(&value[copied..index]);
                    copied = close + 1;
                    index = close + 1;
                    continue;
                }
            }
        }
        index += 1;
    }
    out.push_str(&value[copied..]);
    out
}

/// `value.gsub(/\[.+\]\Z/, '')`: removes everything from the first `[` that starts a
/// match running to a `]` at the end (before a final newline).
pub fn remove_trailing_index(value: &str) -> String {
    let end = value.strip_suffix('\n').unwrap_or(value);
    if !end.ends_with(']') {
        return value.to_string();
    }
    let close = end.len() - 1;
    for (index, byte) in end.bytes().enumerate() {
        if byte != b'[' || index + 1 >= close {
            continue;
        }
        // `.+` cannot cross a newline.
        if end[index + 1..close].contains('\n') {
            continue;
        }
        let mut out = value[..index].to_string();
        out.push_str(&value[end.len()..]);
        return out;
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_drops_trailing_empties() {
        assert_eq!(split("a::b::", "::"), ["a", "b"]);
        assert_eq!(split("::a", "::"), ["", "a"]);
        assert!(split("", "::").is_empty());
    }

    #[test]
    fn index_brackets() {
        assert_eq!(remove_index_brackets("foo['a-b']"), "foo");
        assert_eq!(remove_index_brackets("a[]b]"), "a");
        assert_eq!(remove_index_brackets("a[b"), "a[b");
        assert_eq!(remove_trailing_index("foo['a']['b']"), "foo");
        assert_eq!(remove_trailing_index("foo[]"), "foo[]");
        assert_eq!(remove_trailing_index("foo"), "foo");
    }
}
