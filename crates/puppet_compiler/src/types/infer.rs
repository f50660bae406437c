//! `TypeCalculator`: the type of a value (`infer`, `infer_set`), `generalize`,
//! `normalize` and `common_type`.

use std::rc::Rc;

use super::{assignable, IntRange, Num, PType, StringSpec, StructElement};
use crate::value::Value;

/// `TypeCalculator#infer`.
pub fn infer(value: &Value) -> PType {
    match value {
        Value::Undef => PType::Undef,
        Value::Default => PType::Default,
        Value::Boolean(b) => PType::Boolean(Some(*b)),
        Value::Integer(i) => PType::Integer(IntRange::exact(*i)),
        Value::Float(f) => PType::Float { from: Some(Num::Float(*f)), to: Some(Num::Float(*f)) },
        Value::String(s) => PType::String(StringSpec::Value(s.clone())),
        Value::Regexp(r) => PType::Regexp(Some(r.clone())),
        Value::Array(values) => {
            if values.is_empty() {
                return PType::empty_array();
            }
            let element = reduce_types(values.iter().map(infer));
            PType::Array { element: Rc::new(element), size: Some(IntRange::exact(values.len() as i64)) }
        }
        Value::Iterator(values) => PType::Iterator(Some(Rc::new(reduce_types(values.iter().map(infer))))),
        Value::Hash(map) => {
            if map.is_empty() {
                return PType::empty_hash();
            }
            let key = reduce_types(map.keys().map(infer));
            let value = reduce_types(map.values().map(infer));
            PType::Hash { key: Rc::new(key), value: Rc::new(value), size: Some(IntRange::exact(map.len() as i64)) }
        }
        Value::Type(t) => PType::Type(Some(t.clone())),
        Value::Sensitive(inner) => PType::Sensitive(Rc::new(generalize(&infer(inner)))),
        Value::Timespan(n) => PType::Timespan { from: Some(*n), to: Some(*n) },
        Value::Timestamp(n) => PType::Timestamp { from: Some(*n), to: Some(*n) },
        Value::SemVer(_) => PType::SemVer(Rc::new(Vec::new())),
        Value::SemVerRange(_) => PType::SemVerRange,
        Value::Binary(_) => PType::Binary,
        Value::Deferred(_) => PType::Deferred,
        Value::Collector(_) => PType::Runtime { runtime: Some(Rc::from("ruby")), name: Some(Rc::from("Puppet::Pops::Evaluator::Collectors::CatalogCollector")) },
    }
}

fn reduce_types(types: impl Iterator<Item = PType>) -> PType {
    let mut memo: Option<PType> = None;
    for t in types {
        memo = Some(match memo {
            None => t,
            Some(previous) => common_type(&previous, &t),
        });
    }
    memo.unwrap_or(PType::Undef)
}

/// `TypeCalculator#infer_set`: arrays as tuples and hashes with string keys as structs,
/// each member by its own type.
pub fn infer_set(value: &Value) -> PType {
    match value {
        Value::Array(values) => {
            if values.is_empty() {
                return PType::empty_array();
            }
            PType::Tuple { types: Rc::new(values.iter().map(infer_set).collect()), size: None }
        }
        Value::Hash(map) => {
            if map.is_empty() {
                return PType::empty_hash();
            }
            if map.keys().all(|k| matches!(k, Value::String(s) if !s.is_empty())) {
                let elements = map
                    .iter()
                    .map(|(k, v)| StructElement { name: k.as_str().map(Rc::from).unwrap_or_else(|| Rc::from("")), optional_key: false, value_type: infer_set(v) })
                    .collect();
                return PType::Struct(Rc::new(elements));
            }
            let key = PType::maybe_variant(map.keys().map(infer_set).collect());
            let value = PType::maybe_variant(map.values().map(infer_set).collect());
            PType::Hash { key: Rc::new(key), value: Rc::new(value), size: Some(IntRange::exact(map.len() as i64)) }
        }
        other => infer(other),
    }
}

/// `PAnyType#generalize`.
pub fn generalize(t: &PType) -> PType {
    match t {
        PType::Integer(_) => PType::integer(),
        PType::Float { .. } => PType::float(),
        PType::String(_) => PType::string(),
        PType::Boolean(_) => PType::Boolean(None),
        PType::Enum { values, .. } => {
            if values.is_empty() {
                PType::string()
            } else {
                let min = values.iter().map(|v| v.chars().count()).min().unwrap_or(0) as i64;
                let max = values.iter().map(|v| v.chars().count()).max().unwrap_or(0) as i64;
                PType::String(StringSpec::Size(IntRange::new(Some(min), Some(max))))
            }
        }
        PType::Collection(_) => PType::Collection(None),
        PType::Array { element, .. } => {
            if matches!(**element, PType::Any) {
                PType::array_any()
            } else {
                PType::Array { element: Rc::new(generalize(element)), size: None }
            }
        }
        PType::Hash { key, value, size } => {
            let is_empty = size.is_some_and(|s| s.from == Some(0) && s.to == Some(0)) && matches!(**key, PType::Unit);
            let is_default = matches!(**key, PType::Any) && matches!(**value, PType::Any) && size.is_none();
            if is_empty || is_default {
                t.clone()
            } else {
                PType::Hash { key: Rc::new(generalize(key)), value: Rc::new(generalize(value)), size: None }
            }
        }
        PType::Tuple { types, size } => PType::Tuple { types: Rc::new(types.iter().map(generalize).collect()), size: *size },
        PType::Struct(elements) => PType::Struct(Rc::new(
            elements.iter().map(|e| StructElement { name: e.name.clone(), optional_key: e.optional_key, value_type: generalize(&e.value_type) }).collect(),
        )),
        PType::Variant(types) => {
            if types.is_empty() {
                t.clone()
            } else {
                PType::maybe_variant(types.iter().map(generalize).collect())
            }
        }
        PType::Type(inner) => PType::Type(inner.as_ref().map(|i| Rc::new(generalize(i)))),
        PType::Optional(inner) => PType::Optional(inner.as_ref().map(|i| Rc::new(generalize(i)))),
        PType::NotUndef(inner) => PType::NotUndef(inner.as_ref().map(|i| Rc::new(generalize(i)))),
        PType::Iterable(inner) => PType::Iterable(inner.as_ref().map(|i| Rc::new(generalize(i)))),
        PType::Iterator(inner) => PType::Iterator(inner.as_ref().map(|i| Rc::new(generalize(i)))),
        PType::Sensitive(inner) => PType::Sensitive(Rc::new(generalize(inner))),
        PType::Timespan { .. } => PType::Timespan { from: None, to: None },
        PType::Timestamp { .. } => PType::Timestamp { from: None, to: None },
        other => other.clone(),
    }
}

/// `normalize`: the simplest equivalent type (variants flattened and merged, optional
/// of optional removed).
pub fn normalize(t: &PType) -> PType {
    match t {
        PType::Optional(Some(inner)) => {
            let inner = normalize(inner);
            match inner {
                PType::NotUndef(Some(x)) => normalize(&PType::Optional(Some(x))),
                PType::NotUndef(None) => PType::Optional(None),
                inner if assignable(&inner, &PType::Undef) => inner,
                inner => PType::Optional(Some(Rc::new(inner))),
            }
        }
        PType::NotUndef(Some(inner)) => {
            let inner = normalize(inner);
            match inner {
                PType::Optional(Some(x)) => normalize(&PType::NotUndef(Some(x))),
                inner if !assignable(&inner, &PType::Undef) => inner,
                inner => PType::NotUndef(Some(Rc::new(inner))),
            }
        }
        PType::Array { element, size } => PType::Array { element: Rc::new(normalize(element)), size: *size },
        PType::Hash { key, value, size } => PType::Hash { key: Rc::new(normalize(key)), value: Rc::new(normalize(value)), size: *size },
        PType::Variant(types) if !types.is_empty() => {
            let types: Vec<PType> = types.iter().map(normalize).collect();
            if types.len() == 1 {
                return types[0].clone();
            }
            if types.iter().any(|t| matches!(t, PType::Undef | PType::Optional(_))) {
                let rest: Vec<PType> = types
                    .into_iter()
                    .filter(|t| !matches!(t, PType::Undef))
                    .map(|t| match t {
                        PType::Optional(Some(inner)) => (*inner).clone(),
                        other => other,
                    })
                    .collect();
                return normalize(&PType::Optional(Some(Rc::new(PType::maybe_variant(rest)))));
            }
            let mut flat: Vec<PType> = Vec::new();
            for t in types {
                match t {
                    PType::Variant(inner) => flat.extend(inner.iter().cloned()),
                    other => flat.push(other),
                }
            }
            let flat = merge_enums(flat);
            let flat = merge_patterns(flat);
            let flat = merge_integers(flat);
            if flat.len() == 1 {
                flat[0].clone()
            } else {
                PType::maybe_variant(flat)
            }
        }
        other => other.clone(),
    }
}

fn merge_enums(types: Vec<PType>) -> Vec<PType> {
    let (enums, mut others): (Vec<PType>, Vec<PType>) = types.into_iter().partition(|t| match t {
        PType::Enum { values, case_insensitive } => !values.is_empty() && !case_insensitive,
        PType::String(StringSpec::Value(_)) => true,
        _ => false,
    });
    if enums.len() > 1 {
        let mut values: Vec<Rc<str>> = Vec::new();
        for t in enums {
            match t {
                PType::Enum { values: v, .. } => values.extend(v.iter().cloned()),
                PType::String(StringSpec::Value(v)) => values.push(v),
                _ => {}
            }
        }
        others.push(PType::enum_of(values, false));
        others
    } else {
        others.extend(enums);
        others
    }
}

fn merge_patterns(types: Vec<PType>) -> Vec<PType> {
    let (patterns, mut others): (Vec<PType>, Vec<PType>) = types.into_iter().partition(|t| matches!(t, PType::Pattern(_)));
    if patterns.len() > 1 {
        let mut all = Vec::new();
        for t in patterns {
            if let PType::Pattern(p) = t {
                for regex in p.iter() {
                    if !all.contains(regex) {
                        all.push(regex.clone());
                    }
                }
            }
        }
        others.push(PType::Pattern(Rc::new(all)));
        others
    } else {
        others.extend(patterns);
        others
    }
}

fn merge_integers(types: Vec<PType>) -> Vec<PType> {
    let (ints, others): (Vec<PType>, Vec<PType>) = types.into_iter().partition(|t| matches!(t, PType::Integer(_)));
    if ints.len() < 2 {
        let mut out = ints;
        out.extend(others);
        return others_first(out);
    }
    let mut ranges: Vec<IntRange> = ints.iter().filter_map(|t| if let PType::Integer(r) = t { Some(*r) } else { None }).collect();
    let mut result = Vec::new();
    while let Some(mut current) = ranges.pop() {
        let mut unmerged = Vec::new();
        for range in ranges.drain(..) {
            let touches = !(current.max() < range.min().saturating_sub(1) || range.max() < current.min().saturating_sub(1));
            if touches {
                current = IntRange {
                    from: if current.min() <= range.min() { current.from } else { range.from },
                    to: if current.max() >= range.max() { current.to } else { range.to },
                };
            } else {
                unmerged.push(range);
            }
        }
        result.push(PType::Integer(current));
        ranges = unmerged;
    }
    result.extend(others);
    result
}

fn others_first(types: Vec<PType>) -> Vec<PType> {
    types
}

/// `TypeCalculator#common_type`.
pub fn common_type(t1: &PType, t2: &PType) -> PType {
    if matches!(t1, PType::Undef) {
        return t2.clone();
    }
    if matches!(t2, PType::Undef) {
        return t1.clone();
    }
    if matches!(t1, PType::Unit) {
        return t2.clone();
    }
    if matches!(t2, PType::Unit) {
        return t1.clone();
    }
    if assignable(t1, t2) {
        return t1.clone();
    }
    if assignable(t2, t1) {
        return t2.clone();
    }
    match (t1, t2) {
        (PType::Array { element: e1, .. }, PType::Array { element: e2, .. }) => return PType::array_of(common_type(e1, e2)),
        (PType::Hash { key: k1, value: v1, .. }, PType::Hash { key: k2, value: v2, .. }) => {
            return PType::hash_of(common_type(k1, k2), common_type(v1, v2))
        }
        (PType::Class(_), PType::Class(_)) => return PType::Class(None),
        (PType::Resource { type_name: n1, .. }, PType::Resource { type_name: n2, .. }) => {
            return if n1 == n2 { PType::Resource { type_name: n1.clone(), title: None } } else { PType::Resource { type_name: None, title: None } }
        }
        (PType::Integer(r1), PType::Integer(r2)) => {
            return PType::Integer(IntRange {
                from: if r1.min() <= r2.min() { r1.from } else { r2.from },
                to: if r1.max() >= r2.max() { r1.to } else { r2.to },
            })
        }
        (PType::Float { from: f1, to: t1f }, PType::Float { from: f2, to: t2f }) => {
            let from = match (f1, f2) {
                (Some(a), Some(b)) => Some(if a.as_f64() <= b.as_f64() { *a } else { *b }),
                _ => None,
            };
            let to = match (t1f, t2f) {
                (Some(a), Some(b)) => Some(if a.as_f64() >= b.as_f64() { *a } else { *b }),
                _ => None,
            };
            return PType::Float { from, to };
        }
        (PType::String(s1), PType::String(s2)) => {
            return match (s1, s2) {
                (StringSpec::Value(a), StringSpec::Value(b)) => PType::enum_of(vec![a.clone(), b.clone()], false),
                (StringSpec::Size(a), StringSpec::Size(b)) => {
                    PType::String(StringSpec::Size(IntRange { from: a.from.min(b.from), to: if a.max() >= b.max() { a.to } else { b.to } }))
                }
                _ => PType::string(),
            }
        }
        (PType::String(StringSpec::Value(v)), PType::Enum { values, .. }) | (PType::Enum { values, .. }, PType::String(StringSpec::Value(v))) => {
            let mut all: Vec<Rc<str>> = values.to_vec();
            all.push(v.clone());
            return PType::enum_of(all, false);
        }
        (PType::String(_), PType::Enum { .. }) | (PType::Enum { .. }, PType::String(_)) => return PType::Enum { values: Rc::new(Vec::new()), case_insensitive: false },
        (PType::Enum { values: a, .. }, PType::Enum { values: b, .. }) => {
            let mut all: Vec<Rc<str>> = a.to_vec();
            all.extend(b.iter().cloned());
            return PType::enum_of(all, false);
        }
        (PType::Pattern(a), PType::Pattern(b)) => {
            let mut all = a.to_vec();
            for p in b.iter() {
                if !all.contains(p) {
                    all.push(p.clone());
                }
            }
            return PType::Pattern(Rc::new(all));
        }
        (PType::Variant(a), PType::Variant(b)) => {
            let mut all = a.to_vec();
            all.extend(b.iter().cloned());
            return PType::maybe_variant(all);
        }
        (PType::Regexp(_), PType::Regexp(_)) => return PType::Regexp(None),
        (PType::Callable(_), PType::Callable(_)) => return PType::Callable(None),
        _ => {}
    }
    if assignable(&PType::Numeric, t1) && assignable(&PType::Numeric, t2) {
        return PType::Numeric;
    }
    if assignable(&PType::ScalarData, t1) && assignable(&PType::ScalarData, t2) {
        return PType::ScalarData;
    }
    if assignable(&PType::Scalar, t1) && assignable(&PType::Scalar, t2) {
        return PType::Scalar;
    }
    let data = PType::data();
    if assignable(&data, t1) && assignable(&data, t2) {
        return data;
    }
    if let (PType::Type(a), PType::Type(b)) = (t1, t2) {
        return match (a, b) {
            (Some(a), Some(b)) => PType::Type(Some(Rc::new(common_type(a, b)))),
            _ => PType::Type(None),
        };
    }
    let rich = PType::rich_data();
    if assignable(&rich, t1) && assignable(&rich, t2) {
        return rich;
    }
    PType::Any
}
