//! Puppet's runtime values: what expressions evaluate to and what ends up in the catalog.
//!
//! Hash keys compare as Ruby's `eql?` does (`1` and `1.0` are different keys); Puppet's
//! `==` (case-insensitive strings, `1 == 1.0`) is [`crate::eval::ops::equals`].

use std::hash::{Hash, Hasher};
use std::rc::Rc;

use indexmap::IndexMap;
use puppet_syntax::numbers::ruby_float_to_s;

use crate::regex::Regex;
use crate::types::PType;

pub type Map = IndexMap<Value, Value>;

#[derive(Clone, Debug)]
pub enum Value {
    Undef,
    Default,
    Boolean(bool),
    Integer(i64),
    Float(f64),
    String(Rc<str>),
    Regexp(Regex),
    Array(Rc<Vec<Value>>),
    Hash(Rc<Map>),
    Type(Rc<PType>),
    Sensitive(Rc<Value>),
    /// Nanoseconds.
    Timespan(i128),
    /// Nanoseconds since the epoch, UTC.
    Timestamp(i128),
    SemVer(Rc<crate::semver::Version>),
    SemVerRange(Rc<crate::semver::VersionRange>),
    Binary(Rc<Vec<u8>>),
    /// `Deferred('name', [args])`: resolved on the agent, serialized as rich data.
    Deferred(Rc<(String, Vec<Value>)>),
    /// An iterator (`reverse_each`, `step`, ...): the values it would produce, lazily
    /// made eager.
    Iterator(Rc<Vec<Value>>),
    /// A collector (`Type <| |>`), by index, as an operand of a relationship.
    Collector(usize),
}

impl Value {
    pub fn string(text: impl Into<Rc<str>>) -> Value {
        Value::String(text.into())
    }

    pub fn array(values: Vec<Value>) -> Value {
        Value::Array(Rc::new(values))
    }

    pub fn hash(map: Map) -> Value {
        Value::Hash(Rc::new(map))
    }

    pub fn empty_hash() -> Value {
        Value::Hash(Rc::new(Map::new()))
    }

    pub fn type_value(t: PType) -> Value {
        Value::Type(Rc::new(t))
    }

    pub fn is_undef(&self) -> bool {
        matches!(self, Value::Undef)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(values) => Some(values),
            _ => None,
        }
    }

    pub fn as_hash(&self) -> Option<&Map> {
        match self {
            Value::Hash(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_type(&self) -> Option<&PType> {
        match self {
            Value::Type(t) => Some(t),
            _ => None,
        }
    }

    /// Puppet's truth: only `undef` and `false` are false (an empty string is true).
    pub fn is_true(&self) -> bool {
        !matches!(self, Value::Undef | Value::Boolean(false))
    }

    /// A hash value by string key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_hash()?.get(&Value::string(key))
    }

    /// The string Puppet's interpolation and `String(x)` give (`Evaluator#string`).
    pub fn to_puppet_string(&self) -> String {
        let mut out = String::new();
        self.write_puppet_string(&mut out);
        out
    }

    pub fn write_puppet_string(&self, out: &mut String) {
        match self {
            Value::Undef => {}
            Value::Default => out.push_str("default"),
            Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Integer(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&ruby_float_to_s(*f)),
            Value::String(s) => out.push_str(s),
            Value::Regexp(r) => out.push_str(&regexp_to_s_with_delimiters(r)),
            Value::Array(values) | Value::Iterator(values) => {
                out.push('[');
                for (index, value) in values.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    value.write_puppet_string(out);
                }
                out.push(']');
            }
            Value::Hash(map) => {
                out.push('{');
                for (index, (key, value)) in map.iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    key.write_puppet_string(out);
                    out.push_str(" => ");
                    value.write_puppet_string(out);
                }
                out.push('}');
            }
            Value::Type(t) => out.push_str(&t.to_string()),
            Value::Sensitive(_) => out.push_str("Sensitive [value redacted]"),
            Value::Timespan(ns) => out.push_str(&crate::time::format_timespan_default(*ns)),
            Value::Timestamp(ns) => out.push_str(&crate::time::format_timestamp_default(*ns)),
            Value::SemVer(v) => out.push_str(&v.to_string()),
            Value::SemVerRange(r) => out.push_str(&r.to_string()),
            Value::Binary(bytes) => out.push_str(&crate::functions::encoding::base64_encode(bytes, true)),
            Value::Deferred(deferred) => {
                out.push_str("Deferred({'name' => '");
                out.push_str(&deferred.0);
                out.push_str("'})");
            }
            Value::Collector(_) => out.push_str("Catalog-Collector"),
        }
    }

    /// Ruby's `inspect`-like rendering Puppet's messages use for values (`["a", 1]`).
    pub fn ruby_inspect(&self) -> String {
        match self {
            Value::Undef => "nil".to_string(),
            Value::Default => ":default".to_string(),
            Value::String(s) => ruby_string_inspect(s),
            Value::Array(values) => {
                let inner: Vec<String> = values.iter().map(Value::ruby_inspect).collect();
                format!("[{}]", inner.join(", "))
            }
            Value::Hash(map) => {
                if map.is_empty() {
                    return "{}".to_string();
                }
                let inner: Vec<String> = map.iter().map(|(k, v)| format!("{}=>{}", k.ruby_inspect(), v.ruby_inspect())).collect();
                format!("{{{}}}", inner.join(", "))
            }
            Value::Regexp(r) => r.inspect(),
            other => other.to_puppet_string(),
        }
    }

    /// Ruby's `to_s`, which Puppet's messages use with `%{value}`.
    pub fn ruby_to_s(&self) -> String {
        match self {
            Value::Undef => String::new(),
            Value::Default => "default".to_string(),
            Value::Array(_) | Value::Hash(_) => self.ruby_inspect(),
            Value::Regexp(r) => format!("(?-mix:{})", r.source()),
            other => other.to_puppet_string(),
        }
    }
}

/// Ruby's `String#inspect`.
pub fn ruby_string_inspect(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '#' => out.push('#'),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `PRegexpType.regexp_to_s_with_delimiters`: `/source/` (Ruby's inspect) without
/// options, else `/(?flags:source)/`.
pub fn regexp_to_s_with_delimiters(regex: &Regex) -> String {
    if regex.options() == 0 {
        regex.inspect()
    } else {
        format!("/{}/", regex.to_s_with_flags())
    }
}

impl PartialEq for Value {
    /// Ruby's `eql?`: same kind and same value (strings case-sensitive, `1 != 1.0`).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Undef, Value::Undef) | (Value::Default, Value::Default) => true,
            (Value::Boolean(a), Value::Boolean(b)) => a == b,
            (Value::Integer(a), Value::Integer(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits() || a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Regexp(a), Value::Regexp(b)) => a == b,
            (Value::Array(a), Value::Array(b)) | (Value::Iterator(a), Value::Iterator(b)) => a == b,
            (Value::Hash(a), Value::Hash(b)) => a.len() == b.len() && a.iter().all(|(k, v)| b.get(k) == Some(v)),
            (Value::Type(a), Value::Type(b)) => a == b,
            (Value::Sensitive(a), Value::Sensitive(b)) => Rc::ptr_eq(a, b),
            (Value::Timespan(a), Value::Timespan(b)) | (Value::Timestamp(a), Value::Timestamp(b)) => a == b,
            (Value::SemVer(a), Value::SemVer(b)) => a == b,
            (Value::SemVerRange(a), Value::SemVerRange(b)) => a == b,
            (Value::Binary(a), Value::Binary(b)) => a == b,
            (Value::Deferred(a), Value::Deferred(b)) => a == b,
            (Value::Collector(a), Value::Collector(b)) => a == b,
            _ => false,
        }
    }
}

impl Eq for Value {}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::mem::discriminant(self).hash(state);
        match self {
            Value::Boolean(b) => b.hash(state),
            Value::Integer(i) => i.hash(state),
            Value::Float(f) => f.to_bits().hash(state),
            Value::String(s) => s.hash(state),
            Value::Regexp(r) => r.source().hash(state),
            Value::Array(values) | Value::Iterator(values) => {
                values.len().hash(state);
                for value in values.iter() {
                    value.hash(state);
                }
            }
            Value::Hash(map) => map.len().hash(state),
            Value::Type(t) => t.to_string().hash(state),
            Value::Timespan(n) | Value::Timestamp(n) => n.hash(state),
            Value::SemVer(v) => v.to_string().hash(state),
            Value::Binary(bytes) => bytes.hash(state),
            _ => {}
        }
    }
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Value::String(Rc::from(text))
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Value::String(Rc::from(text))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Boolean(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Integer(i)
    }
}

/// Converts JSON (facts, hiera data) into values: integers that fit stay integers,
/// others become floats.
pub fn from_json(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Undef,
        serde_json::Value::Bool(b) => Value::Boolean(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(values) => Value::array(values.iter().map(from_json).collect()),
        serde_json::Value::Object(map) => from_json_map(map),
    }
}

/// [`from_json`] of a JSON object.
pub fn from_json_map(map: &serde_json::Map<String, serde_json::Value>) -> Value {
    let mut out = Map::with_capacity(map.len());
    for (key, value) in map {
        out.insert(Value::from(key.as_str()), from_json(value));
    }
    Value::hash(out)
}
