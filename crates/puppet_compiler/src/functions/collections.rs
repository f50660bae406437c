//! Functions on collections: `keys`, `values`, `length`, `empty`, `flatten`,
//! `unique`, `sort`, `min`, `max`, `dig`, `get`, `join`, `compare`.

use std::cmp::Ordering;

use crate::eval::{plain, CallContext, Compiler, R};
use crate::value::{Map, Value};

pub fn keys(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Hash hsh"])?;
    Ok(Value::array(args[0].as_hash().map(|m| m.keys().cloned().collect()).unwrap_or_default()))
}

pub fn values(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Hash hsh"])?;
    Ok(Value::array(args[0].as_hash().map(|m| m.values().cloned().collect()).unwrap_or_default()))
}

pub fn length(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Collection arg", "String arg", "Binary arg"])?;
    Ok(Value::Integer(match &args[0] {
        Value::Array(v) => v.len(),
        Value::Hash(m) => m.len(),
        Value::String(s) => s.chars().count(),
        Value::Binary(b) => b.len(),
        _ => 0,
    } as i64))
}

pub fn empty(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Collection coll", "Sensitive[String] str", "String str", "Numeric num", "Binary bin", "Undef x"])?;
    Ok(Value::Boolean(match &args[0] {
        Value::Array(v) => v.is_empty(),
        Value::Hash(m) => m.is_empty(),
        Value::String(s) => s.is_empty(),
        Value::Sensitive(inner) => inner.as_str().is_some_and(str::is_empty),
        Value::Binary(b) => b.is_empty(),
        Value::Undef => true,
        _ => false,
    }))
}

fn flatten_into(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Array(values) => {
            for v in values.iter() {
                flatten_into(v, out);
            }
        }
        other => out.push(other.clone()),
    }
}

pub fn flatten(_c: &mut Compiler, _ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let mut out = Vec::new();
    for arg in &args {
        flatten_into(arg, &mut out);
    }
    Ok(Value::array(out))
}

pub fn unique(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["String string, &?Callable block", "Hash hash, &?Callable block", "Array array, &?Callable block", "Iterable iterable, &?Callable block"])?;
    let key_of = |c: &mut Compiler, v: &Value| -> R<Value> {
        match ctx.lambda {
            Some(l) => c.call_lambda(&l, vec![v.clone()]),
            None => Ok(v.clone()),
        }
    };
    match &args[0] {
        Value::String(s) => {
            let mut seen = Vec::new();
            let mut out = String::new();
            for ch in s.chars() {
                let key = key_of(c, &Value::from(ch.to_string()))?;
                if !seen.contains(&key) {
                    seen.push(key);
                    out.push(ch);
                }
            }
            Ok(Value::from(out))
        }
        Value::Hash(map) => {
            // Values are the keys of uniqueness; the result maps each unique value to its keys.
            let mut groups: Map = Map::new();
            let mut order: Vec<(Value, Value)> = Vec::new();
            for (k, v) in map.iter() {
                let key = key_of(c, v)?;
                match order.iter_mut().find(|(existing, _)| *existing == key) {
                    Some((_, keys)) => {
                        if let Value::Array(list) = keys {
                            std::rc::Rc::make_mut(list).push(k.clone());
                        }
                    }
                    None => order.push((key, Value::array(vec![k.clone()]))),
                }
                let _ = &mut groups;
            }
            let mut out = Map::new();
            for (key, keys) in order {
                let _ = key;
                let first_value = keys.as_array().and_then(|ks| ks.first()).and_then(|k| map.get(k)).cloned().unwrap_or(Value::Undef);
                let keys = match keys.as_array() {
                    Some(list) if list.len() == 1 => list[0].clone(),
                    _ => keys.clone(),
                };
                out.insert(keys, first_value);
            }
            Ok(Value::hash(out))
        }
        other => {
            let values = super::iterate::iterable_values(other).unwrap_or_default();
            let mut seen = Vec::new();
            let mut out = Vec::new();
            for v in values {
                let key = key_of(c, &v)?;
                if !seen.contains(&key) {
                    seen.push(key);
                    out.push(v);
                }
            }
            Ok(Value::array(out))
        }
    }
}

/// Ruby's `<=>` on values (strings byte-wise, numbers numerically).
pub fn ruby_cmp(a: &Value, b: &Value) -> Result<Ordering, String> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Ok(x.as_bytes().cmp(y.as_bytes())),
        (Value::Integer(_) | Value::Float(_), Value::Integer(_) | Value::Float(_)) => crate::eval::ops::compare(a, b),
        (Value::Array(x), Value::Array(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                let o = ruby_cmp(p, q)?;
                if o != Ordering::Equal {
                    return Ok(o);
                }
            }
            Ok(x.len().cmp(&y.len()))
        }
        (Value::SemVer(x), Value::SemVer(y)) => Ok(x.cmp(y)),
        (Value::Timespan(x), Value::Timespan(y)) | (Value::Timestamp(x), Value::Timestamp(y)) => Ok(x.cmp(y)),
        _ => Err(format!("comparison of {} with {} failed", crate::eval::expr_ruby_class(a), crate::eval::expr_ruby_class(b))),
    }
}

fn sort_values(c: &mut Compiler, ctx: &CallContext, values: &mut [Value]) -> R<()> {
    let mut failure = None;
    match ctx.lambda {
        Some(l) => {
            let mut error = None;
            let mut items: Vec<Value> = values.to_vec();
            // A simple merge sort so the lambda can fail.
            merge_sort(&mut items, &mut |a, b| {
                if error.is_some() {
                    return Ordering::Equal;
                }
                match c.call_lambda(&l, vec![a.clone(), b.clone()]) {
                    Ok(Value::Integer(n)) => n.cmp(&0),
                    Ok(Value::Float(f)) => f.partial_cmp(&0.0).unwrap_or(Ordering::Equal),
                    Ok(_) => Ordering::Equal,
                    Err(flow) => {
                        error = Some(flow);
                        Ordering::Equal
                    }
                }
            });
            if let Some(flow) = error {
                return Err(flow);
            }
            values.clone_from_slice(&items);
        }
        None => {
            values.sort_by(|a, b| match ruby_cmp(a, b) {
                Ok(o) => o,
                Err(message) => {
                    failure.get_or_insert(message);
                    Ordering::Equal
                }
            });
        }
    }
    match failure {
        Some(message) => Err(plain(message)),
        None => Ok(()),
    }
}

fn merge_sort(items: &mut Vec<Value>, cmp: &mut dyn FnMut(&Value, &Value) -> Ordering) {
    if items.len() <= 1 {
        return;
    }
    let mut right = items.split_off(items.len() / 2);
    merge_sort(items, cmp);
    merge_sort(&mut right, cmp);
    let left = std::mem::take(items);
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if cmp(&left[i], &right[j]) != Ordering::Greater {
            items.push(left[i].clone());
            i += 1;
        } else {
            items.push(right[j].clone());
            j += 1;
        }
    }
    items.extend_from_slice(&left[i..]);
    items.extend_from_slice(&right[j..]);
}

pub fn sort(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["String string_value, &?Callable[2,2] block", "Array array_value, &?Callable[2,2] block"])?;
    match &args[0] {
        Value::String(s) => {
            let mut chars: Vec<Value> = s.chars().map(|ch| Value::from(ch.to_string())).collect();
            sort_values(c, ctx, &mut chars)?;
            Ok(Value::from(chars.iter().map(Value::to_puppet_string).collect::<String>()))
        }
        Value::Array(values) => {
            let mut values = values.to_vec();
            sort_values(c, ctx, &mut values)?;
            Ok(Value::array(values))
        }
        _ => Ok(Value::Undef),
    }
}

fn extreme(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>, want: Ordering) -> R<Value> {
    let values: Vec<Value> = match args.as_slice() {
        [Value::Array(values)] => values.to_vec(),
        _ => args,
    };
    if values.is_empty() {
        return Ok(Value::Undef);
    }
    let mut best = values[0].clone();
    for v in &values[1..] {
        let ordering = match ctx.lambda {
            Some(l) => match c.call_lambda(&l, vec![v.clone(), best.clone()])? {
                Value::Integer(n) => n.cmp(&0),
                _ => Ordering::Equal,
            },
            None => match (v, &best) {
                (Value::Integer(_) | Value::Float(_), Value::Integer(_) | Value::Float(_)) => crate::eval::ops::compare(v, &best).unwrap_or(Ordering::Equal),
                (Value::String(a), Value::String(b)) => a.cmp(b),
                _ => {
                    let (a, b) = (v.to_puppet_string(), best.to_puppet_string());
                    match (a.parse::<f64>(), b.parse::<f64>()) {
                        (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
                        _ => a.cmp(&b),
                    }
                }
            },
        };
        if ordering == want {
            best = v.clone();
        }
    }
    Ok(best)
}

pub fn min(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    extreme(c, ctx, args, Ordering::Less)
}

pub fn max(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    extreme(c, ctx, args, Ordering::Greater)
}

/// `dig(data, *keys)`.
pub fn dig_values(data: &Value, keys: &[Value]) -> Result<Value, String> {
    let mut current = data.clone();
    let mut walked: Vec<String> = Vec::new();
    for key in keys {
        if current.is_undef() || key.is_undef() {
            return Ok(Value::Undef);
        }
        match &current {
            Value::Hash(map) => {
                walked.push(key.ruby_inspect());
                current = map.get(key).cloned().unwrap_or(Value::Undef);
            }
            Value::Array(values) => {
                walked.push(key.ruby_inspect());
                let Value::Integer(index) = key else {
                    let t = crate::types::infer(key);
                    return Err(format!("The given data requires an Integer index at [{}], got '{t}'", walked.join(", ")));
                };
                let index = if *index < 0 { values.len() as i64 + index } else { *index };
                current = if index >= 0 { values.get(index as usize).cloned().unwrap_or(Value::Undef) } else { Value::Undef };
            }
            other => {
                let t = crate::types::infer(other);
                return Err(format!("The given data does not contain a Collection at [{}], got '{t}'", walked.join(", ")));
            }
        }
    }
    Ok(current)
}

pub fn dig(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Optional[Collection] data, Any arg*"])?;
    dig_values(&args[0], &args[1..]).map_err(plain)
}

pub fn get(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Any value, String dotted_string, Any default_value?, &?Callable[1,1] block"])?;
    let default = args.get(2).cloned().unwrap_or(Value::Undef);
    if args[0].is_undef() {
        return Ok(default);
    }
    let navigation = args[1].to_puppet_string();
    if navigation.is_empty() {
        return Ok(args[0].clone());
    }
    let segments = crate::hiera::split_key(&format!("x.{navigation}")).map_err(|_| plain("Syntax error in dotted-navigation string"))?;
    let keys: Vec<Value> = segments.into_iter().skip(1).collect();
    match dig_values(&args[0], &keys) {
        Ok(Value::Undef) => Ok(default),
        Ok(v) => Ok(v),
        Err(message) => match ctx.lambda {
            Some(l) => {
                let mut error = Map::new();
                error.insert(Value::from("msg"), Value::from(message));
                error.insert(Value::from("issue_code"), Value::from("EXPECTED_COLLECTION"));
                c.call_lambda(&l, vec![Value::hash(error)])
            }
            None => Err(plain(message)),
        },
    }
}

/// Ruby's `Array#join` (nested arrays joined too).
pub fn ruby_join(values: &[Value], separator: &str) -> String {
    let mut parts = Vec::with_capacity(values.len());
    for v in values {
        match v {
            Value::Array(inner) => parts.push(ruby_join(inner, separator)),
            other => parts.push(other.ruby_to_s()),
        }
    }
    parts.join(separator)
}

pub fn join(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Array arg, String delimiter?"])?;
    let separator = args.get(1).map(Value::to_puppet_string).unwrap_or_default();
    Ok(Value::from(ruby_join(args[0].as_array().unwrap_or(&[]), &separator)))
}

pub fn compare(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let index = c.dispatch(
        ctx,
        &args,
        &["Numeric a, Numeric b", "String a, String b, Boolean ignore_case?", "SemVer a, SemVer b", "Numeric a, Variant[Timespan, Timestamp] b", "Timestamp a, Variant[Timestamp, Numeric] b", "Timespan a, Variant[Timespan, Numeric] b"],
    )?;
    let ordering = if index == 1 {
        let ignore = !matches!(args.get(2), Some(Value::Boolean(false)));
        let (a, b) = (args[0].to_puppet_string(), args[1].to_puppet_string());
        if ignore {
            crate::eval::ops::casecmp(&a, &b)
        } else {
            a.cmp(&b)
        }
    } else {
        crate::eval::ops::compare(&args[0], &args[1]).map_err(plain)?
    };
    Ok(Value::Integer(match ordering {
        Ordering::Less => -1,
        Ordering::Equal => 0,
        Ordering::Greater => 1,
    }))
}
