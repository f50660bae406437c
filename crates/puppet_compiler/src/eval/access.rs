//! The `[]` operator (`AccessOperator`): strings, arrays and hashes, resource
//! references and their parameters, and the parameterization of types
//! (`Integer[1, 5]`, `Array[String]`, `File['/x']`).

use std::rc::Rc;

use puppet_syntax::ast::{Expr, ExprKind};
use puppet_syntax::Span;

use super::ops::{a_an_value, value_label};
use super::{Compiler, ScopeId, R};
use crate::types::{self, capitalize_segments, IntRange, Num, PType, StringSpec, StructElement};
use crate::value::Value;

impl Compiler<'_> {
    pub(super) fn eval_access(&mut self, expr: &Expr, left_expr: &Expr, key_exprs: &[Expr], scope: ScopeId) -> R<Value> {
        let left = self.eval(left_expr, scope)?;
        let keys: Vec<Value> = if matches!(&left, Value::Type(t) if matches!(**t, PType::Class(_))) {
            let mut keys = Vec::with_capacity(key_exprs.len());
            for key in key_exprs {
                if let ExprKind::QualifiedReference(name) = &key.kind {
                    keys.push(Value::from(name.as_str()));
                } else {
                    keys.push(self.eval(key, scope)?);
                }
            }
            keys
        } else {
            self.unfold(key_exprs, scope)?
        };
        if let Value::Type(t) = &left {
            if matches!(**t, PType::Resource { type_name: None, title: None }) && keys.len() == 1 {
                if let Value::Type(k) = &keys[0] {
                    if matches!(**k, PType::Resource { .. }) {
                        return Ok(keys[0].clone());
                    }
                }
            }
        }
        let key_span = |index: usize| key_exprs.get(index).map_or(expr.span, |k| k.span);
        match &left {
            Value::String(text) => self.access_string(text, &keys, expr, left_expr, &key_span),
            Value::Binary(bytes) => {
                let text: String = bytes.iter().map(|b| *b as char).collect();
                match self.access_string(&text, &keys, expr, left_expr, &key_span)? {
                    Value::String(s) => Ok(Value::Binary(Rc::new(s.chars().map(|c| c as u8).collect()))),
                    other => Ok(other),
                }
            }
            Value::Array(values) => self.access_array(values, &keys, left_expr, &key_span),
            Value::Hash(map) => {
                if keys.is_empty() {
                    return Err(self.fail("BAD_HASH_SLICE_ARITY", "Hash supports [] with one or more arguments. Got 0", left_expr.span));
                }
                if keys.len() == 1 {
                    return Ok(map.get(&keys[0]).cloned().unwrap_or(Value::Undef));
                }
                Ok(Value::array(keys.iter().filter_map(|k| map.get(k).cloned()).filter(|v| !v.is_undef()).collect()))
            }
            Value::Type(t) => self.access_type(t, keys, expr, left_expr, key_exprs),
            other => Err(self.fail(
                "OPERATOR_NOT_APPLICABLE",
                format!("Operator '[]' is not applicable to {}.", a_an_value(other)),
                left_expr.span,
            )),
        }
    }

    fn access_string(&mut self, text: &str, keys: &[Value], expr: &Expr, left_expr: &Expr, key_span: &dyn Fn(usize) -> Span) -> R<Value> {
        let keys = flatten(keys);
        if keys.is_empty() || keys.len() > 2 {
            return Err(self.fail("BAD_STRING_SLICE_ARITY", format!("String supports [] with one or two arguments. Got {}", keys.len()), left_expr.span));
        }
        let mut numbers = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            let n = match key {
                Value::Integer(i) => Some(*i),
                Value::String(s) => match super::ops::string_to_number(s) {
                    Some(Value::Integer(i)) => Some(i),
                    _ => None,
                },
                _ => None,
            };
            match n {
                Some(n) => numbers.push(n),
                None => {
                    let actual = bad_key_type_name(key);
                    return Err(self.fail(
                        "BAD_STRING_SLICE_KEY_TYPE",
                        format!("A substring operation does not accept {} {actual} as a character index. Expected an Integer", types::article(&actual)),
                        key_span(index),
                    ));
                }
            }
        }
        let _ = expr;
        let chars: Vec<char> = text.chars().collect();
        let length = chars.len() as i64;
        let (mut start, mut count) = if numbers.len() == 1 {
            let k = numbers[0];
            let k = if k < 0 { length + k } else { k };
            if k < 0 {
                return Ok(Value::from(""));
            }
            (k, 1)
        } else {
            let k1 = if numbers[0] < 0 { length + numbers[0] } else { numbers[0] };
            let k2 = if numbers[1] < 0 { length - k1 + numbers[1] + 1 } else { numbers[1] };
            (k1, k2)
        };
        if start < 0 {
            count += start;
            start = 0;
        }
        if start > length || count < 0 {
            return Ok(Value::from(""));
        }
        let end = (start + count).min(length);
        Ok(Value::from(chars[start as usize..end as usize].iter().collect::<String>()))
    }

    fn access_array(&mut self, values: &[Value], keys: &[Value], left_expr: &Expr, key_span: &dyn Fn(usize) -> Span) -> R<Value> {
        let keys = flatten(keys);
        if keys.is_empty() || keys.len() > 2 {
            return Err(self.fail("BAD_ARRAY_SLICE_ARITY", format!("Array supports [] with one or two arguments. Got {}", keys.len()), left_expr.span));
        }
        let mut numbers = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            let number = self.coerce_numeric(key, key_span(index))?;
            match number {
                Value::Integer(i) => numbers.push(i),
                other => {
                    return Err(self.fail(
                        "BAD_SLICE_KEY_TYPE",
                        format!("An Array[] cannot use {} where Integer is expected", bad_key_type_name(&other)),
                        key_span(index),
                    ))
                }
            }
        }
        let length = values.len() as i64;
        if numbers.len() == 1 {
            let k = numbers[0];
            let k = if k < 0 { length + k } else { k };
            if k < 0 || k >= length {
                return Ok(Value::Undef);
            }
            return Ok(values[k as usize].clone());
        }
        let mut k1 = if numbers[0] < 0 { length + numbers[0] } else { numbers[0] };
        let mut k2 = if numbers[1] < 0 { length - k1 + numbers[1] + 1 } else { numbers[1] };
        if k1 < 0 {
            k2 += k1;
            k1 = 0;
        }
        if k1 > length || k2 < 0 {
            return Ok(Value::array(Vec::new()));
        }
        let end = (k1 + k2).min(length);
        Ok(Value::array(values[k1 as usize..end as usize].to_vec()))
    }

    fn slice_arity(&self, base: &str, min: usize, max: Option<usize>, actual: usize, span: Span) -> super::Flow {
        let message = match max {
            None => format!("{base}[] accepts {min} or more arguments. Got {actual}"),
            Some(max) if max != min => format!("{base}[] accepts {min} to {max} arguments. Got {actual}"),
            Some(_) => format!("{base}[] accepts {min} {}. Got {actual}", if min == 1 { "argument" } else { "arguments" }),
        };
        self.fail("BAD_TYPE_SLICE_ARITY", message, span)
    }

    fn type_args(&self, base: &str, keys: &[Value], key_exprs: &[Expr], expr: &Expr) -> R<Vec<PType>> {
        let mut out = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            match key {
                Value::Type(t) => out.push((**t).clone()),
                other => {
                    return Err(self.fail(
                        "BAD_TYPE_SLICE_TYPE",
                        format!("{base}[] arguments must be types. Got {}", super::expr::ruby_class(other)),
                        key_exprs.get(index).map_or(expr.span, |k| k.span),
                    ))
                }
            }
        }
        Ok(out)
    }

    fn size_range(&self, keys: &[Value], start: usize, key_exprs: &[Expr], expr: &Expr) -> R<IntRange> {
        if keys.len() == 1 {
            if let Value::Type(t) = &keys[0] {
                if let PType::Integer(range) = &**t {
                    return Ok(range.to_size());
                }
            }
        }
        let mut bounds = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            match key {
                Value::Integer(i) => bounds.push(Some(*i)),
                Value::Default => bounds.push(None),
                other => {
                    return Err(self.fail(
                        "BAD_COLLECTION_SLICE_TYPE",
                        format!(
                            "A Type's size constraint arguments must be a single Integer type, or 1-2 integers (or default). Got {}",
                            types::a_an(&value_label(other))
                        ),
                        key_exprs.get(start + index).map_or(expr.span, |k| k.span),
                    ))
                }
            }
        }
        let range = IntRange { from: bounds.first().copied().flatten(), to: bounds.get(1).copied().flatten() };
        self.check_range(range, expr.span)?;
        Ok(range.to_size())
    }

    fn check_range(&self, range: IntRange, span: Span) -> R<()> {
        if let (Some(from), Some(to)) = (range.from, range.to) {
            if from > to {
                return Err(self.fail("RUNTIME_ERROR", format!("'from' must be less or equal to 'to'. Got ({from}, {to}"), span));
            }
        }
        Ok(())
    }

    fn access_type(&mut self, t: &Rc<PType>, keys: Vec<Value>, expr: &Expr, left_expr: &Expr, key_exprs: &[Expr]) -> R<Value> {
        let base_label = |t: &PType| format!("{}-Type", t);
        let flat = flatten(&keys);
        let span = expr.span;
        let result = match &**t {
            PType::Integer(range) if range.is_unbounded() => {
                if flat.is_empty() || flat.len() > 2 {
                    return Err(self.fail("BAD_INTEGER_SLICE_ARITY", format!("Integer-Type supports [] with one or two arguments (from, to). Got {}", flat.len()), span));
                }
                let mut bounds = Vec::new();
                for (index, key) in flat.iter().enumerate() {
                    match key {
                        Value::Integer(i) => bounds.push(Some(*i)),
                        Value::Default => bounds.push(None),
                        other => {
                            return Err(self.fail(
                                "BAD_INTEGER_SLICE_TYPE",
                                format!("Integer-Type [] requires all arguments to be integers (or default). Got {}", super::expr::ruby_class(other)),
                                key_exprs.get(index).map_or(span, |k| k.span),
                            ))
                        }
                    }
                }
                let range = IntRange { from: bounds[0], to: bounds.get(1).copied().flatten() };
                self.check_range(range, span)?;
                PType::Integer(range)
            }
            PType::Float { from: None, to: None } => {
                if flat.is_empty() || flat.len() > 2 {
                    return Err(self.fail("BAD_INTEGER_SLICE_ARITY", format!("Float-Type supports [] with one or two arguments (from, to). Got {}", flat.len()), span));
                }
                let mut bounds = Vec::new();
                for (index, key) in flat.iter().enumerate() {
                    match key {
                        Value::Integer(i) => bounds.push(Some(Num::Float(*i as f64))),
                        Value::Float(f) => bounds.push(Some(Num::Float(*f))),
                        Value::Default => bounds.push(None),
                        other => {
                            return Err(self.fail(
                                "BAD_INTEGER_SLICE_TYPE",
                                format!("Float-Type [] requires all arguments to be floats, or integers (or default). Got {}", super::expr::ruby_class(other)),
                                key_exprs.get(index).map_or(span, |k| k.span),
                            ))
                        }
                    }
                }
                PType::Float { from: bounds[0], to: bounds.get(1).copied().flatten() }
            }
            PType::String(StringSpec::Any) => {
                if flat.is_empty() || flat.len() > 2 {
                    return Err(self.fail("BAD_STRING_SLICE_ARITY", format!("String supports [] with one or two arguments. Got {}", flat.len()), span));
                }
                PType::String(StringSpec::Size(self.size_range(&flat, 0, key_exprs, expr)?))
            }
            PType::Collection(None) => {
                if flat.is_empty() || flat.len() > 2 {
                    return Err(self.slice_arity("Collection-Type", 1, Some(2), flat.len(), span));
                }
                PType::Collection(Some(self.size_range(&flat, 0, key_exprs, expr)?))
            }
            PType::Array { element, size: None } if matches!(**element, PType::Any) => match flat.len() {
                1 => {
                    let types = self.type_args("Array-Type", &flat, key_exprs, expr)?;
                    PType::Array { element: Rc::new(types[0].clone()), size: None }
                }
                2 | 3 => {
                    if let Value::Type(element) = &flat[0] {
                        let size = self.size_range(&flat[1..], 1, key_exprs, expr)?;
                        array_type((**element).clone(), Some(size))
                    } else if flat.len() == 2 {
                        let size = self.size_range(&flat, 0, key_exprs, expr)?;
                        array_type(PType::Any, Some(size))
                    } else {
                        return Err(self.fail("BAD_TYPE_SLICE_TYPE", format!("Array-Type[] arguments must be types. Got {}", super::expr::ruby_class(&flat[0])), span));
                    }
                }
                n => return Err(self.slice_arity("Array-Type", 1, Some(3), n, span)),
            },
            PType::Hash { key, value, size: None } if matches!(**key, PType::Any) && matches!(**value, PType::Any) => {
                if flat.len() == 2 && matches!(flat[0], Value::Integer(_)) && matches!(flat[1], Value::Integer(_)) {
                    let size = self.size_range(&flat, 0, key_exprs, expr)?;
                    hash_type(PType::Any, PType::Any, Some(size))
                } else {
                    if !(2..=4).contains(&flat.len()) {
                        return Err(self.slice_arity("Hash-Type", 2, Some(4), flat.len(), span));
                    }
                    let types = self.type_args("Hash-Type", &flat[..2], key_exprs, expr)?;
                    let size = match flat.len() {
                        3 => Some(match &flat[2] {
                            Value::Type(t) if matches!(**t, PType::Integer(_)) => self.size_range(&flat[2..], 2, key_exprs, expr)?,
                            _ => self.size_range(&flat[2..3], 2, key_exprs, expr)?,
                        }),
                        4 => Some(self.size_range(&flat[2..], 2, key_exprs, expr)?),
                        _ => None,
                    };
                    hash_type(types[0].clone(), types[1].clone(), size)
                }
            }
            PType::Optional(None) | PType::NotUndef(None) | PType::Type(None) | PType::Iterable(None) | PType::Iterator(None) | PType::Init(None) => {
                let is_not_undef = matches!(**t, PType::NotUndef(None));
                if is_not_undef && flat.is_empty() {
                    return Ok(Value::type_value(PType::NotUndef(None)));
                }
                if flat.len() != 1 {
                    let base = format!("{}-Type", t.simple_name());
                    return Err(self.slice_arity(&base, if is_not_undef { 0 } else { 1 }, if is_not_undef { Some(1) } else { None }, flat.len(), span));
                }
                let inner = match &flat[0] {
                    Value::Type(inner) => (**inner).clone(),
                    Value::String(s) if matches!(**t, PType::Optional(_) | PType::NotUndef(_)) => PType::String(StringSpec::Value(s.clone())),
                    other => {
                        return Err(self.fail(
                            "BAD_TYPE_SLICE_TYPE",
                            format!("{}-Type[] arguments must be types. Got {}", t.simple_name(), super::expr::ruby_class(other)),
                            key_exprs.first().map_or(span, |k| k.span),
                        ))
                    }
                };
                let inner = Some(Rc::new(inner));
                match &**t {
                    PType::Optional(_) => PType::Optional(inner),
                    PType::NotUndef(_) => PType::NotUndef(inner.filter(|i| !matches!(**i, PType::Any))),
                    PType::Type(_) => PType::Type(inner),
                    PType::Iterable(_) => PType::Iterable(inner),
                    PType::Iterator(_) => PType::Iterator(inner),
                    _ => PType::Init(inner),
                }
            }
            PType::Sensitive(inner) if matches!(**inner, PType::Any) => {
                if flat.len() != 1 {
                    return Err(self.slice_arity("Sensitive-Type", 1, None, flat.len(), span));
                }
                let types = self.type_args("Sensitive-Type", &flat, key_exprs, expr)?;
                PType::Sensitive(Rc::new(types::generalize(&types[0])))
            }
            PType::Variant(types) if types.is_empty() => {
                if flat.is_empty() {
                    return Err(self.slice_arity(&capitalized(&base_label(t)), 1, None, 0, span));
                }
                PType::Variant(Rc::new(self.type_args("Variant-Type", &flat, key_exprs, expr)?))
            }
            PType::Enum { values, .. } if values.is_empty() => {
                let mut items = flat.clone();
                let mut case_insensitive = false;
                if let Some(Value::Boolean(b)) = items.last() {
                    case_insensitive = *b;
                    items.pop();
                }
                let mut values = Vec::new();
                for item in &items {
                    match item {
                        Value::String(s) => values.push(s.clone()),
                        other => {
                            return Err(self.fail(
                                "BAD_TYPE_SPECIALIZATION",
                                format!("Error creating type specialization of an Enum-Type, Cannot use {} where String is expected", bad_key_type_name(other)),
                                span,
                            ))
                        }
                    }
                }
                if values.is_empty() {
                    return Err(self.slice_arity("An Enum-Type", 1, None, 0, span));
                }
                PType::enum_of(values, case_insensitive)
            }
            PType::Pattern(patterns) if patterns.is_empty() => {
                let mut regexes = Vec::new();
                for item in &flat {
                    match item {
                        Value::String(s) => regexes.push(self.regex(s).map_err(|m| self.fail("RUNTIME_ERROR", m, span))?),
                        Value::Regexp(r) => regexes.push(r.clone()),
                        Value::Type(t) => match &**t {
                            PType::Pattern(inner) => regexes.extend(inner.iter().cloned()),
                            PType::Regexp(Some(r)) => regexes.push(r.clone()),
                            _ => return Err(self.fail("BAD_TYPE_SPECIALIZATION", format!("Error creating type specialization of a Pattern-Type, Cannot use {t} where String or Regexp is expected"), span)),
                        },
                        other => {
                            return Err(self.fail(
                                "BAD_TYPE_SPECIALIZATION",
                                format!("Error creating type specialization of a Pattern-Type, Cannot use {} where String or Regexp or Pattern-Type or Regexp-Type is expected", bad_key_type_name(other)),
                                span,
                            ))
                        }
                    }
                }
                if regexes.is_empty() {
                    return Err(self.slice_arity("A Pattern-Type", 1, None, 0, span));
                }
                PType::Pattern(Rc::new(regexes))
            }
            PType::Regexp(None) => {
                if flat.len() != 1 {
                    return Err(self.slice_arity("A Regexp-Type", 1, Some(1), flat.len(), span));
                }
                match &flat[0] {
                    Value::String(s) => PType::Regexp(Some(self.regex(s).map_err(|m| self.fail("RUNTIME_ERROR", m, span))?)),
                    Value::Regexp(r) => PType::Regexp(Some(r.clone())),
                    other => return Err(self.fail("BAD_TYPE_SPECIALIZATION", format!("Error creating type specialization of a Regexp-Type, Cannot use {} where String or Regexp is expected", bad_key_type_name(other)), span)),
                }
            }
            PType::Boolean(None) => match flat.as_slice() {
                [Value::Boolean(b)] => PType::Boolean(Some(*b)),
                _ => return Err(self.slice_arity("A Boolean-Type", 1, Some(1), flat.len(), span)),
            },
            PType::Tuple { types, size: None } if types.is_empty() => {
                let mut items = flat.clone();
                let is_range = |v: &Value| matches!(v, Value::Integer(_) | Value::Default);
                let size = if items.len() >= 2 && is_range(&items[items.len() - 2]) && is_range(&items[items.len() - 1]) {
                    let to = items.pop();
                    let from = items.pop();
                    let from = match from {
                        Some(Value::Integer(i)) => Some(i),
                        _ => Some(0),
                    };
                    let to = match to {
                        Some(Value::Integer(i)) => Some(i),
                        _ => None,
                    };
                    Some(IntRange { from, to }.to_size())
                } else if items.last().is_some_and(is_range) {
                    let from = match items.pop() {
                        Some(Value::Integer(i)) => Some(i),
                        _ => Some(0),
                    };
                    Some(IntRange { from, to: None }.to_size())
                } else {
                    None
                };
                if items.is_empty() {
                    return Err(self.slice_arity("A Tuple-Type", 1, None, 0, span));
                }
                let types = self.type_args("Tuple-Type", &items, key_exprs, expr)?;
                PType::Tuple { types: Rc::new(types), size }
            }
            PType::Struct(elements) if elements.is_empty() => {
                let [Value::Hash(map)] = keys.as_slice() else {
                    return Err(self.slice_arity("A Struct-Type", 1, Some(1), keys.len(), span));
                };
                let mut elements = Vec::new();
                for (key, value) in map.iter() {
                    let value_type = match value {
                        Value::Type(t) => (**t).clone(),
                        _ => return Err(self.fail("RUNTIME_ERROR", "Struct element value must be a type", span)),
                    };
                    let (name, optional_key) = match key {
                        Value::String(s) => (s.clone(), false),
                        Value::Type(t) => match &**t {
                            PType::Optional(Some(inner)) => match &**inner {
                                PType::String(StringSpec::Value(s)) => (s.clone(), true),
                                _ => return Err(self.fail("RUNTIME_ERROR", "Struct key must be a String", span)),
                            },
                            PType::NotUndef(Some(inner)) => match &**inner {
                                PType::String(StringSpec::Value(s)) => (s.clone(), false),
                                _ => return Err(self.fail("RUNTIME_ERROR", "Struct key must be a String", span)),
                            },
                            PType::String(StringSpec::Value(s)) => (s.clone(), false),
                            _ => return Err(self.fail("RUNTIME_ERROR", "Struct key must be a String", span)),
                        },
                        _ => return Err(self.fail("RUNTIME_ERROR", "Struct key must be a String", span)),
                    };
                    // A plain name whose value accepts undef is an optional key.
                    let optional_key = optional_key || (matches!(key, Value::String(_)) && types::assignable(&value_type, &PType::Undef));
                    elements.push(StructElement { name, optional_key, value_type });
                }
                PType::Struct(Rc::new(elements))
            }
            PType::Callable(None) => self.callable_type(&keys, span)?,
            PType::SemVer(ranges) if ranges.is_empty() => {
                let mut out = Vec::new();
                for item in &flat {
                    match item {
                        Value::String(s) => match crate::semver::VersionRange::parse(s) {
                            Ok(range) => out.push(range),
                            Err(_) => return Err(self.fail("RUNTIME_ERROR", format!("Unparsable version range: \"{s}\""), span)),
                        },
                        Value::SemVerRange(r) => out.push((**r).clone()),
                        _ => return Err(self.fail("RUNTIME_ERROR", "SemVer[] arguments must be strings or ranges", span)),
                    }
                }
                PType::SemVer(Rc::new(out))
            }
            PType::Timespan { from: None, to: None } | PType::Timestamp { from: None, to: None } => {
                let is_span = matches!(**t, PType::Timespan { .. });
                let mut bounds = Vec::new();
                for item in &flat {
                    bounds.push(match item {
                        Value::Default => None,
                        Value::Timespan(n) | Value::Timestamp(n) => Some(*n),
                        Value::Integer(i) => Some(i128::from(*i) * 1_000_000_000),
                        Value::Float(f) => Some((f * 1e9) as i128),
                        Value::String(s) => {
                            let parsed = if is_span { crate::functions::time::parse_timespan(s) } else { crate::functions::time::parse_timestamp(s) };
                            match parsed {
                                Some(n) => Some(n),
                                None => return Err(self.fail("RUNTIME_ERROR", format!("Unable to parse '{s}'"), span)),
                            }
                        }
                        _ => return Err(self.fail("RUNTIME_ERROR", "bad time type parameter", span)),
                    });
                }
                if bounds.len() > 2 {
                    return Err(self.slice_arity(&format!("A {}-Type", t.simple_name()), 0, Some(2), bounds.len(), span));
                }
                let from = bounds.first().copied().flatten();
                let to = if bounds.len() > 1 { bounds[1] } else { None };
                if is_span {
                    PType::Timespan { from, to }
                } else {
                    PType::Timestamp { from, to }
                }
            }
            PType::Runtime { runtime: None, name: None } => match flat.as_slice() {
                [Value::String(r), Value::String(n)] => PType::Runtime { runtime: Some(r.clone()), name: Some(n.clone()) },
                _ => return Err(self.slice_arity("A Runtime-Type", 2, Some(2), flat.len(), span)),
            },
            PType::Resource { type_name, title } => return self.access_resource_type(type_name.clone(), title.clone(), keys, expr, left_expr, key_exprs),
            PType::Class(name) => return self.access_class_type(name.clone(), keys, expr, key_exprs),
            PType::TypeReference(name) => {
                return Err(self.fail("UNKNOWN_RESOURCE_TYPE", format!("Resource type not found: {name}"), expr.span));
            }
            other => {
                return Err(self.fail(
                    "ILLEGAL_TYPE_SPECIALIZATION",
                    format!("Cannot specialize an already specialized {} type", other.simple_name()),
                    left_expr.span,
                ))
            }
        };
        Ok(Value::type_value(result))
    }

    fn callable_type(&mut self, keys: &[Value], span: Span) -> R<PType> {
        // `Callable[[params], ReturnType]`: the parameters in an array, then the return type.
        if let [Value::Array(params), Value::Type(return_type)] = keys {
            let PType::Callable(Some(callable)) = self.callable_type(params, span)? else { unreachable!("callable_type makes a Callable") };
            let mut callable = (*callable).clone();
            callable.return_type = Some((**return_type).clone());
            return Ok(PType::Callable(Some(Rc::new(callable))));
        }
        let mut params = Vec::new();
        let mut size = None;
        let mut block = None;
        let mut items: Vec<Value> = keys.to_vec();
        if let Some(Value::Type(t)) = items.last() {
            if matches!(**t, PType::Callable(_)) || matches!(&**t, PType::Optional(Some(inner)) if matches!(**inner, PType::Callable(_))) {
                block = Some((**t).clone());
                items.pop();
            }
        }
        let numbers: Vec<&Value> = items.iter().filter(|v| matches!(v, Value::Integer(_) | Value::Default)).collect();
        if !numbers.is_empty() {
            let from = match numbers[0] {
                Value::Integer(i) => Some(*i),
                _ => Some(0),
            };
            let to = numbers.get(1).and_then(|v| match v {
                Value::Integer(i) => Some(*i),
                _ => None,
            });
            size = Some(IntRange { from, to });
        }
        for item in &items {
            if let Value::Type(t) = item {
                params.push((**t).clone());
            }
        }
        let _ = span;
        Ok(PType::Callable(Some(Rc::new(types::Callable { params, size, block, return_type: None }))))
    }

    fn access_resource_type(
        &mut self,
        type_name: Option<Rc<str>>,
        title: Option<Rc<str>>,
        mut keys: Vec<Value>,
        expr: &Expr,
        left_expr: &Expr,
        key_exprs: &[Expr],
    ) -> R<Value> {
        let blamed = key_exprs.first().map_or(expr.span, |k| k.span);
        if keys.is_empty() {
            let base = match &type_name {
                Some(name) => crate::types::a_an(&format!("{}-Type", capitalize_segments(name))),
                None => "A Resource-Type".to_string(),
            };
            let base = capitalized(&base);
            return Err(self.slice_arity(&base, 1, None, 0, blamed));
        }
        let mut offset = 0;
        let type_name: String = match &type_name {
            Some(name) => name.to_string(),
            None => {
                offset = 1;
                let first = keys.remove(0);
                match &first {
                    Value::String(s) => capitalize_segments(s),
                    Value::Type(t) => match &**t {
                        PType::Resource { type_name: Some(n), .. } => n.to_string(),
                        _ => {
                            return Err(self.fail(
                                "ILLEGAL_RESOURCE_SPECIALIZATION",
                                format!("First argument to Resource[] must be a resource type or a String. Got {}.", bad_key_type_name(&first)),
                                blamed,
                            ))
                        }
                    },
                    other => {
                        return Err(self.fail(
                            "ILLEGAL_RESOURCE_SPECIALIZATION",
                            format!("First argument to Resource[] must be a resource type or a String. Got {}.", bad_key_type_name(other)),
                            blamed,
                        ))
                    }
                }
            }
        };
        let result_is_array = keys.len() > 1 || matches!(keys.first(), Some(Value::Array(_)));
        let original_count = keys.len();
        let keys: Vec<Value> = flatten(&keys).into_iter().filter(|k| !k.is_undef()).collect();
        if keys.is_empty() && original_count > 0 {
            return Ok(if result_is_array { Value::array(Vec::new()) } else { Value::Undef });
        }
        if let Some(title) = title {
            // File['/x']['mode']: parameters of a resource in the catalog.
            let Some(id) = self.find_resource(&type_name, &title) else {
                return Err(self.fail("UNKNOWN_RESOURCE", format!("Resource not found: {type_name}['{title}']"), expr.span));
            };
            let mut results = Vec::new();
            for key in &keys {
                let Value::String(name) = key else {
                    return Err(self.fail("UNKNOWN_RESOURCE_PARAMETER", format!("The resource {}['{title}'] does not have a parameter called '{}'", types::capitalize(&type_name), key.ruby_to_s()), expr.span));
                };
                if !self.is_parameter_of(id, name) {
                    return Err(self.fail(
                        "UNKNOWN_RESOURCE_PARAMETER",
                        format!("The resource {}['{title}'] does not have a parameter called '{name}'", types::capitalize(&type_name)),
                        expr.span,
                    ));
                }
                results.push(self.resource_parameter_value(id, name));
            }
            let _ = left_expr;
            return Ok(if result_is_array { Value::array(results) } else { results.pop().unwrap_or(Value::Undef) });
        }
        let keys = if keys.is_empty() { vec![Value::Default] } else { keys };
        let mut results = Vec::new();
        for (index, key) in keys.iter().enumerate() {
            match key {
                Value::String(title) => results.push(Value::type_value(PType::Resource { type_name: Some(Rc::from(type_name.as_str())), title: Some(title.clone()) })),
                Value::Default if index == 0 && keys.len() == 1 => {
                    results.push(Value::type_value(PType::Resource { type_name: Some(Rc::from(type_name.as_str())), title: None }))
                }
                other => {
                    let at = key_exprs.get(index + offset).map_or(expr.span, |k| k.span);
                    return Err(self.fail(
                        "BAD_TYPE_SPECIALIZATION",
                        format!(
                            "Error creating type specialization of a {}-Type, Cannot use {} where a resource title String is expected",
                            capitalize_segments(&type_name),
                            bad_key_type_name(other)
                        ),
                        at,
                    ));
                }
            }
        }
        Ok(if result_is_array { Value::array(results) } else { results.pop().unwrap_or(Value::Undef) })
    }

    fn access_class_type(&mut self, class_name: Option<Rc<str>>, keys: Vec<Value>, expr: &Expr, key_exprs: &[Expr]) -> R<Value> {
        let blamed = key_exprs.first().map_or(expr.span, |k| k.span);
        if keys.is_empty() {
            return Err(self.slice_arity("A Class-Type", 1, None, 0, blamed));
        }
        let result_is_array = keys.len() > 1 || matches!(keys.first(), Some(Value::Array(_)));
        let original_count = keys.len();
        let keys: Vec<Value> = flatten(&keys).into_iter().filter(|k| !k.is_undef()).collect();
        if keys.is_empty() && original_count > 0 {
            return Ok(if result_is_array { Value::array(Vec::new()) } else { Value::Undef });
        }
        let mut results = Vec::new();
        match class_name {
            None => {
                for (index, key) in keys.iter().enumerate() {
                    let Value::String(name) = key else {
                        return Err(self.fail(
                            "ILLEGAL_HOSTCLASS_NAME",
                            format!("Illegal Class name in class reference. {} cannot be used where a String is expected", capitalized(&super::ops::a_an_value(key))),
                            key_exprs.get(index).map_or(expr.span, |k| k.span),
                        ));
                    };
                    let mut name = name.to_lowercase();
                    if let Some(stripped) = name.strip_prefix("::") {
                        name = stripped.to_string();
                    }
                    results.push(Value::type_value(PType::Class(Some(Rc::from(name.as_str())))));
                }
            }
            Some(class_name) => {
                let title = capitalize_segments(&class_name);
                let Some(id) = self.find_resource("Class", &title) else {
                    return Err(self.fail("UNKNOWN_RESOURCE", format!("Resource not found: Class['{class_name}']"), expr.span));
                };
                for key in &keys {
                    let name = key.to_puppet_string();
                    if !self.is_parameter_of(id, &name) {
                        return Err(self.fail(
                            "UNKNOWN_RESOURCE_PARAMETER",
                            format!("The resource Class['{class_name}'] does not have a parameter called '{name}'"),
                            expr.span,
                        ));
                    }
                    results.push(self.resource_parameter_value(id, &name));
                }
            }
        }
        Ok(if result_is_array { Value::array(results) } else { results.pop().unwrap_or(Value::Undef) })
    }
}

fn array_type(element: PType, size: Option<IntRange>) -> PType {
    if size.is_some_and(|s| s.from == Some(0) && s.to == Some(0)) {
        return PType::Array { element: Rc::new(PType::Unit), size };
    }
    PType::Array { element: Rc::new(element), size }
}

fn hash_type(key: PType, value: PType, size: Option<IntRange>) -> PType {
    if size.is_some_and(|s| s.from == Some(0) && s.to == Some(0)) {
        return PType::Hash { key: Rc::new(PType::Unit), value: Rc::new(PType::Unit), size };
    }
    PType::Hash { key: Rc::new(key), value: Rc::new(value), size }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Ruby's `Array#flatten` of the keys.
fn flatten(keys: &[Value]) -> Vec<Value> {
    let mut out = Vec::with_capacity(keys.len());
    for key in keys {
        match key {
            Value::Array(values) => out.extend(flatten(values)),
            other => out.push(other.clone()),
        }
    }
    out
}

/// `bad_key_type_name`: the generalized type of a key in messages.
pub fn bad_key_type_name(value: &Value) -> String {
    match value {
        Value::Undef => "Undef".into(),
        Value::Default => "Default".into(),
        other => types::generalize(&types::infer(other)).to_string(),
    }
}
