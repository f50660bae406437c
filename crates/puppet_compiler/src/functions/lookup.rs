//! `lookup()` in all its call forms, the deprecated `hiera*` functions, and the data
//! provider functions (usable only from `hiera.yaml`).

use crate::eval::{plain, preformatted, CallContext, Compiler, R};
use crate::hiera::Merge;
use crate::types::{self, PType};
use crate::value::{Map, Value};

const NAME: &str = "Variant[String, Array[String]]";

/// `TypeAsserter.assert_instance_of`.
fn assert_type(subject: &str, t: Option<&PType>, value: Value) -> R<Value> {
    let Some(t) = t else { return Ok(value) };
    if types::instance_of(t, &value) {
        return Ok(value);
    }
    Err(plain(types::describe_mismatch(&format!("{subject} has wrong type,"), t, &types::infer_set(&value))))
}

struct Request {
    names: Vec<String>,
    value_type: Option<PType>,
    merge: Option<Merge>,
    default: Option<Value>,
    override_values: Map,
    default_values: Map,
}

fn options_from(hash: &Map, names: Vec<String>) -> R<Request> {
    let get = |k: &str| hash.get(&Value::from(k)).cloned();
    let value_type = match get("value_type") {
        Some(Value::Type(t)) => Some((*t).clone()),
        _ => None,
    };
    let merge = match get("merge") {
        Some(Value::Undef) | None => None,
        Some(m) => Some(Merge::from_value(&m).map_err(plain)?),
    };
    let default = if hash.contains_key(&Value::from("default_value")) { get("default_value") } else { None };
    let override_values = match get("override") {
        Some(Value::Hash(m)) => (*m).clone(),
        _ => Map::new(),
    };
    let default_values = match get("default_values_hash") {
        Some(Value::Hash(m)) => (*m).clone(),
        _ => Map::new(),
    };
    Ok(Request { names, value_type, merge, default, override_values, default_values })
}

fn names_of(value: &Value) -> Vec<String> {
    match value {
        Value::Array(values) => values.iter().map(Value::to_puppet_string).collect(),
        other => vec![other.to_puppet_string()],
    }
}

pub fn lookup(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let index = c.dispatch(
        ctx,
        &args,
        &[
            "Variant[String, Array[String]] name, Type value_type?, Variant[String[1], Hash[String, Scalar]] merge?",
            "Variant[String, Array[String]] name, Optional[Type] value_type, Optional[Variant[String[1], Hash[String, Scalar]]] merge, Any default_value",
            "Variant[String, Array[String]] name, Type value_type?, Variant[String[1], Hash[String, Scalar]] merge?, &Callable block",
            "Struct[{name => Variant[String, Array[String]], Optional[value_type] => Optional[Type], Optional[default_value] => Any, Optional[override] => Optional[Hash[String,Any]], Optional[default_values_hash] => Optional[Hash[String,Any]], Optional[merge] => Optional[Variant[String[1], Hash[String, Scalar]]]}] options_hash, &?Callable block",
            "Variant[String,Array[String]] name, Struct[{Optional[value_type] => Optional[Type], Optional[default_value] => Any, Optional[override] => Optional[Hash[String,Any]], Optional[default_values_hash] => Optional[Hash[String,Any]], Optional[merge] => Optional[Variant[String[1], Hash[String, Scalar]]]}] options_hash, &?Callable block",
        ],
    )?;
    let _ = NAME;
    let request = match index {
        0..=2 => {
            let value_type = match args.get(1) {
                Some(Value::Type(t)) => Some((**t).clone()),
                _ => None,
            };
            let merge = match args.get(2) {
                Some(Value::Undef) | None => None,
                Some(m) => Some(Merge::from_value(m).map_err(plain)?),
            };
            let default = if index == 1 { args.get(3).cloned() } else { None };
            Request { names: names_of(&args[0]), value_type, merge, default, override_values: Map::new(), default_values: Map::new() }
        }
        3 => {
            let hash = args[0].as_hash().cloned().unwrap_or_default();
            let names = names_of(hash.get(&Value::from("name")).unwrap_or(&Value::Undef));
            options_from(&hash, names)?
        }
        _ => {
            let hash = args[1].as_hash().cloned().unwrap_or_default();
            options_from(&hash, names_of(&args[0]))?
        }
    };
    perform_lookup(c, ctx, request, &args[0])
}

fn perform_lookup(c: &mut Compiler, ctx: &mut CallContext, request: Request, name_arg: &Value) -> R<Value> {
    let t = request.value_type.as_ref();
    for name in &request.names {
        if let Some(value) = request.override_values.get(&Value::from(name.as_str())) {
            return assert_type(&format!("Value found for key '{name}' in override hash"), t, value.clone());
        }
        if let Some(value) = c.hiera_lookup(name, request.merge.clone(), ctx.scope)? {
            return assert_type("Found value", t, value);
        }
    }
    for name in &request.names {
        if let Some(value) = request.default_values.get(&Value::from(name.as_str())) {
            return assert_type(&format!("Value found for key '{name}' in default values hash"), t, value.clone());
        }
    }
    if let Some(l) = ctx.lambda {
        let value = c.call_lambda(&l, vec![name_arg.clone()])?;
        return assert_type("Value returned from default block", t, value);
    }
    if let Some(default) = request.default {
        return assert_type("Default value", t, default);
    }
    if request.names.len() == 1 {
        Err(preformatted(format!("Function lookup() did not find a value for the name '{}'", request.names[0])))
    } else {
        let list: Vec<String> = request.names.iter().map(|n| format!("'{n}'")).collect();
        Err(preformatted(format!("Function lookup() did not find a value for any of the names [{}]", list.join(", "))))
    }
}

fn hiera_like(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>, merge: Option<Merge>) -> R<Value> {
    if args.is_empty() {
        return Err(plain(format!("'{}' expects between 1 and 3 arguments, got none", ctx.name)));
    }
    let default = args.get(1).cloned().filter(|_| args.len() > 1);
    let request = Request { names: names_of(&args[0]), value_type: None, merge, default, override_values: Map::new(), default_values: Map::new() };
    perform_lookup(c, ctx, request, &args[0])
}

pub fn hiera(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    hiera_like(c, ctx, args, None)
}

pub fn hiera_array(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    hiera_like(c, ctx, args, Some(Merge::Unique))
}

pub fn hiera_hash(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    hiera_like(c, ctx, args, Some(Merge::Hash))
}

pub fn hiera_include(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let classes = hiera_like(c, ctx, args, Some(Merge::Unique))?;
    super::catalog::include(c, ctx, vec![classes])
}

pub fn data_function(c: &mut Compiler, ctx: &mut CallContext, _args: Vec<Value>) -> R<Value> {
    Err(c.unsupported(format!("calling the data provider function '{}' from Puppet code", ctx.name), ctx.span))
}
