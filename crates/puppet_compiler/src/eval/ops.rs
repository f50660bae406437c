//! Puppet's operators on values (`CompareOperator`, arithmetic of `EvaluatorImpl`):
//! case-insensitive string equality, numeric comparison, `in`, matching, and the
//! numeric conversions of strings.

use std::cmp::Ordering;
use std::rc::Rc;

use crate::types::{instance_of, PType};
use crate::value::{Map, Value};

/// Ruby's `String#casecmp`: ASCII case folding only.
pub fn casecmp(a: &str, b: &str) -> Ordering {
    let a = a.bytes().map(|c| c.to_ascii_lowercase());
    let b = b.bytes().map(|c| c.to_ascii_lowercase());
    a.cmp(b)
}

/// `CompareOperator#equals`.
pub fn equals(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x.len() == y.len() && casecmp(x, y) == Ordering::Equal,
        (Value::String(_), _) => false,
        (Value::Integer(x), Value::Integer(y)) => x == y,
        (Value::Integer(x), Value::Float(y)) => (*x as f64) == *y,
        (Value::Float(x), Value::Integer(y)) => *x == (*y as f64),
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Integer(_) | Value::Float(_), _) => false,
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equals(p, q)),
        (Value::Hash(x), Value::Hash(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equals(w, v))),
        (Value::Undef, Value::Undef) => true,
        (Value::Undef, _) => false,
        (Value::Type(x), Value::Type(y)) => x == y,
        (Value::Sensitive(x), Value::Sensitive(y)) => Rc::ptr_eq(x, y),
        (x, y) => x == y,
    }
}

/// `CompareOperator#compare`; the error is Ruby's `ArgumentError` message.
pub fn compare(a: &Value, b: &Value) -> Result<Ordering, String> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Ok(casecmp(x, y)),
        (Value::String(_), _) => Err("A String is not comparable to a non String".into()),
        (Value::Integer(x), Value::Integer(y)) => Ok(x.cmp(y)),
        (Value::Integer(_) | Value::Float(_), Value::Integer(_) | Value::Float(_)) => {
            let (x, y) = (as_f64(a), as_f64(b));
            x.partial_cmp(&y).ok_or_else(|| "comparison of Float with Float failed".to_string())
        }
        (Value::Integer(_) | Value::Float(_), Value::Timespan(y)) => Ok(((as_f64(a) * 1e9) as i128).cmp(y)),
        (Value::Integer(_) | Value::Float(_), _) => Err("A Numeric is not comparable to non Numeric".into()),
        (Value::Timespan(x), Value::Timespan(y)) => Ok(x.cmp(y)),
        (Value::Timespan(x), Value::Integer(_) | Value::Float(_)) => Ok(x.cmp(&((as_f64(b) * 1e9) as i128))),
        (Value::Timespan(_), _) => Err("Timespans are only comparable to Timespans, Integers, and Floats".into()),
        (Value::Timestamp(x), Value::Timestamp(y)) => Ok(x.cmp(y)),
        (Value::Timestamp(x), Value::Integer(_) | Value::Float(_)) => Ok(x.cmp(&((as_f64(b) * 1e9) as i128))),
        (Value::Timestamp(_), _) => Err("Timestamps are only comparable to Timestamps, Integers, and Floats".into()),
        (Value::SemVer(x), Value::SemVer(y)) => Ok(x.cmp(y)),
        (Value::SemVer(_), _) => Err("Versions not comparable to non Versions".into()),
        (Value::Default, Value::Default) => Ok(Ordering::Equal),
        (Value::Default, _) => Err("Symbol not comparable to non Symbol".into()),
        _ => Err("Only Strings, Numbers, Timespans, Timestamps, and Versions are comparable".into()),
    }
}

pub fn as_f64(value: &Value) -> f64 {
    match value {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        _ => 0.0,
    }
}

/// The result of matching with a regular expression: the captures to set as `$0..$n`.
pub type Captures = Option<Rc<Vec<Option<String>>>>;

/// `CompareOperator#match(left, pattern)` as case and selector options use it; the
/// second result is the match data of a regular expression that matched.
pub fn matches(left: &Value, pattern: &Value) -> (bool, Captures) {
    match pattern {
        Value::Regexp(regex) => match left {
            Value::String(s) => match regex.captures(s) {
                Some(captures) => (true, Some(Rc::new(captures))),
                None => (false, None),
            },
            _ => (false, None),
        },
        Value::Type(t) => (instance_of(t, left), None),
        Value::SemVer(version) => match left {
            Value::SemVer(other) => (version == other, None),
            Value::String(s) => (crate::semver::Version::parse(s).is_some_and(|v| v == **version), None),
            _ => (false, None),
        },
        Value::SemVerRange(range) => (semver_range_includes(range, left), None),
        Value::Array(patterns) => match left {
            Value::Array(values) if values.len() == patterns.len() => {
                let mut last = None;
                for (value, pattern) in values.iter().zip(patterns.iter()) {
                    let (ok, captures) = matches(value, pattern);
                    if !ok {
                        return (false, None);
                    }
                    if captures.is_some() {
                        last = captures;
                    }
                }
                (true, last)
            }
            _ => (false, None),
        },
        Value::Hash(patterns) => match left {
            Value::Hash(values) => {
                let mut last = None;
                for (key, pattern) in patterns.iter() {
                    let value = values.get(key).cloned().unwrap_or(Value::Undef);
                    let (ok, captures) = matches(&value, pattern);
                    if !ok {
                        return (false, None);
                    }
                    if captures.is_some() {
                        last = captures;
                    }
                }
                (true, last)
            }
            _ => (false, None),
        },
        Value::Default => (true, None),
        other => (equals(left, other), None),
    }
}

pub fn semver_range_includes(range: &crate::semver::VersionRange, value: &Value) -> bool {
    match value {
        Value::SemVer(v) => range.includes(v),
        Value::String(s) => crate::semver::Version::parse(s).is_some_and(|v| range.includes(&v)),
        _ => false,
    }
}

/// `CompareOperator#include?(collection, value)` (the `in` operator).
pub fn includes(collection: &Value, value: &Value) -> (bool, Captures) {
    match collection {
        Value::String(haystack) => match value {
            Value::String(needle) => (haystack.to_lowercase().contains(&needle.to_lowercase()), None),
            Value::Regexp(regex) => match regex.captures(haystack) {
                Some(captures) => (true, Some(Rc::new(captures))),
                None => (false, None),
            },
            Value::Integer(_) | Value::Float(_) => (equals(collection, value), None),
            _ => (false, None),
        },
        Value::Binary(bytes) => match value {
            Value::Binary(needle) => (contains_bytes(bytes, needle), None),
            Value::String(needle) => (contains_bytes(bytes, needle.as_bytes()), None),
            Value::Integer(byte) => (bytes.iter().any(|b| i64::from(*b) == *byte), None),
            _ => (false, None),
        },
        Value::Array(elements) => match value {
            Value::Regexp(regex) => {
                for element in elements.iter() {
                    if let Value::String(s) = element {
                        if let Some(captures) = regex.captures(s) {
                            return (true, Some(Rc::new(captures)));
                        }
                    }
                }
                (false, None)
            }
            Value::String(_) | Value::SemVer(_) => (elements.iter().any(|e| matches(e, value).0), None),
            Value::Type(t) => (elements.iter().any(|e| instance_of(t, e)), None),
            _ => (elements.iter().any(|e| equals(e, value)), None),
        },
        Value::Hash(map) => includes(&Value::array(map.keys().cloned().collect()), value),
        Value::SemVerRange(range) => (semver_range_includes(range, value), None),
        _ => (false, None),
    }
}

fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

/// `Utils.to_n`: a string that is a number (`"0x1F"`, `" -3.5 "`), else `None`.
pub fn string_to_number(text: &str) -> Option<Value> {
    let trimmed = text.strip_prefix("::").unwrap_or(text);
    let s = trimmed.trim_matches(|c| c == ' ' || c == '\t');
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, s[1..].trim_start_matches([' ', '\t'])),
        Some(b'+') => (false, s[1..].trim_start_matches([' ', '\t'])),
        _ => (false, s),
    };
    if rest.is_empty() {
        return None;
    }
    if let Some(hex) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let value = i64::from_str_radix(hex, 16).ok()?;
        return Some(Value::Integer(if negative { -value } else { value }));
    }
    // (0?\d+)((?:\.\d+)?(?:[eE]-?\d+)?)
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let (integer_part, fraction) = rest.split_at(digits);
    if fraction.is_empty() {
        // Integer(): a leading zero means octal.
        let value = if integer_part.len() > 1 && integer_part.starts_with('0') {
            if !integer_part.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                return None;
            }
            i64::from_str_radix(&integer_part[1..], 8).ok()?
        } else {
            integer_part.parse::<i64>().ok()?
        };
        return Some(Value::Integer(if negative { -value } else { value }));
    }
    if !is_fraction_exponent(fraction) {
        return None;
    }
    let int_value: i64 = integer_part.parse().ok()?;
    let trimmed_fraction = fraction.trim_start_matches('.');
    if int_value == 0 && (fraction.starts_with(['e', 'E']) || trimmed_fraction.trim_start_matches('0').starts_with(['e', 'E'])) && fraction.contains(['e', 'E']) {
        return None;
    }
    let value: f64 = format!("{integer_part}{fraction}").parse().ok()?;
    if value.is_infinite() {
        return None;
    }
    Some(Value::Float(if negative { -value } else { value }))
}

fn is_fraction_exponent(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    if i < bytes.len() && bytes[i] == b'.' {
        i += 1;
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if i < bytes.len() && (bytes[i] == b'e' || bytes[i] == b'E') {
        i += 1;
        if i < bytes.len() && bytes[i] == b'-' {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == bytes.len() && !text.is_empty()
}

/// The label Puppet's messages give a value (`a String`, `an Undef Value`).
pub fn value_label(value: &Value) -> String {
    match value {
        Value::Undef => "Undef Value".into(),
        Value::Boolean(_) => "Boolean".into(),
        Value::Integer(_) => "Integer".into(),
        Value::Float(_) => "Float".into(),
        Value::String(_) => "String".into(),
        Value::Regexp(_) => "Regexp".into(),
        Value::Array(_) => "Array".into(),
        Value::Hash(_) => "Hash".into(),
        Value::Type(t) => match &**t {
            PType::Resource { title: Some(_), .. } => format!("{t} Resource-Reference"),
            _ => format!("{t}-Type"),
        },
        Value::Sensitive(_) => "Sensitive".into(),
        Value::Timespan(_) => "Timespan".into(),
        Value::Timestamp(_) => "Timestamp".into(),
        Value::SemVer(_) => "Semver".into(),
        Value::SemVerRange(_) => "SemverRange".into(),
        Value::Binary(_) => "Binary".into(),
        Value::Default | Value::Deferred(_) | Value::Iterator(_) => "Object".into(),
        Value::Collector(_) => "Catalog-Collector".into(),
    }
}

pub fn a_an_value(value: &Value) -> String {
    crate::types::a_an(&value_label(value))
}

/// Array and hash concatenation (`+`).
pub fn concatenate(left: &Value, right: &Value) -> Result<Value, String> {
    match left {
        Value::Array(values) => {
            let mut out = values.to_vec();
            match right {
                Value::Array(more) => out.extend(more.iter().cloned()),
                Value::Hash(map) => out.extend(map.iter().map(|(k, v)| Value::array(vec![k.clone(), v.clone()]))),
                other => out.push(other.clone()),
            }
            Ok(Value::array(out))
        }
        Value::Hash(map) => {
            let mut out: Map = (**map).clone();
            match right {
                Value::Hash(more) => {
                    for (k, v) in more.iter() {
                        out.insert(k.clone(), v.clone());
                    }
                }
                Value::Array(values) => {
                    let pairs = values.iter().all(|v| matches!(v, Value::Array(_)));
                    if pairs && !values.is_empty() {
                        for pair in values.iter() {
                            let pair = pair.as_array().unwrap_or(&[]);
                            if pair.len() != 2 {
                                return Err(format!("wrong element type {} at {} (expected array)", "Array", 0));
                            }
                            out.insert(pair[0].clone(), pair[1].clone());
                        }
                    } else {
                        if values.len() % 2 != 0 {
                            return Err("odd number of arguments for Hash".into());
                        }
                        for chunk in values.chunks(2) {
                            out.insert(chunk[0].clone(), chunk[1].clone());
                        }
                    }
                }
                _ => return Err("Can only append Array or Hash to a Hash".into()),
            }
            Ok(Value::hash(out))
        }
        Value::Binary(bytes) => match right {
            Value::Binary(more) => {
                let mut out = bytes.to_vec();
                out.extend(more.iter());
                Ok(Value::Binary(Rc::new(out)))
            }
            _ => Err("Can only append Binary to a Binary".into()),
        },
        other => concatenate(&Value::array(vec![other.clone()]), right),
    }
}

/// Array and hash deletion (`-`).
pub fn delete(left: &Value, right: &Value) -> Result<Value, String> {
    match left {
        Value::Array(values) => {
            let remove: Vec<Value> = match right {
                Value::Array(more) => more.to_vec(),
                Value::Hash(map) => map.iter().map(|(k, v)| Value::array(vec![k.clone(), v.clone()])).collect(),
                other => vec![other.clone()],
            };
            Ok(Value::array(values.iter().filter(|v| !remove.contains(v)).cloned().collect()))
        }
        Value::Hash(map) => {
            let remove: Vec<Value> = match right {
                Value::Array(keys) => keys.to_vec(),
                Value::Hash(other) => other.keys().cloned().collect(),
                other => vec![other.clone()],
            };
            let mut out = (**map).clone();
            for key in remove {
                out.shift_remove(&key);
            }
            Ok(Value::hash(out))
        }
        _ => Err("Can only delete from an Array or Hash.".into()),
    }
}

/// Ruby's integer division (floored).
pub fn floor_div(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    let q = a.checked_div(b)?;
    if (a % b != 0) && ((a < 0) != (b < 0)) {
        Some(q - 1)
    } else {
        Some(q)
    }
}

/// Ruby's integer modulo (the sign of the divisor).
pub fn floor_mod(a: i64, b: i64) -> Option<i64> {
    if b == 0 {
        return None;
    }
    let r = a.checked_rem(b)?;
    if r != 0 && ((r < 0) != (b < 0)) {
        Some(r + b)
    } else {
        Some(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_from_strings() {
        assert_eq!(string_to_number("42"), Some(Value::Integer(42)));
        assert_eq!(string_to_number(" -0x1f "), Some(Value::Integer(-31)));
        assert_eq!(string_to_number("010"), Some(Value::Integer(8)));
        assert_eq!(string_to_number("1.5e2"), Some(Value::Float(150.0)));
        assert_eq!(string_to_number("1.5x"), None);
        assert_eq!(string_to_number("abc"), None);
    }

    #[test]
    fn ruby_division() {
        assert_eq!(floor_div(-7, 2), Some(-4));
        assert_eq!(floor_mod(-7, 2), Some(1));
        assert_eq!(floor_div(7, 0), None);
    }

    #[test]
    fn string_equality_ignores_ascii_case() {
        assert!(equals(&Value::from("ABC"), &Value::from("abc")));
        assert!(!equals(&Value::from("1"), &Value::Integer(1)));
        assert!(equals(&Value::Integer(1), &Value::Float(1.0)));
    }
}
