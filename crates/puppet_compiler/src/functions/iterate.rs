//! The iteration functions (`each`, `map`, `filter`, `reduce`, ...) and the jump
//! functions (`break`, `next`, `return`).

use std::rc::Rc;

use crate::eval::{plain, CallContext, Compiler, Flow, LambdaRef, R};
use crate::types::{IntRange, PType};
use crate::value::{Map, Value};

/// The values an Iterable produces (`Iterable.on`); hashes give `[key, value]` pairs.
/// A range above `MAX_LISTED_RANGE` is not listed here (it would not fit in memory): the
/// loops that go through their values one by one take it from `iterate`.
pub fn iterable_values(value: &Value) -> Option<Vec<Value>> {
    match iterate(value)? {
        Iteration::Values(values) => Some(values.collect()),
        Iteration::Range(range) if range.end().saturating_sub(*range.start()) < MAX_LISTED_RANGE => Some(range.map(Value::Integer).collect()),
        Iteration::Range(_) => None,
    }
}

/// The longest Integer range `iterable_values` lists.
const MAX_LISTED_RANGE: i64 = 100_000_000;

/// The values of an Iterable, one at a time: an Integer range is counted, not listed, so
/// that `Integer[1, 1000000000].each` runs (as in Puppet) until the evaluation step budget
/// stops it.
pub enum Iteration {
    Values(std::vec::IntoIter<Value>),
    Range(std::ops::RangeInclusive<i64>),
}

impl Iterator for Iteration {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        match self {
            Iteration::Values(values) => values.next(),
            Iteration::Range(range) => range.next().map(Value::Integer),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iteration::Values(values) => values.size_hint(),
            Iteration::Range(range) => range.size_hint(),
        }
    }
}

/// `Iterable.on`, lazily for Integer ranges.
pub fn iterate(value: &Value) -> Option<Iteration> {
    let values = match value {
        Value::Array(values) | Value::Iterator(values) => values.to_vec(),
        Value::Hash(map) => map.iter().map(|(k, v)| Value::array(vec![k.clone(), v.clone()])).collect(),
        Value::String(s) => s.chars().map(|c| Value::from(c.to_string())).collect(),
        Value::Integer(n) if *n >= 0 => return Some(Iteration::Range(0..=*n - 1)),
        Value::Binary(bytes) => bytes.iter().map(|b| Value::Integer(i64::from(*b))).collect(),
        Value::Type(t) => match &**t {
            PType::Integer(IntRange { from: Some(from), to: Some(to) }) => return Some(Iteration::Range(*from..=*to)),
            PType::Enum { values, .. } => values.iter().map(|v| Value::String(v.clone())).collect(),
            _ => return None,
        },
        _ => return None,
    };
    Some(Iteration::Values(values.into_iter()))
}

fn lambda<'a>(c: &Compiler, ctx: &CallContext<'a>) -> R<LambdaRef<'a>> {
    let _ = c;
    ctx.lambda.ok_or_else(|| plain(format!("'{}' expects a block", ctx.name)))
}

fn not_iterable(name: &str, value: &Value) -> Flow {
    let t = crate::types::generalize(&crate::types::infer(value));
    plain(format!("'{name}' expects an Iterable value, got {t}"))
}

/// Calls the lambda with one value, or with key/index and value when it takes two.
fn yield_entry(c: &mut Compiler, l: &LambdaRef, collection: &Value, index: usize, entry: &Value) -> R<Value> {
    if l.accepts(2) && !l.accepts(1) || (l.accepts(2) && l.arity().0 == 2) {
        match collection {
            Value::Hash(_) => {
                let pair = entry.as_array().unwrap_or(&[]).to_vec();
                c.call_lambda(l, pair)
            }
            _ => c.call_lambda(l, vec![Value::Integer(index as i64), entry.clone()]),
        }
    } else {
        c.call_lambda(l, vec![entry.clone()])
    }
}

/// Runs a loop body, turning `break()` into the end of the loop.
fn stop_on_break<T>(result: R<T>) -> R<Option<T>> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(Flow::Break(_)) => Ok(None),
        Err(other) => Err(other),
    }
}

pub fn each(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Iterable enumerable, &Callable[1,2] block"])?;
    let l = lambda(c, ctx)?;
    let collection = args[0].clone();
    let values = iterate(&collection).ok_or_else(|| not_iterable(ctx.name, &collection))?;
    for (index, entry) in values.enumerate() {
        if stop_on_break(yield_entry(c, &l, &collection, index, &entry))?.is_none() {
            break;
        }
    }
    Ok(collection)
}

pub fn map(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Iterable enumerable, &Callable[1,2] block"])?;
    let l = lambda(c, ctx)?;
    let collection = args[0].clone();
    let values = iterate(&collection).ok_or_else(|| not_iterable(ctx.name, &collection))?;
    // A long range fills the vector as it goes.
    let mut out = Vec::with_capacity(values.size_hint().0.min(1 << 16));
    for (index, entry) in values.enumerate() {
        match stop_on_break(yield_entry(c, &l, &collection, index, &entry))? {
            Some(v) => out.push(v),
            None => break,
        }
    }
    Ok(Value::array(out))
}

pub fn filter(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Iterable enumerable, &Callable[1,2] block"])?;
    let l = lambda(c, ctx)?;
    let collection = args[0].clone();
    let values = iterable_values(&collection).ok_or_else(|| not_iterable(ctx.name, &collection))?;
    if let Value::Hash(_) = &collection {
        let mut out = Map::new();
        for (index, entry) in values.iter().enumerate() {
            match stop_on_break(yield_entry(c, &l, &collection, index, entry))? {
                Some(v) => {
                    if v.is_true() {
                        let pair = entry.as_array().unwrap_or(&[]);
                        out.insert(pair[0].clone(), pair[1].clone());
                    }
                }
                None => break,
            }
        }
        return Ok(Value::hash(out));
    }
    let mut out = Vec::new();
    for (index, entry) in values.iter().enumerate() {
        match stop_on_break(yield_entry(c, &l, &collection, index, entry))? {
            Some(v) => {
                if v.is_true() {
                    out.push(entry.clone());
                }
            }
            None => break,
        }
    }
    Ok(Value::array(out))
}

pub fn reduce(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Iterable enumerable, &Callable[2,2] block", "Iterable enumerable, Any memo, &Callable[2,2] block"])?;
    let l = lambda(c, ctx)?;
    let mut values = iterate(&args[0]).ok_or_else(|| not_iterable(ctx.name, &args[0]))?;
    let mut memo = match args.get(1) {
        Some(memo) => memo.clone(),
        None => match values.next() {
            Some(first) => first,
            None => return Ok(Value::Undef),
        },
    };
    for value in values {
        match stop_on_break(c.call_lambda(&l, vec![memo.clone(), value]))? {
            Some(v) => memo = v,
            None => break,
        }
    }
    Ok(memo)
}

pub fn slice(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Iterable enumerable, Integer[1, default] slice_size, &?Callable block"])?;
    let Value::Integer(size) = args[1] else { return Ok(Value::Undef) };
    let values = iterable_values(&args[0]).ok_or_else(|| not_iterable(ctx.name, &args[0]))?;
    let slices: Vec<Value> = values.chunks(size as usize).map(|chunk| Value::array(chunk.to_vec())).collect();
    let Some(l) = ctx.lambda else { return Ok(Value::array(slices)) };
    let (_, max) = l.arity();
    if max == 0 {
        return Err(plain("slice(): block must define at least one parameter. Block has 0."));
    }
    for s in &slices {
        let call_args = if max == 1 {
            vec![s.clone()]
        } else {
            let mut parts = s.as_array().unwrap_or(&[]).to_vec();
            parts.resize(max.min(size as usize), Value::Undef);
            parts
        };
        if stop_on_break(c.call_lambda(&l, call_args))?.is_none() {
            break;
        }
    }
    Ok(args[0].clone())
}

pub fn with(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let l = lambda(c, ctx)?;
    c.call_lambda(&l, args)
}

pub fn then(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Any arg, &Callable[1,1] block"])?;
    if args[0].is_undef() {
        return Ok(Value::Undef);
    }
    let l = lambda(c, ctx)?;
    c.call_lambda(&l, vec![args[0].clone()])
}

pub fn lest(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Any arg, &Callable[0,0] block"])?;
    if !args[0].is_undef() {
        return Ok(args[0].clone());
    }
    let l = lambda(c, ctx)?;
    c.call_lambda(&l, Vec::new())
}

pub fn reverse_each(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Iterable iterable, &?Callable block"])?;
    let mut values = iterable_values(&args[0]).ok_or_else(|| not_iterable(ctx.name, &args[0]))?;
    values.reverse();
    let Some(l) = ctx.lambda else { return Ok(Value::Iterator(Rc::new(values))) };
    for value in values {
        if stop_on_break(c.call_lambda(&l, vec![value]))?.is_none() {
            break;
        }
    }
    Ok(Value::Undef)
}

pub fn step(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Iterable iterable, Integer[1] step, &?Callable block"])?;
    let Value::Integer(step) = args[1] else { return Ok(Value::Undef) };
    let values = iterable_values(&args[0]).ok_or_else(|| not_iterable(ctx.name, &args[0]))?;
    let stepped: Vec<Value> = values.into_iter().step_by(step as usize).collect();
    let Some(l) = ctx.lambda else { return Ok(Value::Iterator(Rc::new(stepped))) };
    for value in stepped {
        if stop_on_break(c.call_lambda(&l, vec![value]))?.is_none() {
            break;
        }
    }
    Ok(Value::Undef)
}

pub fn any(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Iterable enumerable, &Callable[1,2] block"])?;
    let l = lambda(c, ctx)?;
    let collection = args[0].clone();
    let values = iterate(&collection).ok_or_else(|| not_iterable(ctx.name, &collection))?;
    for (index, entry) in values.enumerate() {
        match stop_on_break(yield_entry(c, &l, &collection, index, &entry))? {
            Some(v) if v.is_true() => return Ok(Value::Boolean(true)),
            Some(_) => {}
            None => break,
        }
    }
    Ok(Value::Boolean(false))
}

pub fn all(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Iterable enumerable, &Callable[1,2] block"])?;
    let l = lambda(c, ctx)?;
    let collection = args[0].clone();
    let values = iterate(&collection).ok_or_else(|| not_iterable(ctx.name, &collection))?;
    for (index, entry) in values.enumerate() {
        match stop_on_break(yield_entry(c, &l, &collection, index, &entry))? {
            Some(v) if !v.is_true() => return Ok(Value::Boolean(false)),
            Some(_) => {}
            None => break,
        }
    }
    Ok(Value::Boolean(true))
}

pub fn partition(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Collection collection, &Callable[1,2] block"])?;
    let l = lambda(c, ctx)?;
    let collection = args[0].clone();
    let values = iterable_values(&collection).unwrap_or_default();
    let (mut yes, mut no) = (Vec::new(), Vec::new());
    for (index, entry) in values.iter().enumerate() {
        if yield_entry(c, &l, &collection, index, entry)?.is_true() {
            yes.push(entry.clone());
        } else {
            no.push(entry.clone());
        }
    }
    if let Value::Hash(_) = collection {
        let to_hash = |pairs: Vec<Value>| {
            let mut map = Map::new();
            for pair in pairs {
                let pair = pair.as_array().unwrap_or(&[]).to_vec();
                map.insert(pair[0].clone(), pair[1].clone());
            }
            Value::hash(map)
        };
        return Ok(Value::array(vec![to_hash(yes), to_hash(no)]));
    }
    Ok(Value::array(vec![Value::array(yes), Value::array(no)]))
}

pub fn group_by(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Collection collection, &Callable[1,2] block"])?;
    let l = lambda(c, ctx)?;
    let collection = args[0].clone();
    let values = iterable_values(&collection).unwrap_or_default();
    let mut groups: Map = Map::new();
    for (index, entry) in values.iter().enumerate() {
        let key = yield_entry(c, &l, &collection, index, entry)?;
        let group = groups.entry(key).or_insert_with(|| Value::array(Vec::new()));
        if let Value::Array(items) = group {
            Rc::make_mut(items).push(entry.clone());
        }
    }
    Ok(Value::hash(groups))
}

/// `tree_each`: every path and value of nested arrays and hashes, depth first (or
/// breadth first), with Puppet's options.
pub fn tree_each(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Variant[Iterator, Array, Hash, Object] tree, Hash[String, Any] options?, &?Callable block"])?;
    let options = args.get(1).and_then(Value::as_hash).cloned().unwrap_or_default();
    let flag = |name: &str| options.get(&Value::from(name)).map(Value::is_true);
    let with_containers = flag("include_containers").unwrap_or(true);
    let with_values = flag("include_values").unwrap_or(true);
    let with_root = with_containers && flag("include_root").unwrap_or(true);
    if !with_containers && !with_values {
        return Err(plain("Options 'include_containers' and 'include_values' cannot both be false"));
    }
    let breadth = options.get(&Value::from("order")).is_some_and(|o| o.to_puppet_string() == "breadth_first");
    let root = match &args[0] {
        Value::Iterator(values) => Value::array(values.to_vec()),
        other => other.clone(),
    };
    let mut entries: Vec<Value> = Vec::new();
    if with_root {
        entries.push(Value::array(vec![Value::array(Vec::new()), root.clone()]));
    }
    fn children(value: &Value) -> Option<Vec<(Value, Value)>> {
        match value {
            Value::Array(items) => Some(items.iter().enumerate().map(|(i, v)| (Value::Integer(i as i64), v.clone())).collect()),
            Value::Hash(map) => Some(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            _ => None,
        }
    }
    fn depth_first(path: &[Value], value: &Value, containers: bool, values: bool, out: &mut Vec<Value>) {
        for (key, child) in children(value).unwrap_or_default() {
            let mut child_path = path.to_vec();
            child_path.push(key);
            let is_container = children(&child).is_some();
            if (is_container && containers) || (!is_container && values) {
                out.push(Value::array(vec![Value::array(child_path.clone()), child.clone()]));
            }
            if is_container {
                depth_first(&child_path, &child, containers, values, out);
            }
        }
    }
    if breadth {
        let mut queue = std::collections::VecDeque::from([(Vec::new(), root.clone())]);
        while let Some((path, value)) = queue.pop_front() {
            for (key, child) in children(&value).unwrap_or_default() {
                let mut child_path = path.clone();
                child_path.push(key);
                let is_container = children(&child).is_some();
                if (is_container && with_containers) || (!is_container && with_values) {
                    entries.push(Value::array(vec![Value::array(child_path.clone()), child.clone()]));
                }
                if is_container {
                    queue.push_back((child_path, child));
                }
            }
        }
    } else {
        depth_first(&[], &root, with_containers, with_values, &mut entries);
    }
    let Some(l) = ctx.lambda else { return Ok(Value::Iterator(Rc::new(entries))) };
    for entry in entries {
        let pair = entry.as_array().unwrap_or(&[]).to_vec();
        let call_args = if l.accepts(2) && l.arity().0 == 2 { pair } else { vec![pair[1].clone()] };
        if stop_on_break(c.call_lambda(&l, call_args))?.is_none() {
            break;
        }
    }
    Ok(args[0].clone())
}

pub fn index(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Iterable enumerable, &Callable[1,2] block", "String str, String match", "Iterable enumerable, Any match"])?;
    let collection = args[0].clone();
    if let Some(l) = ctx.lambda {
        let values = iterable_values(&collection).unwrap_or_default();
        // `index_Hash_1` yields a hash's values, not its pairs as `each` does.
        let values_only = matches!(collection, Value::Hash(_)) && !(l.accepts(2) && l.arity().0 == 2);
        for (index, entry) in values.iter().enumerate() {
            let found = if values_only {
                let value = entry.as_array().and_then(|pair| pair.get(1).cloned()).unwrap_or(Value::Undef);
                c.call_lambda(&l, vec![value])?
            } else {
                yield_entry(c, &l, &collection, index, entry)?
            };
            if found.is_true() {
                return Ok(match &collection {
                    Value::Hash(_) => entry.as_array().and_then(|p| p.first().cloned()).unwrap_or(Value::Undef),
                    _ => Value::Integer(index as i64),
                });
            }
        }
        return Ok(Value::Undef);
    }
    let needle = &args[1];
    match (&collection, needle) {
        (Value::String(s), Value::String(n)) => Ok(s.find(&**n).map_or(Value::Undef, |i| Value::Integer(s[..i].chars().count() as i64))),
        (Value::Hash(map), _) => Ok(map.iter().find(|(_, v)| crate::eval::ops::equals(v, needle)).map_or(Value::Undef, |(k, _)| k.clone())),
        _ => {
            let values = iterable_values(&collection).unwrap_or_default();
            Ok(values.iter().position(|v| crate::eval::ops::equals(v, needle)).map_or(Value::Undef, |i| Value::Integer(i as i64)))
        }
    }
}

pub fn call(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let Some((name, rest)) = args.split_first() else {
        return Err(plain("'call' expects at least 1 argument, got none"));
    };
    let name = name.to_puppet_string();
    c.call_function(&name, rest.to_vec(), ctx.lambda, ctx.scope, ctx.span)
}

pub fn break_(c: &mut Compiler, ctx: &mut CallContext, _args: Vec<Value>) -> R<Value> {
    Err(Flow::Break(c.loc(ctx.span)))
}

pub fn next(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    Err(Flow::Next(args.into_iter().next().unwrap_or(Value::Undef), c.loc(ctx.span)))
}

pub fn return_(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    Err(Flow::Return(args.into_iter().next().unwrap_or(Value::Undef), c.loc(ctx.span)))
}
