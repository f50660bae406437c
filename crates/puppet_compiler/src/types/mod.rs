//! Puppet's type system (`puppet/pops/types`): the types, how they print
//! (`TypeFormatter`), assignability and instance checks, inference from values, and the
//! mismatch messages of `TypeMismatchDescriber`.

mod assign;
pub mod describe;
mod infer;

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

pub use assign::{assignable, instance_of};
pub use describe::{a_an, article, describe_mismatch, describe_value_mismatch, validate_parameters, Mismatch, ParamCheck};
pub use infer::{common_type, generalize, infer, infer_set};

use crate::regex::Regex;
use crate::value::Value;

/// An integer range of a type parameter; `None` is unbounded (`default`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct IntRange {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl IntRange {
    pub const ANY: IntRange = IntRange { from: None, to: None };

    pub fn new(from: Option<i64>, to: Option<i64>) -> IntRange {
        IntRange { from, to }
    }

    pub fn exact(n: i64) -> IntRange {
        IntRange { from: Some(n), to: Some(n) }
    }

    pub fn from_min(n: i64) -> IntRange {
        IntRange { from: Some(n), to: None }
    }

    pub fn min(&self) -> i128 {
        self.from.map_or(i128::MIN, i128::from)
    }

    pub fn max(&self) -> i128 {
        self.to.map_or(i128::MAX, i128::from)
    }

    pub fn contains(&self, n: i128) -> bool {
        n >= self.min() && n <= self.max()
    }

    /// Range `self` covers all of `other`.
    pub fn covers(&self, other: &IntRange) -> bool {
        self.min() <= other.min() && self.max() >= other.max()
    }

    pub fn is_unbounded(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }

    /// `PIntegerType#to_size`: a size range never goes below zero.
    pub fn to_size(self) -> IntRange {
        if self.from.is_some_and(|from| from >= 0) {
            self
        } else {
            IntRange { from: Some(0), to: self.to.map(|to| to.max(0)) }
        }
    }

    /// The size range of a collection type: `[0, inf]` when unset.
    pub fn size_or_default(range: Option<IntRange>) -> IntRange {
        range.unwrap_or(IntRange { from: Some(0), to: None })
    }
}

/// A number given as a Float type parameter, kept as written for printing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Num::Int(i) => write!(f, "{i}"),
            Num::Float(x) => write!(f, "{}", puppet_syntax::numbers::ruby_float_to_s(*x)),
        }
    }
}

/// A member of a Struct: its name, whether the key is optional, and its value type.
#[derive(Clone, Debug, PartialEq)]
pub struct StructElement {
    pub name: Rc<str>,
    pub optional_key: bool,
    pub value_type: PType,
}

/// A named type alias (`type Foo = ...`, and the built-in `Data`, `RichData`).
#[derive(Debug)]
pub struct TypeAlias {
    pub name: String,
    pub resolved: RefCell<Option<PType>>,
    /// A built-in alias prints without its definition.
    pub builtin: bool,
}

impl TypeAlias {
    pub fn resolved(&self) -> PType {
        self.resolved.borrow().clone().unwrap_or(PType::Any)
    }
}

#[derive(Clone, Debug)]
pub enum PType {
    Any,
    Unit,
    Undef,
    Default,
    NotUndef(Option<Rc<PType>>),
    Optional(Option<Rc<PType>>),
    Type(Option<Rc<PType>>),
    Scalar,
    ScalarData,
    Numeric,
    Integer(IntRange),
    Float { from: Option<Num>, to: Option<Num> },
    /// `String`, `String[min, max]`, or the inferred type of one string value.
    String(StringSpec),
    Enum { values: Rc<Vec<Rc<str>>>, case_insensitive: bool },
    Pattern(Rc<Vec<Regex>>),
    Regexp(Option<Regex>),
    Boolean(Option<bool>),
    Collection(Option<IntRange>),
    Array { element: Rc<PType>, size: Option<IntRange> },
    Hash { key: Rc<PType>, value: Rc<PType>, size: Option<IntRange> },
    Tuple { types: Rc<Vec<PType>>, size: Option<IntRange> },
    Struct(Rc<Vec<StructElement>>),
    Variant(Rc<Vec<PType>>),
    Iterable(Option<Rc<PType>>),
    Iterator(Option<Rc<PType>>),
    Callable(Option<Rc<Callable>>),
    CatalogEntry,
    Class(Option<Rc<str>>),
    Resource { type_name: Option<Rc<str>>, title: Option<Rc<str>> },
    Sensitive(Rc<PType>),
    Runtime { runtime: Option<Rc<str>>, name: Option<Rc<str>> },
    SemVer(Rc<Vec<crate::semver::VersionRange>>),
    SemVerRange,
    Timespan { from: Option<i128>, to: Option<i128> },
    Timestamp { from: Option<i128>, to: Option<i128> },
    Binary,
    Uri,
    Object(Option<Rc<str>>),
    Init(Option<Rc<PType>>),
    TypeSet,
    /// An unresolved name (`Foo` where no type, alias or resource type `Foo` exists).
    TypeReference(Rc<str>),
    Alias(Rc<TypeAlias>),
    /// The Deferred object type.
    Deferred,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StringSpec {
    Any,
    Size(IntRange),
    Value(Rc<str>),
}

/// `Callable[params, block, return]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Callable {
    pub params: Vec<PType>,
    pub size: Option<IntRange>,
    pub block: Option<PType>,
    pub return_type: Option<PType>,
}

impl PType {
    pub fn string() -> PType {
        PType::String(StringSpec::Any)
    }

    pub fn string_value(text: &str) -> PType {
        PType::String(StringSpec::Value(Rc::from(text)))
    }

    pub fn integer() -> PType {
        PType::Integer(IntRange::ANY)
    }

    pub fn float() -> PType {
        PType::Float { from: None, to: None }
    }

    pub fn array_of(element: PType) -> PType {
        PType::Array { element: Rc::new(element), size: None }
    }

    pub fn array_any() -> PType {
        PType::Array { element: Rc::new(PType::Any), size: None }
    }

    pub fn hash_of(key: PType, value: PType) -> PType {
        PType::Hash { key: Rc::new(key), value: Rc::new(value), size: None }
    }

    pub fn hash_any() -> PType {
        PType::hash_of(PType::Any, PType::Any)
    }

    pub fn empty_array() -> PType {
        PType::Array { element: Rc::new(PType::Unit), size: Some(IntRange::exact(0)) }
    }

    pub fn empty_hash() -> PType {
        PType::Hash { key: Rc::new(PType::Unit), value: Rc::new(PType::Unit), size: Some(IntRange::exact(0)) }
    }

    pub fn optional(t: PType) -> PType {
        PType::Optional(Some(Rc::new(t)))
    }

    pub fn resource(type_name: &str, title: Option<&str>) -> PType {
        PType::Resource { type_name: Some(Rc::from(capitalize_segments(type_name).as_str())), title: title.map(Rc::from) }
    }

    pub fn class(name: &str) -> PType {
        PType::Class(Some(Rc::from(name)))
    }

    pub fn variant(types: Vec<PType>) -> PType {
        PType::Variant(Rc::new(types))
    }

    pub fn enum_of(values: Vec<Rc<str>>, case_insensitive: bool) -> PType {
        let mut values = values;
        values.sort();
        values.dedup();
        PType::Enum { values: Rc::new(values), case_insensitive }
    }

    /// `PVariantType.maybe_create`: flattened, unique; one type is itself.
    pub fn maybe_variant(types: Vec<PType>) -> PType {
        let mut flat: Vec<PType> = Vec::new();
        for t in types {
            match t {
                PType::Variant(inner) => {
                    for t in inner.iter() {
                        if !flat.contains(t) {
                            flat.push(t.clone());
                        }
                    }
                }
                other => {
                    if !flat.contains(&other) {
                        flat.push(other);
                    }
                }
            }
        }
        if flat.len() == 1 {
            flat.pop().unwrap_or(PType::Any)
        } else {
            PType::Variant(Rc::new(flat))
        }
    }

    /// The built-in `Data` alias.
    pub fn data() -> PType {
        thread_local! {
            static DATA: PType = {
                let alias = Rc::new(TypeAlias { name: "Data".into(), resolved: RefCell::new(None), builtin: true });
                let this = PType::Alias(alias.clone());
                let resolved = PType::variant(vec![
                    PType::ScalarData,
                    PType::Undef,
                    PType::hash_of(PType::string(), this.clone()),
                    PType::array_of(this.clone()),
                ]);
                *alias.resolved.borrow_mut() = Some(resolved);
                this
            };
        }
        DATA.with(Clone::clone)
    }

    /// The built-in `RichData` alias.
    pub fn rich_data() -> PType {
        thread_local! {
            static RICH: PType = {
                let alias = Rc::new(TypeAlias { name: "RichData".into(), resolved: RefCell::new(None), builtin: true });
                let this = PType::Alias(alias.clone());
                let key = PType::Alias(Rc::new(TypeAlias {
                    name: "RichDataKey".into(),
                    resolved: RefCell::new(Some(PType::variant(vec![PType::string(), PType::Numeric]))),
                    builtin: true,
                }));
                let resolved = PType::variant(vec![
                    PType::Scalar,
                    PType::SemVerRange,
                    PType::Binary,
                    PType::Sensitive(Rc::new(PType::Any)),
                    PType::Type(None),
                    PType::TypeSet,
                    PType::Uri,
                    PType::Object(None),
                    PType::Undef,
                    PType::Default,
                    PType::hash_of(key, this.clone()),
                    PType::array_of(this.clone()),
                ]);
                *alias.resolved.borrow_mut() = Some(resolved);
                this
            };
        }
        RICH.with(Clone::clone)
    }

    /// The simple name of the type's class (`simple_name`): `Integer`, `Array`, ...
    pub fn simple_name(&self) -> &'static str {
        match self {
            PType::Any => "Any",
            PType::Unit => "Unit",
            PType::Undef => "Undef",
            PType::Default => "Default",
            PType::NotUndef(_) => "NotUndef",
            PType::Optional(_) => "Optional",
            PType::Type(_) => "Type",
            PType::Scalar => "Scalar",
            PType::ScalarData => "ScalarData",
            PType::Numeric => "Numeric",
            PType::Integer(_) => "Integer",
            PType::Float { .. } => "Float",
            PType::String(_) => "String",
            PType::Enum { .. } => "Enum",
            PType::Pattern(_) => "Pattern",
            PType::Regexp(_) => "Regexp",
            PType::Boolean(_) => "Boolean",
            PType::Collection(_) => "Collection",
            PType::Array { .. } => "Array",
            PType::Hash { .. } => "Hash",
            PType::Tuple { .. } => "Tuple",
            PType::Struct(_) => "Struct",
            PType::Variant(_) => "Variant",
            PType::Iterable(_) => "Iterable",
            PType::Iterator(_) => "Iterator",
            PType::Callable(_) => "Callable",
            PType::CatalogEntry => "CatalogEntry",
            PType::Class(_) => "Class",
            PType::Resource { .. } => "Resource",
            PType::Sensitive(_) => "Sensitive",
            PType::Runtime { .. } => "Runtime",
            PType::SemVer(_) => "SemVer",
            PType::SemVerRange => "SemVerRange",
            PType::Timespan { .. } => "Timespan",
            PType::Timestamp { .. } => "Timestamp",
            PType::Binary => "Binary",
            PType::Uri => "URI",
            PType::Object(_) => "Object",
            PType::Init(_) => "Init",
            PType::TypeSet => "TypeSet",
            PType::TypeReference(_) => "TypeReference",
            PType::Alias(_) => "TypeAlias",
            PType::Deferred => "Deferred",
        }
    }

    /// `name`: the simple name, or an alias's or object's own name.
    pub fn name(&self) -> String {
        match self {
            PType::Alias(alias) => alias.name.clone(),
            PType::Deferred => "Deferred".into(),
            _ => self.simple_name().to_string(),
        }
    }

    /// Follows aliases to the type they stand for.
    pub fn resolve_alias(&self) -> PType {
        let mut current = self.clone();
        for _ in 0..64 {
            match current {
                PType::Alias(alias) => current = alias.resolved(),
                other => return other,
            }
        }
        PType::Any
    }

    /// The type as written, with aliases expanded (`to_alias_expanded_s`).
    pub fn to_alias_expanded_string(&self) -> String {
        let mut formatter = Formatter { out: String::new(), expanded: true, depth: 0 };
        formatter.write_type(self);
        formatter.out
    }

    /// True for `Resource`-like catalog types (`CatalogEntry`, `Class`, `Resource`).
    pub fn is_catalog_entry(&self) -> bool {
        matches!(self, PType::CatalogEntry | PType::Class(_) | PType::Resource { .. })
    }
}

impl PartialEq for PType {
    fn eq(&self, other: &Self) -> bool {
        use PType::*;
        match (self, other) {
            (Any, Any) | (Unit, Unit) | (Undef, Undef) | (Default, Default) | (Scalar, Scalar) | (ScalarData, ScalarData) => true,
            (Numeric, Numeric) | (CatalogEntry, CatalogEntry) | (SemVerRange, SemVerRange) | (Binary, Binary) | (Uri, Uri) => true,
            (TypeSet, TypeSet) | (Deferred, Deferred) => true,
            (NotUndef(a), NotUndef(b)) | (Optional(a), Optional(b)) | (Type(a), Type(b)) => a == b,
            (Iterable(a), Iterable(b)) | (Iterator(a), Iterator(b)) | (Init(a), Init(b)) => a == b,
            (Integer(a), Integer(b)) => a == b,
            (Float { from: f1, to: t1 }, Float { from: f2, to: t2 }) => {
                f1.map(Num::as_f64) == f2.map(Num::as_f64) && t1.map(Num::as_f64) == t2.map(Num::as_f64)
            }
            (String(a), String(b)) => a == b,
            (Enum { values: v1, case_insensitive: c1 }, Enum { values: v2, case_insensitive: c2 }) => v1 == v2 && c1 == c2,
            (Pattern(a), Pattern(b)) => a.len() == b.len() && a.iter().all(|p| b.contains(p)),
            (Regexp(a), Regexp(b)) => a.as_ref().map(Regex::to_s_with_flags) == b.as_ref().map(Regex::to_s_with_flags),
            (Boolean(a), Boolean(b)) => a == b,
            (Collection(a), Collection(b)) => a == b,
            (Array { element: e1, size: s1 }, Array { element: e2, size: s2 }) => e1 == e2 && s1 == s2,
            (Hash { key: k1, value: v1, size: s1 }, Hash { key: k2, value: v2, size: s2 }) => k1 == k2 && v1 == v2 && s1 == s2,
            (Tuple { types: t1, size: s1 }, Tuple { types: t2, size: s2 }) => t1 == t2 && s1 == s2,
            (Struct(a), Struct(b)) => a == b,
            (Variant(a), Variant(b)) => a.len() == b.len() && a.iter().all(|t| b.contains(t)),
            (Callable(a), Callable(b)) => a == b,
            (Class(a), Class(b)) => a == b,
            (Resource { type_name: n1, title: t1 }, Resource { type_name: n2, title: t2 }) => {
                n1.as_ref().map(|n| n.to_lowercase()) == n2.as_ref().map(|n| n.to_lowercase()) && t1 == t2
            }
            (Sensitive(a), Sensitive(b)) => a == b,
            (Runtime { runtime: r1, name: n1 }, Runtime { runtime: r2, name: n2 }) => r1 == r2 && n1 == n2,
            (SemVer(a), SemVer(b)) => a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.to_string() == y.to_string()),
            (Timespan { from: f1, to: t1 }, Timespan { from: f2, to: t2 }) => f1 == f2 && t1 == t2,
            (Timestamp { from: f1, to: t1 }, Timestamp { from: f2, to: t2 }) => f1 == f2 && t1 == t2,
            (Object(a), Object(b)) => a == b,
            (TypeReference(a), TypeReference(b)) => a == b,
            (Alias(a), Alias(b)) => a.name == b.name,
            _ => false,
        }
    }
}

impl fmt::Display for PType {
    /// `TypeFormatter#string`. Aliases are written expanded (`Name = Type`): the formatter
    /// is a singleton whose `append_object_hash` leaves `@expanded` set, and Puppet's own
    /// object types are formatted before any manifest is evaluated.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut formatter = Formatter { out: String::new(), expanded: true, depth: 0 };
        formatter.write_type(self);
        f.write_str(&formatter.out)
    }
}

/// `TypeFormatter#capitalize_segments`: `foo::bar` is `Foo::Bar`.
pub fn capitalize_segments(name: &str) -> String {
    borrowed_capitalized_segments(name).into_owned()
}

/// `capitalize_segments`, borrowing a name that is already capitalized.
pub fn borrowed_capitalized_segments(name: &str) -> std::borrow::Cow<'_, str> {
    if name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return std::borrow::Cow::Borrowed(name);
    }
    std::borrow::Cow::Owned(name.split("::").map(capitalize).collect::<Vec<_>>().join("::"))
}

/// Ruby's `String#capitalize`: first letter upper, the rest lower.
pub fn capitalize(segment: &str) -> String {
    let mut chars = segment.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars.flat_map(char::to_lowercase)).collect(),
        None => String::new(),
    }
}

/// Puppet's quoting of a string inside a type or value rendering
/// (`StringConverter#puppet_quote`).
pub fn puppet_quote(text: &str) -> String {
    if text.chars().any(|c| (c as u32) < 0x20) {
        return puppet_double_quote(text);
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    let mut escaped = false;
    for ch in text.chars() {
        if escaped {
            out.push('\\');
            out.push(ch);
            escaped = false;
        } else if ch == '\'' {
            out.push_str("\\'");
        } else if ch == '\\' {
            escaped = true;
        } else {
            out.push(ch);
        }
    }
    if escaped {
        out.push('\\');
    }
    out.push('\'');
    out
}

pub fn puppet_double_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in text.chars() {
        match ch {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{{{:X}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

struct Formatter {
    out: String,
    expanded: bool,
    depth: usize,
}

impl Formatter {
    fn range_part(range: Option<&IntRange>) -> Vec<String> {
        match range {
            None => Vec::new(),
            Some(range) if range.is_unbounded() => Vec::new(),
            Some(range) => {
                let mut parts = vec![range.from.map_or_else(|| "default".to_string(), |n| n.to_string())];
                if let Some(to) = range.to {
                    parts.push(to.to_string());
                }
                parts
            }
        }
    }

    fn open(&mut self, name: &str, empty: bool) -> bool {
        self.out.push_str(name);
        if !empty {
            self.out.push('[');
        }
        !empty
    }

    fn write_list(&mut self, items: &[String]) {
        self.out.push_str(&items.join(", "));
    }

    fn write_types(&mut self, types: &[PType]) {
        for (index, t) in types.iter().enumerate() {
            if index > 0 {
                self.out.push_str(", ");
            }
            self.write_type(t);
        }
    }

    fn write_type(&mut self, t: &PType) {
        self.depth += 1;
        if self.depth > 200 {
            self.out.push_str("...");
            self.depth -= 1;
            return;
        }
        match t {
            PType::Any => self.out.push_str("Any"),
            PType::Unit => self.out.push_str("Unit"),
            PType::Undef => self.out.push_str("Undef"),
            PType::Default => self.out.push_str("Default"),
            PType::Scalar => self.out.push_str("Scalar"),
            PType::ScalarData => self.out.push_str("ScalarData"),
            PType::Numeric => self.out.push_str("Numeric"),
            PType::Binary => self.out.push_str("Binary"),
            PType::Uri => self.out.push_str("URI"),
            PType::TypeSet => self.out.push_str("TypeSet"),
            PType::SemVerRange => self.out.push_str("SemVerRange"),
            PType::CatalogEntry => self.out.push_str("CatalogEntry"),
            PType::Deferred => self.out.push_str("Deferred"),
            PType::Boolean(value) => {
                if self.open("Boolean", value.is_none()) {
                    self.out.push_str(if value == &Some(true) { "true" } else { "false" });
                    self.out.push(']');
                }
            }
            PType::Integer(range) => {
                if self.open("Integer", range.is_unbounded()) {
                    self.write_list(&Self::range_part(Some(range)));
                    self.out.push(']');
                }
            }
            PType::Float { from, to } => {
                if self.open("Float", from.is_none() && to.is_none()) {
                    let mut parts = vec![from.map_or_else(|| "default".to_string(), |n| n.to_string())];
                    if let Some(to) = to {
                        parts.push(to.to_string());
                    }
                    self.write_list(&parts);
                    self.out.push(']');
                }
            }
            PType::Type(inner) => self.contained("Type", inner.as_deref()),
            PType::Iterable(inner) => self.contained("Iterable", inner.as_deref()),
            PType::Iterator(inner) => self.contained("Iterator", inner.as_deref()),
            PType::Init(inner) => self.contained("Init", inner.as_deref()),
            PType::Regexp(pattern) => {
                if self.open("Regexp", pattern.is_none()) {
                    if let Some(pattern) = pattern {
                        self.out.push_str(&crate::value::regexp_to_s_with_delimiters(pattern));
                    }
                    self.out.push(']');
                }
            }
            PType::String(spec) => {
                let range = match spec {
                    StringSpec::Size(range) => Self::range_part(Some(range)),
                    _ => Vec::new(),
                };
                if self.open("String", range.is_empty()) {
                    self.write_list(&range);
                    self.out.push(']');
                }
            }
            PType::Enum { values, case_insensitive } => {
                if self.open("Enum", values.is_empty()) {
                    let quoted: Vec<String> = values.iter().map(|v| puppet_quote(v)).collect();
                    self.write_list(&quoted);
                    if *case_insensitive {
                        self.out.push_str(", true");
                    }
                    self.out.push(']');
                }
            }
            PType::Variant(types) => {
                if self.open("Variant", types.is_empty()) {
                    self.write_types(types);
                    self.out.push(']');
                }
            }
            PType::SemVer(ranges) => {
                if self.open("SemVer", ranges.is_empty()) {
                    let quoted: Vec<String> = ranges.iter().map(|r| format!("'{r}'")).collect();
                    self.write_list(&quoted);
                    self.out.push(']');
                }
            }
            PType::Timespan { from, to } => self.time_range("Timespan", *from, *to, crate::time::format_timespan_default),
            PType::Timestamp { from, to } => self.time_range("Timestamp", *from, *to, crate::time::format_timestamp_default),
            PType::Tuple { types, size } => {
                if self.open("Tuple", types.is_empty()) {
                    self.write_types(types);
                    let range = Self::range_part(size.as_ref());
                    if !range.is_empty() {
                        self.out.push_str(", ");
                        self.write_list(&range);
                    }
                    self.out.push(']');
                }
            }
            PType::Callable(callable) => match callable {
                None => self.out.push_str("Callable"),
                Some(callable) => {
                    self.out.push_str("Callable[");
                    // With a return type the parameters are written as an array of their own.
                    if callable.return_type.is_some() {
                        self.out.push('[');
                    }
                    let mut parts_written = false;
                    for t in callable.params.iter().filter(|t| !matches!(t, PType::Unit)) {
                        if parts_written {
                            self.out.push_str(", ");
                        }
                        self.write_type(t);
                        parts_written = true;
                    }
                    let range = if callable.params.is_empty() {
                        vec!["0".to_string(), "0".to_string()]
                    } else {
                        Self::range_part(callable.size.as_ref())
                    };
                    for part in range {
                        if parts_written {
                            self.out.push_str(", ");
                        }
                        self.out.push_str(&part);
                        parts_written = true;
                    }
                    if let Some(block) = &callable.block {
                        if parts_written {
                            self.out.push_str(", ");
                        }
                        self.write_type(block);
                    }
                    if let Some(return_type) = &callable.return_type {
                        self.out.push_str("], ");
                        self.write_type(return_type);
                    }
                    self.out.push(']');
                }
            },
            PType::Struct(elements) => {
                if self.open("Struct", elements.is_empty()) {
                    self.out.push('{');
                    for (index, element) in elements.iter().enumerate() {
                        if index > 0 {
                            self.out.push_str(", ");
                        }
                        let value_optional = assignable(&element.value_type, &PType::Undef);
                        if element.optional_key {
                            if value_optional {
                                self.out.push_str(&puppet_quote(&element.name));
                            } else {
                                self.out.push_str("Optional[");
                                self.out.push_str(&puppet_quote(&element.name));
                                self.out.push(']');
                            }
                        } else if value_optional {
                            self.out.push_str("NotUndef[");
                            self.out.push_str(&puppet_quote(&element.name));
                            self.out.push(']');
                        } else {
                            self.out.push_str(&puppet_quote(&element.name));
                        }
                        self.out.push_str(" => ");
                        self.write_type(&element.value_type);
                    }
                    self.out.push_str("}]");
                }
            }
            PType::Pattern(patterns) => {
                if self.open("Pattern", patterns.is_empty()) {
                    let rendered: Vec<String> = patterns.iter().map(crate::value::regexp_to_s_with_delimiters).collect();
                    self.write_list(&rendered);
                    self.out.push(']');
                }
            }
            PType::Collection(size) => {
                let range = Self::range_part(size.as_ref());
                if self.open("Collection", range.is_empty()) {
                    self.write_list(&range);
                    self.out.push(']');
                }
            }
            PType::Array { element, size } => {
                if size.is_some_and(|s| s.from == Some(0) && s.to == Some(0)) {
                    self.out.push_str("Array[0, 0]");
                } else if matches!(**element, PType::Any) && size.is_none() {
                    self.out.push_str("Array");
                } else {
                    self.out.push_str("Array[");
                    self.write_type(element);
                    for part in Self::range_part(size.as_ref()) {
                        self.out.push_str(", ");
                        self.out.push_str(&part);
                    }
                    self.out.push(']');
                }
            }
            PType::Hash { key, value, size } => {
                if size.is_some_and(|s| s.from == Some(0) && s.to == Some(0)) {
                    self.out.push_str("Hash[0, 0]");
                } else if matches!(**key, PType::Any) && matches!(**value, PType::Any) && size.is_none() {
                    self.out.push_str("Hash");
                } else {
                    self.out.push_str("Hash[");
                    self.write_type(key);
                    self.out.push_str(", ");
                    self.write_type(value);
                    for part in Self::range_part(size.as_ref()) {
                        self.out.push_str(", ");
                        self.out.push_str(&part);
                    }
                    self.out.push(']');
                }
            }
            PType::Class(name) => {
                if self.open("Class", name.is_none()) {
                    self.out.push_str(name.as_deref().unwrap_or(""));
                    self.out.push(']');
                }
            }
            PType::Resource { type_name, title } => match type_name {
                Some(type_name) => {
                    self.out.push_str(&capitalize_segments(type_name));
                    if let Some(title) = title {
                        self.out.push('[');
                        self.out.push_str(&puppet_quote(title));
                        self.out.push(']');
                    }
                }
                None => self.out.push_str("Resource"),
            },
            PType::NotUndef(inner) => match inner.as_deref() {
                None | Some(PType::Any) => self.out.push_str("NotUndef"),
                Some(PType::String(StringSpec::Value(value))) => {
                    self.out.push_str("NotUndef[");
                    self.out.push_str(&puppet_quote(value));
                    self.out.push(']');
                }
                Some(inner) => {
                    self.out.push_str("NotUndef[");
                    self.write_type(inner);
                    self.out.push(']');
                }
            },
            PType::Optional(inner) => match inner.as_deref() {
                None => self.out.push_str("Optional"),
                Some(PType::String(StringSpec::Value(value))) => {
                    self.out.push_str("Optional[");
                    self.out.push_str(&puppet_quote(value));
                    self.out.push(']');
                }
                Some(inner) => {
                    self.out.push_str("Optional[");
                    self.write_type(inner);
                    self.out.push(']');
                }
            },
            PType::Sensitive(inner) => {
                if matches!(**inner, PType::Any) {
                    self.out.push_str("Sensitive");
                } else {
                    self.out.push_str("Sensitive[");
                    self.write_type(inner);
                    self.out.push(']');
                }
            }
            PType::Runtime { runtime, name } => {
                if runtime.is_none() && name.is_none() {
                    self.out.push_str("Runtime");
                } else {
                    self.out.push_str("Runtime[");
                    let parts: Vec<String> =
                        [runtime, name].iter().map(|p| p.as_deref().map_or_else(|| "undef".to_string(), puppet_quote)).collect();
                    self.write_list(&parts);
                    self.out.push(']');
                }
            }
            PType::Object(name) => self.out.push_str(name.as_deref().unwrap_or("Object")),
            PType::TypeReference(name) => {
                self.out.push_str("TypeReference[");
                self.out.push_str(&puppet_quote(name));
                self.out.push(']');
            }
            PType::Alias(alias) => {
                self.out.push_str(&alias.name);
                if self.expanded && !alias.builtin && self.depth < 3 {
                    self.out.push_str(" = ");
                    let resolved = alias.resolved();
                    self.write_type(&resolved);
                }
            }
        }
        self.depth -= 1;
    }

    fn contained(&mut self, name: &str, inner: Option<&PType>) {
        match inner {
            None => self.out.push_str(name),
            Some(inner) => {
                self.out.push_str(name);
                self.out.push('[');
                self.write_type(inner);
                self.out.push(']');
            }
        }
    }

    fn time_range(&mut self, name: &str, from: Option<i128>, to: Option<i128>, format: fn(i128) -> String) {
        if from.is_none() && to.is_none() {
            self.out.push_str(name);
            return;
        }
        self.out.push_str(name);
        self.out.push('[');
        match from {
            None => self.out.push_str("default"),
            Some(from) => {
                self.out.push('\'');
                self.out.push_str(&format(from));
                self.out.push('\'');
            }
        }
        if let Some(to) = to {
            if Some(to) != from {
                self.out.push_str(", '");
                self.out.push_str(&format(to));
                self.out.push('\'');
            }
        }
        self.out.push(']');
    }
}

/// Renders a value the way `TypeFormatter#string` does (strings quoted, `undef`), used
/// in type parameters and messages.
pub fn format_value(value: &Value) -> String {
    match value {
        Value::Undef => "undef".to_string(),
        Value::Default => "default".to_string(),
        Value::String(s) => puppet_quote(s),
        Value::Array(values) | Value::Iterator(values) => {
            let inner: Vec<String> = values.iter().map(format_value).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Hash(map) => {
            let inner: Vec<String> = map.iter().map(|(k, v)| format!("{} => {}", format_value(k), format_value(v))).collect();
            format!("{{{}}}", inner.join(", "))
        }
        Value::SemVer(v) => format!("'{v}'"),
        Value::SemVerRange(v) => format!("'{v}'"),
        Value::Timespan(n) => format!("'{}'", crate::time::format_timespan_default(*n)),
        Value::Timestamp(n) => format!("'{}'", crate::time::format_timestamp_default(*n)),
        other => other.to_puppet_string(),
    }
}

/// The built-in types by lower case name (`TypeParser.type_map`), and the built-in
/// aliases.
pub fn builtin_type_by_name(name: &str) -> Option<PType> {
    Some(match name {
        "integer" => PType::integer(),
        "float" => PType::float(),
        "numeric" => PType::Numeric,
        "init" => PType::Init(None),
        "iterable" => PType::Iterable(None),
        "iterator" => PType::Iterator(None),
        "string" => PType::string(),
        "binary" => PType::Binary,
        "sensitive" => PType::Sensitive(Rc::new(PType::Any)),
        "enum" => PType::Enum { values: Rc::new(Vec::new()), case_insensitive: false },
        "boolean" => PType::Boolean(None),
        "pattern" => PType::Pattern(Rc::new(Vec::new())),
        "regexp" => PType::Regexp(None),
        "array" => PType::array_any(),
        "hash" => PType::hash_any(),
        "class" => PType::Class(None),
        "resource" => PType::Resource { type_name: None, title: None },
        "collection" => PType::Collection(None),
        "scalar" => PType::Scalar,
        "scalardata" => PType::ScalarData,
        "catalogentry" => PType::CatalogEntry,
        "undef" => PType::Undef,
        "notundef" => PType::NotUndef(None),
        "default" => PType::Default,
        "any" => PType::Any,
        "variant" => PType::Variant(Rc::new(Vec::new())),
        "optional" => PType::Optional(None),
        "runtime" => PType::Runtime { runtime: None, name: None },
        "type" => PType::Type(None),
        "tuple" => PType::Tuple { types: Rc::new(Vec::new()), size: None },
        "struct" => PType::Struct(Rc::new(Vec::new())),
        "object" => PType::Object(None),
        "typeset" => PType::TypeSet,
        "callable" => PType::Callable(None),
        "semver" => PType::SemVer(Rc::new(Vec::new())),
        "semverrange" => PType::SemVerRange,
        "timestamp" => PType::Timestamp { from: None, to: None },
        "timespan" => PType::Timespan { from: None, to: None },
        "uri" => PType::Uri,
        "data" => PType::data(),
        "richdata" => PType::rich_data(),
        "deferred" => PType::Deferred,
        _ => return None,
    })
}
