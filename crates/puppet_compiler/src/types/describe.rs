//! `TypeMismatchDescriber`: why a value does not match a type, in Puppet's words
//! (`parameter 'x' expects an Integer value, got String`).

use std::rc::Rc;

use super::infer::normalize;
use super::{assignable, generalize, infer_set, instance_of, IntRange, PType, StringSpec};
use crate::value::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum PathElement {
    Subject(String),
    EntryValue(String),
    EntryKey(String),
    Parameter(String),
    Block,
    Return,
    Index(usize),
    Variant(usize),
    Signature(usize),
}

impl PathElement {
    fn render(&self) -> String {
        match self {
            PathElement::Subject(s) => s.clone(),
            PathElement::EntryValue(k) => format!("entry '{k}'"),
            PathElement::EntryKey(k) => format!("key of entry '{k}'"),
            PathElement::Parameter(k) => format!("parameter '{k}'"),
            PathElement::Block => "block".into(),
            PathElement::Return => "return".into(),
            PathElement::Index(i) => format!("index {i}"),
            PathElement::Variant(i) => format!("variant {i}"),
            PathElement::Signature(i) => format!("{}.", i + 1),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum MismatchKind {
    MissingKey(String),
    MissingParameter(String),
    ExtraneousKey(String),
    InvalidParameter(String),
    UnexpectedBlock,
    MissingRequiredBlock,
    UnresolvedTypeReference(String),
    Type { expected: PType, actual: PType },
    Pattern { expected: PType, actual: PType },
    Size { expected: IntRange, actual: IntRange },
    Count { expected: IntRange, actual: IntRange },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mismatch {
    pub path: Vec<PathElement>,
    pub kind: MismatchKind,
}

impl Mismatch {
    fn new(path: &[PathElement], kind: MismatchKind) -> Mismatch {
        let kind = match kind {
            MismatchKind::Type { expected, actual } => MismatchKind::Type { expected: normalize(&expected), actual: normalize(&actual) },
            MismatchKind::Pattern { expected, actual } => MismatchKind::Pattern { expected: normalize(&expected), actual: normalize(&actual) },
            other => other,
        };
        Mismatch { path: path.to_vec(), kind }
    }

    fn canonical_path(&self) -> Vec<&PathElement> {
        self.path.iter().filter(|p| !matches!(p, PathElement::Variant(_) | PathElement::Signature(_))).collect()
    }

    fn chop_path(&self, index: usize) -> Mismatch {
        if index >= self.path.len() {
            return self.clone();
        }
        let mut copy = self.clone();
        copy.path.remove(index);
        copy
    }

    fn merge(&self, other: &Mismatch) -> Mismatch {
        match (&self.kind, &other.kind) {
            (MismatchKind::Type { expected, actual }, MismatchKind::Type { expected: e2, .. }) => {
                let mut types = match expected {
                    PType::Variant(types) => types.to_vec(),
                    other => vec![other.clone()],
                };
                let more = match e2 {
                    PType::Variant(types) => types.to_vec(),
                    other => vec![other.clone()],
                };
                for t in more {
                    if !types.contains(&t) {
                        types.push(t);
                    }
                }
                Mismatch::new(&self.path, MismatchKind::Type { expected: PType::maybe_variant(types), actual: actual.clone() })
            }
            (MismatchKind::Size { expected, actual }, MismatchKind::Size { expected: e2, .. }) => {
                let range = IntRange {
                    from: Some(expected.from.unwrap_or(0).min(e2.from.unwrap_or(0))),
                    to: if expected.max() >= e2.max() { expected.to } else { e2.to },
                };
                Mismatch { path: self.path.clone(), kind: MismatchKind::Size { expected: range, actual: *actual } }
            }
            (MismatchKind::Count { expected, actual }, MismatchKind::Count { expected: e2, .. }) => {
                let range = IntRange {
                    from: Some(expected.from.unwrap_or(0).min(e2.from.unwrap_or(0))),
                    to: if expected.max() >= e2.max() { expected.to } else { e2.to },
                };
                Mismatch { path: self.path.clone(), kind: MismatchKind::Count { expected: range, actual: *actual } }
            }
            _ => Mismatch { path: self.path.clone(), kind: self.kind.clone() },
        }
    }

    fn same_class(&self, other: &Mismatch) -> bool {
        std::mem::discriminant(&self.kind) == std::mem::discriminant(&other.kind)
    }

    /// The message, as `Mismatch#format` gives it (it starts with a space or a
    /// signature number).
    pub fn format(&self) -> String {
        let mut path: &[PathElement] = &self.path;
        let mut variant = String::new();
        if let Some(first @ PathElement::Signature(_)) = path.first() {
            variant = format!(" {}", first.render());
            path = &path[1..];
        }
        let position = if path.is_empty() {
            String::new()
        } else {
            format!(" {}", path.iter().map(PathElement::render).collect::<Vec<_>>().join(" "))
        };
        match &self.kind {
            MismatchKind::MissingKey(key) => format!("{variant}{position} expects a value for key '{key}'"),
            MismatchKind::MissingParameter(key) => format!("{variant}{position} expects a value for parameter '{key}'"),
            MismatchKind::ExtraneousKey(key) => format!("{variant}{position} unrecognized key '{key}'"),
            MismatchKind::InvalidParameter(key) => format!("{variant}{position} has no parameter named '{key}'"),
            MismatchKind::UnexpectedBlock => format!("{variant}{position} does not expect a block"),
            MismatchKind::MissingRequiredBlock => format!("{variant}{position} expects a block"),
            MismatchKind::UnresolvedTypeReference(name) => format!("{variant}{position} references an unresolved type '{name}'"),
            MismatchKind::Type { expected, actual } => type_mismatch_message(&variant, &position, expected, actual),
            MismatchKind::Pattern { expected, actual } => {
                let (e, prefix) = match expected {
                    PType::Optional(Some(inner)) => ((**inner).clone(), "an undef value or "),
                    other => (other.clone(), ""),
                };
                let actual = match actual {
                    PType::String(StringSpec::Value(v)) => format!("'{v}'"),
                    other => short_name(other),
                };
                format!("{variant}{position} expects {prefix}a match for {}, got {actual}", e.to_alias_expanded_string())
            }
            MismatchKind::Size { expected, actual } => {
                format!("{variant}{position} expects size to be {}, got {}", range_to_s(expected, "0"), range_to_s(actual, "0"))
            }
            MismatchKind::Count { expected, actual } => {
                let min = expected.from.unwrap_or(0);
                let max = expected.to;
                let suffix = if (min == 1 && (max == Some(1) || max.is_none())) || (min == 0 && max == Some(1)) { "" } else { "s" };
                format!("{variant}{position} expects {} argument{suffix}, got {}", range_to_s(expected, "no"), range_to_s(actual, "none"))
            }
        }
    }
}

fn range_to_s(range: &IntRange, zero: &str) -> String {
    let min = range.from.unwrap_or(0);
    match range.to {
        Some(max) if max == min => {
            if min == 0 {
                zero.to_string()
            } else {
                min.to_string()
            }
        }
        None if min == 0 => "unlimited".to_string(),
        Some(max) if min == 0 => format!("at most {max}"),
        None => format!("at least {min}"),
        Some(max) => format!("between {min} and {max}"),
    }
}

/// The article Puppet's label provider puts before a word (`y` counts as a vowel).
pub fn article(word: &str) -> &'static str {
    let mut chars = word.chars();
    let mut first = chars.next();
    if matches!(first, Some('"' | '\'')) {
        first = chars.next();
    }
    match first.map(|c| c.to_ascii_lowercase()) {
        Some('a' | 'e' | 'i' | 'o' | 'u' | 'y') => "an",
        _ => "a",
    }
}

pub fn a_an(word: &str) -> String {
    format!("{} {word}", article(word))
}

fn short_name(t: &PType) -> String {
    let contained = match t {
        PType::Type(inner) | PType::NotUndef(inner) | PType::Optional(inner) | PType::Iterable(inner) | PType::Iterator(inner) | PType::Init(inner) => {
            inner.as_deref().cloned()
        }
        PType::Sensitive(inner) => Some((**inner).clone()),
        _ => None,
    };
    match contained {
        Some(inner) if !matches!(inner, PType::Any) => format!("{}[{}]", t.name(), inner.name()),
        _ => t.name(),
    }
}

fn same_class(e: &PType, a: &PType) -> bool {
    std::mem::discriminant(e) == std::mem::discriminant(a)
}

fn always_fully_detailed(e: &[PType], a: &PType) -> bool {
    e.iter().any(|t| {
        same_class(t, a)
            || matches!(t, PType::Alias(_))
            || matches!(a, PType::Alias(_))
            || matches!((t, a), (PType::Struct(_), PType::Hash { .. }) | (PType::Tuple { .. }, PType::Array { .. }))
    })
}

/// `e.class::DEFAULT`.
fn default_of(t: &PType) -> PType {
    match t.resolve_alias() {
        PType::Integer(_) => PType::integer(),
        PType::Float { .. } => PType::float(),
        PType::String(_) => PType::string(),
        PType::Enum { .. } => PType::Enum { values: Rc::new(Vec::new()), case_insensitive: false },
        PType::Pattern(_) => PType::Pattern(Rc::new(Vec::new())),
        PType::Regexp(_) => PType::Regexp(None),
        PType::Boolean(_) => PType::Boolean(None),
        PType::Collection(_) => PType::Collection(None),
        PType::Array { .. } => PType::array_any(),
        PType::Hash { .. } => PType::hash_any(),
        PType::Tuple { .. } => PType::Tuple { types: Rc::new(Vec::new()), size: None },
        PType::Struct(_) => PType::Struct(Rc::new(Vec::new())),
        PType::Variant(_) => PType::Variant(Rc::new(Vec::new())),
        PType::Type(_) => PType::Type(None),
        PType::Optional(_) => PType::Optional(None),
        PType::NotUndef(_) => PType::NotUndef(None),
        PType::Iterable(_) => PType::Iterable(None),
        PType::Iterator(_) => PType::Iterator(None),
        PType::Callable(_) => PType::Callable(None),
        PType::Class(_) => PType::Class(None),
        PType::Resource { .. } => PType::Resource { type_name: None, title: None },
        PType::Sensitive(_) => PType::Sensitive(Rc::new(PType::Any)),
        PType::SemVer(_) => PType::SemVer(Rc::new(Vec::new())),
        PType::Timespan { .. } => PType::Timespan { from: None, to: None },
        PType::Timestamp { .. } => PType::Timestamp { from: None, to: None },
        other => other,
    }
}

fn report_detailed(e: &[PType], a: &PType) -> bool {
    always_fully_detailed(e, a) || e.iter().any(|t| assignable(&default_of(t), a))
}

fn detailed_actual_to_s(e: &[PType], a: &PType) -> String {
    let resolved: Vec<PType> = e.iter().map(PType::resolve_alias).collect();
    if always_fully_detailed(&resolved, a) || resolved.iter().any(|t| assignable(t, &generalize(a))) {
        a.to_alias_expanded_string()
    } else {
        a.simple_name().to_string()
    }
}

fn type_mismatch_message(variant: &str, position: &str, expected: &PType, actual: &PType) -> String {
    let mut e = expected.clone();
    let mut optional = false;
    if let PType::Optional(inner) = &e {
        optional = true;
        e = inner.as_deref().cloned().unwrap_or(PType::Any);
    }
    let (expected_text, multi, actual_text) = if let PType::Variant(types) = &e {
        let types: Vec<PType> = types.to_vec();
        let (mut names, actual_text) = if report_detailed(&types, actual) {
            (types.iter().map(PType::to_alias_expanded_string).collect::<Vec<_>>(), detailed_actual_to_s(&types, actual))
        } else {
            let mut names: Vec<String> = Vec::new();
            for t in &types {
                let name = short_name(t);
                if !names.contains(&name) {
                    names.push(name);
                }
            }
            (names, short_name(actual))
        };
        if optional {
            names.insert(0, "Undef".into());
        }
        let (text, multi) = join_alternatives(&names);
        (text, multi, actual_text)
    } else {
        let single = [e.clone()];
        let (mut text, actual_text) = if report_detailed(&single, actual) {
            (e.to_alias_expanded_string(), detailed_actual_to_s(&single, actual))
        } else {
            (short_name(&e), short_name(actual))
        };
        let mut multi = false;
        if optional {
            text = format!("Undef or {text}");
            multi = true;
        }
        (text, multi, actual_text)
    };
    if multi {
        format!("{variant}{position} expects a value of type {expected_text}, got {actual_text}")
    } else {
        format!("{variant}{position} expects {} value, got {actual_text}", a_an(&expected_text))
    }
}

fn join_alternatives(names: &[String]) -> (String, bool) {
    match names.len() {
        0 => (String::new(), false),
        1 => (names[0].clone(), false),
        2 => (format!("{} or {}", names[0], names[1]), true),
        n => (format!("{}, or {}", names[..n - 1].join(", "), names[n - 1]), true),
    }
}

/// `describe(expected, actual, path)`.
pub fn describe(expected: &PType, actual: &PType, path: &[PathElement]) -> Vec<Mismatch> {
    if let Some(unresolved) = find_unresolved(expected, 0) {
        return vec![Mismatch::new(path, MismatchKind::UnresolvedTypeReference(unresolved))];
    }
    internal_describe(&normalize(expected), expected, actual, path)
}

fn find_unresolved(t: &PType, depth: usize) -> Option<String> {
    if depth > 20 {
        return None;
    }
    match t {
        PType::TypeReference(name) => Some(name.to_string()),
        PType::Variant(types) => types.iter().find_map(|t| find_unresolved(t, depth + 1)),
        PType::Optional(Some(inner)) | PType::NotUndef(Some(inner)) | PType::Type(Some(inner)) => find_unresolved(inner, depth + 1),
        PType::Array { element, .. } => find_unresolved(element, depth + 1),
        PType::Hash { key, value, .. } => find_unresolved(key, depth + 1).or_else(|| find_unresolved(value, depth + 1)),
        PType::Tuple { types, .. } => types.iter().find_map(|t| find_unresolved(t, depth + 1)),
        PType::Struct(elements) => elements.iter().find_map(|e| find_unresolved(&e.value_type, depth + 1)),
        _ => None,
    }
}

fn internal_describe(expected: &PType, original: &PType, actual: &PType, path: &[PathElement]) -> Vec<Mismatch> {
    match expected {
        PType::Variant(types) => {
            let mut alternatives: Vec<PType> = types.to_vec();
            if matches!(original, PType::Optional(_)) {
                alternatives.insert(0, PType::Undef);
            }
            let mut variant_descriptions = Vec::new();
            for (index, vt) in alternatives.iter().enumerate() {
                let mut sub_path = path.to_vec();
                sub_path.push(PathElement::Variant(index));
                let d = describe(vt, actual, &sub_path);
                if d.is_empty() {
                    return Vec::new();
                }
                variant_descriptions.push(d);
            }
            let descriptions = merge_descriptions(path.len(), false, &variant_descriptions);
            if matches!(original, PType::Alias(_)) && descriptions.len() == 1 {
                vec![Mismatch::new(path, MismatchKind::Type { expected: original.clone(), actual: actual.clone() })]
            } else {
                descriptions
            }
        }
        PType::Struct(elements) => match actual {
            PType::Struct(actual_elements) => {
                let mut descriptions = Vec::new();
                let mut remaining: Vec<&super::StructElement> = actual_elements.iter().collect();
                for e1 in elements.iter() {
                    match remaining.iter().position(|e2| e2.name == e1.name) {
                        None => {
                            if !e1.optional_key {
                                descriptions.push(Mismatch::new(path, MismatchKind::MissingKey(e1.name.to_string())));
                            }
                        }
                        Some(position) => {
                            let e2 = remaining.remove(position);
                            if !assignable(&e1.value_type, &e2.value_type) {
                                let mut sub = path.to_vec();
                                sub.push(PathElement::EntryValue(e1.name.to_string()));
                                descriptions.extend(describe(&e1.value_type, &e2.value_type, &sub));
                            }
                        }
                    }
                }
                for e2 in remaining {
                    descriptions.push(Mismatch::new(path, MismatchKind::ExtraneousKey(e2.name.to_string())));
                }
                descriptions
            }
            PType::Hash { key, value, size } => {
                let required = elements.iter().filter(|e| !e.optional_key).count() as i64;
                let expected_size = IntRange::new(Some(required), Some(elements.len() as i64));
                let actual_size = IntRange::size_or_default(*size);
                if expected_size.covers(&actual_size) {
                    vec![Mismatch::new(path, MismatchKind::Type { expected: original.clone(), actual: PType::hash_of((**key).clone(), (**value).clone()) })]
                } else {
                    vec![Mismatch::new(path, MismatchKind::Size { expected: expected_size, actual: actual_size })]
                }
            }
            _ => vec![Mismatch::new(path, MismatchKind::Type { expected: original.clone(), actual: actual.clone() })],
        },
        PType::Hash { key, value, size } => match actual {
            PType::Struct(elements) => {
                let expected_size = IntRange::size_or_default(*size);
                let actual_size = IntRange::new(Some(elements.iter().filter(|e| !e.optional_key).count() as i64), Some(elements.len() as i64));
                if expected_size.covers(&actual_size) {
                    let mut descriptions = Vec::new();
                    for a in elements.iter() {
                        let key_type = if a.optional_key { PType::optional(PType::string_value(&a.name)) } else { PType::string_value(&a.name) };
                        if !assignable(key, &key_type) {
                            let mut sub = path.to_vec();
                            sub.push(PathElement::EntryKey(a.name.to_string()));
                            descriptions.extend(describe(key, &key_type, &sub));
                        }
                        if !assignable(value, &a.value_type) {
                            let mut sub = path.to_vec();
                            sub.push(PathElement::EntryValue(a.name.to_string()));
                            descriptions.extend(describe(value, &a.value_type, &sub));
                        }
                    }
                    descriptions
                } else {
                    vec![Mismatch::new(path, MismatchKind::Size { expected: expected_size, actual: actual_size })]
                }
            }
            PType::Hash { key: ak, value: av, size: asize } => {
                let actual_size = IntRange::size_or_default(*asize);
                if size.is_none_or(|s| s.covers(&actual_size)) {
                    vec![Mismatch::new(path, MismatchKind::Type { expected: original.clone(), actual: PType::hash_of((**ak).clone(), (**av).clone()) })]
                } else {
                    vec![Mismatch::new(path, MismatchKind::Size { expected: size.unwrap_or_default(), actual: actual_size })]
                }
            }
            _ => vec![Mismatch::new(path, MismatchKind::Type { expected: original.clone(), actual: actual.clone() })],
        },
        PType::Tuple { types, size } => describe_tuple(types, size, original, actual, path),
        PType::Array { element, size } => match actual {
            PType::Tuple { types, size: asize } => {
                let expected_size = IntRange::size_or_default(*size);
                let actual_size = asize.unwrap_or(IntRange::exact(types.len() as i64));
                if expected_size.covers(&actual_size) {
                    let mut descriptions = Vec::new();
                    for (index, t) in types.iter().enumerate() {
                        if !assignable(element, t) {
                            let mut sub = path.to_vec();
                            sub.push(PathElement::Index(index));
                            descriptions.extend(describe(element, t, &sub));
                        }
                    }
                    descriptions
                } else {
                    vec![Mismatch::new(path, MismatchKind::Size { expected: expected_size, actual: actual_size })]
                }
            }
            PType::Array { element: ae, size: asize } => {
                let actual_size = IntRange::size_or_default(*asize);
                if size.is_none_or(|s| s.covers(&actual_size)) {
                    vec![Mismatch::new(path, MismatchKind::Type { expected: original.clone(), actual: PType::array_of((**ae).clone()) })]
                } else {
                    vec![Mismatch::new(path, MismatchKind::Size { expected: size.unwrap_or_default(), actual: actual_size })]
                }
            }
            _ => vec![Mismatch::new(path, MismatchKind::Type { expected: original.clone(), actual: actual.clone() })],
        },
        PType::Optional(inner) => {
            if matches!(actual, PType::Undef) || inner.is_none() {
                return Vec::new();
            }
            let inner = inner.as_deref().cloned().unwrap_or(PType::Any);
            let original = if matches!(original, PType::Alias(_)) { original.clone() } else { expected.clone() };
            internal_describe(&inner, &original, actual, path)
        }
        PType::Enum { .. } | PType::Pattern(_) => {
            vec![Mismatch::new(path, MismatchKind::Pattern { expected: original.clone(), actual: actual.clone() })]
        }
        PType::Alias(alias) => internal_describe(&normalize(&alias.resolved()), expected, actual, path),
        _ => {
            if assignable(expected, actual) {
                Vec::new()
            } else {
                vec![Mismatch::new(path, MismatchKind::Type { expected: original.clone(), actual: actual.clone() })]
            }
        }
    }
}

fn describe_tuple(types: &Rc<Vec<PType>>, size: &Option<IntRange>, original: &PType, actual: &PType, path: &[PathElement]) -> Vec<Mismatch> {
    let expected_t = PType::Tuple { types: types.clone(), size: *size };
    if &expected_t == actual || (types.is_empty() && matches!(actual, PType::Array { .. })) {
        return Vec::new();
    }
    let expected_size = super::assign::tuple_size(types, size);
    match actual {
        PType::Tuple { types: atypes, size: asize } => {
            let actual_size = super::assign::tuple_size(atypes, asize);
            if expected_size.covers(&actual_size) {
                let mut descriptions = Vec::new();
                if !types.is_empty() {
                    for (index, atype) in atypes.iter().enumerate() {
                        let adx = index.min(types.len() - 1);
                        let mut sub = path.to_vec();
                        sub.push(PathElement::Index(adx));
                        descriptions.extend(describe(&types[adx], atype, &sub));
                    }
                }
                descriptions
            } else {
                vec![Mismatch::new(path, MismatchKind::Size { expected: expected_size, actual: actual_size })]
            }
        }
        PType::Array { element, size: asize } => {
            let actual_size = IntRange::size_or_default(*asize);
            if expected_size.covers(&actual_size) {
                let mut descriptions = Vec::new();
                for (index, etype) in types.iter().enumerate() {
                    let mut sub = path.to_vec();
                    sub.push(PathElement::Index(index));
                    descriptions.extend(describe(etype, element, &sub));
                }
                descriptions
            } else {
                vec![Mismatch::new(path, MismatchKind::Size { expected: expected_size, actual: actual_size })]
            }
        }
        _ => vec![Mismatch::new(path, MismatchKind::Type { expected: original.clone(), actual: actual.clone() })],
    }
}

/// `merge_descriptions`: when every variant failed the same way, one merged mismatch.
fn merge_descriptions(varying_path_position: usize, count: bool, variant_descriptions: &[Vec<Mismatch>]) -> Vec<Mismatch> {
    let mut descriptions: Vec<Mismatch> = variant_descriptions.iter().flatten().cloned().collect();
    let size_probe = if count {
        MismatchKind::Count { expected: IntRange::ANY, actual: IntRange::ANY }
    } else {
        MismatchKind::Size { expected: IntRange::ANY, actual: IntRange::ANY }
    };
    let probes = [
        size_probe,
        MismatchKind::MissingRequiredBlock,
        MismatchKind::UnexpectedBlock,
        MismatchKind::Type { expected: PType::Any, actual: PType::Any },
    ];
    for probe in probes.iter() {
        let probe = Mismatch { path: Vec::new(), kind: probe.clone() };
        let mismatches: Vec<&Mismatch> = descriptions.iter().filter(|d| d.same_class(&probe)).collect();
        if mismatches.len() == variant_descriptions.len() && !mismatches.is_empty() {
            let mut generic = Some(mismatches[0].clone());
            for current in &mismatches[1..] {
                generic = match generic {
                    Some(previous) if previous.canonical_path() == current.canonical_path() => Some(previous.merge(current)),
                    _ => None,
                };
            }
            if let Some(generic) = generic {
                descriptions = vec![generic];
                break;
            }
        }
    }
    let mut unique: Vec<Mismatch> = Vec::new();
    for d in descriptions {
        if !unique.iter().any(|u| u.same_class(&d) && u.canonical_path() == d.canonical_path() && u.kind == d.kind) {
            unique.push(d);
        }
    }
    if unique.len() == 1 {
        vec![unique[0].chop_path(varying_path_position)]
    } else {
        unique
    }
}

/// `describe_mismatch(name, expected, actual)`: one line per problem.
pub fn describe_mismatch(name: &str, expected: &PType, actual: &PType) -> String {
    let errors = describe(expected, actual, &[PathElement::Subject(name.to_string())]);
    match errors.len() {
        0 => String::new(),
        1 => errors[0].format().trim().to_string(),
        _ => errors.iter().map(Mismatch::format).collect::<Vec<_>>().join("\n "),
    }
}

/// The mismatch of a value against a type, described with the value's `infer_set`.
pub fn describe_value_mismatch(name: &str, expected: &PType, value: &Value) -> String {
    describe_mismatch(name, expected, &infer_set(value))
}

/// One declared parameter of a class, define or function, for [`validate_parameters`].
pub struct ParamCheck<'a> {
    pub name: &'a str,
    pub param_type: &'a PType,
    /// The parameter has a default (or is a metaparameter): it may be missing.
    pub optional: bool,
}

/// `validate_parameters(subject, params_struct, given)`: unknown, missing and
/// mistyped parameters, as Puppet's message (`Class[X]: parameter 'y' expects ...`).
pub fn validate_parameters(subject: &str, params: &[ParamCheck<'_>], given: &[(String, Value)], accepted_names: &dyn Fn(&str) -> bool, missing_ok: bool) -> Option<String> {
    let mut errors: Vec<Mismatch> = Vec::new();
    for (name, _) in given {
        if !params.iter().any(|p| p.name == name) && !accepted_names(name) {
            errors.push(Mismatch { path: Vec::new(), kind: MismatchKind::InvalidParameter(name.clone()) });
        }
    }
    for param in params {
        match given.iter().find(|(name, _)| name == param.name) {
            Some((_, value)) => {
                if !instance_of(param.param_type, value) {
                    errors.extend(describe(param.param_type, &infer_set(value), &[PathElement::Parameter(param.name.to_string())]));
                }
            }
            None => {
                if !missing_ok && !param.optional {
                    errors.push(Mismatch { path: Vec::new(), kind: MismatchKind::MissingParameter(param.name.to_string()) });
                }
            }
        }
    }
    match errors.len() {
        0 => None,
        1 => Some(format!("{subject}:{}", errors[0].format())),
        _ => Some(format!("{subject}:\n {}", errors.iter().map(Mismatch::format).collect::<Vec<_>>().join("\n "))),
    }
}

/// A dispatch signature for [`describe_signatures`]: parameter names and types, the
/// count range, and whether it takes a block (`None`: no block parameter,
/// `Some(true)`: required, `Some(false)`: optional).
pub type SignatureDesc = (Vec<(String, PType)>, IntRange, Option<bool>);

/// `describe_signatures` for a function's dispatches.
pub fn describe_signatures(label: &str, signatures: &[SignatureDesc], args: &[Value], has_block: bool) -> String {
    let args_types: Vec<PType> = args.iter().map(infer_set).collect();
    let mut error_arrays: Vec<Vec<Mismatch>> = Vec::new();
    for (index, (params, range, _)) in signatures.iter().enumerate() {
        let path = vec![PathElement::Signature(index)];
        let actual = IntRange::exact(args.len() as i64);
        if !range.covers(&actual) {
            error_arrays.push(vec![Mismatch { path, kind: MismatchKind::Count { expected: *range, actual } }]);
            continue;
        }
        let mut found = Vec::new();
        for (arg_index, arg_type) in args_types.iter().enumerate() {
            if params.is_empty() {
                break;
            }
            let pdx = arg_index.min(params.len() - 1);
            let (name, expected) = &params[pdx];
            if !assignable(expected, arg_type) {
                let mut sub = path.clone();
                sub.push(PathElement::Parameter(name.clone()));
                let d = describe(expected, arg_type, &sub);
                if !d.is_empty() {
                    found = d;
                    break;
                }
            }
        }
        error_arrays.push(found);
    }
    if !error_arrays.iter().all(|a| !a.is_empty()) {
        let block_arrays: Vec<Vec<Mismatch>> = signatures
            .iter()
            .enumerate()
            .map(|(index, (_, _, block))| {
                let path = vec![PathElement::Signature(index)];
                match (block, has_block) {
                    (None, true) => vec![Mismatch { path, kind: MismatchKind::UnexpectedBlock }],
                    (Some(true), false) => vec![Mismatch { path, kind: MismatchKind::MissingRequiredBlock }],
                    _ => Vec::new(),
                }
            })
            .collect();
        let count = block_arrays.iter().filter(|a| !a.is_empty()).count();
        if count == block_arrays.len() {
            error_arrays = block_arrays;
        } else if count > 0 {
            for (index, a) in error_arrays.iter_mut().enumerate() {
                if a.is_empty() {
                    *a = block_arrays[index].clone();
                }
            }
        }
    }
    let label = if label == "lambda" { "block".to_string() } else { format!("'{label}'") };
    let errors = merge_descriptions(0, true, &error_arrays);
    if errors.len() == 1 {
        return format!("{label}{}", errors[0].format());
    }
    if signatures.len() == 1 {
        let mut lines = vec![format!("{label} expects ({})", signature_string(&signatures[0]))];
        lines.extend(error_arrays[0].iter().map(|e| format!("  rejected:{}", e.chop_path(0).format())));
        lines.join("\n")
    } else {
        let mut lines = vec![format!("The function {label} was called with arguments it does not accept. It expects one of:")];
        for (index, signature) in signatures.iter().enumerate() {
            lines.push(format!("  ({})", signature_string(signature)));
            lines.extend(error_arrays[index].iter().map(|e| format!("    rejected:{}", e.chop_path(0).format())));
        }
        lines.join("\n")
    }
}

fn signature_string(signature: &SignatureDesc) -> String {
    let (params, range, _) = signature;
    if range.to == Some(0) {
        return String::new();
    }
    let required = range.from.unwrap_or(0) as usize;
    let limit = params.len();
    params
        .iter()
        .enumerate()
        .map(|(index, (name, t))| {
            let mut t = t.clone();
            let indicator = if range.to.is_none() && index == limit - 1 {
                if required == limit {
                    "+"
                } else {
                    "*"
                }
            } else if index + 1 > required {
                if let PType::Optional(Some(inner)) = &t {
                    t = (**inner).clone();
                }
                "?"
            } else {
                ""
            };
            format!("{t} {name}{indicator}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}
