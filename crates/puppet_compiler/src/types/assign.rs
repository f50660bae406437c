//! `assignable?` and `instance?` of every type, as `types.rb` defines them (including
//! the class hierarchy that `is_a?` checks follow).

use super::{IntRange, PType, StringSpec};
use crate::value::Value;

/// Recursion guard for self-referencing aliases (`type Tree = Array[Variant[String, Tree]]`).
struct Guard {
    depth: usize,
}

const MAX_DEPTH: usize = 64;

/// `s.assignable?(o)`: every instance of `o` is an instance of `s`.
pub fn assignable(s: &PType, o: &PType) -> bool {
    let mut guard = Guard { depth: 0 };
    assignable_in(s, o, &mut guard)
}

fn assignable_in(s: &PType, o: &PType, guard: &mut Guard) -> bool {
    guard.depth += 1;
    if guard.depth > MAX_DEPTH {
        // Both sides recurse through aliases: Puppet's guard answers true.
        guard.depth -= 1;
        return true;
    }
    let result = assignable_dispatch(s, o, guard);
    guard.depth -= 1;
    result
}

fn assignable_dispatch(s: &PType, o: &PType, guard: &mut Guard) -> bool {
    if matches!(s, PType::Unit) {
        return true;
    }
    if let PType::Variant(types) = s {
        // PVariantType#assignable?
        if matches!(o, PType::Undef) && types.is_empty() {
            return false;
        }
        if let PType::Variant(others) = o {
            if types.is_empty() {
                return true;
            }
            return !others.is_empty() && others.iter().all(|vt| generic_assignable(s, vt, guard));
        }
    }
    generic_assignable(s, o, guard)
}

/// `PAnyType#assignable?`.
fn generic_assignable(s: &PType, o: &PType, guard: &mut Guard) -> bool {
    match o {
        PType::Unit => true,
        PType::Alias(alias) => assignable_in(s, &alias.resolved(), guard),
        PType::Variant(types) => {
            if matches!(s, PType::Any) {
                return true;
            }
            if matches!(s, PType::NotUndef(_)) && types.is_empty() {
                return base_assignable(s, o, guard);
            }
            !types.is_empty() && types.iter().all(|vt| assignable_in(s, vt, guard))
        }
        PType::Optional(inner) => {
            assignable_in(s, &PType::Undef, guard) && inner.as_deref().is_none_or(|inner| assignable_in(s, inner, guard))
        }
        PType::NotUndef(inner) => match inner.as_deref() {
            Some(inner) if !assignable_in(inner, &PType::Undef, guard) => assignable_in(s, inner, guard),
            _ => base_assignable(s, o, guard),
        },
        _ => base_assignable(s, o, guard),
    }
}

fn is_scalar(o: &PType) -> bool {
    matches!(
        o,
        PType::Scalar
            | PType::ScalarData
            | PType::Enum { .. }
            | PType::Numeric
            | PType::Integer(_)
            | PType::Float { .. }
            | PType::String(_)
            | PType::Pattern(_)
            | PType::Boolean(_)
            | PType::Regexp(_)
            | PType::Timespan { .. }
            | PType::Timestamp { .. }
            | PType::SemVer(_)
    )
}

fn is_scalar_data(o: &PType) -> bool {
    matches!(
        o,
        PType::ScalarData | PType::Enum { .. } | PType::Numeric | PType::Integer(_) | PType::Float { .. } | PType::String(_) | PType::Pattern(_) | PType::Boolean(_)
    )
}

fn is_collection(o: &PType) -> bool {
    matches!(o, PType::Collection(_) | PType::Array { .. } | PType::Hash { .. })
}

fn int_range_of(o: &PType) -> Option<IntRange> {
    match o {
        PType::Integer(range) => Some(*range),
        _ => None,
    }
}

fn float_bounds(from: &Option<super::Num>, to: &Option<super::Num>) -> (f64, f64) {
    (from.map_or(f64::NEG_INFINITY, |n| n.as_f64()), to.map_or(f64::INFINITY, |n| n.as_f64()))
}

/// The `size_type` of a collection-like type as a range (`[0, inf]` when unset).
fn collection_size(o: &PType) -> Option<IntRange> {
    match o {
        PType::Collection(size) | PType::Array { size, .. } | PType::Hash { size, .. } => Some(IntRange::size_or_default(*size)),
        _ => None,
    }
}

/// `PTupleType#size_range` as a range.
pub fn tuple_size(types: &[PType], size: &Option<IntRange>) -> IntRange {
    match size {
        Some(size) => *size,
        None if types.is_empty() => IntRange::from_min(0),
        None => IntRange::exact(types.len() as i64),
    }
}

fn string_derived_size(spec: &StringSpec) -> IntRange {
    match spec {
        StringSpec::Size(range) => *range,
        StringSpec::Value(value) => IntRange::exact(value.chars().count() as i64),
        StringSpec::Any => IntRange::from_min(0),
    }
}

/// Whether a type is iterable (`iterable?`).
fn is_iterable(o: &PType) -> bool {
    match o {
        PType::Array { .. }
        | PType::Hash { .. }
        | PType::Collection(_)
        | PType::Tuple { .. }
        | PType::Struct(_)
        | PType::String(_)
        | PType::Enum { .. }
        | PType::Iterable(_)
        | PType::Iterator(_)
        | PType::Integer(_) => true,
        PType::Type(Some(inner)) => match &**inner {
            PType::Enum { .. } => true,
            PType::Integer(range) => range.from.is_some() && range.to.is_some(),
            _ => false,
        },
        PType::Alias(alias) => is_iterable(&alias.resolved()),
        _ => false,
    }
}

/// `iterable_type(...).element_type`.
fn iterable_element(o: &PType) -> Option<PType> {
    match o {
        PType::Array { element, .. } => Some((**element).clone()),
        PType::Hash { key, value, .. } => {
            Some(PType::Tuple { types: std::rc::Rc::new(vec![(**key).clone(), (**value).clone()]), size: Some(IntRange::exact(2)) })
        }
        PType::Tuple { types, .. } => Some(PType::maybe_variant(types.to_vec())),
        PType::String(_) | PType::Enum { .. } => Some(PType::String(StringSpec::Size(IntRange::exact(1)))),
        PType::Integer(_) => Some(PType::integer()),
        PType::Iterable(inner) | PType::Iterator(inner) => inner.as_deref().cloned(),
        PType::Type(Some(inner)) => Some((**inner).clone()),
        PType::Alias(alias) => iterable_element(&alias.resolved()),
        _ => None,
    }
}

/// `_assignable?` of each type.
fn base_assignable(s: &PType, o: &PType, guard: &mut Guard) -> bool {
    match s {
        PType::Any => true,
        PType::Unit => true,
        PType::Undef => matches!(o, PType::Undef),
        PType::Default => matches!(o, PType::Default),
        PType::Alias(alias) => assignable_in(&alias.resolved(), o, guard),
        PType::NotUndef(inner) => {
            !assignable_in(o, &PType::Undef, guard) && inner.as_deref().is_none_or(|inner| assignable_in(inner, o, guard))
        }
        PType::Optional(inner) => {
            if matches!(o, PType::Undef) {
                return true;
            }
            match inner.as_deref() {
                None => true,
                Some(inner) => match o {
                    PType::Optional(other) => other.as_deref().is_none_or(|other| assignable_in(inner, other, guard)),
                    _ => assignable_in(inner, o, guard),
                },
            }
        }
        PType::Type(inner) => match o {
            PType::Type(other) => match (inner, other) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(inner), Some(other)) => assignable_in(inner, other, guard),
            },
            _ => false,
        },
        PType::Scalar => {
            is_scalar(o)
                || matches!(o, PType::SemVerRange)
                || [PType::string(), PType::integer(), PType::float(), PType::Boolean(None), PType::Regexp(None)]
                    .iter()
                    .any(|t| assignable_in(t, o, guard))
        }
        PType::ScalarData => {
            is_scalar_data(o) || [PType::string(), PType::integer(), PType::float(), PType::Boolean(None)].iter().any(|t| assignable_in(t, o, guard))
        }
        PType::Numeric => matches!(o, PType::Numeric | PType::Integer(_) | PType::Float { .. }),
        PType::Integer(range) => match int_range_of(o) {
            Some(other) => range.covers(&other),
            None => false,
        },
        PType::Float { from, to } => match o {
            PType::Float { from: of, to: ot } => {
                let (sf, st) = float_bounds(from, to);
                let (of, ot) = float_bounds(of, ot);
                sf <= of && st >= ot
            }
            _ => false,
        },
        PType::String(spec) => match spec {
            StringSpec::Size(range) => match o {
                PType::String(other) => range.covers(&string_derived_size(other)),
                PType::Enum { values, .. } => {
                    if values.is_empty() {
                        range.covers(&IntRange::from_min(0))
                    } else {
                        let min = values.iter().map(|v| v.chars().count()).min().unwrap_or(0) as i128;
                        let max = values.iter().map(|v| v.chars().count()).max().unwrap_or(0) as i128;
                        range.min() <= min && range.max() >= max
                    }
                }
                PType::Pattern(_) => range.covers(&IntRange::from_min(0)),
                _ => false,
            },
            StringSpec::Any => matches!(o, PType::String(_) | PType::Enum { .. } | PType::Pattern(_)),
            StringSpec::Value(value) => match o {
                PType::String(StringSpec::Value(other)) => value == other,
                PType::String(_) => false,
                PType::Enum { values, case_insensitive } => values.len() == 1 && !case_insensitive && &values[0] == value,
                _ => false,
            },
        },
        PType::Enum { values, case_insensitive } => {
            if s == o {
                return true;
            }
            if values.is_empty() && matches!(o, PType::String(_) | PType::Enum { .. } | PType::Pattern(_)) {
                return true;
            }
            match o {
                PType::String(StringSpec::Value(value)) => enum_has(values, *case_insensitive, value),
                PType::Enum { values: others, case_insensitive: other_ci } => {
                    !others.is_empty() && (*case_insensitive || !other_ci) && others.iter().all(|v| enum_has(values, *case_insensitive, v))
                }
                _ => false,
            }
        }
        PType::Pattern(patterns) => {
            if s == o {
                return true;
            }
            match o {
                PType::String(StringSpec::Value(value)) => patterns.is_empty() || patterns.iter().any(|p| p.is_match(value)),
                PType::String(_) => patterns.is_empty(),
                PType::Enum { values, .. } => {
                    if values.is_empty() {
                        patterns.is_empty()
                    } else {
                        patterns.is_empty() || values.iter().all(|v| patterns.iter().any(|p| p.is_match(v)))
                    }
                }
                PType::Pattern(_) => patterns.is_empty(),
                _ => false,
            }
        }
        PType::Regexp(pattern) => match o {
            PType::Regexp(other) => match pattern {
                None => true,
                Some(pattern) => other.as_ref().is_some_and(|other| other.to_s_with_flags() == pattern.to_s_with_flags()),
            },
            _ => false,
        },
        PType::Boolean(value) => match o {
            PType::Boolean(other) => value.is_none() || value == other,
            _ => false,
        },
        PType::Collection(size) => {
            let size_s = IntRange::size_or_default(*size);
            match o {
                o if is_collection(o) => size_s.covers(&collection_size(o).unwrap_or_default()),
                PType::Tuple { types, size } => size_s.covers(&size.unwrap_or(IntRange::exact(types.len() as i64))),
                PType::Struct(elements) => size_s.covers(&IntRange::exact(elements.len() as i64)),
                _ => false,
            }
        }
        PType::Array { element, size } => match o {
            PType::Tuple { types, size: tuple_size } => {
                let size_s = IntRange::size_or_default(*size);
                let size_o = tuple_size.unwrap_or(IntRange::exact(types.len() as i64));
                size_s.covers(&size_o) && types.iter().all(|t| assignable_in(element, t, guard))
            }
            PType::Array { element: other, size: other_size } => {
                IntRange::size_or_default(*size).covers(&IntRange::size_or_default(*other_size)) && assignable_in(element, other, guard)
            }
            _ => false,
        },
        PType::Hash { key, value, size } => match o {
            PType::Hash { key: ok, value: ov, size: osize } => {
                let is_empty_hash = osize.is_some_and(|s| s.from == Some(0) && s.to == Some(0)) && matches!(**ok, PType::Unit);
                if (size.is_none() || size.is_some_and(|s| s.from == Some(0) || s.from.is_none())) && is_empty_hash {
                    return true;
                }
                assignable_in(key, ok, guard)
                    && assignable_in(value, ov, guard)
                    && IntRange::size_or_default(*size).covers(&IntRange::size_or_default(*osize))
            }
            PType::Struct(elements) => {
                IntRange::size_or_default(*size).contains(elements.len() as i128)
                    && elements.iter().all(|e| {
                        instance_of(key, &Value::string(e.name.clone())) && assignable_in(value, &e.value_type, guard)
                    })
            }
            _ => false,
        },
        PType::Tuple { types, size } => {
            if s == o {
                return true;
            }
            let size_s = tuple_size(types, size);
            match o {
                PType::Tuple { types: o_types, size: o_size } => {
                    let size_o = tuple_size(o_types, o_size);
                    if !size_s.covers(&size_o) {
                        return false;
                    }
                    if !types.is_empty() {
                        if o_types.is_empty() {
                            return size_s.from == Some(0);
                        }
                        for (index, ot) in o_types.iter().enumerate() {
                            let st = types.get(index).unwrap_or(&types[types.len() - 1]);
                            if !assignable_in(st, ot, guard) {
                                return false;
                            }
                        }
                    }
                    true
                }
                PType::Array { element, size: o_size } => {
                    let size_o = IntRange::size_or_default(*o_size);
                    if !size_s.covers(&size_o) {
                        return false;
                    }
                    if !types.is_empty() {
                        let count = (types.len() as i128).min(size_o.max());
                        for index in 0..count.max(0) as usize {
                            let st = types.get(index).unwrap_or(&types[types.len() - 1]);
                            if !assignable_in(st, element, guard) {
                                return false;
                            }
                        }
                    }
                    true
                }
                _ => false,
            }
        }
        PType::Struct(elements) => match o {
            PType::Struct(others) => {
                let mut matched = 0;
                let all = elements.iter().all(|e1| match others.iter().find(|e2| e2.name == e1.name) {
                    None => e1.optional_key,
                    Some(e2) => {
                        matched += 1;
                        (e1.optional_key || !e2.optional_key) && assignable_in(&e1.value_type, &e2.value_type, guard)
                    }
                });
                all && matched == others.len()
            }
            PType::Hash { key, value, size } => {
                let mut required = 0;
                let ok = elements.iter().all(|e| {
                    if e.optional_key {
                        true
                    } else {
                        required += 1;
                        assignable_in(&e.value_type, value, guard) && assignable_in(&PType::string(), key, guard)
                    }
                });
                ok && IntRange::new(Some(required), Some(elements.len() as i64)).covers(&IntRange::size_or_default(*size))
            }
            _ => false,
        },
        PType::Variant(types) => types.iter().any(|t| assignable_in(t, o, guard)),
        PType::Iterable(inner) => match inner.as_deref() {
            None => is_iterable(o),
            Some(inner) if assignable_in(inner, &PType::Any, guard) => is_iterable(o),
            Some(inner) => iterable_element(o).is_some_and(|element| assignable_in(inner, &element, guard)),
        },
        PType::Iterator(inner) => match o {
            PType::Iterator(other) => match (inner, other) {
                (None, _) => true,
                (Some(inner), Some(other)) => assignable_in(inner, other, guard),
                (Some(_), None) => false,
            },
            _ => false,
        },
        PType::Callable(callable) => match o {
            PType::Callable(other) => match (callable, other) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => a == b,
            },
            _ => false,
        },
        PType::CatalogEntry => o.is_catalog_entry(),
        PType::Class(name) => match o {
            PType::Class(other) => name.is_none() || name == other,
            _ => false,
        },
        PType::Resource { type_name, title } => match o {
            PType::Resource { type_name: other_name, title: other_title } => match type_name {
                None => true,
                Some(name) => {
                    other_name.as_ref().is_some_and(|other| other.to_lowercase() == name.to_lowercase())
                        && (title.is_none() || title == other_title)
                }
            },
            _ => false,
        },
        PType::Sensitive(inner) => match o {
            PType::Sensitive(other) => assignable_in(inner, other, guard),
            _ => false,
        },
        PType::Runtime { .. } => s == o,
        PType::SemVer(ranges) => match o {
            PType::SemVer(others) => ranges.is_empty() || others.iter().all(|r| ranges.iter().any(|s| s.contains_range(r))) && !others.is_empty(),
            _ => false,
        },
        PType::SemVerRange => matches!(o, PType::SemVerRange),
        PType::Timespan { from, to } => match o {
            PType::Timespan { from: of, to: ot } => from.is_none_or(|f| of.is_some_and(|o| o >= f)) && to.is_none_or(|t| ot.is_some_and(|o| o <= t)),
            _ => false,
        },
        PType::Timestamp { from, to } => match o {
            PType::Timestamp { from: of, to: ot } => from.is_none_or(|f| of.is_some_and(|o| o >= f)) && to.is_none_or(|t| ot.is_some_and(|o| o <= t)),
            _ => false,
        },
        PType::Binary => matches!(o, PType::Binary),
        PType::Uri => matches!(o, PType::Uri),
        PType::Object(None) => matches!(o, PType::Object(_) | PType::Deferred | PType::TypeSet),
        PType::Object(Some(_)) => s == o,
        PType::Init(_) => s == o,
        PType::TypeSet => matches!(o, PType::TypeSet),
        PType::TypeReference(_) => s == o,
        PType::Deferred => matches!(o, PType::Deferred),
    }
}

fn enum_has(values: &[std::rc::Rc<str>], case_insensitive: bool, candidate: &str) -> bool {
    if case_insensitive {
        values.iter().any(|v| v.to_lowercase() == candidate.to_lowercase())
    } else {
        values.iter().any(|v| &**v == candidate)
    }
}

/// `t.instance?(value)`.
pub fn instance_of(t: &PType, value: &Value) -> bool {
    instance_depth(t, value, 0)
}

fn instance_depth(t: &PType, value: &Value, depth: usize) -> bool {
    if depth > 512 {
        return false;
    }
    let depth = depth + 1;
    match t {
        PType::Any | PType::Unit => true,
        PType::Undef => value.is_undef(),
        PType::Default => matches!(value, Value::Default),
        PType::NotUndef(inner) => !value.is_undef() && inner.as_deref().is_none_or(|inner| instance_depth(inner, value, depth)),
        PType::Optional(inner) => value.is_undef() || inner.as_deref().is_some_and(|inner| instance_depth(inner, value, depth)),
        PType::Type(inner) => match value {
            Value::Type(other) => inner.as_deref().is_none_or(|inner| assignable(inner, other)),
            _ => false,
        },
        PType::Scalar => matches!(
            value,
            Value::String(_)
                | Value::Integer(_)
                | Value::Float(_)
                | Value::Boolean(_)
                | Value::Regexp(_)
                | Value::Timespan(_)
                | Value::Timestamp(_)
                | Value::SemVer(_)
                | Value::SemVerRange(_)
        ),
        PType::ScalarData => matches!(value, Value::String(_) | Value::Integer(_) | Value::Float(_) | Value::Boolean(_)),
        PType::Numeric => matches!(value, Value::Integer(_) | Value::Float(_)),
        PType::Integer(range) => matches!(value, Value::Integer(i) if range.contains(i128::from(*i))),
        PType::Float { from, to } => match value {
            Value::Float(f) => {
                let (lo, hi) = float_bounds(from, to);
                *f >= lo && *f <= hi
            }
            _ => false,
        },
        PType::String(spec) => match value {
            Value::String(s) => match spec {
                StringSpec::Any => true,
                StringSpec::Size(range) => range.contains(s.chars().count() as i128),
                StringSpec::Value(expected) => expected == s,
            },
            _ => false,
        },
        PType::Enum { values, case_insensitive } => match value {
            Value::String(s) => enum_has(values, *case_insensitive, s),
            _ => false,
        },
        PType::Pattern(patterns) => match value {
            Value::String(s) => patterns.is_empty() || patterns.iter().any(|p| p.is_match(s)),
            _ => false,
        },
        PType::Regexp(pattern) => match value {
            Value::Regexp(r) => pattern.as_ref().is_none_or(|p| p.to_s_with_flags() == r.to_s_with_flags()),
            _ => false,
        },
        PType::Boolean(expected) => match value {
            Value::Boolean(b) => expected.is_none_or(|e| e == *b),
            _ => false,
        },
        PType::Collection(size) => match value {
            Value::Array(values) => size.is_none_or(|s| s.contains(values.len() as i128)),
            Value::Hash(map) => size.is_none_or(|s| s.contains(map.len() as i128)),
            _ => false,
        },
        PType::Array { element, size } => match value {
            Value::Array(values) => {
                values.iter().all(|v| instance_depth(element, v, depth)) && size.is_none_or(|s| s.contains(values.len() as i128))
            }
            _ => false,
        },
        PType::Hash { key, value: value_type, size } => match value {
            Value::Hash(map) => {
                map.iter().all(|(k, v)| instance_depth(key, k, depth) && instance_depth(value_type, v, depth))
                    && size.is_none_or(|s| s.contains(map.len() as i128))
            }
            _ => false,
        },
        PType::Tuple { types, size } => match value {
            Value::Array(values) => {
                match size {
                    Some(size) => {
                        if !size.contains(values.len() as i128) {
                            return false;
                        }
                    }
                    None => {
                        if !types.is_empty() && types.len() != values.len() {
                            return false;
                        }
                    }
                }
                types.is_empty()
                    || values.iter().enumerate().all(|(index, v)| instance_depth(types.get(index).unwrap_or(&types[types.len() - 1]), v, depth))
            }
            _ => false,
        },
        PType::Struct(elements) => match value {
            Value::Hash(map) => {
                let mut matched = 0;
                let all = elements.iter().all(|e| match map.get(&Value::String(e.name.clone())) {
                    None => e.optional_key,
                    Some(v) => {
                        matched += 1;
                        instance_depth(&e.value_type, v, depth)
                    }
                });
                all && matched == map.len()
            }
            _ => false,
        },
        PType::Variant(types) => types.iter().any(|t| instance_depth(t, value, depth)),
        PType::Iterable(inner) => {
            let any_element = inner.as_deref().is_none_or(|inner| assignable(inner, &PType::Any));
            if any_element {
                match value {
                    Value::Iterator(_) | Value::String(_) | Value::Hash(_) | Value::Array(_) => true,
                    Value::Integer(i) => *i >= 0,
                    Value::Type(t) => is_iterable(&PType::Type(Some(t.clone()))),
                    _ => false,
                }
            } else {
                assignable(t, &super::infer(value))
            }
        }
        PType::Iterator(inner) => match value {
            Value::Iterator(values) => inner.as_deref().is_none_or(|inner| values.iter().all(|v| instance_depth(inner, v, depth))),
            _ => false,
        },
        PType::Callable(_) | PType::CatalogEntry | PType::Class(_) | PType::Resource { .. } => false,
        PType::Sensitive(inner) => match value {
            Value::Sensitive(v) => instance_depth(inner, v, depth),
            _ => false,
        },
        PType::Runtime { .. } => false,
        PType::SemVer(ranges) => match value {
            Value::SemVer(v) => ranges.is_empty() || ranges.iter().any(|r| r.includes(v)),
            _ => false,
        },
        PType::SemVerRange => matches!(value, Value::SemVerRange(_)),
        PType::Timespan { from, to } => match value {
            Value::Timespan(n) => from.is_none_or(|f| *n >= f) && to.is_none_or(|t| *n <= t),
            _ => false,
        },
        PType::Timestamp { from, to } => match value {
            Value::Timestamp(n) => from.is_none_or(|f| *n >= f) && to.is_none_or(|t| *n <= t),
            _ => false,
        },
        PType::Binary => matches!(value, Value::Binary(_)),
        PType::Uri => false,
        PType::Object(None) => matches!(value, Value::Deferred(_)),
        PType::Object(Some(_)) | PType::TypeSet | PType::TypeReference(_) => false,
        PType::Init(inner) => inner.as_deref().is_none_or(|inner| instance_depth(inner, value, depth)),
        PType::Alias(alias) => instance_depth(&alias.resolved(), value, depth),
        PType::Deferred => matches!(value, Value::Deferred(_)),
    }
}
