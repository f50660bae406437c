//! String and number functions: `split`, `sprintf`, `regsubst`, `match`, `versioncmp`,
//! case and whitespace functions, rounding, `shellquote`, `fqdn_rand`.

use std::cmp::Ordering;

use crate::eval::{plain, CallContext, Compiler, R};
use crate::regex::Regex;
use crate::types::PType;
use crate::value::{Map, Value};

fn regex_arg(c: &mut Compiler, value: &Value) -> R<Regex> {
    match value {
        Value::Regexp(r) => Ok(r.clone()),
        Value::Type(t) => match &**t {
            PType::Regexp(Some(r)) => Ok(r.clone()),
            PType::Regexp(None) => c.regex("").map_err(plain),
            _ => Err(plain("expected a regular expression")),
        },
        other => c.regex(&other.to_puppet_string()).map_err(plain),
    }
}

/// Ruby's `String#split(regexp)`: captures kept, trailing empty strings dropped.
pub fn ruby_split(text: &str, regex: &Regex) -> Vec<String> {
    let mut parts = Vec::new();
    if text.is_empty() {
        return parts;
    }
    let mut start = 0;
    let mut search = 0;
    while search <= text.len() {
        let Some(groups) = regex.captures_at(text, search) else { break };
        let Some((m_start, m_end)) = groups[0] else { break };
        if m_end == m_start {
            if m_start >= text.len() {
                break;
            }
            if m_start == start {
                // A zero-width match splits off one character.
                let next = m_start + text[m_start..].chars().next().map_or(1, char::len_utf8);
                if m_start == 0 {
                    search = next;
                    continue;
                }
                parts.push(text[start..m_start].to_string());
                start = m_start;
                search = next;
                continue;
            }
        }
        parts.push(text[start..m_start].to_string());
        for group in groups.iter().skip(1).flatten() {
            parts.push(text[group.0..group.1].to_string());
        }
        start = m_end;
        search = if m_end == m_start { m_end + text[m_end..].chars().next().map_or(1, char::len_utf8) } else { m_end };
    }
    parts.push(text[start..].to_string());
    while parts.last().is_some_and(String::is_empty) {
        parts.pop();
    }
    parts
}

pub fn split(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["String str, String pattern", "String str, Regexp pattern", "String str, Type[Regexp] pattern"])?;
    let text = args[0].to_puppet_string();
    let regex = regex_arg(c, &args[1])?;
    Ok(Value::array(ruby_split(&text, &regex).into_iter().map(Value::from).collect()))
}

/// Expands a Ruby `sub`/`gsub` replacement (`\0`..`\9`, `\&`, `\k<name>`, `\\`).
fn expand_replacement(replacement: &str, text: &str, groups: &[Option<(usize, usize)>], names: &[Option<String>]) -> String {
    let mut out = String::new();
    let chars: Vec<char> = replacement.chars().collect();
    let mut i = 0;
    let group = |n: usize| groups.get(n).copied().flatten().map(|(s, e)| &text[s..e]).unwrap_or("");
    while i < chars.len() {
        let ch = chars[i];
        if ch == '\\' && i + 1 < chars.len() {
            let next = chars[i + 1];
            match next {
                '0'..='9' => {
                    out.push_str(group(next as usize - '0' as usize));
                    i += 2;
                    continue;
                }
                '&' => {
                    out.push_str(group(0));
                    i += 2;
                    continue;
                }
                '`' => {
                    if let Some(Some((s, _))) = groups.first() {
                        out.push_str(&text[..*s]);
                    }
                    i += 2;
                    continue;
                }
                '\'' => {
                    if let Some(Some((_, e))) = groups.first() {
                        out.push_str(&text[*e..]);
                    }
                    i += 2;
                    continue;
                }
                '\\' => {
                    out.push('\\');
                    i += 2;
                    continue;
                }
                'k' if i + 2 < chars.len() && chars[i + 2] == '<' => {
                    if let Some(end) = chars[i + 3..].iter().position(|c| *c == '>') {
                        let name: String = chars[i + 3..i + 3 + end].iter().collect();
                        if let Some(index) = names.iter().position(|n| n.as_deref() == Some(name.as_str())) {
                            out.push_str(group(index));
                        }
                        i += 4 + end;
                        continue;
                    }
                }
                _ => {}
            }
        }
        out.push(ch);
        i += 1;
    }
    out
}

/// Ruby's `sub`/`gsub` with a string or hash replacement.
pub fn substitute(text: &str, regex: &Regex, replacement: &Value, global: bool) -> String {
    let names = regex.group_names();
    let mut out = String::new();
    let mut position = 0;
    let mut search = 0;
    while search <= text.len() {
        let Some(groups) = regex.captures_at(text, search) else { break };
        let Some((start, end)) = groups[0] else { break };
        out.push_str(&text[position..start]);
        match replacement {
            Value::Hash(map) => {
                if let Some(v) = map.get(&Value::from(&text[start..end])) {
                    out.push_str(&v.to_puppet_string());
                }
            }
            other => out.push_str(&expand_replacement(&other.to_puppet_string(), text, &groups, &names)),
        }
        position = end;
        if !global {
            break;
        }
        if end == start {
            match text[end..].chars().next() {
                Some(ch) => {
                    out.push(ch);
                    position = end + ch.len_utf8();
                    search = position;
                }
                None => break,
            }
        } else {
            search = end;
        }
    }
    if position <= text.len() {
        out.push_str(&text[position..]);
    }
    out
}

pub fn regsubst(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let index = c.dispatch(
        ctx,
        &args,
        &[
            "Variant[Array[String],String] target, String pattern, Variant[String,Hash[String,String]] replacement, Optional[Pattern[/^[GEIM]*$/]] flags?, Enum['N','E','S','U'] encoding?",
            "Variant[Array[String],String] target, Variant[Regexp,Type[Regexp]] pattern, Variant[String,Hash[String,String]] replacement, Pattern[/^G?$/] flags?",
        ],
    )?;
    let flags = args.get(3).map(Value::to_puppet_string).unwrap_or_default();
    let global = flags.contains('G');
    let regex = if index == 0 {
        let mut options = 0;
        if flags.contains('E') {
            options |= crate::regex::EXTENDED;
        }
        if flags.contains('I') {
            options |= crate::regex::IGNORECASE;
        }
        if flags.contains('M') {
            options |= crate::regex::MULTILINE;
        }
        Regex::with_options(&args[1].to_puppet_string(), options).map_err(plain)?
    } else {
        regex_arg(c, &args[1])?
    };
    let replacement = &args[2];
    match &args[0] {
        Value::Array(values) => Ok(Value::array(values.iter().map(|v| Value::from(substitute(&v.to_puppet_string(), &regex, replacement, global))).collect())),
        other => Ok(Value::from(substitute(&other.to_puppet_string(), &regex, replacement, global))),
    }
}

fn match_one(c: &mut Compiler, text: &str, pattern: &Value) -> R<Value> {
    let regex = match pattern {
        Value::Type(t) => match &**t {
            PType::Pattern(patterns) => {
                for p in patterns.iter() {
                    if let Some(captures) = p.captures(text) {
                        return Ok(Value::array(captures.into_iter().map(|c| c.map_or(Value::Undef, Value::from)).collect()));
                    }
                }
                return Ok(Value::Undef);
            }
            _ => regex_arg(c, pattern)?,
        },
        other => regex_arg(c, other)?,
    };
    Ok(match regex.captures(text) {
        Some(captures) => Value::array(captures.into_iter().map(|c| c.map_or(Value::Undef, Value::from)).collect()),
        None => Value::Undef,
    })
}

pub fn match_(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["String string, Variant[Any, Type] pattern", "Array[String] string, Variant[Any, Type] pattern"])?;
    match &args[0] {
        Value::Array(values) => {
            let mut out = Vec::new();
            for v in values.iter() {
                out.push(match_one(c, &v.to_puppet_string(), &args[1])?);
            }
            Ok(Value::array(out))
        }
        other => match_one(c, &other.to_puppet_string(), &args[1]),
    }
}

/// `Puppet::Util::Package.versioncmp`.
pub fn version_compare(a: &str, b: &str) -> i64 {
    fn tokens(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        let chars: Vec<char> = s.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '-' || c == '.' {
                out.push(c.to_string());
                i += 1;
            } else if c.is_ascii_digit() {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                out.push(chars[start..i].iter().collect());
            } else {
                let start = i;
                while i < chars.len() && !(chars[i].is_ascii_digit() || chars[i] == '-' || chars[i] == '.') {
                    i += 1;
                }
                out.push(chars[start..i].iter().collect());
            }
        }
        out
    }
    let ax = tokens(a);
    let bx = tokens(b);
    for (x, y) in ax.iter().zip(bx.iter()) {
        if x == y {
            continue;
        }
        if x == "-" {
            return -1;
        }
        if y == "-" {
            return 1;
        }
        if x == "." {
            return -1;
        }
        if y == "." {
            return 1;
        }
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if numeric(x) && numeric(y) {
            if x.starts_with('0') || y.starts_with('0') {
                return ordering_to_int(x.to_uppercase().cmp(&y.to_uppercase()));
            }
            let (p, q) = (x.parse::<u128>().unwrap_or(0), y.parse::<u128>().unwrap_or(0));
            return ordering_to_int(p.cmp(&q));
        }
        return ordering_to_int(x.to_uppercase().cmp(&y.to_uppercase()));
    }
    if ax.len() != bx.len() {
        return ordering_to_int(a.cmp(b));
    }
    ordering_to_int(a.cmp(b))
}

fn ordering_to_int(o: Ordering) -> i64 {
    match o {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }
}

pub fn versioncmp(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["String a, String b, Boolean ignore_trailing_zeroes?"])?;
    let (mut a, mut b) = (args[0].to_puppet_string(), args[1].to_puppet_string());
    if matches!(args.get(2), Some(Value::Boolean(true))) {
        let normalize = |v: &str| {
            let mut parts: Vec<String> = v.split('-').map(str::to_string).collect();
            if let Some(first) = parts.first_mut() {
                let trimmed = first.trim_end_matches(['.', '0']).to_string();
                *first = trimmed;
            }
            parts.join("-")
        };
        a = normalize(&a);
        b = normalize(&b);
    }
    Ok(Value::Integer(version_compare(&a, &b)))
}

/// Applies a string function to a string, each string of an array or hash, and leaves
/// numbers as they are.
fn map_strings(c: &mut Compiler, ctx: &CallContext, args: &[Value], f: &dyn Fn(&str) -> String) -> R<Value> {
    let _ = (c, ctx);
    fn apply(value: &Value, f: &dyn Fn(&str) -> String) -> Value {
        match value {
            Value::String(s) => Value::from(f(s)),
            Value::Array(values) => Value::array(values.iter().map(|v| apply(v, f)).collect()),
            Value::Hash(map) => {
                let mut out = Map::new();
                for (k, v) in map.iter() {
                    out.insert(apply(k, f), apply(v, f));
                }
                Value::hash(out)
            }
            other => other.clone(),
        }
    }
    let Some(value) = args.first() else {
        return Err(plain(format!("'{}' expects 1 argument, got none", ctx.name)));
    };
    Ok(apply(value, f))
}

pub fn upcase(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    map_strings(c, ctx, &args, &|s| s.to_uppercase())
}

pub fn downcase(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    map_strings(c, ctx, &args, &|s| s.to_lowercase())
}

pub fn capitalize(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    map_strings(c, ctx, &args, &crate::types::capitalize)
}

pub fn camelcase(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    map_strings(c, ctx, &args, &|s| s.split('_').map(crate::types::capitalize).collect())
}

/// Ruby's whitespace for `strip`: space, `\t\n\v\f\r` and NUL.
fn is_ruby_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | '\0')
}

pub fn strip(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    map_strings(c, ctx, &args, &|s| s.trim_matches(is_ruby_space).to_string())
}

pub fn lstrip(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    map_strings(c, ctx, &args, &|s| s.trim_start_matches(is_ruby_space).to_string())
}

pub fn rstrip(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    map_strings(c, ctx, &args, &|s| s.trim_end_matches(is_ruby_space).to_string())
}

pub fn chomp(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    map_strings(c, ctx, &args, &|s| s.strip_suffix("\r\n").or_else(|| s.strip_suffix('\n')).or_else(|| s.strip_suffix('\r')).unwrap_or(s).to_string())
}

pub fn chop(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    map_strings(c, ctx, &args, &|s| {
        if let Some(rest) = s.strip_suffix("\r\n") {
            return rest.to_string();
        }
        let mut chars = s.chars();
        chars.next_back();
        chars.as_str().to_string()
    })
}

fn numeric_arg(c: &mut Compiler, ctx: &CallContext, value: &Value) -> R<Value> {
    match value {
        Value::Integer(_) | Value::Float(_) => Ok(value.clone()),
        Value::String(s) => crate::eval::ops::string_to_number(s).ok_or_else(|| plain(format!("The string '{s}' cannot be converted to Numeric"))),
        other => {
            let _ = (c, ctx);
            Err(plain(format!("'{}' expects a Numeric value, got {}", ctx.name, crate::types::generalize(&crate::types::infer(other)))))
        }
    }
}

pub fn abs(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Numeric val", "String val"])?;
    Ok(match numeric_arg(c, ctx, &args[0])? {
        Value::Integer(i) => Value::Integer(i.abs()),
        Value::Float(f) => Value::Float(f.abs()),
        other => other,
    })
}

pub fn ceiling(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Numeric val", "String val"])?;
    Ok(match numeric_arg(c, ctx, &args[0])? {
        Value::Float(f) => Value::Integer(f.ceil() as i64),
        other => other,
    })
}

pub fn floor(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Numeric val", "String val"])?;
    Ok(match numeric_arg(c, ctx, &args[0])? {
        Value::Float(f) => Value::Integer(f.floor() as i64),
        other => other,
    })
}

pub fn round(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Numeric val"])?;
    Ok(match &args[0] {
        Value::Float(f) => Value::Integer(f.round() as i64),
        other => other.clone(),
    })
}

/// `shellquote`: quotes each word for a POSIX shell as Puppet does.
pub fn shellquote(_c: &mut Compiler, _ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let mut words = Vec::new();
    for value in crate::eval::catalog::flatten_value(Value::array(args)) {
        let word = value.to_puppet_string();
        let safe = |c: char| c.is_ascii_alphanumeric() || "@%_+=:,./-".contains(c);
        let dangerous = |c: char| "!\"`$\\".contains(c);
        if word.is_empty() {
            words.push("\"\"".to_string());
        } else if word.chars().all(safe) {
            words.push(word);
        } else if !word.chars().any(dangerous) {
            words.push(format!("\"{word}\""));
        } else if !word.contains('\'') {
            words.push(format!("'{word}'"));
        } else {
            let mut out = String::from("\"");
            for ch in word.chars() {
                if dangerous(ch) {
                    out.push('\\');
                }
                out.push(ch);
            }
            out.push('"');
            words.push(out);
        }
    }
    Ok(Value::from(words.join(" ")))
}

pub fn sprintf(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let Some((format, rest)) = args.split_first() else {
        return Err(plain("'sprintf' expects at least 1 argument, got none"));
    };
    let _ = (c, ctx);
    super::format::ruby_sprintf(&format.to_puppet_string(), rest).map(Value::from).map_err(plain)
}

pub fn scanf(c: &mut Compiler, ctx: &mut CallContext, _args: Vec<Value>) -> R<Value> {
    Err(c.unsupported("the function 'scanf'", ctx.span))
}

/// `fqdn_rand(max, seed)`: Ruby's Mersenne Twister seeded with the MD5 of
/// `fqdn:max:seed`.
pub fn fqdn_rand(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let _ = ctx;
    let max = match args.first() {
        Some(Value::Integer(i)) => *i,
        Some(other) => match crate::eval::ops::string_to_number(&other.to_puppet_string()) {
            Some(Value::Integer(i)) => i,
            Some(Value::Float(f)) => f as i64,
            _ => 0,
        },
        None => 0,
    };
    let seed = args.get(1).map(|v| v.ruby_to_s()).unwrap_or_default();
    let downcase = args.get(2).is_some_and(Value::is_true);
    let mut fqdn = c.facts.get("networking").and_then(|n| n.get("fqdn")).map(Value::to_puppet_string).unwrap_or_default();
    if downcase {
        fqdn = fqdn.to_lowercase();
    }
    let digest = super::encoding::md5_bytes(format!("{fqdn}:{max}:{seed}").as_bytes());
    let value = crate::mt::ruby_rand_int(&digest, max);
    Ok(Value::Integer(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ruby_split_semantics() {
        let comma = Regex::new(",").unwrap();
        assert_eq!(ruby_split("a,b,,c,,", &comma), vec!["a", "b", "", "c"]);
        assert_eq!(ruby_split(",a", &comma), vec!["", "a"]);
        assert_eq!(ruby_split("abc", &Regex::new("").unwrap()), vec!["a", "b", "c"]);
    }

    #[test]
    fn sub_and_gsub() {
        let regex = Regex::new("(o)").unwrap();
        assert_eq!(substitute("foo", &regex, &Value::from("[\\1]"), false), "f[o]o");
        assert_eq!(substitute("foo", &regex, &Value::from("0"), true), "f00");
    }

    #[test]
    fn version_comparison() {
        assert_eq!(version_compare("1.10", "1.9"), 1);
        assert_eq!(version_compare("1.0", "1.0"), 0);
        assert_eq!(version_compare("1.0-rc1", "1.0"), 1);
    }
}
