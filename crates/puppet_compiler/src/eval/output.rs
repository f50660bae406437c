//! Finishing the catalog (`Compiler#finish`: relationships, pending overrides,
//! parameter validation, metaparameter and tag inheritance, the final checks) and
//! building the catalog puppetserver sends (`Puppet::Resource::Catalog#to_data_hash`).

use std::rc::Rc;

use puppet_catalog::{Catalog, Edge, Resource as CatalogResource};
use serde_json::{json, Map as JsonMap, Value as Json};

use super::catalog::{borrowed_reference, merge_into};
use super::{located, plain, Compiler, Location, Param, RelationshipEnd, ResourceId, ResourceImpl, R};
use crate::resource_types::METAPARAMETERS;
use crate::types::{self, capitalize_segments, PType};
use crate::value::Value;

impl Compiler<'_> {
    /// `Compiler#finish` and the final checks.
    pub(super) fn finish(&mut self) -> R<()> {
        self.evaluate_relationships()?;
        let order = self.compiler_order.clone();
        for id in order {
            let key = (self.resources[id].type_name.clone(), self.resources[id].title.clone());
            if let Some(overrides) = self.overrides.shift_remove(&key) {
                for over in overrides {
                    self.merge_override_public(id, &over)?;
                }
            }
            self.finish_resource(id)?;
        }
        self.add_resource_metaparams();
        if !self.overrides.is_empty() {
            let remaining: Vec<String> = self.overrides.keys().map(|(t, n)| format!("{t}[{n}]")).collect();
            return Err(plain(format!("Could not find resource(s) {} for overriding", remaining.join(", "))));
        }
        let unresolved = self.unresolved_realizations();
        if !unresolved.is_empty() {
            return Err(plain(format!("Failed to realize virtual resources {}", unresolved.join(", "))));
        }
        self.validate_relationships()?;
        Ok(())
    }

    fn merge_override_public(&mut self, id: ResourceId, over: &super::Override) -> R<()> {
        // Pending overrides merge exactly as immediate ones do.
        let type_name = String::from(&*self.resources[id].type_name);
        let title = String::from(&*self.resources[id].title);
        self.add_override(&type_name, &title, over.clone())
    }

    /// `Puppet::Parser::Resource#finish`: scope tags, sensitive values, parameter checks.
    fn finish_resource(&mut self, id: ResourceId) -> R<()> {
        if self.resources[id].finished {
            return Ok(());
        }
        self.resources[id].finished = true;
        self.finish_evaluation(id);
        let sensitive: Vec<String> = self.resources[id].params.iter().filter(|(_, p)| matches!(p.value, Value::Sensitive(_))).map(|(n, _)| n.clone()).collect();
        for name in sensitive {
            if let Some(param) = self.resources[id].params.get_mut(&name) {
                if let Value::Sensitive(inner) = &param.value {
                    param.value = (**inner).clone();
                }
            }
            self.resources[id].sensitive.push(name);
        }
        let resource = &self.resources[id];
        match &resource.implementation {
            ResourceImpl::Builtin(t) => {
                for name in resource.params.keys() {
                    if !t.has_attribute(name) && name != "name" {
                        let location = Location { file: resource.file.clone(), line: resource.line, column: None };
                        let detail = format!("no parameter named '{name}'{} on {}", location.suffix(), resource.reference());
                        return Err(located(detail, location));
                    }
                }
            }
            ResourceImpl::Define(definition) if !resource.evaluated => {
                for name in resource.params.keys() {
                    if name != "name" && !METAPARAMETERS.contains(&name.as_str()) && !definition.parameters.iter().any(|p| &p.name == name) {
                        let location = Location { file: resource.file.clone(), line: resource.line, column: None };
                        return Err(located(format!("{}: has no parameter named '{name}'", resource.reference()), location));
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// `evaluate_relationships`: `->` and `~>` become `before` and `notify`. Each source's
    /// parameter is extended once per relationship with all its targets (a collector on
    /// both sides would otherwise copy the growing array for every pair).
    fn evaluate_relationships(&mut self) -> R<()> {
        let relationships = std::mem::take(&mut self.relationships);
        let result = self.evaluate_relationship_list(&relationships);
        self.relationships = relationships;
        result
    }

    fn evaluate_relationship_list(&mut self, relationships: &[super::Relationship]) -> R<()> {
        for relationship in relationships {
            let sources = self.relationship_resources(&relationship.source, true);
            let targets: Vec<(Value, bool)> = self
                .relationship_resources(&relationship.target, false)
                .iter()
                .map(|(target_type, target_title)| (Value::from(reference_string(target_type, target_title)), self.find_resource(target_type, target_title).is_some()))
                .collect();
            if targets.is_empty() {
                continue;
            }
            let name = if relationship.subscription { "notify" } else { "before" };
            for (source_type, source_title) in &sources {
                let source_ref = reference_string(source_type, source_title);
                let source = self.find_resource(source_type, source_title);
                for (target_ref, target_found) in &targets {
                    if source.is_none() {
                        return Err(plain(format!("Could not find resource '{source_ref}' for relationship on '{}'", target_ref.to_puppet_string())));
                    }
                    if !target_found {
                        return Err(plain(format!("Could not find resource '{}' for relationship from '{source_ref}'", target_ref.to_puppet_string())));
                    }
                }
                let Some(source) = source else { continue };
                // The array is taken out of the parameter, so it is extended in place unless
                // another value shares it.
                let current = self.resources[source].params.get_mut(name).map(|p| std::mem::replace(&mut p.value, Value::Undef));
                let mut values = match current {
                    Some(Value::Array(values)) => Rc::try_unwrap(values).unwrap_or_else(|shared| (*shared).clone()),
                    Some(Value::Undef) | None => Vec::new(),
                    Some(other) => vec![other],
                };
                values.extend(targets.iter().map(|(target_ref, _)| target_ref.clone()));
                let param_source = self.resources[source].source.clone();
                self.resources[source].params.insert(name.into(), Param { value: Value::array(values), source: param_source, file: None, line: None, add: false });
            }
        }
        Ok(())
    }

    fn relationship_resources(&self, end: &RelationshipEnd, left: bool) -> Vec<(String, String)> {
        match end {
            RelationshipEnd::Resource(t, title) => vec![(t.clone(), title.clone())],
            RelationshipEnd::Collector(index) => {
                let collector = &self.collectors[*index];
                if collector.collected.is_empty() && left {
                    if let Some(alternative) = &collector.empty_alternative {
                        return alternative.iter().flat_map(|e| self.relationship_resources(e, true)).collect();
                    }
                }
                collector.collected.iter().map(|id| (String::from(&*self.resources[*id].type_name), String::from(&*self.resources[*id].title))).collect()
            }
        }
    }

    /// `add_resource_metaparams`: walks the containment graph from `Class[main]`,
    /// copying inheritable metaparameters and tags down.
    fn add_resource_metaparams(&mut self) {
        let Some(main) = self.find_resource("Class", "main") else { return };
        let mut adjacency: rustc_hash::FxHashMap<ResourceId, Vec<ResourceId>> = rustc_hash::FxHashMap::default();
        for (source, target) in &self.edges {
            adjacency.entry(*source).or_default().push(*target);
        }
        let mut data: rustc_hash::FxHashMap<ResourceId, Vec<(String, Param)>> = rustc_hash::FxHashMap::default();
        let mut queue = std::collections::VecDeque::from([main]);
        let mut seen = rustc_hash::FxHashSet::default();
        while let Some(node) = queue.pop_front() {
            if !seen.insert(node) {
                continue;
            }
            let Some(connected) = adjacency.remove(&node) else { continue };
            // What `node` passes down: its inherited data, else its own metaparameters.
            let source_data = match data.get(&node) {
                Some(d) => Some(d.clone()),
                None => Some(self.metaparam_data(node)).filter(|d| !d.is_empty()),
            };
            if let Some(source_data) = &source_data {
                data.entry(node).or_insert_with(|| source_data.clone());
            }
            let tags = self.resources[node].tags.clone();
            for target in &connected {
                if let Some(source_data) = &source_data {
                    for (name, param) in source_data {
                        let unset = self.resources[*target].params.get(name).is_none_or(|p| p.value.is_undef());
                        if unset {
                            let _ = self.set_resource_param(*target, name, param.clone());
                        }
                    }
                    let mut merged = source_data.clone();
                    for (name, param) in self.metaparam_data(*target) {
                        match merged.iter_mut().find(|(n, _)| *n == name) {
                            Some(entry) => entry.1 = param,
                            None => merged.push((name, param)),
                        }
                    }
                    data.insert(*target, merged);
                }
                self.resources[*target].merge_tags(&tags);
            }
            queue.extend(connected);
        }
    }

    /// The relationship metaparameters must name resources in the catalog. A reference
    /// string shared by many parameters (`evaluate_relationships` gives every source the
    /// same targets) is looked up once.
    fn validate_relationships(&self) -> R<()> {
        let mut found: rustc_hash::FxHashSet<*const u8> = rustc_hash::FxHashSet::default();
        for id in &self.catalog_order {
            let resource = &self.resources[*id];
            if resource.is_virtual {
                continue;
            }
            for (name, param) in &resource.params {
                if !matches!(name.as_str(), "before" | "require" | "notify" | "subscribe") {
                    continue;
                }
                let at = || Location { file: param.file.clone(), line: param.line, column: None };
                try_for_each_flattened(&param.value, &mut |value| {
                    let owned;
                    let reference = match value {
                        Value::Type(t) => match reference_of_type(t) {
                            Some(r) => {
                                owned = r;
                                (owned.0.as_str(), owned.1.as_str())
                            }
                            None => return Ok(()),
                        },
                        Value::String(s) if found.contains(&s.as_ptr()) => return Ok(()),
                        Value::String(s) => match borrowed_reference(s) {
                            Some(r) => r,
                            None => {
                                let detail = format!("No title provided and {} is not a valid resource reference", crate::value::ruby_string_inspect(s));
                                return Err(located(detail, at()));
                            }
                        },
                        _ => return Ok(()),
                    };
                    if self.find_resource(reference.0, reference.1).is_none() {
                        let (t, title) = Self::catalog_key(reference.0, reference.1);
                        return Err(located(format!("Could not find resource '{t}[{title}]' in parameter '{name}'"), at()));
                    }
                    if let Value::String(s) = value {
                        // The values outlive this loop (they are the resources'), so an
                        // address names one string.
                        found.insert(s.as_ptr());
                    }
                    Ok(())
                })?;
            }
        }
        Ok(())
    }

    /// The catalog as `to_data_hash` gives it, without unrealized virtual and exported
    /// resources: built from the compiler's state, with no JSON text in between.
    pub fn catalog(&self) -> Catalog {
        let mut resources = Vec::with_capacity(self.catalog_order.len());
        let mut kept = vec![false; self.resources.len()];
        for id in &self.catalog_order {
            if self.resources[*id].is_virtual {
                continue;
            }
            kept[*id] = true;
            resources.push(self.catalog_resource(*id));
        }
        let edges: Vec<Edge> = self
            .edges
            .iter()
            .filter(|(source, target)| kept[*source] && kept[*target])
            .map(|(source, target)| Edge { source: self.resources[*source].reference(), target: self.resources[*target].reference(), event: None, callback: None })
            .collect();
        let mut classes: Vec<String> = Vec::new();
        for class in &self.classes {
            if !classes.contains(class) {
                classes.push(class.clone());
            }
        }
        // `to_catalog` adds the classes (as tags) before the compiler's tags.
        let mut tags: Vec<Rc<str>> = Vec::new();
        for class in &classes {
            let tag = class.to_lowercase();
            if super::is_valid_tag(&tag) {
                let mut parts = vec![Rc::from(tag.as_str())];
                if tag.contains("::") {
                    parts.extend(tag.split("::").map(Rc::from));
                }
                merge_into(&mut tags, &parts);
            }
        }
        merge_into(&mut tags, &self.catalog_tags);
        Catalog {
            tags: tags.iter().map(|tag| String::from(&**tag)).collect(),
            name: self.settings.node_name.clone(),
            version: Json::from(0),
            code_id: None,
            catalog_uuid: Some("00000000-0000-0000-0000-000000000000".to_owned()),
            catalog_format: 2,
            environment: self.settings.environment.clone(),
            resources,
            edges,
            classes,
            metadata: None,
            recursive_metadata: None,
        }
    }

    fn catalog_resource(&self, id: ResourceId) -> CatalogResource {
        let resource = &self.resources[id];
        let kind = match &resource.implementation {
            ResourceImpl::Builtin(_) => "compilable_type",
            ResourceImpl::Define(_) => "defined_type",
            ResourceImpl::Class(_) if resource.kind_class => "class",
            _ => "unknown",
        };
        // parse_title first (the namevar from the title), then the parameters.
        let namevar = match &resource.implementation {
            ResourceImpl::Builtin(t) => t.namevar(),
            _ => "name",
        };
        let mut parameters = JsonMap::new();
        let namevar_value = resource.params.get(namevar).map(|p| &p.value).filter(|v| !v.is_undef());
        let first = match namevar_value {
            Some(value) => param_json(value, namevar),
            None => match &resource.implementation {
                ResourceImpl::Builtin(t) => Json::String(super::catalog::title_namevar(t, &resource.title)),
                _ => Json::String(String::from(&*resource.title)),
            },
        };
        let skip_namevar = !resource.title_is_main && matches!(&first, Json::String(s) if *s == *resource.title);
        if !skip_namevar {
            parameters.insert(namevar.to_string(), first);
        }
        for (name, param) in &resource.params {
            if name == namevar || param.value.is_undef() {
                continue;
            }
            parameters.insert(name.clone(), param_json(&param.value, name));
        }
        CatalogResource {
            type_name: String::from(&*resource.type_name),
            title: String::from(&*resource.title),
            tags: resource.tags.iter().map(|tag| String::from(&**tag)).collect(),
            file: resource.file.as_deref().map(str::to_owned),
            line: resource.line,
            exported: resource.exported,
            kind: Some(kind.to_owned()),
            parameters,
            sensitive_parameters: resource.sensitive.clone(),
        }
    }
}

/// `[type, title]` of a reference type value.
fn reference_of_type(t: &PType) -> Option<(String, String)> {
    match t {
        PType::Class(Some(name)) => Some(("class".into(), name.to_string())),
        PType::Resource { type_name: Some(name), title: Some(title) } => Some((name.to_string(), title.to_string())),
        _ => None,
    }
}

fn reference_string(type_name: &str, title: &str) -> String {
    let (t, title) = Compiler::catalog_key(type_name, title);
    format!("{t}[{title}]")
}

/// A parameter value as catalog JSON (references as `Type[title]` strings, relationship
/// arrays flattened, rich data for the rest).
fn param_json(value: &Value, name: &str) -> Json {
    if matches!(name, "before" | "require" | "notify" | "subscribe") {
        if let Value::Array(_) = value {
            let mut flat = Vec::with_capacity(value.as_array().map_or(0, <[Value]>::len));
            let _: Result<(), std::convert::Infallible> = try_for_each_flattened(value, &mut |item| {
                if !item.is_undef() {
                    flat.push(value_json(item));
                }
                Ok(())
            });
            return Json::Array(flat);
        }
    }
    value_json(value)
}

/// Each value of Ruby's `Array#flatten` of a value (a non-array is its own only value),
/// borrowed, until `action` fails.
fn try_for_each_flattened<'v, E>(value: &'v Value, action: &mut impl FnMut(&'v Value) -> Result<(), E>) -> Result<(), E> {
    match value {
        Value::Array(values) => values.iter().try_for_each(|item| try_for_each_flattened(item, action)),
        other => action(other),
    }
}

pub fn value_json(value: &Value) -> Json {
    match value {
        Value::Undef => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Integer(i) => json!(i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        // `String::from`: `to_string` of an `Rc<str>` goes through the formatter.
        Value::String(s) => Json::String(String::from(&**s)),
        Value::Array(values) => Json::Array(values.iter().map(value_json).collect()),
        Value::Hash(map) => {
            if map.keys().all(|k| matches!(k, Value::String(_))) {
                let mut out = JsonMap::new();
                for (k, v) in map.iter() {
                    out.insert(k.to_puppet_string(), value_json(v));
                }
                Json::Object(out)
            } else {
                let mut pairs = Vec::new();
                for (k, v) in map.iter() {
                    pairs.push(value_json(k));
                    pairs.push(value_json(v));
                }
                json!({ "__ptype": "Hash", "__pvalue": pairs })
            }
        }
        Value::Type(t) => match &**t {
            PType::Class(Some(name)) => Json::String(format!("Class[{}]", capitalize_segments(name.trim_start_matches("::")))),
            PType::Resource { type_name: Some(name), title: Some(title) } => {
                let (t, title) = Compiler::catalog_key(name, title);
                Json::String(format!("{t}[{title}]"))
            }
            // Runtime3Converter#convert_PCatalogEntryType: a resource type without a title
            // becomes a reference with an empty title.
            PType::Resource { type_name: Some(name), title: None } => Json::String(reference_string(name, "")),
            other => type_json(other),
        },
        Value::Default => json!({ "__ptype": "Default" }),
        Value::Regexp(r) => json!({ "__ptype": "Regexp", "__pvalue": r.source() }),
        Value::Sensitive(inner) => json!({ "__ptype": "Sensitive", "__pvalue": value_json(inner) }),
        Value::Timespan(n) => json!({ "__ptype": "Timespan", "__pvalue": crate::time::format_timespan_default(*n) }),
        Value::Timestamp(n) => json!({ "__ptype": "Timestamp", "__pvalue": crate::time::format_timestamp_default(*n) }),
        Value::SemVer(v) => json!({ "__ptype": "SemVer", "__pvalue": v.to_string() }),
        Value::SemVerRange(r) => json!({ "__ptype": "SemVerRange", "__pvalue": r.to_string() }),
        Value::Binary(bytes) => json!({ "__ptype": "Binary", "__pvalue": crate::functions::encoding::base64_encode(bytes, true) }),
        Value::Deferred(deferred) => {
            let mut out = JsonMap::new();
            out.insert("__ptype".into(), Json::String("Deferred".into()));
            out.insert("name".into(), Json::String(deferred.0.clone()));
            if !deferred.1.is_empty() {
                out.insert("arguments".into(), Json::Array(deferred.1.iter().map(value_json).collect()));
            }
            Json::Object(out)
        }
        Value::Iterator(values) => Json::Array(values.iter().map(value_json).collect()),
        Value::Collector(_) => Json::Null,
    }
}

/// A type as Pcore rich data (`{"__ptype": "Pcore::IntegerType", ...}`): what
/// `ToDataConverter#value_to_data_hash` makes of a type, its initializer's arguments by
/// name with the trailing ones that equal their defaults left out.
fn type_json(t: &PType) -> Json {
    let any = || Some(type_json(&PType::Any));
    let int_range = |range: &types::IntRange| json_int_range(range);
    let args: Vec<(&str, Option<Json>, Option<Json>)> = match t {
        PType::Integer(range) => {
            vec![("from", range.from.map(|n| json!(n)), None), ("to", range.to.map(|n| json!(n)), None)]
        }
        PType::Float { from, to } => vec![("from", from.map(|n| float_json(n.as_f64())), None), ("to", to.map(|n| float_json(n.as_f64())), None)],
        PType::String(spec) => {
            let value = match spec {
                types::StringSpec::Any => None,
                types::StringSpec::Size(range) => Some(int_range(range)),
                types::StringSpec::Value(text) => Some(Json::String(text.to_string())),
            };
            vec![("size_type_or_value", value, None)]
        }
        PType::Enum { values, case_insensitive } => vec![
            ("values", Some(Json::Array(values.iter().map(|v| Json::String(v.to_string())).collect())), Some(Json::Null)),
            ("case_insensitive", Some(Json::Bool(*case_insensitive)), Some(Json::Bool(false))),
        ],
        PType::Pattern(patterns) => {
            let patterns = patterns.iter().map(|r| json!({ "__ptype": "Pcore::RegexpType", "pattern": r.source() })).collect();
            vec![("patterns", Some(Json::Array(patterns)), Some(Json::Null))]
        }
        PType::Regexp(pattern) => vec![("pattern", pattern.as_ref().map(|r| Json::String(r.source().to_string())), None)],
        PType::Collection(size) => vec![("size_type", size.as_ref().map(int_range), None)],
        PType::Array { element, size } => {
            let element = if is_empty_size(size.as_ref()) { type_json(&PType::Unit) } else { type_json(element) };
            vec![("element_type", Some(element), any()), ("size_type", size.as_ref().map(int_range), None)]
        }
        PType::Hash { key, value, size } => {
            let (key, value) = if is_empty_size(size.as_ref()) {
                (type_json(&PType::Unit), type_json(&PType::Unit))
            } else {
                (type_json(key), type_json(value))
            };
            vec![("key_type", Some(key), any()), ("value_type", Some(value), any()), ("size_type", size.as_ref().map(int_range), None)]
        }
        PType::Tuple { types, size } => vec![
            ("types", Some(Json::Array(types.iter().map(type_json).collect())), Some(Json::Null)),
            ("size_type", size.as_ref().map(int_range), None),
        ],
        PType::Struct(elements) => {
            let elements = elements
                .iter()
                .map(|element| {
                    let name = PType::string_value(&element.name);
                    let key = if element.optional_key { PType::Optional(Some(Rc::new(name))) } else { name };
                    json!({ "__ptype": "Pcore::StructElement", "key_type": type_json(&key), "value_type": type_json(&element.value_type) })
                })
                .collect();
            vec![("elements", Some(Json::Array(elements)), Some(Json::Null))]
        }
        PType::Variant(types) => vec![("types", Some(Json::Array(types.iter().map(type_json).collect())), Some(Json::Null))],
        PType::Optional(inner) | PType::NotUndef(inner) | PType::Type(inner) | PType::Iterable(inner) | PType::Iterator(inner) | PType::Init(inner) => {
            vec![("type", inner.as_deref().map(type_json), None)]
        }
        PType::Callable(callable) => {
            // `return_type` defaults to Any while the value is nil, so all three are always written.
            let (params, block, return_type) = match callable.as_deref() {
                None => (Json::Null, Json::Null, Json::Null),
                Some(callable) => {
                    let params = PType::Tuple { types: Rc::new(callable.params.clone()), size: callable.size };
                    (type_json(&params), callable.block.as_ref().map_or(Json::Null, type_json), callable.return_type.as_ref().map_or(Json::Null, type_json))
                }
            };
            vec![("param_types", Some(params), Some(Json::Bool(false))), ("block_type", Some(block), Some(Json::Bool(false))), ("return_type", Some(return_type), Some(Json::Bool(false)))]
        }
        PType::Class(name) => vec![("class_name", name.as_deref().map(|n| Json::String(n.to_string())), None)],
        PType::Resource { type_name, title } => vec![
            ("type_name", type_name.as_deref().map(|n| Json::String(n.to_string())), None),
            ("title", title.as_deref().map(|n| Json::String(n.to_string())), None),
        ],
        PType::Alias(alias) if !alias.builtin => {
            let resolved = type_json(&alias.resolved());
            vec![("name", Some(Json::String(alias.name.clone())), Some(Json::Null)), ("type_expr", Some(Json::Null), Some(Json::Bool(false))), ("resolved_type", Some(resolved), None)]
        }
        PType::Alias(alias) => return json!({ "__ptype": "Pcore::TypeAliasType", "name": alias.name }),
        // Deferred is an Object type: its definition (`Puppet::Pops::Types::TypeFactory.deferred`).
        PType::Deferred => {
            return json!({ "__ptype": "Pcore::ObjectType", "_pcore_init_hash": {
                "name": "Deferred",
                "attributes": {
                    "name": { "__ptype": "Pcore::PatternType", "patterns": [{ "__ptype": "Pcore::RegexpType", "pattern": "\\A[$]?[a-z][a-z0-9_]*(?:::[a-z][a-z0-9_]*)*\\z" }] },
                    "arguments": { "type": { "__ptype": "Pcore::OptionalType", "type": { "__ptype": "Pcore::ArrayType" } }, "value": null }
                }
            } })
        }
        _ => Vec::new(),
    };
    // Each argument: its name, its value (None: nil), and its default (None: nil); an
    // argument whose default is not nil and not its value is kept even when nil.
    let mut kept = args.len();
    while kept > 0 {
        let (_, value, default) = &args[kept - 1];
        let is_default = match (value, default) {
            (None, None) => true,
            (Some(value), Some(default)) => value == default,
            _ => false,
        };
        if !is_default {
            break;
        }
        kept -= 1;
    }
    let mut out = JsonMap::new();
    out.insert("__ptype".into(), Json::String(format!("Pcore::{}Type", t.simple_name())));
    for (name, value, _) in args.into_iter().take(kept) {
        out.insert(name.into(), value.unwrap_or(Json::Null));
    }
    Json::Object(out)
}

fn json_int_range(range: &types::IntRange) -> Json {
    type_json(&PType::Integer(*range))
}

fn float_json(f: f64) -> Json {
    serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
}

/// `Array[T, 0, 0]` and `Hash[K, V, 0, 0]` hold nothing: Puppet makes their element types Unit.
fn is_empty_size(size: Option<&types::IntRange>) -> bool {
    size.is_some_and(|range| range.from == Some(0) && range.to == Some(0))
}
