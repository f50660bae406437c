//! Built-in functions of Puppet 7 (`lib/puppet/functions`, `lib/puppet/parser/functions`)
//! and native versions of common module functions (stdlib).
//!
//! Adding a function: write `fn name(c: &mut Compiler, ctx: &mut CallContext, args:
//! Vec<Value>) -> R<Value>` in the module of its family, check its arguments with
//! [`Compiler::dispatch`] (signatures in Puppet's type syntax, so argument errors read
//! as Puppet's), and add it to [`builtin`].

pub mod catalog;
pub mod collections;
pub mod encoding;
pub mod format;
pub mod iterate;
pub mod lookup;
pub mod stdlib;
pub mod string_converter;
pub mod strings;
pub mod time;
pub mod typesys;

use std::rc::Rc;

use crate::eval::{plain, CallContext, Compiler, R};
use crate::types::{self, IntRange, PType};
use crate::value::Value;

pub type Builtin = fn(&mut Compiler, &mut CallContext, Vec<Value>) -> R<Value>;

/// The built-in function of a name.
pub fn builtin(name: &str) -> Option<Builtin> {
    Some(match name {
        // Catalog.
        "include" => catalog::include,
        "require" => catalog::require,
        "contain" => catalog::contain,
        "realize" => catalog::realize,
        "tag" => catalog::tag,
        "tagged" => catalog::tagged,
        "defined" => catalog::defined,
        "create_resources" => catalog::create_resources,
        "notice" | "info" | "warning" | "err" | "debug" | "alert" | "crit" | "emerg" => catalog::log,
        "fail" => catalog::fail,
        "epp" => catalog::epp,
        "inline_epp" => catalog::inline_epp,
        "template" | "inline_template" => catalog::template,
        "file" => catalog::file,
        "find_file" => catalog::find_file,
        "find_template" => catalog::find_template,
        "module_directory" => catalog::module_directory,
        "getvar" => catalog::getvar,
        "hiera_include" => lookup::hiera_include,
        "lookup" => lookup::lookup,
        "hiera" => lookup::hiera,
        "hiera_array" => lookup::hiera_array,
        "hiera_hash" => lookup::hiera_hash,
        "break" => iterate::break_,
        "next" => iterate::next,
        "return" => iterate::return_,
        "import" => catalog::import,
        "generate" => catalog::generate,
        "fqdn_rand" => strings::fqdn_rand,
        // Iteration.
        "each" => iterate::each,
        "map" => iterate::map,
        "filter" => iterate::filter,
        "reduce" => iterate::reduce,
        "slice" => iterate::slice,
        "with" => iterate::with,
        "then" => iterate::then,
        "lest" => iterate::lest,
        "reverse_each" => iterate::reverse_each,
        "step" => iterate::step,
        "any" => iterate::any,
        "all" => iterate::all,
        "partition" => iterate::partition,
        "group_by" => iterate::group_by,
        "tree_each" => iterate::tree_each,
        "index" => iterate::index,
        "call" => iterate::call,
        // Collections.
        "keys" => collections::keys,
        "values" => collections::values,
        "length" | "size" => collections::length,
        "empty" => collections::empty,
        "flatten" => collections::flatten,
        "unique" => collections::unique,
        "sort" => collections::sort,
        "min" => collections::min,
        "max" => collections::max,
        "dig" => collections::dig,
        "get" => collections::get,
        "join" => collections::join,
        "compare" => collections::compare,
        // Strings and numbers.
        "split" => strings::split,
        "sprintf" => strings::sprintf,
        "regsubst" => strings::regsubst,
        "match" => strings::match_,
        "versioncmp" => strings::versioncmp,
        "upcase" => strings::upcase,
        "downcase" => strings::downcase,
        "capitalize" => strings::capitalize,
        "camelcase" => strings::camelcase,
        "strip" => strings::strip,
        "lstrip" => strings::lstrip,
        "rstrip" => strings::rstrip,
        "chomp" => strings::chomp,
        "chop" => strings::chop,
        "abs" => strings::abs,
        "ceiling" => strings::ceiling,
        "floor" => strings::floor,
        "round" => strings::round,
        "shellquote" => strings::shellquote,
        "md5" => encoding::md5,
        "sha1" => encoding::sha1,
        "sha256" => encoding::sha256,
        "digest" => encoding::sha256,
        "scanf" => strings::scanf,
        "strftime" => time::strftime,
        // Types.
        "type" => typesys::type_of,
        "assert_type" => typesys::assert_type,
        "new" => typesys::new,
        "convert_to" => typesys::convert_to,
        "unwrap" => typesys::unwrap,
        "binary_file" => encoding::binary_file,
        "annotate" => typesys::annotate,
        "json_data" | "yaml_data" | "hocon_data" | "eyaml_lookup_key" => lookup::data_function,
        _ => return None,
    })
}

/// Native versions of functions that modules implement in Ruby; used only when the
/// module is on the modulepath.
pub fn module_builtin(name: &str) -> Option<Builtin> {
    stdlib::builtin(name)
}

/// One parameter of a dispatch signature.
#[derive(Clone, Debug)]
pub struct SigParam {
    pub name: String,
    pub param_type: PType,
    pub optional: bool,
    pub repeated: bool,
}

#[derive(Clone, Debug)]
pub struct Signature {
    pub params: Vec<SigParam>,
    /// `None`: takes no block; `Some(true)`: requires one; `Some(false)`: optional.
    pub block: Option<bool>,
}

impl Signature {
    fn range(&self) -> IntRange {
        let min = self.params.iter().filter(|p| !p.optional && !p.repeated).count() + self.params.iter().filter(|p| p.repeated && !p.optional).count();
        let max = if self.params.iter().any(|p| p.repeated) { None } else { Some(self.params.len() as i64) };
        IntRange { from: Some(min as i64), to: max }
    }

    fn accepts(&self, args: &[Value], has_block: bool) -> bool {
        let range = self.range();
        if !range.contains(args.len() as i128) {
            return false;
        }
        match (self.block, has_block) {
            (None, true) | (Some(true), false) => return false,
            _ => {}
        }
        args.iter().enumerate().all(|(index, arg)| {
            let param = &self.params[index.min(self.params.len() - 1)];
            types::instance_of(&param.param_type, arg)
        })
    }
}

impl Compiler<'_> {
    /// Picks the first signature (Puppet type syntax, `Type name`, `name?` optional,
    /// `name*`/`name+` repeated, `&Callable block` for a block) that accepts the
    /// arguments, else fails with Puppet's message for the call.
    pub fn dispatch(&mut self, ctx: &CallContext, args: &[Value], signatures: &[&'static str]) -> R<usize> {
        let parsed: Vec<Rc<Signature>> = signatures.iter().map(|s| self.signature(s)).collect::<R<_>>()?;
        let has_block = ctx.lambda.is_some();
        for (index, signature) in parsed.iter().enumerate() {
            if signature.accepts(args, has_block) {
                return Ok(index);
            }
        }
        let described: Vec<types::describe::SignatureDesc> = parsed
            .iter()
            .map(|s| (s.params.iter().map(|p| (p.name.clone(), p.param_type.clone())).collect(), s.range(), s.block))
            .collect();
        Err(plain(types::describe::describe_signatures(ctx.name, &described, args, has_block)))
    }

    fn signature(&mut self, text: &'static str) -> R<Rc<Signature>> {
        if let Some(found) = self.signature_cache.get(text) {
            return Ok(found.clone());
        }
        let mut params = Vec::new();
        let mut block = None;
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                continue;
            }
            if let Some(rest) = part.strip_prefix('&') {
                block = Some(!rest.starts_with('?'));
                continue;
            }
            let (type_text, name) = part.rsplit_once(' ').unwrap_or(("Any", part));
            let (name, optional, repeated) = if let Some(n) = name.strip_suffix('?') {
                (n, true, false)
            } else if let Some(n) = name.strip_suffix('*') {
                (n, true, true)
            } else if let Some(n) = name.strip_suffix('+') {
                (n, false, true)
            } else {
                (name, false, false)
            };
            let param_type = self.parse_type_text(type_text)?;
            params.push(SigParam { name: name.to_string(), param_type, optional, repeated });
        }
        let signature = Rc::new(Signature { params, block });
        self.signature_cache.insert(text, signature.clone());
        Ok(signature)
    }

    /// A type written in Puppet's syntax (`Variant[String, Integer]`).
    pub fn parse_type_text(&mut self, text: &str) -> R<PType> {
        if let Some(found) = self.parsed_types.get(text) {
            return Ok(found.clone());
        }
        let Some(program) = parsed_type_text(text) else {
            return Err(plain(format!("internal error: bad type '{text}'")));
        };
        let saved_file = std::mem::replace(&mut self.file, std::sync::Arc::from(""));
        let lenient = std::mem::replace(&mut self.lenient_types, true);
        let result = self.eval(&program.body, self.topscope);
        self.lenient_types = lenient;
        self.file = saved_file;
        let t = match result? {
            Value::Type(t) => (*t).clone(),
            _ => PType::Any,
        };
        self.parsed_types.insert(text.to_string(), t.clone());
        Ok(t)
    }
}

/// How many type texts a thread keeps parsed before it starts over.
const PARSED_TYPE_TEXTS: usize = 4096;

thread_local! {
    /// Type texts parsed (`None`: with errors), kept across compiles: the signatures of
    /// the built-in functions are parsed by every compile that calls them, and parsing is
    /// most of what that costs. Only the syntax is kept; each compile evaluates it.
    static TYPE_TEXTS: std::cell::RefCell<rustc_hash::FxHashMap<Box<str>, Option<Rc<puppet_syntax::Program>>>> =
        std::cell::RefCell::new(rustc_hash::FxHashMap::default());
}

/// The program of a type text, parsed once per thread.
fn parsed_type_text(text: &str) -> Option<Rc<puppet_syntax::Program>> {
    TYPE_TEXTS.with(|parsed| {
        if let Some(found) = parsed.borrow().get(text) {
            return found.clone();
        }
        let parse = puppet_syntax::parse(text);
        let program = (!parse.has_errors()).then(|| Rc::new(parse.program));
        let mut parsed = parsed.borrow_mut();
        if parsed.len() >= PARSED_TYPE_TEXTS {
            parsed.clear();
        }
        parsed.insert(Box::from(text), program.clone());
        program
    })
}

fn split_top_level(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for ch in text.chars() {
        match ch {
            '[' | '{' | '(' => {
                depth += 1;
                current.push(ch);
            }
            ']' | '}' | ')' => {
                depth -= 1;
                current.push(ch);
            }
            ',' if depth == 0 => parts.push(std::mem::take(&mut current)),
            _ => current.push(ch),
        }
    }
    parts.push(current);
    parts
}

/// The string of a value as 3.x functions receive it (undef is the empty string).
pub fn str_arg(value: &Value) -> String {
    value.to_puppet_string()
}
