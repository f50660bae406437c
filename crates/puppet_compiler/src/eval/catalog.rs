//! Catalog expressions and the compile sequence: resources (`create_resources`),
//! defaults, overrides, relationships, classes (`evaluate_classes`,
//! `ensure_in_catalog`), the evaluation of classes, defines and nodes
//! (`evaluate_code`), and `Compiler#compile` itself.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;
use puppet_syntax::ast::{AttributeOp, BinaryOp, DefinitionKind, Expr, ExprKind, ResourceBody, ResourceForm};
use puppet_syntax::Span;

use super::{
    located, plain, Compiler, Ephemeral, Flow, Location, Override, Param, Relationship, RelationshipEnd, Resource, ResourceId, ResourceImpl, ScopeId,
    Source, R,
};
use crate::loader::{Definition, Wanted};
use crate::resource_types::{self, BuiltinType, METAPARAMETERS};
use crate::types::{self, borrowed_capitalized_segments, capitalize_segments, PType, ParamCheck};
use crate::value::Value;

/// Whether a declared resource is virtual (`@`) or exported (`@@`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Form {
    pub is_virtual: bool,
    pub exported: bool,
}

impl Form {
    pub const REGULAR: Form = Form { is_virtual: false, exported: false };
}

/// A resource type as `find_resource_type` resolves it.
#[derive(Clone)]
pub enum ResolvedType {
    Class,
    Builtin(&'static BuiltinType),
    Define(Arc<Definition>),
}

impl Compiler<'_> {
    /// A type by name as `TypeParser#interpret_QualifiedReference` finds it: built-in
    /// types, aliases, then resource types; unknown names are type references.
    pub fn resolve_type_name(&mut self, name: &str, span: Span) -> R<PType> {
        let lower = name.to_lowercase();
        if let Some(t) = crate::types::builtin_type_by_name(&lower) {
            return Ok(t);
        }
        if let Some(t) = self.type_cache.get(&lower) {
            return Ok(t.clone());
        }
        let alias = self.loader.find_type_alias(name).map_err(|failure| self.load_failure(failure))?;
        if let Some(alias) = alias {
            let placeholder = Rc::new(types::TypeAlias { name: capitalize_segments(&alias.name), resolved: std::cell::RefCell::new(None), builtin: false });
            let t = PType::Alias(placeholder.clone());
            self.type_cache.insert(lower.clone(), t.clone());
            let saved = std::mem::replace(&mut self.file, alias.file.clone());
            let lenient = std::mem::replace(&mut self.lenient_types, true);
            let result = self.eval(&alias.type_expr, self.topscope);
            self.lenient_types = lenient;
            self.file = saved;
            let value = result?;
            match value {
                Value::Type(resolved) => {
                    *placeholder.resolved.borrow_mut() = Some((*resolved).clone());
                }
                _ => {
                    return Err(self.fail(
                        "RUNTIME_ERROR",
                        format!("The expression <{}> is not a valid type specification.", alias.name),
                        alias.type_expr.span,
                    ))
                }
            }
            return Ok(t);
        }
        if let Some(builtin) = resource_types::builtin_type(&lower) {
            return Ok(PType::resource(builtin.name, None));
        }
        if self.find_definition(Wanted::Define, &lower, span)?.is_some() {
            return Ok(PType::Resource { type_name: Some(Rc::from(capitalize_segments(&lower).as_str())), title: None });
        }
        if self.loader.ruby_type_path(&lower).is_some() {
            return Ok(PType::Resource { type_name: Some(Rc::from(capitalize_segments(&lower).as_str())), title: None });
        }
        let _ = span;
        Ok(PType::TypeReference(Rc::from(name)))
    }

    /// Loads a definition, turning load failures into compile errors.
    pub fn find_definition(&mut self, wanted: Wanted, name: &str, span: Span) -> R<Option<Arc<Definition>>> {
        let _ = span;
        self.loader.find(wanted, name).map_err(|failure| self.load_failure(failure))
    }

    pub fn load_failure(&self, failure: crate::loader::LoadFailure) -> Flow {
        let message = failure.message;
        Flow::Error(Box::new(super::EvalError {
            detail: message,
            location: Location { file: failure.file, line: failure.line, column: failure.column },
            class: super::ErrorClass::Preformatted,
            issue_code: Some(failure.issue_code),
            unsupported: None,
        }))
    }

    /// `Runtime3ResourceSupport.find_resource_type`: a built-in type, else a defined
    /// type (autoloaded); a Ruby type of a module is not supported natively.
    pub fn find_resource_type(&mut self, name: &str, span: Span) -> R<Option<ResolvedType>> {
        let lower = name.trim_start_matches("::").to_lowercase();
        if lower == "class" {
            return Ok(Some(ResolvedType::Class));
        }
        if let Some(builtin) = resource_types::builtin_type(&lower) {
            if builtin.name != "component" && builtin.name != "whit" {
                return Ok(Some(ResolvedType::Builtin(builtin)));
            }
        }
        if let Some(definition) = self.find_definition(Wanted::Define, &lower, span)? {
            return Ok(Some(ResolvedType::Define(definition)));
        }
        if let Some(path) = self.loader.ruby_type_path(&lower) {
            return Err(self.unsupported(format!("the resource type '{lower}' written in Ruby ({})", path.display()), span));
        }
        Ok(None)
    }

    /// Normalizes a resource reference to the catalog's key: `Class[Foo::Bar]`,
    /// `File[/x]`.
    pub fn catalog_key(type_name: &str, title: &str) -> (String, String) {
        let (type_name, title) = Self::borrowed_catalog_key(type_name, title);
        (type_name.into_owned(), title.into_owned())
    }

    /// `catalog_key`, borrowing what needs no change.
    fn borrowed_catalog_key<'a>(type_name: &'a str, title: &'a str) -> (Cow<'a, str>, Cow<'a, str>) {
        let type_name = type_name.trim_start_matches("::");
        if type_name.eq_ignore_ascii_case("class") || type_name.is_empty() || type_name.eq_ignore_ascii_case("component") {
            let title = title.trim_start_matches("::");
            let title = if title.is_empty() || title == "main" { Cow::Borrowed("main") } else { borrowed_capitalized_segments(title) };
            return (Cow::Borrowed("Class"), title);
        }
        (borrowed_capitalized_segments(type_name), Cow::Borrowed(title))
    }

    pub fn find_resource(&self, type_name: &str, title: &str) -> Option<ResourceId> {
        let (type_name, title) = Self::borrowed_catalog_key(type_name, title);
        self.index.get(&type_name, &title)
    }

    /// `valid_parameter?` of a resource's type.
    pub fn is_parameter_of(&self, id: ResourceId, name: &str) -> bool {
        if name == "name" || METAPARAMETERS.contains(&name) {
            return true;
        }
        match &self.resources[id].implementation {
            ResourceImpl::Builtin(t) => t.has_attribute(name),
            ResourceImpl::Class(Some(d)) | ResourceImpl::Define(d) => d.parameters.iter().any(|p| p.name == name),
            ResourceImpl::Class(None) | ResourceImpl::Node(_) => false,
        }
    }

    /// `get_resource_parameter_value`: the parameter, else the default of its scope.
    pub fn resource_parameter_value(&self, id: ResourceId, name: &str) -> Value {
        let resource = &self.resources[id];
        if let Some(value) = resource.get(name) {
            if !value.is_undef() {
                return value.clone();
            }
        }
        let defaults = self.lookup_defaults(resource.scope, &resource.type_name);
        defaults.get(name).map(|p| p.value.clone()).unwrap_or(Value::Undef)
    }

    /// Evaluates the attribute operations of a resource body into parameters.
    fn eval_operations(&mut self, operations: &[AttributeOp], scope: ScopeId, duplicate_span: Option<Span>) -> R<IndexMap<String, Param>> {
        let mut params: IndexMap<String, Param> = IndexMap::new();
        for operation in operations {
            let evaluated: Vec<(String, Value, Span, bool)> = match operation {
                AttributeOp::Set { span, name, append, value } => {
                    let v = self.eval(value, scope)?;
                    vec![(name.clone(), v, *span, *append)]
                }
                AttributeOp::Splat { span, expr } => {
                    let v = self.eval(expr, scope)?;
                    match v {
                        Value::Hash(map) => map.iter().map(|(k, v)| (k.to_puppet_string(), v.clone(), *span, false)).collect(),
                        other => {
                            let actual = types::generalize(&types::infer(&other));
                            return Err(self.fail(
                                "TYPE_MISMATCH",
                                format!("Type mismatch: expects a Hash value, got {}", actual),
                                expr.span,
                            ));
                        }
                    }
                }
            };
            for (name, value, span, append) in evaluated {
                if params.contains_key(&name) {
                    if let Some(at) = duplicate_span {
                        return Err(self.fail("DUPLICATE_ATTRIBUE", format!("The attribute '{name}' has already been set"), at));
                    }
                }
                let source = self.scopes[scope].source.clone();
                let param = Param { value: to_3x(value)?, source, file: Some(self.file.clone()), line: Some(span.line), add: append };
                params.insert(name, param);
            }
        }
        Ok(params)
    }

    pub(super) fn eval_resource(&mut self, expr: &Expr, form: ResourceForm, type_expr: &Expr, bodies: &[ResourceBody], scope: ScopeId) -> R<Value> {
        let type_name = match &type_expr.kind {
            ExprKind::QualifiedName(name) => name.clone(),
            _ => {
                let acceptable = match &type_expr.kind {
                    ExprKind::QualifiedReference(_) => true,
                    ExprKind::Access { left, .. } => matches!(left.kind, ExprKind::QualifiedReference(_)),
                    _ => false,
                };
                let evaluated = self.eval(type_expr, scope)?;
                let illegal = |this: &Self, actual: String| {
                    this.fail(
                        "ILLEGAL_RESOURCE_TYPE",
                        format!("Illegal Resource Type expression, expected result to be a type name, or untitled Resource, got {actual}"),
                        type_expr.span,
                    )
                };
                if !acceptable {
                    return Err(illegal(self, types::generalize(&types::infer(&evaluated)).to_string()));
                }
                match &evaluated {
                    Value::Type(t) => match &**t {
                        PType::Class(None) => "class".to_string(),
                        PType::Class(Some(_)) => return Err(illegal(self, t.to_string())),
                        PType::Resource { type_name: Some(name), title: None } => name.to_string(),
                        PType::Resource { .. } => return Err(illegal(self, t.to_string())),
                        PType::TypeReference(name) => {
                            return Err(self.fail("UNKNOWN_RESOURCE_TYPE", format!("Resource type not found: {name}"), type_expr.span))
                        }
                        _ => return Err(illegal(self, types::generalize(&types::infer(&evaluated)).to_string())),
                    },
                    other => return Err(illegal(self, types::generalize(&types::infer(other)).to_string())),
                }
            }
        };
        let exported = form == ResourceForm::Exported;
        let is_virtual = form != ResourceForm::Regular;
        if exported {
            let location = self.loc(expr.span).suffix();
            self.warn(format!("You cannot collect exported resources without storeconfigs being set; the export is ignored{location}"));
        }
        // Titles and parameters of every body first, then the resources.
        let mut evaluated_bodies: Vec<(Vec<Value>, IndexMap<String, Param>, bool)> = Vec::new();
        let mut seen_titles: Vec<Value> = Vec::new();
        for body in bodies {
            let titles = self.eval(&body.title, scope)?;
            if titles.is_undef() {
                return Err(self.fail("MISSING_TITLE", "Missing title. The title expression resulted in undef", body.title.span));
            }
            let titles = flatten_value(titles);
            let mut is_default = false;
            let mut kept = Vec::new();
            for (index, title) in titles.iter().enumerate() {
                match title {
                    Value::Undef => {
                        return Err(self.fail("MISSING_TITLE_AT", format!("Missing title at index {index}. The title expression resulted in undef"), body.title.span))
                    }
                    Value::String(s) if s.is_empty() => {
                        return Err(self.fail("EMPTY_STRING_TITLE_AT", format!("Empty string title at {index}. Title strings must have a length greater than zero."), body.title.span))
                    }
                    Value::String(_) | Value::Default => {}
                    other => {
                        let actual = types::generalize(&types::infer(other));
                        return Err(self.fail(
                            "ILLEGAL_TITLE_TYPE_AT",
                            format!("Illegal title type at index {index}. Expected String, got {actual}"),
                            body.title.span,
                        ));
                    }
                }
                if seen_titles.contains(title) {
                    return Err(self.fail("DUPLICATE_TITLE", format!("The title '{}' has already been used in this resource expression", title.to_puppet_string()), expr.span));
                }
                seen_titles.push(title.clone());
                if matches!(title, Value::Default) {
                    is_default = true;
                } else {
                    kept.push(title.clone());
                }
            }
            let params = self.eval_operations(&body.operations, scope, Some(expr.span))?;
            evaluated_bodies.push((kept, params, is_default));
        }
        let defaults: IndexMap<String, Param> = evaluated_bodies.iter().find(|(_, _, d)| *d).map(|(_, p, _)| p.clone()).unwrap_or_default();
        let mut result = Vec::new();
        for (titles, params, _) in evaluated_bodies {
            let mut merged = defaults.clone();
            for (name, param) in params {
                merged.insert(name, param);
            }
            let created = self.create_resources(expr.span, scope, Form { is_virtual, exported }, &type_name, &titles, merged)?;
            result.extend(created);
        }
        Ok(if result.len() == 1 { result.pop().unwrap_or(Value::Undef) } else { Value::array(result) })
    }

    /// `Runtime3ResourceSupport.create_resources`.
    pub fn create_resources(
        &mut self,
        span: Span,
        scope: ScopeId,
        form: Form,
        type_name: &str,
        titles: &[Value],
        params: IndexMap<String, Param>,
    ) -> R<Vec<Value>> {
        let resolved = if type_name.eq_ignore_ascii_case("class") {
            ResolvedType::Class
        } else {
            match self.find_resource_type(type_name, span)? {
                Some(resolved) => resolved,
                None => return Err(plain(format!("Unknown resource type: '{type_name}'"))),
            }
        };
        let mut values = Vec::new();
        for title in titles {
            let title = title.to_puppet_string();
            let (implementation, type_display, title_display, kind_class) = match &resolved {
                ResolvedType::Class => {
                    let definition = self.find_definition(Wanted::Class, &title, span)?;
                    let Some(definition) = definition else {
                        return Err(plain(format!("Could not find declared class {title}")));
                    };
                    let title = capitalize_segments(&definition.name);
                    (ResourceImpl::Class(Some(definition)), "Class".to_string(), title, true)
                }
                ResolvedType::Builtin(t) => (ResourceImpl::Builtin(t), capitalize_segments(t.name), title.clone(), false),
                ResolvedType::Define(d) => (ResourceImpl::Define(d.clone()), capitalize_segments(&d.name), title.clone(), false),
            };
            if form.is_virtual && kind_class {
                return Err(plain("Classes cannot be virtual".to_string()));
            }
            let id = self.new_resource(type_display, title_display, implementation, scope, span, params.clone(), form)?;
            self.resources[id].kind_class = kind_class;
            if let ResourceImpl::Class(Some(definition)) = &self.resources[id].implementation.clone() {
                self.instantiate_class_resource(id, definition, scope)?;
            }
            self.add_resource(scope, id)?;
            if kind_class {
                let name = self.resources[id].title.to_lowercase();
                self.evaluate_classes(&[name], scope, false, span)?;
            }
            let r = &self.resources[id];
            let reference = if r.is_class() {
                PType::Class(Some(Rc::from(r.title.to_lowercase().as_str())))
            } else {
                PType::Resource { type_name: Some(r.type_name.clone()), title: Some(r.title.clone()) }
            };
            values.push(Value::type_value(reference));
        }
        Ok(values)
    }

    /// `Puppet::Parser::Resource.new`: parameters, automatic tags and defaults.
    #[allow(clippy::too_many_arguments)]
    pub fn new_resource(
        &mut self,
        type_name: String,
        title: String,
        implementation: ResourceImpl,
        scope: ScopeId,
        span: Span,
        params: IndexMap<String, Param>,
        form: Form,
    ) -> R<ResourceId> {
        if self.resources.len() >= self.settings.max_resources {
            return Err(self.fail(
                "RUNTIME_ERROR",
                format!("The compile was stopped after {} resources (a define that declares itself, or a huge loop?)", self.settings.max_resources),
                span,
            ));
        }
        let source = self.scopes[scope].source.clone();
        let title_is_main = title == "main" && (type_name == "Class" || type_name == "Stage");
        let mut resource = Resource {
            type_name: Rc::from(type_name.as_str()),
            title: Rc::from(title.as_str()),
            title_is_main,
            implementation,
            params: IndexMap::new(),
            tags: Vec::new(),
            file: Some(self.file.clone()),
            line: Some(span.line),
            exported: form.exported,
            is_virtual: form.is_virtual,
            scope,
            source,
            evaluated: false,
            evaluation_finished: false,
            finished: false,
            sensitive: Vec::new(),
            kind_class: false,
        };
        for (name, param) in params {
            if name == "tag" {
                for tag in tag_values(&param.value) {
                    resource.add_tag(&tag).map_err(plain)?;
                }
            }
            resource.params.insert(name, param);
        }
        let type_tag = type_name.to_lowercase();
        resource.add_tag(&type_tag).map_err(plain)?;
        if !title_is_main {
            resource.tag_if_valid(&title);
        }
        let defaults = self.lookup_defaults(scope, &type_name);
        for (name, param) in defaults {
            if !resource.params.contains_key(&name) {
                if name == "tag" {
                    for tag in tag_values(&param.value) {
                        resource.add_tag(&tag).map_err(plain)?;
                    }
                }
                resource.params.insert(name, param);
            }
        }
        self.resources.push(resource);
        Ok(self.resources.len() - 1)
    }

    /// `instantiate_resource` of a class: its parent class first, and the class's
    /// tags on the catalog.
    fn instantiate_class_resource(&mut self, id: ResourceId, definition: &Arc<Definition>, scope: ScopeId) -> R<()> {
        if let Some(parent) = &definition.parent {
            if self.find_resource("Class", parent).is_none() {
                let span = Span { line: definition.line, ..Span::default() };
                let Some(parent_definition) = self.find_definition(Wanted::Class, parent, span)? else {
                    return Err(located(
                        format!("Could not find parent resource type '::{parent}' of type hostclass in {}", self.settings.environment),
                        Location { file: Some(definition.file.clone()), line: Some(definition.line), column: None },
                    ));
                };
                self.ensure_in_catalog(&parent_definition, scope, None, span)?;
            }
        }
        let tags = self.resources[id].tags.clone();
        merge_into(&mut self.catalog_tags, &tags);
        Ok(())
    }

    /// `Compiler#add_resource`: into the catalog (duplicates fail), with the
    /// containment edge from the scope's resource.
    pub fn add_resource(&mut self, scope: ScopeId, id: ResourceId) -> R<()> {
        if let Some(existing) = self.index.get(&self.resources[id].type_name, &self.resources[id].title) {
            let existing = &self.resources[existing];
            let new = &self.resources[id];
            let at = Location { file: existing.file.clone(), line: existing.line, column: None }.suffix();
            let detail = if at.is_empty() {
                format!("Duplicate declaration: {} is already declared; cannot redeclare", new.reference())
            } else {
                format!("Duplicate declaration: {} is already declared at{at}; cannot redeclare", new.reference())
            };
            let location = Location { file: new.file.clone(), line: new.line, column: None };
            return Err(plain(format!("{detail}{}", location.suffix())));
        }
        self.index.insert(self.resources[id].type_name.clone(), self.resources[id].title.clone(), id);
        self.create_aliases(id)?;
        self.compiler_order.push(id);
        self.catalog_order.push(id);
        let resource = &self.resources[id];
        if !resource.is_class() && resource.params.get("stage").is_some_and(|p| !p.value.is_undef()) {
            return Err(plain(format!(
                "Only classes can set 'stage'; normal resources like {} cannot change run stage",
                resource.reference()
            )));
        }
        if &*resource.type_name == "Stage" {
            return Ok(());
        }
        if !resource.is_class() {
            if let Some(container) = self.scopes[scope].resource {
                self.edges.push((container, id));
            }
        }
        Ok(())
    }

    /// `create_resource_aliases`: the `alias` metaparameter and the uniqueness key of
    /// isomorphic built-in types (`File['/a/']` is also `File['/a']`).
    fn create_aliases(&mut self, id: ResourceId) -> R<()> {
        let resource = &self.resources[id];
        // Each alias: the index key, and its key values for the message.
        let mut aliases: Vec<(String, Vec<Value>)> = Vec::new();
        if let Some(Param { value, .. }) = resource.params.get("alias") {
            for v in flatten_value(value.clone()).into_iter().filter(|v| !v.is_undef()) {
                let text = v.to_puppet_string();
                if text != *resource.title {
                    aliases.push((text.clone(), vec![Value::from(text)]));
                }
            }
        }
        if let ResourceImpl::Builtin(t) = resource.implementation {
            if t.isomorphic {
                // `uniqueness_key`: the key attributes' values, sorted by attribute name.
                let namevar = t.namevar();
                let mut attributes: Vec<&str> = t.key_attributes.to_vec();
                attributes.sort_unstable();
                let values: Vec<Value> = attributes
                    .iter()
                    .map(|attribute| match resource.params.get(*attribute).map(|p| &p.value) {
                        Some(value) if !value.is_undef() => value.clone(),
                        _ if *attribute == namevar || *attribute == "name" => Value::from(title_namevar(t, &resource.title)),
                        _ => Value::Undef,
                    })
                    .collect();
                if values.len() == 1 {
                    let key = values[0].to_puppet_string();
                    if key != *resource.title {
                        aliases.push((key, values));
                    }
                } else {
                    aliases.push((Value::array(values.clone()).ruby_inspect(), values));
                }
            }
        }
        for (alias, values) in aliases {
            if let Some(existing) = self.index.get(&self.resources[id].type_name, &alias) {
                if existing == id {
                    continue;
                }
                let resource = &self.resources[id];
                let existing_resource = &self.resources[existing];
                let at = Location { file: resource.file.clone(), line: resource.line, column: None }.suffix();
                let existing_at = Location { file: existing_resource.file.clone(), line: existing_resource.line, column: None }.suffix();
                let mut newref = vec![Value::from(&*resource.type_name)];
                newref.extend(values.iter().cloned());
                let at = if at.is_empty() { String::new() } else { format!(" at{at}") };
                return Err(plain(format!(
                    "Cannot alias {} to {}{at}; resource {} already declared{existing_at}",
                    resource.reference(),
                    Value::array(values).ruby_inspect(),
                    Value::array(newref).ruby_inspect(),
                )));
            }
            self.index.insert(self.resources[id].type_name.clone(), Rc::from(alias.as_str()), id);
        }
        Ok(())
    }

    /// `Compiler#evaluate_classes`.
    pub fn evaluate_classes(&mut self, names: &[String], scope: ScopeId, lazy: bool, span: Span) -> R<Vec<ResourceId>> {
        let mut definitions = Vec::new();
        for name in names {
            match self.find_definition(Wanted::Class, name, span)? {
                Some(definition) => definitions.push(definition),
                None => return Err(plain(format!("Could not find class {name} for {}", self.settings.node_name))),
            }
        }
        let mut newly = Vec::new();
        let mut all = Vec::new();
        for definition in definitions {
            match self.class_scope(&definition.name) {
                Some(class_scope) => {
                    if let Some(resource) = self.scopes[class_scope].resource {
                        all.push(resource);
                    }
                }
                None => {
                    let id = self.ensure_in_catalog(&definition, scope, None, span)?;
                    newly.push(id);
                    all.push(id);
                }
            }
        }
        if !lazy {
            for id in newly {
                self.evaluate_resource(id)?;
            }
        }
        Ok(all)
    }

    /// `Puppet::Resource::Type#ensure_in_catalog` of a class: the existing resource, or a
    /// new one (with parameters for an ENC's resource-like declaration).
    pub fn ensure_in_catalog(&mut self, definition: &Arc<Definition>, scope: ScopeId, params: Option<IndexMap<String, Param>>, span: Span) -> R<ResourceId> {
        let title = capitalize_segments(&definition.name);
        if params.is_none() {
            if let Some(existing) = self.find_resource("Class", &title) {
                return Ok(existing);
            }
        }
        let id = self.new_resource("Class".into(), title, ResourceImpl::Class(Some(definition.clone())), scope, span, params.unwrap_or_default(), Form::REGULAR)?;
        let resource = &mut self.resources[id];
        resource.file = None;
        resource.line = None;
        resource.source = Source::Class(definition.clone());
        self.instantiate_class_resource(id, definition, scope)?;
        self.add_resource(scope, id)?;
        Ok(id)
    }

    /// `Puppet::Parser::Resource#evaluate`: runs a class, define or node.
    pub fn evaluate_resource(&mut self, id: ResourceId) -> R<()> {
        if self.resources[id].evaluated {
            return Ok(());
        }
        self.resources[id].evaluated = true;
        self.finish_evaluation(id);
        self.depth += 1;
        if self.depth > super::expr::MAX_DEPTH / 4 {
            self.depth -= 1;
            let r = &self.resources[id];
            return Err(located(
                format!("The compile was stopped: {} is nested too deeply (a class or define that declares itself?)", r.reference()),
                Location { file: r.file.clone(), line: r.line, column: None },
            ));
        }
        let result = stacker::maybe_grow(256 * 1024, 8 * 1024 * 1024, || self.evaluate_code(id));
        self.depth -= 1;
        result
    }

    /// `finish_evaluation`: the tags of the containing scope's resource.
    pub fn finish_evaluation(&mut self, id: ResourceId) {
        if self.resources[id].evaluation_finished {
            return;
        }
        self.resources[id].evaluation_finished = true;
        let scope = self.resources[id].scope;
        if let Some(container) = self.scopes[scope].resource {
            if container != id {
                let tags = self.resources[container].tags.clone();
                self.resources[id].merge_tags(&tags);
            }
        }
    }

    /// `Puppet::Resource::Type#evaluate_code`.
    fn evaluate_code(&mut self, id: ResourceId) -> R<()> {
        let implementation = self.resources[id].implementation.clone();
        let (definition, source): (Option<Arc<Definition>>, Source) = match &implementation {
            ResourceImpl::Class(Some(d)) => (Some(d.clone()), Source::Class(d.clone())),
            ResourceImpl::Define(d) => (Some(d.clone()), Source::Define(d.clone())),
            ResourceImpl::Class(None) => (None, Source::Main),
            ResourceImpl::Node(node) => {
                let name = self.resources[id].title.clone();
                return self.evaluate_node(id, node.clone(), name);
            }
            ResourceImpl::Builtin(_) => return Ok(()),
        };
        let is_class = matches!(implementation, ResourceImpl::Class(_));
        // A class with a parent is evaluated in the parent's scope.
        let mut parent_scope = None;
        if let Some(parent) = definition.as_ref().and_then(|d| d.parent.clone()) {
            let parent_id = self.find_resource("Class", &parent);
            if let Some(parent_id) = parent_id {
                self.evaluate_resource(parent_id)?;
                parent_scope = self.class_scope(&parent);
            }
        }
        let declaring = self.resources[id].scope;
        let scope = if self.resources[id].title_is_main {
            declaring
        } else {
            let base = parent_scope.unwrap_or(declaring);
            let new = self.new_scope(base, source.clone(), Some(id));
            self.scopes[new].is_class = is_class;
            new
        };
        if is_class {
            if let Some(definition) = &definition {
                self.add_class(&definition.name);
            }
        }
        if let Some(definition) = &definition {
            let saved = std::mem::replace(&mut self.file, definition.file.clone());
            let result = self.set_resource_parameters(id, definition, scope, is_class);
            self.file = saved;
            result?;
        }
        if is_class {
            self.add_edge_to_stage(id)?;
        }
        if let Some(definition) = &definition {
            if let Some(body) = &definition.body {
                let saved = std::mem::replace(&mut self.file, definition.file.clone());
                let result = self.eval(body, scope);
                self.file = saved;
                match result {
                    Ok(_) | Err(Flow::Return(..)) | Err(Flow::Next(..)) => {}
                    Err(Flow::Break(location)) => return Err(located("break() from context where this is illegal", location)),
                    Err(other) => return Err(other),
                }
            }
        }
        Ok(())
    }

    fn evaluate_node(&mut self, id: ResourceId, node: Arc<crate::loader::NodeDefinition>, name: Rc<str>) -> R<()> {
        let top = self.topscope;
        let scope = self.new_scope(top, Source::Node(node.clone(), name.clone()), Some(id));
        self.scopes[scope].is_node = true;
        self.add_class(&name);
        self.set_variable(scope, "module_name", Value::from(""))?;
        self.set_variable(scope, "caller_module_name", Value::from(""))?;
        self.set_variable(scope, "title", Value::from(&*name))?;
        self.set_variable(scope, "name", Value::from(&*name))?;
        self.class_scopes.insert(name.to_string(), scope);
        self.node_scope = Some(scope);
        // A regex node sets the match variables of its name.
        for matcher in &node.matches {
            if let crate::loader::NodeMatch::Regex(pattern) = matcher {
                if matcher.resource_name() == *name {
                    if let Ok(regex) = self.regex(pattern) {
                        if let Some(captures) = regex.captures(&self.settings.node_name) {
                            self.push_ephemeral(scope, Ephemeral::Match(Some(Rc::new(captures))));
                        }
                    }
                }
            }
        }
        if let Some(body) = &node.body {
            let saved = std::mem::replace(&mut self.file, node.file.clone());
            let result = self.eval(body, scope);
            self.file = saved;
            match result {
                // Only class and define bodies catch return() and next() (`ExpressionSupportingReturn`);
                // the main manifest and node bodies do not.
                Ok(_) => {}
                Err(Flow::Return(_, location)) => return Err(located("return() from context where this is illegal", location)),
                Err(Flow::Next(_, location)) => return Err(located("next() from context where this is illegal", location)),
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }

    pub fn add_class(&mut self, name: &str) {
        if name.is_empty() {
            return;
        }
        self.classes.push(name.to_string());
        let tag = name.to_lowercase();
        if is_tag_like(&tag) {
            let mut tags = vec![Rc::from(tag.as_str())];
            if tag.contains("::") {
                tags.extend(tag.split("::").map(Rc::from));
            }
            merge_into(&mut self.catalog_tags, &tags);
        }
    }

    /// `add_edge_to_stage`.
    fn add_edge_to_stage(&mut self, id: ResourceId) -> R<()> {
        let declaring = self.resources[id].scope;
        let own = self.resources[id].get("stage").filter(|v| !v.is_undef()).cloned();
        let inherited = self.scopes[declaring].resource.and_then(|r| self.resources[r].get("stage").filter(|v| !v.is_undef()).cloned());
        let stage_name = own.clone().or(inherited).map(|v| v.to_puppet_string()).unwrap_or_else(|| "main".to_string());
        let Some(stage) = self.find_resource("Stage", &stage_name) else {
            return Err(plain(format!("Could not find stage {} specified by {}", stage_name, self.resources[id].reference())));
        };
        if own.is_none() && stage_name != "main" {
            let source = self.resources[id].source.clone();
            self.resources[id].params.insert("stage".into(), Param { value: Value::from(stage_name.as_str()), source, file: None, line: None, add: false });
        }
        self.edges.push((stage, id));
        Ok(())
    }

    /// `set_resource_parameters`: `$title`, `$name`, `$module_name`, automatic
    /// parameter lookup, defaults (in a parameter scope), type checks, and the
    /// parameters as variables.
    fn set_resource_parameters(&mut self, id: ResourceId, definition: &Arc<Definition>, scope: ScopeId, is_class: bool) -> R<()> {
        let module_name = self.resources[id].get("module_name").cloned().unwrap_or_else(|| Value::from(definition.module_name.as_deref().unwrap_or_default()));
        self.set_variable(scope, "module_name", module_name)?;
        let caller = self.resources[id].get("caller_module_name").cloned().or_else(|| self.parent_module_name(scope).map(|m| Value::from(m.as_str())));
        if let Some(caller) = caller {
            self.set_variable(scope, "caller_module_name", caller)?;
        }
        if is_class {
            self.inject_external_parameters(id, definition, scope)?;
        }
        let resource = &self.resources[id];
        let (title, name) = if is_class {
            let title = if resource.title_is_main { "main".to_string() } else { resource.title.to_lowercase() };
            let name = resource.get("name").map(Value::to_puppet_string).unwrap_or_else(|| title.clone()).to_lowercase();
            (Value::from(title), Value::from(name))
        } else {
            let title = Value::from(&*resource.title);
            let name = resource.get("name").filter(|v| !v.is_undef()).cloned().unwrap_or_else(|| title.clone());
            (title, name)
        };
        self.set_variable(scope, "title", title)?;
        self.set_variable(scope, "name", name)?;
        if is_class {
            self.class_scopes.insert(definition.name.clone(), scope);
        }
        // The parameter scope: given values first, then defaults in order.
        let names: Vec<String> = definition.parameters.iter().map(|p| p.name.clone()).collect();
        let mut values: Vec<Option<Value>> = vec![None; names.len()];
        let mut extra: Vec<(String, Value)> = Vec::new();
        for (param_name, param) in &self.resources[id].params {
            if param_name == "name" || param_name == "title" {
                continue;
            }
            match names.iter().position(|n| n == param_name) {
                Some(index) => values[index] = Some(param.value.clone()),
                None => extra.push((param_name.clone(), param.value.clone())),
            }
        }
        let callee = self.resources[id].reference();
        let level = self.ephemeral_level(scope);
        self.push_ephemeral(scope, Ephemeral::Parameters { callee: callee.clone(), names: names.clone(), values: values.clone(), read_only: false });
        let param_index = self.ephemeral_level(scope) - 1;
        let mut failure = None;
        for (index, parameter) in definition.parameters.iter().enumerate() {
            let Some(default) = &parameter.value else { continue };
            let given = self.resources[id].params.get(&parameter.name).map(|p| &p.value);
            if given.is_some_and(|v| !v.is_undef()) {
                continue;
            }
            let result = self.evaluate_parameter_default(scope, param_index, &callee, &names, index, default);
            match result {
                Ok(value) => {
                    let source = self.resources[id].source.clone();
                    self.resources[id].params.insert(parameter.name.clone(), Param { value: to_3x(value.clone())?, source, file: None, line: None, add: false });
                    if let Ephemeral::Parameters { values, .. } = &mut self.scopes[scope].ephemeral[param_index] {
                        values[index] = Some(value);
                    }
                }
                Err(flow) => {
                    failure = Some(flow);
                    break;
                }
            }
        }
        let assigned: Vec<(String, Value)> = match &self.scopes[scope].ephemeral[param_index] {
            Ephemeral::Parameters { names, values, .. } => names.iter().zip(values.iter()).filter_map(|(n, v)| v.clone().map(|v| (n.clone(), v))).collect(),
            _ => Vec::new(),
        };
        self.pop_ephemerals(scope, level);
        if let Some(flow) = failure {
            return Err(flow);
        }
        // Type checks (`validate_resource_hash`).
        let mut param_types = Vec::with_capacity(definition.parameters.len());
        for parameter in &definition.parameters {
            let t = match &parameter.type_expr {
                Some(type_expr) => match self.eval(type_expr, self.topscope)? {
                    Value::Type(t) => (*t).clone(),
                    _ => PType::Any,
                },
                None => PType::Any,
            };
            param_types.push(t);
        }
        let checks: Vec<ParamCheck<'_>> = definition
            .parameters
            .iter()
            .zip(param_types.iter())
            .map(|(p, t)| ParamCheck { name: &p.name, param_type: t, optional: p.value.is_some() })
            .collect();
        let mut given = assigned.clone();
        given.extend(extra.iter().cloned());
        let accepted = |name: &str| name == "name" || METAPARAMETERS.contains(&name);
        if let Some(message) = types::validate_parameters(&callee, &checks, &given, &accepted, false) {
            return Err(plain(message));
        }
        for (name, value) in assigned {
            self.set_variable(scope, &name, value)?;
        }
        Ok(())
    }

    /// `ParameterScope#evaluate`: a default in a fresh match scope, read only, with
    /// Puppet's messages for references to parameters without a value yet.
    fn evaluate_parameter_default(&mut self, scope: ScopeId, param_index: usize, callee: &str, names: &[String], index: usize, default: &Expr) -> R<Value> {
        if let Ephemeral::Parameters { read_only, .. } = &mut self.scopes[scope].ephemeral[param_index] {
            *read_only = true;
        }
        let level = self.ephemeral_level(scope);
        self.push_ephemeral(scope, Ephemeral::Match(None));
        let result = self.eval(default, scope);
        self.pop_ephemerals(scope, level);
        if let Ephemeral::Parameters { read_only, .. } = &mut self.scopes[scope].ephemeral[param_index] {
            *read_only = false;
        }
        match result {
            Err(Flow::UnevaluatedParameter(to)) => {
                let from = &names[index];
                let to_index = names.iter().position(|n| n == &to).unwrap_or(usize::MAX);
                if to_index < index {
                    Err(plain(format!("{callee}: expects a value for parameter ${to}")))
                } else {
                    Err(plain(format!("{callee}: default expression for ${from} tries to illegally access not yet evaluated ${to}")))
                }
            }
            other => other,
        }
    }

    /// Automatic parameter lookup of a class (`inject_external_parameters`).
    fn inject_external_parameters(&mut self, id: ResourceId, definition: &Arc<Definition>, scope: ScopeId) -> R<()> {
        for parameter in &definition.parameters {
            let given = self.resources[id].params.get(&parameter.name);
            if given.is_some_and(|p| !p.value.is_undef()) {
                continue;
            }
            let key = format!("{}::{}", definition.name, parameter.name);
            if let Some(value) = self.lookup_for_parameter(&key, scope)? {
                if value.is_undef() && parameter.value.is_some() {
                    continue;
                }
                let source = self.resources[id].source.clone();
                self.resources[id].params.insert(parameter.name.clone(), Param { value, source, file: None, line: None, add: false });
            }
        }
        Ok(())
    }

    pub(super) fn eval_resource_defaults(&mut self, expr: &Expr, type_ref: &Expr, operations: &[AttributeOp], scope: ScopeId) -> R<Value> {
        let value = self.eval(type_ref, scope)?;
        let type_name = match &value {
            Value::Type(t) => match &**t {
                PType::Resource { type_name: Some(name), title: None } => name.to_string(),
                PType::Class(None) => "Class".to_string(),
                _ => {
                    return Err(self.fail(
                        "ILLEGAL_RESOURCE_TYPE",
                        format!("Illegal Resource Type expression, expected result to be a type name, or untitled Resource, got {}", types::generalize(&types::infer(&value))),
                        type_ref.span,
                    ))
                }
            },
            other => {
                return Err(self.fail(
                    "ILLEGAL_RESOURCE_TYPE",
                    format!("Illegal Resource Type expression, expected result to be a type name, or untitled Resource, got {}", types::generalize(&types::infer(other))),
                    type_ref.span,
                ))
            }
        };
        let _ = expr;
        let params = self.eval_operations(operations, scope, None)?;
        let type_name = capitalize_segments(&type_name);
        let table = self.scopes[scope].defaults.entry(type_name.clone()).or_default();
        for (name, param) in params {
            if table.contains_key(&name) {
                let location = Location { file: param.file.clone(), line: param.line, column: None };
                return Err(located(format!("Default already defined for {type_name} {{ {name} }}; cannot redefine"), location));
            }
            table.insert(name, param);
        }
        Ok(value)
    }

    pub(super) fn eval_resource_override(&mut self, expr: &Expr, resources: &Expr, operations: &[AttributeOp], scope: ScopeId) -> R<Value> {
        let evaluated = self.eval(resources, scope)?;
        let params = self.eval_operations(operations, scope, None)?;
        let targets = flatten_value(evaluated.clone());
        for target in targets {
            let (type_name, title) = match &target {
                Value::Type(t) => match &**t {
                    PType::Resource { type_name: Some(name), title: Some(title) } if !name.eq_ignore_ascii_case("class") => (name.to_string(), title.to_string()),
                    _ => {
                        return Err(self.fail("ILLEGAL_OVERRIDDEN_TYPE", format!("Illegal Resource Type expression, expected result to be a type name, or untitled Resource, got {t}"), expr.span));
                    }
                },
                other => {
                    let actual = crate::types::format_value(other);
                    return Err(self.fail("ILLEGAL_OVERRIDDEN_TYPE", format!("Object of type '{}' is not a valid resource reference", actual), expr.span));
                }
            };
            let over = Override {
                params: params.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                source: self.scopes[scope].source.clone(),
                file: Some(self.file.clone()),
                line: Some(expr.span.line),
                scope,
                from_collector: false,
            };
            self.add_override(&type_name, &title, over)?;
        }
        Ok(evaluated)
    }

    /// `Compiler#add_override`: merged now when the resource exists, else kept.
    pub fn add_override(&mut self, type_name: &str, title: &str, over: Override) -> R<()> {
        match self.find_resource(type_name, title) {
            Some(id) => self.merge_override(id, &over),
            None => {
                let (t, n) = Self::catalog_key(type_name, title);
                self.overrides.entry((Rc::from(t.as_str()), Rc::from(n.as_str()))).or_default().push(over);
                Ok(())
            }
        }
    }

    /// Whether `child` is `parent` or inherits from it (`child_of?`).
    fn source_is_child_of(&self, child: &Source, parent: &Source) -> bool {
        if self.override_sources.iter().any(|s| s.same(child)) {
            return true;
        }
        let (Source::Class(child), Source::Class(parent)) = (child, parent) else { return false };
        let mut current = child.parent.clone();
        let mut guard = 0;
        while let Some(name) = current {
            if name == parent.name {
                return true;
            }
            guard += 1;
            if guard > 100 {
                break;
            }
            current = self.loader_class_parent(&name);
        }
        false
    }

    fn loader_class_parent(&self, name: &str) -> Option<String> {
        let scope = self.class_scope(name)?;
        match &self.scopes[scope].source {
            Source::Class(d) => d.parent.clone(),
            _ => None,
        }
    }

    /// `Puppet::Parser::Resource#merge`.
    fn merge_override(&mut self, id: ResourceId, over: &Override) -> R<()> {
        let resource_source = self.resources[id].source.clone();
        if !(resource_source.same(&over.source) || self.source_is_child_of(&over.source, &resource_source)) {
            return Err(located("Only subclasses can override parameters", Location { file: over.file.clone(), line: over.line, column: None }));
        }
        if self.resources[id].evaluated {
            let r = &self.resources[id];
            let at = Location { file: r.file.clone(), line: r.line, column: None }.suffix();
            let message = if at.is_empty() {
                "Attempt to override an already evaluated resource with new values".to_string()
            } else {
                format!("Attempt to override an already evaluated resource, defined at{at}, with new values")
            };
            match self.settings.strict {
                super::Strict::Error => return Err(located(message, Location { file: over.file.clone(), line: over.line, column: None })),
                super::Strict::Warning => {
                    let location = Location { file: over.file.clone(), line: over.line, column: None }.suffix();
                    self.warn(format!("{message}{location}"));
                }
                super::Strict::Off => {}
            }
        }
        for (name, param) in &over.params {
            self.override_parameter(id, name, param, over.scope)?;
        }
        Ok(())
    }

    /// `override_parameter`.
    fn override_parameter(&mut self, id: ResourceId, name: &str, param: &Param, scope: ScopeId) -> R<()> {
        let Some(current) = self.resources[id].params.get(name).cloned() else {
            self.set_resource_param(id, name, param.clone())?;
            return Ok(());
        };
        let type_name = self.resources[id].type_name.to_string();
        let resource_scope = self.resources[id].scope;
        if self.is_default(resource_scope, &type_name, name, &param.value) {
            return Ok(());
        }
        let allowed = self.source_is_child_of(&param.source, &current.source)
            || (param.source.same(&current.source) && self.is_default(resource_scope, &type_name, name, &current.value));
        let _ = scope;
        if !allowed {
            let r = &self.resources[id];
            let at = Location { file: current.file.clone(), line: current.line, column: None }.suffix();
            let source = current.source.display();
            let message = if source.is_empty() {
                if at.is_empty() {
                    format!("Parameter '{name}' is already set on {}; cannot redefine", r.reference())
                } else {
                    format!("Parameter '{name}' is already set on {} at{at}; cannot redefine", r.reference())
                }
            } else if at.is_empty() {
                format!("Parameter '{name}' is already set on {} by {source}; cannot redefine", r.reference())
            } else {
                format!("Parameter '{name}' is already set on {} by {source} at{at}; cannot redefine", r.reference())
            };
            return Err(located(message, Location { file: param.file.clone(), line: param.line, column: None }));
        }
        let mut param = param.clone();
        if param.add {
            let mut values = flatten_value(current.value.clone());
            values.extend(flatten_value(param.value.clone()));
            param.value = Value::array(values);
        }
        self.set_resource_param(id, name, param)
    }

    /// `set_parameter`: stores a parameter (`tag` also tags the resource).
    pub fn set_resource_param(&mut self, id: ResourceId, name: &str, param: Param) -> R<()> {
        if name == "tag" {
            for tag in tag_values(&param.value) {
                self.resources[id].add_tag(&tag).map_err(plain)?;
            }
        }
        self.resources[id].params.insert(name.to_string(), param);
        Ok(())
    }

    /// The four arrows (`RelationshipOperator`).
    pub(super) fn eval_relationship(&mut self, op: BinaryOp, op_span: Span, left: Value, right: Value, scope: ScopeId) -> R<Value> {
        let _ = scope;
        let left_ends = self.relationship_operand(&left, op, op_span)?;
        let right_ends = self.relationship_operand(&right, op, op_span)?;
        let (sources, targets) = if matches!(op, BinaryOp::OutEdge | BinaryOp::OutEdgeSub) {
            (&right_ends, &left_ends)
        } else {
            (&left_ends, &right_ends)
        };
        let subscription = matches!(op, BinaryOp::InEdgeSub | BinaryOp::OutEdgeSub);
        for source in sources {
            for target in targets {
                self.relationships.push(Relationship { source: source.clone(), target: target.clone(), subscription });
            }
        }
        if right_ends.len() == 1 {
            if let RelationshipEnd::Collector(index) = right_ends[0] {
                self.collectors[index].empty_alternative = Some(left_ends.clone());
            }
        }
        Ok(if right_ends.is_empty() { left } else { right })
    }

    fn relationship_operand(&mut self, value: &Value, op: BinaryOp, op_span: Span) -> R<Vec<RelationshipEnd>> {
        let mut ends = Vec::new();
        for item in flatten_value(value.clone()) {
            let end = match &item {
                Value::Type(t) => match &**t {
                    PType::Class(Some(name)) => RelationshipEnd::Resource("class".into(), name.trim_start_matches("::").to_string()),
                    PType::Resource { type_name: Some(name), title } if name.eq_ignore_ascii_case("class") => {
                        RelationshipEnd::Resource("class".into(), title.as_deref().unwrap_or("").trim_start_matches("::").to_string())
                    }
                    PType::Resource { type_name: Some(name), title } => RelationshipEnd::Resource(name.to_string(), title.as_deref().unwrap_or("").to_string()),
                    PType::Class(None) | PType::Resource { type_name: None, .. } | PType::CatalogEntry => {
                        RelationshipEnd::Resource(t.to_string(), String::new())
                    }
                    other => {
                        return Err(self.fail(
                            "NOT_CATALOG_TYPE",
                            format!("Illegal relationship operand, can not form a relationship with something of type {other}. A Catalog type is required."),
                            op_span,
                        ))
                    }
                },
                Value::String(s) => match parse_reference(s) {
                    Some((type_name, title)) => {
                        if type_name.eq_ignore_ascii_case("class") {
                            RelationshipEnd::Resource("class".into(), title)
                        } else {
                            RelationshipEnd::Resource(type_name, title)
                        }
                    }
                    None => {
                        return Err(self.fail(
                            "NOT_CATALOG_TYPE",
                            format!("Illegal relationship operand, can not form a relationship with something of type TypeReference['{s}']. A Catalog type is required."),
                            op_span,
                        ))
                    }
                },
                Value::Deferred(_) => continue,
                Value::Iterator(_) => continue,
                other => {
                    if let Some(index) = self.collector_of(other) {
                        RelationshipEnd::Collector(index)
                    } else {
                        return Err(self.fail(
                            "ILLEGAL_RELATIONSHIP_OPERAND_TYPE",
                            format!(
                                "Illegal relationship operand, can not form a relationship with {}. A Catalog type is required.",
                                super::ops::a_an_value(other)
                            ),
                            op_span,
                        ));
                    }
                }
            };
            let _ = op;
            ends.push(end);
        }
        let mut unique: Vec<RelationshipEnd> = Vec::new();
        for end in ends {
            let duplicate = unique.iter().any(|u| match (u, &end) {
                (RelationshipEnd::Resource(a, b), RelationshipEnd::Resource(c, d)) => a == c && b == d,
                (RelationshipEnd::Collector(a), RelationshipEnd::Collector(b)) => a == b,
                _ => false,
            });
            if !duplicate {
                unique.push(end);
            }
        }
        Ok(unique)
    }

    /// The compile (`Compiler#compile`): node parameters, settings, main, the node,
    /// the node's classes, generators (collectors and lazy defines), finish.
    pub fn compile(&mut self, main: Option<Arc<crate::loader::ParsedFile>>, node_classes: &[(String, Option<IndexMap<String, Value>>)]) -> R<()> {
        // Stage[main].
        let top = self.topscope;
        let stage = self.new_resource("Stage".into(), "main".into(), ResourceImpl::Builtin(resource_types::builtin_type("stage").expect("stage is built in")), top, Span::default(), IndexMap::new(), Form::REGULAR)?;
        self.resources[stage].file = None;
        self.resources[stage].line = None;
        self.index.insert(Rc::from("Stage"), Rc::from("main"), stage);
        self.catalog_order.push(stage);
        self.main_stage = stage;
        for (name, _) in node_classes {
            self.add_class_name_only(name);
        }
        self.set_node_parameters()?;
        self.create_settings_scope()?;
        // evaluate_main
        let main_id = self.new_resource("Class".into(), "main".into(), ResourceImpl::Class(None), top, Span::default(), IndexMap::new(), Form::REGULAR)?;
        self.resources[main_id].file = None;
        self.resources[main_id].line = None;
        self.resources[main_id].source = Source::Main;
        self.scopes[top].resource = Some(main_id);
        // The main class's `set_resource_parameters`: its module name is '' (and it has no caller).
        self.set_variable(top, "module_name", Value::from(""))?;
        self.add_resource(top, main_id)?;
        self.resources[main_id].evaluated = true;
        self.finish_evaluation(main_id);
        self.add_edge_to_stage(main_id)?;
        if let Some(main) = &main {
            let saved = std::mem::replace(&mut self.file, main.path.clone());
            let result = self.eval(&main.program.body, top);
            self.file = saved;
            match result {
                // Only class and define bodies catch return() and next() (`ExpressionSupportingReturn`);
                // the main manifest and node bodies do not.
                Ok(_) => {}
                Err(Flow::Return(_, location)) => return Err(located("return() from context where this is illegal", location)),
                Err(Flow::Next(_, location)) => return Err(located("next() from context where this is illegal", location)),
                Err(Flow::Break(location)) => return Err(located("break() from context where this is illegal", location)),
                Err(other) => return Err(other),
            }
        }
        self.evaluate_ast_node()?;
        // evaluate_node_classes: with parameters first, then without.
        let scope = self.node_scope.unwrap_or(top);
        for (name, params) in node_classes {
            if let Some(params) = params.as_ref().filter(|p| !p.is_empty()) {
                let Some(definition) = self.find_definition(Wanted::Class, name, Span::default())? else {
                    return Err(plain(format!("Could not find class {name} for {}", self.settings.node_name)));
                };
                let source = Source::Class(definition.clone());
                let params: IndexMap<String, Param> = params
                    .iter()
                    .map(|(k, v)| (k.clone(), Param { value: v.clone(), source: source.clone(), file: None, line: None, add: false }))
                    .collect();
                self.ensure_in_catalog(&definition, scope, Some(params), Span::default())?;
            }
        }
        let plain_classes: Vec<String> = node_classes.iter().filter(|(_, p)| p.as_ref().is_none_or(|p| p.is_empty())).map(|(n, _)| n.clone()).collect();
        if !plain_classes.is_empty() {
            self.evaluate_classes(&plain_classes, scope, true, Span::default())?;
        }
        self.evaluate_generators()?;
        self.finish()?;
        Ok(())
    }

    fn add_class_name_only(&mut self, name: &str) {
        self.classes.push(name.to_string());
        let tag = name.to_lowercase();
        merge_into(&mut self.catalog_tags, &[Rc::from(tag.as_str())]);
    }

    /// `set_node_parameters`: facts and server facts as top scope variables,
    /// `$environment`, `$trusted`, `$server_facts`, `$facts`.
    fn set_node_parameters(&mut self) -> R<()> {
        let top = self.topscope;
        let mut parameters: IndexMap<String, Value> = IndexMap::new();
        if let Value::Hash(facts) = &self.facts {
            for (k, v) in facts.iter() {
                parameters.entry(k.to_puppet_string()).or_insert_with(|| v.clone());
            }
        }
        if let Value::Hash(server) = &self.server_facts {
            for (k, v) in server.iter() {
                let key = k.to_puppet_string();
                if key != "environment" {
                    parameters.entry(key).or_insert_with(|| v.clone());
                }
            }
        }
        // The facts are most of the top scope's variables: room for them at once.
        self.scopes[top].symtable.reserve(parameters.len() + 8);
        for (name, value) in parameters {
            if name == "environment" || name == "trusted" || name == "facts" || name == "server_facts" {
                continue;
            }
            if !is_variable_name(&name) {
                continue;
            }
            self.set_variable(top, &name, value)?;
        }
        let environment = Value::from(self.settings.environment.as_str());
        self.set_variable(top, "environment", environment)?;
        let trusted = self.trusted.clone();
        self.scopes[top].symtable.insert("trusted".into(), trusted.clone());
        self.qualified_variables.insert("trusted".into(), trusted);
        let server = self.server_facts.clone();
        self.scopes[top].symtable.insert("server_facts".into(), server.clone());
        self.qualified_variables.insert("server_facts".into(), server);
        let facts = self.facts.clone();
        self.scopes[top].symtable.insert("facts".into(), facts.clone());
        self.qualified_variables.insert("facts".into(), facts);
        Ok(())
    }

    /// `create_settings_scope`: Class[Settings] and the `$settings::` variables.
    fn create_settings_scope(&mut self) -> R<()> {
        let top = self.topscope;
        // A class named `settings` of the main manifest is the settings class itself.
        let user_class = self.loader.loaded(Wanted::Class, "settings");
        let id = self.new_resource("Class".into(), "Settings".into(), ResourceImpl::Class(user_class.clone()), top, Span::default(), IndexMap::new(), Form::REGULAR)?;
        self.resources[id].file = None;
        self.resources[id].line = None;
        self.resources[id].source = match &user_class {
            Some(definition) => Source::Class(definition.clone()),
            None => Source::Settings,
        };
        self.index.insert(Rc::from("Class"), Rc::from("Settings"), id);
        self.catalog_order.push(id);
        let scope = if user_class.is_some() {
            self.evaluate_resource(id)?;
            self.class_scope("settings").unwrap_or(top)
        } else {
            self.add_class("settings");
            let scope = self.new_scope(top, Source::Settings, Some(id));
            self.scopes[scope].is_class = true;
            self.class_scopes.insert("settings".into(), scope);
            self.edges.push((self.main_stage, id));
            scope
        };
        self.resources[id].evaluated = true;
        for (name, value) in crate::settings::puppet_settings(&self.settings.environment) {
            self.scopes[scope].symtable.insert(name.clone(), value.clone());
            self.qualified_variables.insert(format!("settings::{name}"), value);
        }
        Ok(())
    }

    /// `evaluate_ast_node`: the node definition that matches the node's name, else
    /// `default`.
    fn evaluate_ast_node(&mut self) -> R<()> {
        if self.loader.nodes.is_empty() {
            return Ok(());
        }
        let name = self.settings.node_name.to_lowercase();
        let nodes = self.loader.nodes.clone();
        let mut found: Option<(Arc<crate::loader::NodeDefinition>, String)> = None;
        'exact: for node in &nodes {
            for matcher in &node.matches {
                if let crate::loader::NodeMatch::Name(n) = matcher {
                    if *n == name {
                        found = Some((node.clone(), n.clone()));
                        break 'exact;
                    }
                }
            }
        }
        if found.is_none() {
            'regex: for node in &nodes {
                for matcher in &node.matches {
                    if let crate::loader::NodeMatch::Regex(pattern) = matcher {
                        if self.regex(pattern).is_ok_and(|r| r.is_match(&name)) {
                            found = Some((node.clone(), matcher.resource_name()));
                            break 'regex;
                        }
                    }
                }
            }
        }
        if found.is_none() {
            for node in &nodes {
                if node.matches.contains(&crate::loader::NodeMatch::Default) {
                    found = Some((node.clone(), "default".into()));
                    break;
                }
            }
        }
        let Some((node, node_name)) = found else {
            return Err(plain(format!("Could not find node statement with name 'default' or '{}'", self.settings.node_name)));
        };
        let top = self.topscope;
        let id = match self.find_resource("Node", &node_name) {
            Some(id) => id,
            None => {
                let id = self.new_resource("Node".into(), node_name.clone(), ResourceImpl::Node(node.clone()), top, Span::default(), IndexMap::new(), Form::REGULAR)?;
                self.resources[id].file = None;
                self.resources[id].line = None;
                let tags = self.resources[id].tags.clone();
                merge_into(&mut self.catalog_tags, &tags);
                self.add_resource(top, id)?;
                id
            }
        };
        self.evaluate_resource(id)
    }

    /// `evaluate_generators`: collectors, then lazy definitions, until nothing changes.
    fn evaluate_generators(&mut self) -> R<()> {
        let mut count = 0;
        loop {
            let mut done = true;
            if self.evaluate_collections()? {
                done = false;
            }
            if self.evaluate_definitions()? {
                done = false;
            }
            if done {
                break;
            }
            count += 1;
            if count > 1000 {
                return Err(plain("Somehow looped more than 1000 times while evaluating host catalog"));
            }
        }
        Ok(())
    }

    /// `evaluate_definitions`: evaluates every unevaluated define (and lazily included
    /// class) in the order they were added.
    fn evaluate_definitions(&mut self) -> R<bool> {
        let pending: Vec<ResourceId> = self
            .compiler_order
            .iter()
            .copied()
            .filter(|id| {
                let r = &self.resources[*id];
                !r.evaluated && !r.is_virtual && !r.is_builtin()
            })
            .collect();
        for id in &pending {
            if let Err(flow) = self.evaluate_resource(*id) {
                return Err(self.wrap_in_resource(flow, *id));
            }
        }
        Ok(!pending.is_empty())
    }

    /// An error raised while evaluating a define at the end: reported again at the
    /// resource (Puppet wraps it in "Error while evaluating a Resource Statement").
    fn wrap_in_resource(&self, flow: Flow, id: ResourceId) -> Flow {
        match flow {
            Flow::Error(mut error) if error.unsupported.is_none() && error.issue_code != Some("STACK_LEVEL_TOO_DEEP") => {
                let r = &self.resources[id];
                error.detail = format!("Evaluation Error: Error while evaluating a Resource Statement, {}", error.message());
                error.location = Location { file: r.file.clone(), line: r.line, column: None };
                error.class = super::ErrorClass::Preformatted;
                error.issue_code = Some("RUNTIME_ERROR");
                Flow::Error(error)
            }
            Flow::Break(location) => located("break() from context where this is illegal", location),
            other => other,
        }
    }

    /// Metaparameters of a resource that inherit to what it contains.
    pub(super) fn metaparam_data(&self, id: ResourceId) -> Vec<(String, Param)> {
        const INHERITED: &[&str] = &["noop", "schedule", "audit", "loglevel", "alias", "tag", "stage"];
        let resource = &self.resources[id];
        INHERITED
            .iter()
            .filter_map(|name| resource.params.get(*name).filter(|p| !p.value.is_undef()).map(|p| (name.to_string(), p.clone())))
            .collect()
    }
}

/// Converts a value as `Runtime3Converter` does for resource parameters: references stay
/// types here, but a resource type without a title becomes `Puppet::Resource.new(type, '')`,
/// which fails for a built-in type whose title patterns do not match an empty title
/// (`Puppet::Resource#parse_title`; Puppet reports it without a place).
pub fn to_3x(value: Value) -> R<Value> {
    check_untitled_references(&value)?;
    Ok(value)
}

fn check_untitled_references(value: &Value) -> R<()> {
    match value {
        Value::Type(t) => {
            if let PType::Resource { type_name: Some(name), title: None } = &**t {
                let pattern = crate::resource_types::builtin_type(&name.to_lowercase()).and_then(|t| t.title_pattern);
                if let Some((pattern, _)) = pattern {
                    if crate::regex::Regex::new(pattern).is_ok_and(|regex| !regex.is_match("")) {
                        return Err(super::preformatted("No set of title patterns matched the title \"\"."));
                    }
                }
            }
            Ok(())
        }
        Value::Array(values) => values.iter().try_for_each(check_untitled_references),
        Value::Hash(map) => map.iter().try_for_each(|(k, v)| check_untitled_references(k).and_then(|()| check_untitled_references(v))),
        _ => Ok(()),
    }
}

/// Ruby's `Array#flatten` of a value (a non-array is one element).
pub fn flatten_value(value: Value) -> Vec<Value> {
    match value {
        Value::Array(values) => {
            let mut out = Vec::with_capacity(values.len());
            for v in values.iter() {
                out.extend(flatten_value(v.clone()));
            }
            out
        }
        other => vec![other],
    }
}

/// The tags a `tag` parameter value gives.
pub fn tag_values(value: &Value) -> Vec<String> {
    flatten_value(value.clone()).into_iter().filter(|v| !v.is_undef()).map(|v| v.to_puppet_string()).collect()
}

fn is_tag_like(tag: &str) -> bool {
    super::is_valid_tag(tag)
}

pub fn merge_into(target: &mut Vec<Rc<str>>, tags: &[Rc<str>]) {
    for tag in tags {
        if !target.iter().any(|t| t == tag) {
            target.push(tag.clone());
        }
    }
}

fn is_variable_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// The namevar value a title gives through the type's title pattern.
pub fn title_namevar(t: &BuiltinType, title: &str) -> String {
    match t.title_pattern {
        // `file`'s pattern (the only one) captures the whole of a one-line title that does
        // not end in a slash; most titles are such, and the regex is the costly way there.
        Some((crate::resource_types::FILE_TITLE_PATTERN, _)) if !title.is_empty() && !title.ends_with('/') && !title.contains('\n') => title.to_string(),
        Some((pattern, _)) => match crate::regex::Regex::new(pattern).ok().and_then(|r| r.captures(title)) {
            Some(captures) => captures.get(1).cloned().flatten().unwrap_or_else(|| title.to_string()),
            None => title.to_string(),
        },
        None => title.to_string(),
    }
}

/// `Type[title]` in a string (the 3.x form of a reference).
pub fn parse_reference(text: &str) -> Option<(String, String)> {
    borrowed_reference(text).map(|(type_name, title)| (type_name.to_string(), title.to_string()))
}

/// `parse_reference`, borrowing from the text.
pub fn borrowed_reference(text: &str) -> Option<(&str, &str)> {
    let open = text.find('[')?;
    let close = text.rfind(']')?;
    if close <= open || close != text.len() - 1 {
        return None;
    }
    let type_name = &text[..open];
    let mut title = &text[open + 1..close];
    if (title.starts_with('\'') && title.ends_with('\'') || title.starts_with('"') && title.ends_with('"')) && title.len() >= 2 {
        title = &title[1..title.len() - 1];
    }
    if type_name.is_empty() {
        return None;
    }
    Some((type_name, title))
}

#[allow(dead_code)]
fn is_define(definition: &Definition) -> bool {
    definition.kind == DefinitionKind::Define
}
