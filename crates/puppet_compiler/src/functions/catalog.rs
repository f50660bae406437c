//! Functions that act on the catalog: `include`, `require`, `contain`, `realize`,
//! `tag`, `tagged`, `defined`, `create_resources`, the log functions, `fail`, and
//! templates (`epp`, `inline_epp`; ERB is not supported natively).

use std::rc::Rc;

use indexmap::IndexMap;

use crate::eval::catalog::flatten_value;
use crate::eval::{plain, CallContext, Compiler, Param, R};
use crate::loader::Wanted;
use crate::types::PType;
use crate::value::{Map, Value};

/// `transform_and_assert_classnames`: names as `include` reports them (`::foo`).
fn class_names(c: &Compiler, args: &[Value]) -> R<Vec<String>> {
    let _ = c;
    let mut names = Vec::new();
    for value in flatten_value(Value::array(args.to_vec())) {
        let name = match &value {
            Value::Undef => return Err(plain("Cannot use undef as a class name")),
            Value::String(s) if s.is_empty() => return Err(plain("Cannot use empty string as a class name")),
            Value::String(s) => absolute(s),
            Value::Type(t) => match &**t {
                PType::Class(Some(name)) => absolute(name),
                PType::Class(None) => return Err(plain("Cannot use an unspecific Class[] Type")),
                PType::Resource { type_name: Some(type_name), title } => {
                    if !type_name.eq_ignore_ascii_case("class") {
                        return Err(plain(format!("Cannot use a Resource[{type_name}] where a Resource['class', name] is expected")));
                    }
                    match title {
                        Some(title) => absolute(title),
                        None => return Err(plain("Cannot use an unspecific Resource['class'] where a Resource['class', name] is expected")),
                    }
                }
                PType::Resource { type_name: None, .. } => return Err(plain("Cannot use an unspecific Resource[] where a Resource['class', name] is expected")),
                _ => continue,
            },
            _ => continue,
        };
        names.push(name.to_lowercase());
    }
    Ok(names)
}

/// `name.sub(/^([^:]{1,2})/, '::\1')`.
fn absolute(name: &str) -> String {
    if name.starts_with("::") {
        name.to_string()
    } else {
        format!("::{name}")
    }
}

fn class_values(names: &[String]) -> Value {
    Value::array(names.iter().map(|n| Value::type_value(PType::Class(Some(Rc::from(n.trim_start_matches("::")))))).collect())
}

pub fn include(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    if args.is_empty() {
        return Err(plain("'include' expects at least 1 argument, got none"));
    }
    let names = class_names(c, &args)?;
    c.evaluate_classes(&names, ctx.scope, false, ctx.span)?;
    Ok(class_values(&names))
}

pub fn require(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    if args.is_empty() {
        return Err(plain("'require' expects at least 1 argument, got none"));
    }
    let names = class_names(c, &args)?;
    c.evaluate_classes(&names, ctx.scope, false, ctx.span)?;
    for name in &names {
        let Some(definition) = c.find_definition(Wanted::Class, name, ctx.span)? else {
            return Err(plain(format!("Could not find class {name}")));
        };
        let reference = Value::type_value(PType::Class(Some(Rc::from(definition.name.as_str()))));
        if let Some(resource) = c.scopes[ctx.scope].resource {
            let mut values = match c.resources[resource].get("require") {
                Some(existing) => flatten_value(existing.clone()).into_iter().filter(|v| !v.is_undef()).collect(),
                None => Vec::new(),
            };
            values.push(reference);
            let source = c.resources[resource].source.clone();
            c.set_resource_param(resource, "require", Param { value: Value::array(values), source, file: None, line: None, add: false })?;
        }
    }
    Ok(class_values(&names))
}

pub fn contain(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    if args.is_empty() {
        return Err(plain("'contain' expects at least 1 argument, got none"));
    }
    let names = class_names(c, &args)?;
    let container = c.scopes[ctx.scope].resource;
    let resources = c.evaluate_classes(&names, ctx.scope, false, ctx.span)?;
    if let Some(container) = container {
        for resource in resources {
            if !c.edges.contains(&(container, resource)) {
                c.edges.push((container, resource));
            }
        }
    }
    Ok(class_values(&names))
}

pub fn realize(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let mut references = Vec::new();
    for value in flatten_value(Value::array(args)) {
        match &value {
            Value::Type(t) => match &**t {
                PType::Resource { type_name: Some(name), title: Some(title) } => references.push((name.to_string(), title.to_string())),
                PType::Class(Some(name)) => references.push(("Class".into(), name.to_string())),
                _ => {}
            },
            Value::String(s) => match crate::eval::catalog::parse_reference(s) {
                Some((t, title)) => references.push((t, title)),
                None => references.push((String::new(), s.to_string())),
            },
            _ => {}
        }
    }
    c.realize(references, ctx.scope);
    Ok(Value::Undef)
}

pub fn tag(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let Some(resource) = c.scopes[ctx.scope].resource else { return Ok(Value::Undef) };
    for value in flatten_value(Value::array(args)) {
        if value.is_undef() {
            continue;
        }
        c.resources[resource].add_tag(&value.to_puppet_string()).map_err(plain)?;
    }
    Ok(Value::Undef)
}

pub fn tagged(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let resource = c.scopes[ctx.scope].resource;
    for value in flatten_value(Value::array(args)) {
        let tag = value.to_puppet_string().to_lowercase();
        let in_catalog = c.catalog_tags.iter().any(|t| **t == *tag) || c.classes.iter().any(|class| class.to_lowercase() == tag);
        let on_resource = resource.is_some_and(|r| c.resources[r].has_tag(&tag));
        if !in_catalog && !on_resource {
            return Ok(Value::Boolean(false));
        }
    }
    Ok(Value::Boolean(true))
}

pub fn defined(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Variant[String, Type[CatalogEntry], Type[Type[CatalogEntry]]] vals+"])?;
    for value in &args {
        let found = match value {
            Value::String(s) => {
                if let Some(variable) = s.strip_prefix('$') {
                    c.variable_exists(ctx.scope, variable)?
                } else if s.is_empty() {
                    false
                } else if &**s == "main" {
                    true
                } else {
                    c.find_resource_type(s, ctx.span).ok().flatten().is_some() || c.find_definition(Wanted::Class, s, ctx.span)?.is_some()
                }
            }
            Value::Type(t) => match &**t {
                PType::Resource { type_name: None, .. } => return Err(plain("The given resource type is a reference to all kind of types")),
                PType::Resource { type_name: Some(name), title } => match title {
                    None => c.find_resource_type(name, ctx.span).ok().flatten().is_some(),
                    Some(title) => c.find_resource(name, title).is_some(),
                },
                PType::Class(None) => return Err(plain("The given class type is a reference to all classes")),
                PType::Class(Some(name)) => c.find_resource("Class", name).is_some(),
                PType::Type(Some(inner)) => match &**inner {
                    PType::Resource { type_name: Some(name), .. } => c.find_resource_type(name, ctx.span).ok().flatten().is_some(),
                    PType::Class(Some(name)) => c.find_definition(Wanted::Class, name, ctx.span)?.is_some(),
                    PType::Class(None) => return Err(plain("The given class type is a reference to all classes")),
                    _ => false,
                },
                _ => false,
            },
            _ => false,
        };
        if found {
            return Ok(Value::Boolean(true));
        }
    }
    Ok(Value::Boolean(false))
}

pub fn create_resources(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    if args.len() < 2 {
        return Err(plain(format!("create_resources(): Wrong number of arguments given ({} for minimum 2)", args.len())));
    }
    if args.len() > 3 {
        return Err(plain(format!("create_resources(): wrong number of arguments ({}; must be 2 or 3)", args.len())));
    }
    let Value::Hash(instances) = &args[1] else {
        return Err(plain("create_resources(): second argument must be a hash"));
    };
    let defaults = match args.get(2) {
        None | Some(Value::Undef) => Map::new(),
        Some(Value::Hash(map)) => (**map).clone(),
        Some(Value::String(s)) if s.is_empty() => Map::new(),
        Some(_) => return Err(plain("create_resources(): third argument, if provided, must be a hash")),
    };
    let type_text = args[0].to_puppet_string();
    let exported = type_text.starts_with("@@");
    let is_virtual = type_text.starts_with('@');
    let type_name = type_text.trim_start_matches('@').to_lowercase();
    if type_name == "class" && is_virtual {
        return Err(plain("Classes are not virtualizable"));
    }
    let source = c.scopes[ctx.scope].source.clone();
    let mut created = Vec::new();
    for (title, params) in instances.iter() {
        let titles = match title {
            Value::Array(values) => values.to_vec(),
            other => vec![other.clone()],
        };
        let mut merged: IndexMap<String, Param> = IndexMap::new();
        for (name, value) in defaults.iter() {
            merged.insert(name.to_puppet_string(), Param { value: value.clone(), source: source.clone(), file: None, line: None, add: false });
        }
        if let Value::Hash(params) = params {
            for (name, value) in params.iter() {
                merged.insert(name.to_puppet_string(), Param { value: value.clone(), source: source.clone(), file: None, line: None, add: false });
            }
        }
        let values = c.create_resources(ctx.span, ctx.scope, crate::eval::catalog::Form { is_virtual, exported }, &type_name, &titles, merged)?;
        created.extend(values);
    }
    Ok(Value::array(created))
}

pub fn log(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let message: Vec<String> = args.iter().map(Value::to_puppet_string).collect();
    c.log_messages.push((ctx.name.to_string(), message.join(" ")));
    Ok(Value::Undef)
}

pub fn fail(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let _ = (c, ctx);
    let message: Vec<String> = args.iter().map(Value::to_puppet_string).collect();
    Err(plain(message.join(" ")))
}

pub fn import(_c: &mut Compiler, _ctx: &mut CallContext, _args: Vec<Value>) -> R<Value> {
    Err(plain("The 'import' function is not supported"))
}

pub fn generate(c: &mut Compiler, ctx: &mut CallContext, _args: Vec<Value>) -> R<Value> {
    Err(c.unsupported("the function 'generate' (it runs a command on the server)", ctx.span))
}

pub fn template(c: &mut Compiler, ctx: &mut CallContext, _args: Vec<Value>) -> R<Value> {
    Err(c.unsupported(format!("ERB templates (the function '{}')", ctx.name), ctx.span))
}

/// `epp(template, params)`: a module's EPP template.
pub fn epp(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["String path, Hash[Pattern[/^\\w+$/], Any] parameters?"])?;
    let reference = args[0].to_puppet_string();
    let path = c.find_template_path(&reference).or_else(|| c.find_template_path(&format!("{reference}.epp")));
    let Some(path) = path else {
        return Err(plain(format!("Could not find template '{reference}'")));
    };
    let parsed = c.parse_epp_file(&path)?;
    let params = args.get(1).cloned();
    c.render_epp(&parsed, params, None, ctx.span)
}

pub fn inline_epp(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["String template, Hash[Pattern[/^\\w+$/], Any] parameters?"])?;
    let source = args[0].to_puppet_string();
    // A template in a define or a loop comes back with the same text: parse it once.
    let parsed = match c.inline_epp_cache.get(&source) {
        Some(parsed) => parsed.clone(),
        None => {
            let parsed = std::sync::Arc::new(crate::loader::parse_source(source.as_bytes(), std::sync::Arc::from(""), &puppet_syntax::checker::FileLocation::Anywhere, true, None));
            c.inline_epp_cache.insert(source, parsed.clone());
            parsed
        }
    };
    if let Some(error) = &parsed.error {
        return Err(plain(format!("inline_epp(): Invalid EPP: {} (file: inlined-epp-text, line: {}, column: {})", error.message, error.span.line, error.span.column)));
    }
    c.render_epp(&parsed, args.get(1).cloned(), Some(ctx.scope), ctx.span)
}

pub fn file(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    for value in flatten_value(Value::array(args.clone())) {
        let reference = value.to_puppet_string();
        let path = if reference.starts_with('/') {
            let p = std::path::PathBuf::from(&reference);
            p.is_file().then_some(p)
        } else {
            c.loader.module_file("files", &reference)
        };
        if let Some(path) = path {
            return match std::fs::read(&path) {
                Ok(bytes) => Ok(Value::from(String::from_utf8_lossy(&bytes).into_owned())),
                Err(error) => Err(plain(format!("Could not read file {}: {error}", path.display()))),
            };
        }
    }
    let _ = ctx;
    let names: Vec<String> = args.iter().map(Value::to_puppet_string).collect();
    Err(plain(format!("Could not find any files from {}", names.join(", "))))
}

pub fn find_file(c: &mut Compiler, _ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    for value in flatten_value(Value::array(args)) {
        let reference = value.to_puppet_string();
        if reference.starts_with('/') {
            if std::path::Path::new(&reference).exists() {
                return Ok(Value::from(reference));
            }
            continue;
        }
        if let Some(path) = c.loader.module_file("files", &reference) {
            return Ok(Value::from(path.display().to_string()));
        }
    }
    Ok(Value::Undef)
}

pub fn find_template(c: &mut Compiler, _ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    for value in flatten_value(Value::array(args)) {
        if let Some(path) = c.find_template_path(&value.to_puppet_string()) {
            return Ok(Value::from(path.display().to_string()));
        }
    }
    Ok(Value::Undef)
}

pub fn module_directory(c: &mut Compiler, _ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    for value in flatten_value(Value::array(args)) {
        if let Some(path) = c.loader.module_path(&value.to_puppet_string()) {
            return Ok(Value::from(path.display().to_string()));
        }
    }
    Ok(Value::Undef)
}

pub fn getvar(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Pattern[/\\A(?:::)?(?:[a-z]\\w*::)*[a-z_]\\w*(?:\\.|\\Z)/] get_string, Any default_value?"])?;
    let text = args[0].to_puppet_string();
    let (name, path) = match text.split_once('.') {
        Some((name, path)) => (name.to_string(), Some(path.to_string())),
        None => (text.clone(), None),
    };
    let value = c.lookup_variable(ctx.scope, &name)?;
    let Some(mut value) = value else {
        return Ok(args.get(1).cloned().unwrap_or(Value::Undef));
    };
    if let Some(path) = path {
        for segment in path.split('.') {
            value = match &value {
                Value::Hash(map) => map.get(&Value::from(segment)).cloned().unwrap_or(Value::Undef),
                Value::Array(values) => segment.parse::<usize>().ok().and_then(|i| values.get(i).cloned()).unwrap_or(Value::Undef),
                _ => Value::Undef,
            };
        }
    }
    if value.is_undef() {
        return Ok(args.get(1).cloned().unwrap_or(Value::Undef));
    }
    Ok(value)
}

impl Compiler<'_> {
    /// `exist?` of a variable (used by `defined('$x')`).
    pub fn variable_exists(&mut self, scope: crate::eval::ScopeId, name: &str) -> R<bool> {
        Ok(self.lookup_variable(scope, name)?.is_some())
    }

    /// A template reference (`module/file.epp`, or an absolute path) to its file.
    pub fn find_template_path(&self, reference: &str) -> Option<std::path::PathBuf> {
        if reference.starts_with('/') {
            let path = std::path::PathBuf::from(reference);
            return path.is_file().then_some(path);
        }
        self.loader.module_file("templates", reference)
    }

    pub fn parse_epp_file(&mut self, path: &std::path::Path) -> R<std::sync::Arc<crate::loader::ParsedFile>> {
        if let Some(parsed) = self.epp_cache.get(path) {
            return Ok(parsed.clone());
        }
        let parsed = self.loader.cache().parse(path, &puppet_syntax::checker::FileLocation::Anywhere, true).map_err(|e| plain(e.to_string()))?;
        if let Some(error) = &parsed.error {
            return Err(plain(format!("epp(): Invalid EPP: {} (file: {}, line: {}, column: {})", error.message, parsed.path, error.span.line, error.span.column)));
        }
        self.epp_cache.insert(path.to_path_buf(), parsed.clone());
        Ok(parsed)
    }

    /// Renders a parsed EPP template (`EppEvaluator.evaluate`): its parameters bound
    /// as locals of the top scope (`epp`) or of the calling scope (`inline_epp`).
    pub fn render_epp(&mut self, parsed: &crate::loader::ParsedFile, params: Option<Value>, scope: Option<crate::eval::ScopeId>, span: puppet_syntax::Span) -> R<Value> {
        use puppet_syntax::ast::ExprKind;
        let ExprKind::Lambda(lambda) = &parsed.program.body.kind else {
            return Err(plain("epp(): the parser did not produce a LambdaExpression"));
        };
        let specified = matches!(lambda.body.as_ref().map(|b| &b.kind), Some(ExprKind::Epp { parameters_specified: true, .. }));
        let args_given = params.is_some();
        let enforce = specified || !args_given;
        let mut given: Map = match params {
            Some(Value::Hash(map)) => (*map).clone(),
            _ => Map::new(),
        };
        let global = scope.is_none();
        let scope = scope.unwrap_or(self.topscope);
        // Names with `::` are set in the scope itself.
        let qualified: Vec<(String, Value)> = given.iter().filter(|(k, _)| k.to_puppet_string().contains("::")).map(|(k, v)| (k.to_puppet_string(), v.clone())).collect();
        for (key, value) in qualified {
            given.shift_remove(&Value::from(key.as_str()));
            let _ = self.set_variable(scope, key.trim_start_matches("::"), value);
        }
        let saved_ephemeral = if global { Some(std::mem::replace(&mut self.scopes[scope].ephemeral, vec![crate::eval::Ephemeral::Match(None)])) } else { None };
        let saved_file = std::mem::replace(&mut self.file, parsed.path.clone());
        let level = self.ephemeral_level(scope);
        let result = if enforce {
            let args: Vec<Value> = lambda.parameters.iter().map(|p| given.get(&Value::from(p.name.as_str())).cloned().unwrap_or(Value::Undef)).collect();
            let unknown: Vec<String> = given.keys().map(Value::to_puppet_string).filter(|k| !lambda.parameters.iter().any(|p| &p.name == k)).collect();
            if let Some(key) = unknown.first() {
                Err(plain(format!("lambda: has no parameter named '{key}'")))
            } else {
                self.call_epp_closure(lambda, scope, &given, args, span)
            }
        } else {
            let mut locals = rustc_hash::FxHashMap::default();
            for (key, value) in given.iter() {
                locals.insert(key.to_puppet_string(), value.clone());
            }
            self.push_ephemeral(scope, crate::eval::Ephemeral::Local(locals));
            self.eval_optional(lambda.body.as_ref(), scope)
        };
        self.pop_ephemerals(scope, level);
        self.file = saved_file;
        if let Some(saved) = saved_ephemeral {
            self.scopes[scope].ephemeral = saved;
        }
        match result {
            Err(crate::eval::Flow::Return(value, _)) => Ok(value),
            other => other,
        }
    }

    /// Binds an EPP's declared parameters by name (missing ones take their defaults).
    fn call_epp_closure(&mut self, lambda: &puppet_syntax::ast::Lambda, scope: crate::eval::ScopeId, given: &Map, _args: Vec<Value>, span: puppet_syntax::Span) -> R<Value> {
        let mut locals = rustc_hash::FxHashMap::default();
        let names: Vec<String> = lambda.parameters.iter().map(|p| p.name.clone()).collect();
        let level = self.ephemeral_level(scope);
        self.push_ephemeral(scope, crate::eval::Ephemeral::Parameters { callee: "lambda".into(), names: names.clone(), values: vec![None; names.len()], read_only: false });
        let index = self.ephemeral_level(scope) - 1;
        let mut result = Ok(());
        for (i, parameter) in lambda.parameters.iter().enumerate() {
            let value = match given.get(&Value::from(parameter.name.as_str())) {
                Some(value) => value.clone(),
                None => match &parameter.value {
                    Some(default) => match self.eval(default, scope) {
                        Ok(v) => v,
                        Err(flow) => {
                            result = Err(flow);
                            break;
                        }
                    },
                    None => {
                        result = Err(plain(format!("lambda: expects a value for parameter '{}'", parameter.name)));
                        break;
                    }
                },
            };
            if let Some(type_expr) = &parameter.type_expr {
                match self.eval(type_expr, scope) {
                    Ok(Value::Type(t)) => {
                        if !crate::types::instance_of(&t, &value) {
                            let message = crate::types::describe_mismatch(&format!("parameter '{}'", parameter.name), &t, &crate::types::infer_set(&value));
                            result = Err(plain(format!("lambda: {message}")));
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(flow) => {
                        result = Err(flow);
                        break;
                    }
                }
            }
            if let crate::eval::Ephemeral::Parameters { values, .. } = &mut self.scopes[scope].ephemeral[index] {
                values[i] = Some(value.clone());
            }
            locals.insert(parameter.name.clone(), value);
        }
        self.pop_ephemerals(scope, level);
        result?;
        let _ = span;
        self.push_ephemeral(scope, crate::eval::Ephemeral::Local(locals));
        let value = self.eval_optional(lambda.body.as_ref(), scope);
        match value {
            Err(crate::eval::Flow::Next(v, _)) => Ok(v),
            other => other,
        }
    }
}
