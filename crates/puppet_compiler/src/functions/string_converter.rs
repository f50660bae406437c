//! Puppet's `StringConverter`: `String.new(value, format)` with format strings
//! (`%.2f`, `%#x`, `%(a`) or a hash of type to format mappings, the defaults per type,
//! and the pretty-printing of containers (`%#a`).

use std::rc::Rc;

use super::format::ruby_sprintf;
use crate::types::{self, puppet_double_quote, puppet_quote, PType};
use crate::value::Value;

#[derive(Clone, Debug, PartialEq)]
enum Sign {
    Ignore,
    Plus,
    Space,
}

#[derive(Clone, Debug)]
struct Format {
    orig: String,
    format: char,
    left: bool,
    alt: bool,
    plus: Sign,
    delimiters: Option<char>,
    width: Option<usize>,
    prec: Option<usize>,
    separator: Option<String>,
    separator2: Option<String>,
    container_formats: Option<FormatMap>,
}

type FormatMap = Vec<(PType, Format)>;

impl Format {
    fn parse(text: &str) -> Result<Format, String> {
        let invalid = || format!("The format '{text}' is not a valid format on the form '%<flags><width>.<prec><format>'");
        let body = text.strip_prefix('%').ok_or_else(invalid)?;
        let chars: Vec<char> = body.chars().collect();
        let mut i = 0;
        let mut flags = Vec::new();
        while i < chars.len() && " [+#0{<(|-".contains(chars[i]) {
            flags.push(chars[i]);
            i += 1;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let width_text: String = chars[start..i].iter().collect();
        if width_text.starts_with('0') {
            return Err(invalid());
        }
        let width = if width_text.is_empty() { None } else { width_text.parse().ok() };
        let mut prec = None;
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return Err(invalid());
            }
            prec = chars[start..i].iter().collect::<String>().parse().ok();
        }
        if i + 1 != chars.len() || !chars[i].is_ascii_alphabetic() {
            return Err(invalid());
        }
        let mut unique = flags.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != flags.len() {
            return Err(format!("The same flag can only be used once, got '{text}'"));
        }
        let delimiters: Vec<char> = flags.iter().copied().filter(|c| "[{(<|".contains(*c)).collect();
        if delimiters.len() > 1 {
            return Err(format!("Only one of the delimiters [ {{ ( < | can be given in the format flags, got '{text}'"));
        }
        Ok(Format {
            orig: text.to_string(),
            format: chars[i],
            left: flags.contains(&'-'),
            alt: flags.contains(&'#'),
            plus: if flags.contains(&' ') {
                Sign::Space
            } else if flags.contains(&'+') {
                Sign::Plus
            } else {
                Sign::Ignore
            },
            delimiters: delimiters.first().copied(),
            width,
            prec,
            separator: None,
            separator2: None,
            container_formats: None,
        })
    }

    fn simple(text: &str) -> Format {
        Format::parse(text).expect("a built-in format")
    }

    fn merge(&self, other: &Format) -> Format {
        let mut result = other.clone();
        result.separator = other.separator.clone().or_else(|| self.separator.clone());
        result.separator2 = other.separator2.clone().or_else(|| self.separator2.clone());
        result.container_formats = merge_maps(self.container_formats.as_ref(), other.container_formats.as_ref());
        result
    }

    fn delimiter_pair(&self, default: (&'static str, &'static str)) -> (&'static str, &'static str) {
        match self.delimiters {
            Some('[') => ("[", "]"),
            Some('{') => ("{", "}"),
            Some('(') => ("(", ")"),
            Some('<') => ("<", ">"),
            Some('|') => ("|", "|"),
            _ if self.plus == Sign::Space => ("", ""),
            _ => default,
        }
    }
}

fn merge_maps(lower: Option<&FormatMap>, higher: Option<&FormatMap>) -> Option<FormatMap> {
    match (lower, higher) {
        (None, None) => None,
        (Some(l), None) => Some(l.clone()),
        (None, Some(h)) => Some(h.clone()),
        (Some(lower), Some(higher)) => {
            let kept: Vec<&(PType, Format)> = lower.iter().filter(|(lk, _)| !higher.iter().any(|(hk, _)| hk != lk && types::assignable(hk, lk))).collect();
            let mut keys: Vec<PType> = Vec::new();
            for (k, _) in kept.iter().map(|e| (&e.0, &e.1)).chain(higher.iter().map(|e| (&e.0, &e.1))) {
                if !keys.contains(k) {
                    keys.push(k.clone());
                }
            }
            let merged: FormatMap = keys
                .into_iter()
                .map(|k| {
                    let l = kept.iter().find(|(lk, _)| *lk == k).map(|e| &e.1);
                    let h = higher.iter().find(|(hk, _)| *hk == k).map(|e| &e.1);
                    let f = match (l, h) {
                        (Some(l), Some(h)) => l.merge(h),
                        (Some(l), None) => l.clone(),
                        (None, Some(h)) => h.clone(),
                        (None, None) => Format::simple("%s"),
                    };
                    (k, f)
                })
                .collect();
            Some(sort_formats(merged))
        }
    }
}

fn type_rank(t: &PType) -> u8 {
    match t {
        PType::Struct(_) => 1,
        PType::Hash { .. } => 2,
        PType::Tuple { .. } => 3,
        PType::Array { .. } => 4,
        PType::Pattern(_) => 10,
        PType::Enum { .. } => 11,
        PType::String(_) => 12,
        _ => 0,
    }
}

fn sort_formats(mut map: FormatMap) -> FormatMap {
    map.sort_by(|(a, _), (b, _)| {
        use std::cmp::Ordering;
        if a == b {
            return Ordering::Equal;
        }
        let ab = types::assignable(b, a);
        let ba = types::assignable(a, b);
        if ab && !ba {
            Ordering::Less
        } else if !ab && ba {
            Ordering::Greater
        } else {
            let (ra, rb) = (type_rank(a), type_rank(b));
            if ra == 0 || rb == 0 {
                a.to_string().cmp(&b.to_string())
            } else {
                ra.cmp(&rb)
            }
        }
    });
    map
}

fn default_container_formats() -> FormatMap {
    vec![(PType::Any, Format::simple("%p"))]
}

fn default_formats() -> FormatMap {
    let mut array = Format::simple("%a");
    array.separator = Some(", ".into());
    array.separator2 = Some(", ".into());
    array.container_formats = Some(default_container_formats());
    let mut hash = Format::simple("%h");
    hash.separator = Some(", ".into());
    hash.separator2 = Some(" => ".into());
    hash.container_formats = Some(default_container_formats());
    vec![
        (PType::Object(None), Format::simple("%p")),
        (PType::float(), Format::simple("%f")),
        (PType::Numeric, Format::simple("%d")),
        (PType::array_any(), array),
        (PType::hash_any(), hash),
        (PType::Binary, Format::simple("%B")),
        (PType::Any, Format::simple("%s")),
    ]
}

#[derive(Clone, Copy)]
struct Indentation {
    level: usize,
    first: bool,
    indenting: bool,
}

impl Indentation {
    fn subsequent(self) -> Indentation {
        Indentation { first: false, ..self }
    }

    fn indenting(self, flag: bool) -> Indentation {
        Indentation { indenting: flag, ..self }
    }

    fn increase(self, flag: bool) -> Indentation {
        Indentation { level: self.level + 1, first: true, indenting: flag }
    }

    fn breaks(self) -> bool {
        self.indenting && self.level > 0 && !self.first
    }

    fn padding(self) -> String {
        " ".repeat(2 * self.level)
    }
}

fn validate_formats(value: &Value) -> Result<FormatMap, String> {
    let Value::Hash(map) = value else {
        return Err(format!("expected a hash with type to format mappings, got instance of '{}'", crate::eval::expr_ruby_class(value)));
    };
    let mut out = Vec::new();
    for (key, format) in map.iter() {
        let Value::Type(t) = key else {
            return Err(format!("top level keys in the format hash must be data types, got instance of '{}'", crate::eval::expr_ruby_class(key)));
        };
        let f = match format {
            Value::Hash(container) => {
                for k in container.keys() {
                    let k = k.to_puppet_string();
                    if !matches!(k.as_str(), "separator" | "separator2" | "format" | "string_formats") {
                        return Err(format!("only 'separator', 'separator2', 'format', 'string_formats' are allowed in a container format, got {}", format.ruby_inspect()));
                    }
                }
                let get = |k: &str| container.get(&Value::from(k));
                let mut f = Format::parse(&get("format").map(Value::to_puppet_string).unwrap_or_default())?;
                f.separator = get("separator").map(Value::to_puppet_string);
                f.separator2 = get("separator2").map(Value::to_puppet_string);
                f.container_formats = match get("string_formats") {
                    Some(inner) => Some(validate_formats(inner)?),
                    None => None,
                };
                f
            }
            other => Format::parse(&other.to_puppet_string())?,
        };
        out.push(((**t).clone(), f));
    }
    Ok(out)
}

/// `StringConverter#convert(value, string_formats)`; `formats` is `Default` or absent
/// for the defaults.
pub fn convert(value: &Value, formats: Option<&Value>) -> Result<String, String> {
    let value_type = types::infer_set(value);
    let mut options = default_formats();
    match formats {
        None | Some(Value::Default) => {}
        Some(Value::String(text)) => {
            let given = if types::assignable(&PType::array_any(), &value_type) {
                let mut f = Format::parse(text)?;
                f.container_formats = None;
                vec![(PType::array_any(), f)]
            } else if types::assignable(&PType::hash_any(), &value_type) {
                vec![(PType::hash_any(), Format::parse(text)?)]
            } else {
                vec![(value_type.clone(), Format::parse(text)?)]
            };
            options = merge_maps(Some(&options), Some(&given)).unwrap_or_default();
        }
        Some(hash @ Value::Hash(_)) => {
            let given = validate_formats(hash)?;
            options = merge_maps(Some(&options), Some(&given)).unwrap_or_default();
        }
        Some(other) => {
            return Err(format!(
                "string conversion expects a Default value or a Hash of type to format mappings, got a '{}'",
                crate::eval::expr_ruby_class(other)
            ))
        }
    }
    convert_with(&value_type, value, &options, Indentation { level: 0, first: true, indenting: false })
}

fn get_format(t: &PType, map: &FormatMap) -> Format {
    map.iter().find(|(k, _)| types::assignable(k, t)).map(|(_, f)| f.clone()).unwrap_or_else(|| Format::simple("%s"))
}

fn format_error(type_name: &str, actual: char, expected: &str) -> String {
    format!("Illegal format '{actual}' specified for value of {type_name} type - expected one of the characters '{expected}'")
}

fn apply_string_flags(f: &Format, text: String) -> Result<String, String> {
    if f.left || f.width.is_some() || f.prec.is_some() {
        let mut fmt = String::from("%");
        if f.left {
            fmt.push('-');
        }
        if let Some(w) = f.width {
            fmt.push_str(&w.to_string());
        }
        if let Some(p) = f.prec {
            fmt.push('.');
            fmt.push_str(&p.to_string());
        }
        fmt.push('s');
        ruby_sprintf(&fmt, &[Value::from(text)])
    } else {
        Ok(text)
    }
}

fn is_container(t: &PType) -> bool {
    matches!(t, PType::Array { .. } | PType::Hash { .. } | PType::Struct(_) | PType::Tuple { .. })
}

fn convert_with(t: &PType, value: &Value, map: &FormatMap, indentation: Indentation) -> Result<String, String> {
    let f = get_format(t, map);
    match value {
        Value::String(s) => {
            let subst = |c: char| f.orig.replace(c, "s");
            match f.format {
                's' => ruby_sprintf(&f.orig, std::slice::from_ref(value)),
                'p' => apply_string_flags(&f, if f.alt { puppet_double_quote(s) } else { puppet_quote(s) }),
                'c' | 'C' | 'u' | 'd' | 't' => {
                    let text = match f.format {
                        'c' => types::capitalize(s),
                        'C' => s.split("::").map(types::capitalize).collect::<Vec<_>>().join("::"),
                        'u' => s.to_uppercase(),
                        'd' => s.to_lowercase(),
                        _ => s.trim().to_string(),
                    };
                    if f.alt {
                        apply_string_flags(&f, puppet_quote(&text))
                    } else {
                        ruby_sprintf(&subst(f.format), &[Value::from(text)])
                    }
                }
                other => Err(format_error("String", other, "cCudspt")),
            }
        }
        Value::Integer(i) => match f.format {
            'd' | 'x' | 'X' | 'o' | 'b' | 'B' | 'p' => ruby_sprintf(&f.orig, std::slice::from_ref(value)),
            'e' | 'E' | 'f' | 'g' | 'G' | 'a' | 'A' => ruby_sprintf(&f.orig, &[Value::Float(*i as f64)]),
            'c' => {
                let ch = char::from_u32(*i as u32).map(String::from).unwrap_or_default();
                let ch = if f.alt { format!("\"{ch}\"") } else { ch };
                ruby_sprintf(&f.orig.replace('c', "s"), &[Value::from(ch)])
            }
            's' => {
                let text = i.to_string();
                ruby_sprintf(&f.orig.replace('s', if f.alt { "p" } else { "s" }), &[Value::from(text)])
            }
            other => Err(format_error("Integer", other, "dxXobBeEfgGaAspc")),
        },
        Value::Float(x) => match f.format {
            'd' | 'x' | 'X' | 'o' | 'b' | 'B' => ruby_sprintf(&f.orig, &[Value::Integer(x.trunc() as i64)]),
            'e' | 'E' | 'f' | 'g' | 'G' | 'a' | 'A' => ruby_sprintf(&f.orig, std::slice::from_ref(value)),
            'p' => ruby_sprintf(&f.orig.replace('p', "s"), &[Value::from(puppet_syntax::numbers::ruby_float_to_s(*x))]),
            's' => {
                let text = puppet_syntax::numbers::ruby_float_to_s(*x);
                let text = if f.alt { format!("\"{text}\"") } else { text };
                ruby_sprintf(&f.orig, &[Value::from(text)])
            }
            other => Err(format_error("Float", other, "dxXobBeEfgGaAsp")),
        },
        Value::Boolean(b) => match f.format {
            't' | 'T' | 'y' | 'Y' => {
                let text = match f.format {
                    't' => b.to_string(),
                    'T' => types::capitalize(&b.to_string()),
                    'y' => if *b { "yes" } else { "no" }.to_string(),
                    _ => if *b { "Yes" } else { "No" }.to_string(),
                };
                let text = if f.alt { text.chars().next().map(String::from).unwrap_or_default() } else { text };
                apply_string_flags(&f, text)
            }
            'd' | 'x' | 'X' | 'o' | 'b' | 'B' => ruby_sprintf(&f.orig, &[Value::Integer(i64::from(*b))]),
            'e' | 'E' | 'f' | 'g' | 'G' | 'a' | 'A' => ruby_sprintf(&f.orig, &[Value::Float(if *b { 1.0 } else { 0.0 })]),
            's' | 'p' => apply_string_flags(&f, b.to_string()),
            other => Err(format_error("Boolean", other, "tTyYdxXobBeEfgGaAsp")),
        },
        Value::Undef => {
            let text = match f.format {
                'n' => if f.alt { "null" } else { "nil" },
                'u' => if f.alt { "undefined" } else { "undef" },
                'd' | 'x' | 'X' | 'o' | 'b' | 'B' | 'e' | 'E' | 'f' | 'g' | 'G' | 'a' | 'A' => "NaN",
                'v' => "n/a",
                'V' => "N/A",
                's' => if f.alt { "\"\"" } else { "" },
                'p' => if f.alt { "\"undef\"" } else { "undef" },
                other => return Err(format_error("Undef", other, "nudxXobBeEfgGaAvVsp")),
            };
            apply_string_flags(&f, text.to_string())
        }
        Value::Default => {
            let text = match f.format {
                'd' | 's' | 'p' => if f.alt { "\"default\"" } else { "default" },
                'D' => if f.alt { "\"Default\"" } else { "Default" },
                other => return Err(format_error("Default", other, "dDsp")),
            };
            apply_string_flags(&f, text.to_string())
        }
        Value::Regexp(r) => match f.format {
            'p' => {
                let text = crate::value::regexp_to_s_with_delimiters(r);
                if f.orig == "%p" {
                    Ok(text)
                } else {
                    ruby_sprintf(&f.orig.replace('p', "s"), &[Value::from(text)])
                }
            }
            's' => {
                let text = r.to_s_with_flags();
                let text = if f.alt { puppet_quote(&text) } else { text };
                if f.orig == "%s" {
                    Ok(text)
                } else {
                    ruby_sprintf(&f.orig, &[Value::from(text)])
                }
            }
            other => Err(format_error("Regexp", other, "sp")),
        },
        Value::Type(ty) => match f.format {
            's' => {
                let text = if f.alt { format!("\"{ty}\"") } else { ty.to_string() };
                ruby_sprintf(&f.orig, &[Value::from(text)])
            }
            'p' => ruby_sprintf(&f.orig.replace('p', "s"), &[Value::from(ty.to_string())]),
            other => Err(format_error("Type", other, "sp")),
        },
        Value::Binary(bytes) => {
            let subst = if f.alt { "p" } else { "s" };
            match f.format {
                's' => ruby_sprintf(&f.orig.replace('s', subst), &[Value::from(String::from_utf8_lossy(bytes).into_owned())]),
                'p' => Ok(format!("Binary(\"{}\")", ruby_sprintf(&f.orig.replace('p', "s"), &[Value::from(super::encoding::base64_encode(bytes, true))])?)),
                'b' => ruby_sprintf(&f.orig.replace('b', subst), &[Value::from(super::encoding::base64_encode(bytes, false))]),
                'B' => ruby_sprintf(&f.orig.replace('B', subst), &[Value::from(super::encoding::base64_encode(bytes, true))]),
                'u' => {
                    let text = super::encoding::base64_encode(bytes, true).replace('+', "-").replace('/', "_");
                    ruby_sprintf(&f.orig.replace('u', subst), &[Value::from(text)])
                }
                't' => ruby_sprintf(&f.orig.replace('t', subst), &[Value::from("Binary")]),
                'T' => ruby_sprintf(&f.orig.replace('T', subst), &[Value::from("BINARY")]),
                other => Err(format_error("Binary", other, "bButTsp")),
            }
        }
        Value::Array(items) | Value::Iterator(items) => convert_array(items, &f, map, indentation),
        Value::Hash(entries) => {
            let separator = f.separator.clone().unwrap_or_else(|| ", ".into());
            let assoc = f.separator2.clone().unwrap_or_else(|| " => ".into());
            let string_formats = f.container_formats.clone().unwrap_or_else(default_container_formats);
            let (open, close) = f.delimiter_pair(("{", "}"));
            let separator = if f.alt {
                let trimmed = if separator.ends_with('\n') { separator.clone() } else { separator.trim_end().to_string() };
                format!("{trimmed}\n")
            } else {
                separator
            };
            match f.format {
                'a' => {
                    let pairs: Vec<Value> = entries.iter().map(|(k, v)| Value::array(vec![k.clone(), v.clone()])).collect();
                    let pairs = Value::array(pairs);
                    convert_with(&types::infer_set(&pairs), &pairs, map, indentation)
                }
                'h' | 's' | 'p' => {
                    let indentation = indentation.indenting(f.alt || indentation.indenting);
                    let mut buf = String::new();
                    if indentation.breaks() {
                        buf.push('\n');
                        buf.push_str(&indentation.padding());
                    }
                    let children = indentation.increase(false);
                    let (cond_break, padding) = if f.alt { ("\n", children.padding()) } else { ("", String::new()) };
                    buf.push_str(open);
                    buf.push_str(cond_break);
                    let mut parts = Vec::new();
                    for (k, v) in entries.iter() {
                        let kt = types::infer_set(k);
                        let vt = types::infer_set(v);
                        let key = convert_with(&kt, k, if is_container(&kt) { map } else { &string_formats }, children)?;
                        let val = convert_with(&vt, v, if is_container(&vt) { map } else { &string_formats }, children)?;
                        parts.push(format!("{padding}{key}{assoc}{val}"));
                    }
                    buf.push_str(&parts.join(&separator));
                    if f.alt {
                        buf.push_str(cond_break);
                        buf.push_str(&indentation.padding());
                    }
                    buf.push_str(close);
                    Ok(buf)
                }
                other => Err(format_error("Hash", other, "hasp")),
            }
        }
        other => ruby_sprintf(&f.orig, &[Value::from(other.to_puppet_string())]),
    }
}

fn convert_array(items: &Rc<Vec<Value>>, f: &Format, map: &FormatMap, indentation: Indentation) -> Result<String, String> {
    let separator = f.separator.clone().unwrap_or_else(|| ", ".into());
    let string_formats = f.container_formats.clone().unwrap_or_else(default_container_formats);
    let (open, close) = f.delimiter_pair(("[", "]"));
    let indentation = indentation.indenting(f.alt || indentation.indenting);
    if !matches!(f.format, 'a' | 's' | 'p') {
        return Err(format_error("Array", f.format, "asp"));
    }
    let is_a_or_h = |v: &Value| matches!(v, Value::Array(_) | Value::Hash(_));
    let mut buf = String::new();
    if indentation.breaks() {
        buf.push('\n');
        buf.push_str(&indentation.padding());
    }
    buf.push_str(open);
    let mut children = indentation.increase(f.alt);
    let mut mapped = Vec::with_capacity(items.len());
    for v in items.iter() {
        if children.first {
            children = children.subsequent();
        }
        let vt = types::infer_set(v);
        mapped.push(convert_with(&vt, v, if is_container(&vt) { map } else { &string_formats }, children)?);
    }
    let size_break = if f.alt && f.width.is_some() {
        let mut widest = vec![0usize];
        for (index, v) in items.iter().enumerate() {
            if is_a_or_h(v) {
                widest.push(0);
            } else if let Some(last) = widest.last_mut() {
                *last += mapped[index].len();
            }
        }
        widest.into_iter().max().unwrap_or(0) > f.width.unwrap_or(usize::MAX)
    } else {
        false
    };
    let mut children = indentation.increase(f.alt);
    for (index, v) in items.iter().enumerate() {
        let text = &mapped[index];
        if children.first {
            children = children.subsequent();
            if size_break && !is_a_or_h(v) {
                buf.push(' ');
            }
        } else {
            buf.push_str(&separator);
            if (size_break && !is_a_or_h(v)) || (f.alt && index > 0 && is_a_or_h(&items[index - 1]) && !is_a_or_h(v)) {
                if !buf.ends_with('\n') {
                    let trimmed = buf.trim_end().len();
                    buf.truncate(trimmed);
                }
                buf.push('\n');
                buf.push_str(&children.padding());
            }
        }
        if buf.ends_with(' ') && text.starts_with('\n') {
            let trimmed = buf.trim_end().len();
            buf.truncate(trimmed);
        }
        buf.push_str(text);
    }
    buf.push_str(close);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(value: Value, format: Option<&str>) -> String {
        convert(&value, format.map(Value::from).as_ref()).unwrap()
    }

    #[test]
    fn defaults_and_formats() {
        assert_eq!(s(Value::Float(3.0), None), "3.000000");
        assert_eq!(s(Value::array(vec![Value::Integer(1), Value::from("a")]), None), "[1, 'a']");
        assert_eq!(s(Value::Float(2.125), Some("%.1f")), "2.1");
        assert_eq!(s(Value::array(vec![Value::Integer(1), Value::Integer(2)]), Some("%(a")), "(1, 2)");
        assert_eq!(s(Value::from("x"), Some("%p")), "'x'");
        assert_eq!(s(Value::Integer(10), Some("%#x")), "0xa");
        assert_eq!(s(Value::Boolean(true), Some("%y")), "yes");
    }
}
