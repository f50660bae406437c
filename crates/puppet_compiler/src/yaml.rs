//! YAML as Ruby's Psych reads it (YAML 1.1): plain `yes`/`no`/`on`/`off` are booleans,
//! `0755` is octal, `1_000` is a thousand, `~` and `null` are undef; quoted scalars stay
//! strings. Hiera's yaml backend reads data this way.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::value::{Map, Value};

/// Parses the first document of a YAML text (`None` for an empty stream).
pub fn parse(text: &str) -> Result<Option<Value>, String> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|error| error.to_string())?;
    if let Some(error) = builder.error {
        return Err(error);
    }
    Ok(builder.document)
}

enum Frame {
    Sequence { anchor: usize, items: Vec<Value> },
    Mapping { anchor: usize, entries: Map, key: Option<Value> },
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: Vec<(usize, Value)>,
    document: Option<Value>,
    done: bool,
    error: Option<String>,
}

impl Builder {
    fn push_value(&mut self, value: Value, anchor: usize) {
        if anchor > 0 {
            self.anchors.push((anchor, value.clone()));
        }
        match self.stack.last_mut() {
            None => {
                if !self.done {
                    self.document = Some(value);
                    self.done = true;
                }
            }
            Some(Frame::Sequence { items, .. }) => items.push(value),
            Some(Frame::Mapping { entries, key, .. }) => match key.take() {
                None => *key = Some(value),
                Some(k) => {
                    // `<<` merge keys (`<<: *defaults`) merge the aliased hash in.
                    if k == Value::from("<<") {
                        if let Value::Hash(merged) = &value {
                            for (mk, mv) in merged.iter() {
                                entries.entry(mk.clone()).or_insert_with(|| mv.clone());
                            }
                            return;
                        }
                    }
                    entries.insert(k, value);
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, event: Event, _mark: Marker) {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                if style == TScalarStyle::Plain && tag.is_none() && self.error.is_none() {
                    self.error = disallowed_class(&text).map(|class| format!("Tried to load unspecified class: {class}"));
                }
                let value = scalar(&text, style, tag.as_ref());
                self.push_value(value, anchor);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Sequence { anchor, items: Vec::new() }),
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Mapping { anchor, entries: Map::new(), key: None }),
            Event::SequenceEnd | Event::MappingEnd => match self.stack.pop() {
                Some(Frame::Sequence { anchor, items }) => self.push_value(Value::array(items), anchor),
                Some(Frame::Mapping { anchor, entries, .. }) => self.push_value(Value::hash(entries), anchor),
                None => {}
            },
            Event::Alias(anchor) => {
                let value = self.anchors.iter().rev().find(|(id, _)| *id == anchor).map(|(_, v)| v.clone());
                match value {
                    Some(value) => self.push_value(value, 0),
                    None => self.error = Some(format!("unknown alias {anchor}")),
                }
            }
            _ => {}
        }
    }
}

/// A scalar as Psych resolves it.
fn scalar(text: &str, style: TScalarStyle, tag: Option<&Tag>) -> Value {
    if let Some(tag) = tag {
        let suffix = tag.suffix.as_str();
        match (tag.handle.as_str(), suffix) {
            ("!!", "str") | ("tag:yaml.org,2002:", "str") => return Value::from(text),
            ("!!", "int") => return resolve_plain(text),
            ("!!", "float") => return text.parse::<f64>().map_or_else(|_| Value::from(text), Value::Float),
            ("!!", "bool") => return resolve_plain(text),
            ("!!", "null") => return Value::Undef,
            _ => {}
        }
    }
    if style != TScalarStyle::Plain {
        return Value::from(text);
    }
    resolve_plain(text)
}

/// The Ruby class Psych's `ScalarScanner#tokenize` makes of a plain scalar that looks like
/// a date or a time: Puppet's safe YAML loader permits neither, so the file fails to load.
fn disallowed_class(text: &str) -> Option<&'static str> {
    const TIME: &str = r"^-?\d{4}-\d{1,2}-\d{1,2}(?:[Tt]|\s+)\d{1,2}:\d\d:\d\d(?:\.\d*)?(?:\s*(?:Z|[-+]\d{1,2}:?(?:\d\d)?))?$";
    const DATE: &str = r"^\d{4}-(?:1[012]|0\d|\d)-(?:[12]\d|3[01]|0\d|\d)$";
    // Both patterns need a digit first (or `-` then a digit) and a dash at the fifth or sixth place.
    let bytes = text.as_bytes();
    if bytes.len() < 8 || !(bytes[0].is_ascii_digit() || bytes[0] == b'-') {
        return None;
    }
    let matches = |pattern: &str| crate::regex::Regex::new(pattern).is_ok_and(|regex| regex.is_match(text));
    if matches(TIME) {
        Some("Time")
    } else if matches(DATE) {
        Some("Date")
    } else {
        None
    }
}

/// Psych's `ScalarScanner#tokenize` for plain scalars.
pub fn resolve_plain(text: &str) -> Value {
    if text.is_empty() || text == "~" || text.eq_ignore_ascii_case("null") {
        return Value::Undef;
    }
    let lower = text.to_ascii_lowercase();
    if text.len() <= 5 {
        match lower.as_str() {
            "yes" | "true" | "on" => return Value::Boolean(true),
            "no" | "false" | "off" => return Value::Boolean(false),
            _ => {}
        }
    }
    if matches!(lower.as_str(), ".inf" | "+.inf") {
        return Value::Float(f64::INFINITY);
    }
    if lower == "-.inf" {
        return Value::Float(f64::NEG_INFINITY);
    }
    if let Some(i) = integer(text) {
        return Value::Integer(i);
    }
    if let Some(f) = float(text) {
        return Value::Float(f);
    }
    Value::from(text)
}

/// Psych's legacy integer forms: decimal (with `_` or `,`), `0` octal, `0x`, `0b`.
fn integer(text: &str) -> Option<i64> {
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let digits_only = |s: &str, allowed: &dyn Fn(char) -> bool| !s.is_empty() && s.chars().all(|c| allowed(c) || c == '_' || c == ',');
    let clean = |s: &str| s.replace(['_', ','], "");
    let value = if let Some(hex) = body.strip_prefix("0x") {
        if !digits_only(hex, &|c| c.is_ascii_hexdigit()) {
            return None;
        }
        i64::from_str_radix(&clean(hex), 16).ok()?
    } else if let Some(bin) = body.strip_prefix("0b") {
        if !digits_only(bin, &|c| c == '0' || c == '1') {
            return None;
        }
        i64::from_str_radix(&clean(bin), 2).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        if !digits_only(&body[1..], &|c| ('0'..='7').contains(&c)) {
            return None;
        }
        i64::from_str_radix(&clean(&body[1..]), 8).ok()?
    } else {
        let first = body.chars().next()?;
        if !first.is_ascii_digit() || !digits_only(body, &|c| c.is_ascii_digit()) {
            return None;
        }
        if body.contains(",,") || body.ends_with([',', '_']) {
            return None;
        }
        clean(body).parse::<i64>().ok()?
    };
    Some(if negative { -value } else { value })
}

/// Psych's float form: `[-+]?([0-9][0-9_,]*)?\.[0-9]*([eE][-+][0-9]+)?`.
fn float(text: &str) -> Option<f64> {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(index) => (&body[..index], Some(&body[index + 1..])),
        None => (body, None),
    };
    let (integer_part, fraction) = mantissa.split_once('.')?;
    if !(integer_part.is_empty() || (integer_part.starts_with(|c: char| c.is_ascii_digit()) && integer_part.chars().all(|c| c.is_ascii_digit() || c == '_' || c == ','))) {
        return None;
    }
    if !fraction.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if let Some(exponent) = exponent {
        let digits = exponent.strip_prefix(['-', '+'])?;
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
    }
    if integer_part.is_empty() && fraction.is_empty() {
        return None;
    }
    let clean: String = text.chars().filter(|c| *c != '_' && *c != ',').collect();
    let clean = clean.replace(".e", "e").replace(".E", "E");
    let clean = clean.strip_suffix('.').map(str::to_string).unwrap_or(clean);
    clean.parse::<f64>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_scalars() {
        let value = parse("a: yes\nb: 'yes'\nc: 0755\nd: 1_000\ne: ~\nf: 2.5\ng: On\nh: x\ni: -0x1F\nj: 1e3\n").unwrap().unwrap();
        let get = |k: &str| value.get(k).cloned().unwrap();
        assert_eq!(get("a"), Value::Boolean(true));
        assert_eq!(get("b"), Value::from("yes"));
        assert_eq!(get("c"), Value::Integer(493));
        assert_eq!(get("d"), Value::Integer(1000));
        assert_eq!(get("e"), Value::Undef);
        assert_eq!(get("f"), Value::Float(2.5));
        assert_eq!(get("g"), Value::Boolean(true));
        assert_eq!(get("h"), Value::from("x"));
        assert_eq!(get("i"), Value::Integer(-31));
        assert_eq!(get("j"), Value::from("1e3"));
    }

    #[test]
    fn anchors_and_merge_keys() {
        let value = parse("base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n").unwrap().unwrap();
        assert_eq!(value.get("other").and_then(|o| o.get("x")), Some(&Value::Integer(1)));
    }
}
