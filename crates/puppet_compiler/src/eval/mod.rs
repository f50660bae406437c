//! The evaluator and compiler state: Puppet's `Compiler`, `Scope` and `EvaluatorImpl`
//! in one structure. Scopes and resources live in arenas and refer to each other by
//! index; definitions are shared (`Arc`) with the parse cache.

mod access;
mod call;
pub mod catalog;
mod collect;
pub mod expr;
pub mod ops;
mod output;
mod scope;

use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;
use puppet_syntax::Span;
use rustc_hash::FxHashMap;

pub use call::{CallContext, LambdaRef};
pub use expr::ruby_class as expr_ruby_class;
pub use scope::{Ephemeral, Scope, ScopeId};

use crate::loader::{Definition, Loader, NodeDefinition};
use crate::value::Value;

pub type ResourceId = usize;

/// The Puppet version whose semantics apply: 8 means strict mode `error`,
/// `strict_variables` on and no legacy facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PuppetVersion {
    V7,
    V8,
}

/// Puppet's `strict` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strict {
    Off,
    Warning,
    Error,
}

/// Everything a compile needs to know besides the code.
#[derive(Clone, Debug)]
pub struct Settings {
    pub node_name: String,
    pub environment: String,
    pub strict_variables: bool,
    pub strict: Strict,
    pub version: PuppetVersion,
    /// Resources a compile may create before it is stopped (a runaway loop).
    pub max_resources: usize,
    /// Evaluation steps a compile may take before it is stopped.
    pub max_steps: u64,
}

/// Where an error is reported: file (empty for `--code`), line, column.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Location {
    pub file: Option<Arc<str>>,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl Location {
    /// Puppet's ` (file: f, line: l, column: c)` suffix (empty when nothing is known).
    pub fn suffix(&self) -> String {
        let file = self.file.as_deref().filter(|f| !f.is_empty());
        let text = match (file, self.line, self.column) {
            (Some(f), Some(l), Some(c)) => format!("(file: {f}, line: {l}, column: {c})"),
            (Some(f), Some(l), None) => format!("(file: {f}, line: {l})"),
            (None, Some(l), Some(c)) => format!("(line: {l}, column: {c})"),
            (None, Some(l), None) => format!("(line: {l})"),
            (Some(f), None, _) => format!("(file: {f})"),
            _ => String::new(),
        };
        if text.is_empty() {
            text
        } else {
            format!(" {text}")
        }
    }
}

/// How an error propagates through Puppet's evaluator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorClass {
    /// A Ruby error or `Puppet::Error` without a location: the nearest evaluated
    /// expression wraps it ("Error while evaluating a ...").
    Plain,
    /// A `Puppet::ParseError` with a location: passes through unchanged.
    Located,
    /// Already reported by the evaluator (`Evaluation Error: ...`).
    Preformatted,
}

/// A compile error on its way up.
#[derive(Clone, Debug)]
pub struct EvalError {
    pub detail: String,
    pub location: Location,
    pub class: ErrorClass,
    pub issue_code: Option<&'static str>,
    /// The engine met something it does not implement (a Ruby function, ...).
    pub unsupported: Option<String>,
}

impl EvalError {
    /// The message with its location, as Ruby's `to_s` gives it.
    pub fn message(&self) -> String {
        format!("{}{}", self.detail, self.location.suffix())
    }
}

/// Control flow that unwinds the evaluation: an error, or `break`/`next`/`return`.
#[derive(Debug)]
pub enum Flow {
    Error(Box<EvalError>),
    Break(Location),
    Next(Value, Location),
    Return(Value, Location),
    /// A default expression read a parameter that has no value yet (Puppet's
    /// `throw :unevaluated_parameter`).
    UnevaluatedParameter(String),
}

pub type R<T> = Result<T, Flow>;

/// A plain error (Ruby's `ArgumentError`/`Puppet::Error`): the nearest expression
/// being evaluated reports it.
pub fn plain(detail: impl Into<String>) -> Flow {
    Flow::Error(Box::new(EvalError { detail: detail.into(), location: Location::default(), class: ErrorClass::Plain, issue_code: None, unsupported: None }))
}

/// An error Puppet raises as already reported (`Puppet::PreformattedError`, such as
/// Hiera's `LookupError`): never wrapped, and without a place.
pub fn preformatted(detail: impl Into<String>) -> Flow {
    Flow::Error(Box::new(EvalError { detail: detail.into(), location: Location::default(), class: ErrorClass::Preformatted, issue_code: None, unsupported: None }))
}

/// A `Puppet::ParseError` at a known place; it is not wrapped again.
pub fn located(detail: impl Into<String>, location: Location) -> Flow {
    Flow::Error(Box::new(EvalError { detail: detail.into(), location, class: ErrorClass::Located, issue_code: None, unsupported: None }))
}

/// What created a scope or a resource (Puppet's `source`, a `Puppet::Resource::Type`).
#[derive(Clone, Debug)]
pub enum Source {
    Main,
    Settings,
    Class(Arc<Definition>),
    Define(Arc<Definition>),
    Node(Arc<NodeDefinition>, Rc<str>),
}

impl Source {
    pub fn name(&self) -> String {
        match self {
            Source::Main => String::new(),
            Source::Settings => "settings".into(),
            Source::Class(d) | Source::Define(d) => d.name.clone(),
            Source::Node(_, name) => name.to_string(),
        }
    }

    pub fn same(&self, other: &Source) -> bool {
        match (self, other) {
            (Source::Main, Source::Main) | (Source::Settings, Source::Settings) => true,
            (Source::Class(a), Source::Class(b)) | (Source::Define(a), Source::Define(b)) => Arc::ptr_eq(a, b),
            (Source::Node(a, _), Source::Node(b, _)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// The module of the definition: empty for code of the site manifest (Puppet's types
    /// from the main manifest have the module name ''), none for `Class[Settings]`.
    pub fn module_name(&self) -> Option<String> {
        match self {
            Source::Class(d) | Source::Define(d) => Some(d.module_name.clone().unwrap_or_default()),
            Source::Main | Source::Node(..) => Some(String::new()),
            Source::Settings => None,
        }
    }

    /// `Puppet::Resource::Type#to_s`-like name used in messages (`Class[Foo]` is the
    /// resource; the source prints as its name).
    pub fn display(&self) -> String {
        match self {
            Source::Main => String::new(),
            Source::Settings => "Class[Settings]".into(),
            Source::Class(d) => format!("Class[{}]", crate::types::capitalize_segments(&d.name)),
            Source::Define(d) => crate::types::capitalize_segments(&d.name),
            Source::Node(_, name) => format!("Node[{name}]"),
        }
    }
}

/// A parameter value of a resource, with where it was set (for override rules).
#[derive(Clone, Debug)]
pub struct Param {
    pub value: Value,
    pub source: Source,
    pub file: Option<Arc<str>>,
    pub line: Option<u32>,
    /// `+>`: appended to an existing value by an override.
    pub add: bool,
}

/// What implements a resource's type.
#[derive(Clone, Debug)]
pub enum ResourceImpl {
    Builtin(&'static crate::resource_types::BuiltinType),
    /// A class; `None` for `main` and `Settings`.
    Class(Option<Arc<Definition>>),
    Define(Arc<Definition>),
    Node(Arc<NodeDefinition>),
}

/// A resource being built (`Puppet::Parser::Resource`).
#[derive(Clone, Debug)]
pub struct Resource {
    pub type_name: Rc<str>,
    pub title: Rc<str>,
    /// The title is Ruby's `:main` symbol (Class[main], Stage[main]).
    pub title_is_main: bool,
    pub implementation: ResourceImpl,
    pub params: IndexMap<String, Param>,
    pub tags: Vec<Rc<str>>,
    pub file: Option<Arc<str>>,
    pub line: Option<u32>,
    pub exported: bool,
    pub is_virtual: bool,
    pub scope: ScopeId,
    pub source: Source,
    pub evaluated: bool,
    pub evaluation_finished: bool,
    pub finished: bool,
    pub sensitive: Vec<String>,
    /// Declared resource-like (`class { 'x': }`): its kind is `class`.
    pub kind_class: bool,
}

impl Resource {
    pub fn reference(&self) -> String {
        let mut reference = String::with_capacity(self.type_name.len() + self.title.len() + 2);
        reference.push_str(&self.type_name);
        reference.push('[');
        reference.push_str(&self.title);
        reference.push(']');
        reference
    }

    pub fn is_class(&self) -> bool {
        &*self.type_name == "Class"
    }

    pub fn is_builtin(&self) -> bool {
        matches!(self.implementation, ResourceImpl::Builtin(_))
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.params.get(name).map(|p| &p.value)
    }

    pub fn has_tag(&self, tag: &str) -> bool {
        self.tags.iter().any(|t| &**t == tag)
    }

    /// `Tagging#tag`: adds tags (lower case), and the segments of a qualified tag.
    pub fn add_tag(&mut self, tag: &str) -> Result<(), String> {
        let name = tag.to_lowercase();
        if self.has_tag(&name) {
            return Ok(());
        }
        if !is_valid_tag(&name) {
            return Err(format!("Invalid tag '{name}'"));
        }
        self.tags.push(Rc::from(name.as_str()));
        if name.contains("::") {
            for segment in name.split("::") {
                if !self.has_tag(segment) {
                    self.tags.push(Rc::from(segment));
                }
            }
        }
        Ok(())
    }

    /// `Tagging#tag_if_valid`.
    pub fn tag_if_valid(&mut self, tag: &str) {
        if is_valid_tag(tag) {
            let _ = self.add_tag(tag);
        }
    }

    pub fn merge_tags(&mut self, tags: &[Rc<str>]) {
        for tag in tags {
            if !self.has_tag(tag) {
                self.tags.push(tag.clone());
            }
        }
    }
}

/// `ValidTagRegex`: `\A[[:alnum:]_][[:alnum:]_:.-]*\Z`.
pub fn is_valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    match chars.next() {
        Some(c) if c.is_alphanumeric() || c == '_' => {}
        _ => return false,
    }
    let rest: Vec<char> = chars.collect();
    let rest: &[char] = if rest.last() == Some(&'\n') { &rest[..rest.len() - 1] } else { &rest };
    rest.iter().all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '.' | '-'))
}

/// A relationship to add when the catalog is finished (`->`, `~>`).
#[derive(Clone, Debug)]
pub struct Relationship {
    pub source: RelationshipEnd,
    pub target: RelationshipEnd,
    /// `notify` (subscription) rather than `before`.
    pub subscription: bool,
}

#[derive(Clone, Debug)]
pub enum RelationshipEnd {
    /// Type name (`class` for classes) and title.
    Resource(String, String),
    Collector(usize),
}

/// The catalog's resources by type, then title: a lookup by borrowed names allocates
/// nothing (relationships look up every reference).
#[derive(Default)]
pub struct ResourceIndex {
    by_type: FxHashMap<Rc<str>, FxHashMap<Rc<str>, ResourceId>>,
}

impl ResourceIndex {
    pub fn get(&self, type_name: &str, title: &str) -> Option<ResourceId> {
        self.by_type.get(type_name)?.get(title).copied()
    }

    pub fn insert(&mut self, type_name: Rc<str>, title: Rc<str>, id: ResourceId) {
        self.by_type.entry(type_name).or_default().insert(title, id);
    }
}

/// The compiler: all state of one catalog compile.
pub struct Compiler<'c> {
    pub settings: Settings,
    pub loader: Loader<'c>,
    pub scopes: Vec<Scope>,
    pub topscope: ScopeId,
    pub node_scope: Option<ScopeId>,
    pub resources: Vec<Resource>,
    /// Catalog lookup by `(type, title)`, including aliases.
    pub index: ResourceIndex,
    /// Resources in the order they entered the catalog (`catalog.resources`).
    pub catalog_order: Vec<ResourceId>,
    /// Resources in the order the compiler added them (`@resources`).
    pub compiler_order: Vec<ResourceId>,
    pub edges: Vec<(ResourceId, ResourceId)>,
    pub classes: Vec<String>,
    pub catalog_tags: Vec<Rc<str>>,
    pub class_scopes: FxHashMap<String, ScopeId>,
    pub qualified_variables: FxHashMap<String, Value>,
    pub relationships: Vec<Relationship>,
    pub overrides: IndexMap<(Rc<str>, Rc<str>), Vec<Override>>,
    pub collectors: Vec<collect::Collector>,
    /// The file being evaluated ("" for `--code`).
    pub file: Arc<str>,
    pub warnings: Vec<String>,
    /// Evaluation steps taken (a guard against runaway loops).
    pub steps: u64,
    /// Nesting of evaluated definitions (a guard against infinite recursion).
    pub depth: usize,
    pub facts: Value,
    pub trusted: Value,
    pub server_facts: Value,
    pub type_cache: FxHashMap<String, crate::types::PType>,
    pub hiera: crate::hiera::Hiera,
    pub epp_cache: FxHashMap<std::path::PathBuf, Arc<crate::loader::ParsedFile>>,
    /// `inline_epp` templates parsed, by text.
    pub inline_epp_cache: FxHashMap<String, Arc<crate::loader::ParsedFile>>,
    pub main_stage: ResourceId,
    pub log_messages: Vec<(String, String)>,
    /// Output of the EPP templates being rendered.
    pub epp_buffers: Vec<Vec<Value>>,
    /// Unknown type names are type references instead of errors (type aliases).
    pub lenient_types: bool,
    /// Sources allowed to override any resource (they have collector overrides).
    pub override_sources: Vec<Source>,
    pub signature_cache: FxHashMap<&'static str, Rc<crate::functions::Signature>>,
    pub parsed_types: FxHashMap<String, crate::types::PType>,
}

/// A pending override of a resource not yet in the catalog.
#[derive(Clone, Debug)]
pub struct Override {
    pub params: Vec<(String, Param)>,
    pub source: Source,
    pub file: Option<Arc<str>>,
    pub line: Option<u32>,
    pub scope: ScopeId,
    /// Created by a collector (which may override any resource it collects).
    pub from_collector: bool,
}

impl<'c> Compiler<'c> {
    /// A location for an expression of the current file.
    pub fn loc(&self, span: Span) -> Location {
        Location { file: Some(self.file.clone()), line: Some(span.line), column: Some(span.column) }
    }

    /// Fails with one of Puppet's issues at an expression (`Evaluation Error: ...`).
    pub fn fail(&self, issue_code: &'static str, message: impl Into<String>, span: Span) -> Flow {
        Flow::Error(Box::new(EvalError {
            detail: format!("Evaluation Error: {}", message.into()),
            location: self.loc(span),
            class: ErrorClass::Preformatted,
            issue_code: Some(issue_code),
            unsupported: None,
        }))
    }

    /// The engine cannot handle a construct: the caller falls back to Puppet.
    pub fn unsupported(&self, construct: impl Into<String>, span: Span) -> Flow {
        let construct = construct.into();
        Flow::Error(Box::new(EvalError {
            detail: format!("the native compiler does not support {construct}"),
            location: self.loc(span),
            class: ErrorClass::Preformatted,
            issue_code: None,
            unsupported: Some(construct),
        }))
    }

    /// Wraps a plain error as the evaluator does at the expression being evaluated.
    pub fn wrap_error(&self, flow: Flow, label: &str, span: Span) -> Flow {
        match flow {
            Flow::Error(mut error) if error.class == ErrorClass::Plain => {
                error.detail = format!("Evaluation Error: Error while evaluating {}, {}", crate::types::a_an(label), error.message());
                error.location = self.loc(span);
                error.class = ErrorClass::Preformatted;
                if error.issue_code.is_none() {
                    error.issue_code = Some("RUNTIME_ERROR");
                }
                Flow::Error(error)
            }
            other => other,
        }
    }

    pub fn warn(&mut self, message: String) {
        self.warnings.push(message);
    }

    /// Counts an evaluation step; stops a compile that runs away.
    pub fn step(&mut self, span: Span) -> R<()> {
        self.steps += 1;
        if self.steps > self.settings.max_steps {
            return Err(self.fail(
                "RUNTIME_ERROR",
                format!("The compile was stopped after {} evaluation steps (an endless or huge loop?)", self.settings.max_steps),
                span,
            ));
        }
        Ok(())
    }
}
