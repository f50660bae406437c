//! Scopes (`Puppet::Parser::Scope`): a symbol table per class, define, node or the top,
//! a stack of ephemeral scopes on top of it (match results, lambda and parameter
//! locals), and the variable lookup rules (local, then inherited class, then the
//! enclosing node or top scope; qualified names through the class scopes).

use std::rc::Rc;

use indexmap::IndexMap;
use rustc_hash::FxHashMap;

use super::{plain, Compiler, Flow, Param, ResourceId, Source, R};
use crate::value::Value;

pub type ScopeId = usize;

/// One entry of a scope's ephemeral stack.
#[derive(Clone, Debug)]
pub enum Ephemeral {
    /// The result of a successful match (`$0`, `$1`, ...); `None` is a transparent
    /// match scope.
    Match(Option<Rc<Vec<Option<String>>>>),
    /// Local variables (a lambda's parameters and assignments).
    Local(FxHashMap<String, Value>),
    /// Parameters being evaluated: names in order, values as they are assigned.
    Parameters { callee: String, names: Vec<String>, values: Vec<Option<Value>>, read_only: bool },
}

#[derive(Clone, Debug)]
pub struct Scope {
    pub parent: Option<ScopeId>,
    pub resource: Option<ResourceId>,
    pub source: Source,
    pub symtable: FxHashMap<String, Value>,
    pub ephemeral: Vec<Ephemeral>,
    /// Resource defaults by capitalized type name.
    pub defaults: FxHashMap<String, IndexMap<String, Param>>,
    pub is_top: bool,
    pub is_node: bool,
    pub is_class: bool,
}

impl Scope {
    pub fn new(parent: Option<ScopeId>, source: Source, resource: Option<ResourceId>) -> Scope {
        Scope {
            parent,
            resource,
            source,
            symtable: FxHashMap::default(),
            ephemeral: vec![Ephemeral::Match(None)],
            defaults: FxHashMap::default(),
            is_top: false,
            is_node: false,
            is_class: false,
        }
    }
}

/// The result of looking a name up in one scope's tables.
enum Local {
    Found(Value),
    Missing,
}

fn is_numeric_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
}

impl Compiler<'_> {
    pub fn new_scope(&mut self, parent: ScopeId, source: Source, resource: Option<ResourceId>) -> ScopeId {
        self.scopes.push(Scope::new(Some(parent), source, resource));
        self.scopes.len() - 1
    }

    /// `@ephemeral.last[name]`: the ephemeral stack, then the symbol table.
    fn lookup_local(&self, scope: ScopeId, name: &str) -> R<Local> {
        let s = &self.scopes[scope];
        for entry in s.ephemeral.iter().rev() {
            match entry {
                Ephemeral::Match(Some(captures)) if is_numeric_name(name) => {
                    let index: usize = name.parse().unwrap_or(usize::MAX);
                    let value = captures.get(index).cloned().flatten().map_or(Value::Undef, Value::from);
                    return Ok(Local::Found(value));
                }
                Ephemeral::Match(_) => {}
                Ephemeral::Local(map) => {
                    if let Some(value) = map.get(name) {
                        return Ok(Local::Found(value.clone()));
                    }
                }
                Ephemeral::Parameters { callee, names, values, .. } => {
                    if let Some(index) = names.iter().position(|n| n == name) {
                        match &values[index] {
                            Some(value) => return Ok(Local::Found(value.clone())),
                            None => {
                                let _ = callee;
                                return Err(Flow::UnevaluatedParameter(name.to_string()));
                            }
                        }
                    }
                }
            }
        }
        Ok(match s.symtable.get(name) {
            Some(value) => Local::Found(value.clone()),
            None => Local::Missing,
        })
    }

    /// `inherited_scope`: the scope of the parent class of a class scope.
    pub fn inherited_scope(&self, scope: ScopeId) -> Option<ScopeId> {
        let s = &self.scopes[scope];
        if !s.is_class {
            return None;
        }
        let resource = s.resource?;
        let parent = match &self.resources[resource].implementation {
            super::ResourceImpl::Class(Some(definition)) => definition.parent.clone()?,
            _ => return None,
        };
        self.class_scopes.get(&parent).copied()
    }

    /// `enclosing_scope`: the nearest top or node scope above.
    pub fn enclosing_scope(&self, scope: ScopeId) -> Option<ScopeId> {
        let mut current = self.scopes[scope].parent?;
        loop {
            let s = &self.scopes[current];
            if s.is_top || s.is_node {
                return Some(current);
            }
            current = s.parent?;
        }
    }

    /// Looks a variable up; `Ok(None)` when it is not defined anywhere.
    pub fn lookup_variable(&self, scope: ScopeId, name: &str) -> R<Option<Value>> {
        if let Some(index) = name.find("::") {
            let fqn = if index == 0 { &name[2..] } else { name };
            return Ok(self.lookup_qualified(fqn));
        }
        let mut current = scope;
        for _ in 0..10_000 {
            if let Local::Found(value) = self.lookup_local(current, name)? {
                return Ok(Some(value));
            }
            match self.inherited_scope(current).or_else(|| self.enclosing_scope(current)) {
                Some(next) => current = next,
                None => break,
            }
        }
        if name == "module_name" || name == "caller_module_name" || is_numeric_name(name) {
            return Ok(Some(Value::Undef));
        }
        Ok(None)
    }

    /// `lookup_qualified_variable`.
    fn lookup_qualified(&self, fqn: &str) -> Option<Value> {
        if let Some(value) = self.qualified_variables.get(fqn) {
            return Some(value.clone());
        }
        let (class_name, leaf) = fqn.rsplit_once("::")?;
        if class_name.is_empty() && (leaf == "module_name" || leaf == "caller_module_name") {
            return Some(Value::Undef);
        }
        let scope = *self.class_scopes.get(&class_name.to_lowercase())?;
        if let Ok(Local::Found(value)) = self.lookup_local(scope, leaf) {
            return Some(value);
        }
        let inherited = self.inherited_scope(scope)?;
        let parent_name = self.scopes[inherited].source.name();
        self.lookup_qualified(&format!("{parent_name}::{leaf}"))
    }

    /// Why a qualified variable was not found (`class x could not be found`), for
    /// the message of a failed lookup.
    pub fn qualified_not_found_reason(&self, fqn: &str) -> Option<String> {
        let (class_name, _) = fqn.trim_start_matches("::").rsplit_once("::")?;
        if class_name.is_empty() {
            return None;
        }
        if self.class_scopes.contains_key(&class_name.to_lowercase()) {
            None
        } else {
            Some(format!("class {class_name} has not been evaluated"))
        }
    }

    /// Whether a variable is bound in the innermost local table of a scope.
    pub fn is_bound(&self, scope: ScopeId, name: &str) -> bool {
        let s = &self.scopes[scope];
        for entry in s.ephemeral.iter().rev() {
            match entry {
                Ephemeral::Local(map) => return map.contains_key(name),
                Ephemeral::Parameters { names, .. } => return names.iter().any(|n| n == name),
                Ephemeral::Match(_) => {}
            }
        }
        s.symtable.contains_key(name)
    }

    /// `setvar`: assigns in the innermost local table; fails on reassignment.
    pub fn set_variable(&mut self, scope: ScopeId, name: &str, value: Value) -> R<()> {
        if is_numeric_name(name) {
            return Err(plain(format!("Cannot assign to a numeric match result variable '${name}'")));
        }
        let s = &mut self.scopes[scope];
        let mut target = None;
        for (index, entry) in s.ephemeral.iter().enumerate().rev() {
            match entry {
                Ephemeral::Local(_) | Ephemeral::Parameters { .. } => {
                    target = Some(index);
                    break;
                }
                Ephemeral::Match(_) => {}
            }
        }
        match target {
            Some(index) => match &mut s.ephemeral[index] {
                Ephemeral::Local(map) => {
                    if map.contains_key(name) {
                        return Err(plain(format!("Cannot reassign variable '${name}'")));
                    }
                    map.insert(name.to_string(), value);
                }
                Ephemeral::Parameters { names, values, read_only, .. } => {
                    if *read_only {
                        return Err(plain(format!("Attempt to assign variable {name} when evaluating parameters")));
                    }
                    match names.iter().position(|n| n == name) {
                        Some(position) => values[position] = Some(value),
                        None => {
                            names.push(name.to_string());
                            values.push(Some(value));
                        }
                    }
                }
                Ephemeral::Match(_) => {}
            },
            None => {
                if s.symtable.contains_key(name) {
                    return Err(plain(format!("Cannot reassign variable '${name}'")));
                }
                s.symtable.insert(name.to_string(), value.clone());
                let qualified = if s.is_top {
                    Some(name.to_string())
                } else if s.is_class {
                    Some(format!("{}::{name}", s.source.name()))
                } else {
                    None
                };
                if let Some(qualified) = qualified {
                    self.qualified_variables.insert(qualified, value);
                }
            }
        }
        Ok(())
    }

    pub fn ephemeral_level(&self, scope: ScopeId) -> usize {
        self.scopes[scope].ephemeral.len()
    }

    pub fn pop_ephemerals(&mut self, scope: ScopeId, level: usize) {
        self.scopes[scope].ephemeral.truncate(level.max(1));
    }

    pub fn push_ephemeral(&mut self, scope: ScopeId, entry: Ephemeral) {
        self.scopes[scope].ephemeral.push(entry);
    }

    /// Runs `f` and then drops the ephemeral scopes it pushed (`with_guarded_scope`).
    pub fn guarded<T>(&mut self, scope: ScopeId, f: impl FnOnce(&mut Self) -> R<T>) -> R<T> {
        let level = self.ephemeral_level(scope);
        let result = f(self);
        self.pop_ephemerals(scope, level);
        result
    }

    /// The class scope registered for a class name.
    pub fn class_scope(&self, name: &str) -> Option<ScopeId> {
        self.class_scopes.get(name).copied()
    }

    /// `lookupdefaults`: the defaults of a type from this scope and its parents.
    pub fn lookup_defaults(&self, scope: ScopeId, type_name: &str) -> IndexMap<String, Param> {
        let mut chain = Vec::new();
        let mut current = Some(scope);
        while let Some(id) = current {
            chain.push(id);
            current = self.scopes[id].parent;
        }
        let mut values: IndexMap<String, Param> = IndexMap::new();
        for id in chain.into_iter().rev() {
            if let Some(defaults) = self.scopes[id].defaults.get(type_name) {
                for (name, param) in defaults {
                    values.insert(name.clone(), param.clone());
                }
            }
        }
        values
    }

    /// `is_default?`: the value is the default of that parameter in this scope chain.
    pub fn is_default(&self, scope: ScopeId, type_name: &str, name: &str, value: &Value) -> bool {
        let mut current = Some(scope);
        while let Some(id) = current {
            if let Some(param) = self.scopes[id].defaults.get(type_name).and_then(|d| d.get(name)) {
                if &param.value == value {
                    return true;
                }
            }
            current = self.scopes[id].parent;
        }
        false
    }

    /// The module name of the scope's definition, for `$module_name`.
    pub fn parent_module_name(&self, scope: ScopeId) -> Option<String> {
        let parent = self.scopes[scope].parent?;
        self.scopes[parent].source.module_name()
    }
}

