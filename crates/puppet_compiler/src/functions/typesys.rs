//! Functions about types: `type`, `assert_type`, `new` (the conversions of each
//! type's `new_function`), `convert_to`, `unwrap`.

use std::rc::Rc;

use crate::eval::{plain, CallContext, Compiler, R};
use crate::types::{self, IntRange, PType, StringSpec};
use crate::value::{Map, Value};

pub fn type_of(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let index = c.dispatch(ctx, &args, &["Any value, Enum[detailed] inference_method?", "Any value, Enum[reduced] inference_method", "Any value, Enum[generalized] inference_method"])?;
    let t = match index {
        0 => types::infer_set(&args[0]),
        1 => types::infer(&args[0]),
        _ => types::generalize(&types::infer(&args[0])),
    };
    Ok(Value::type_value(t))
}

pub fn assert_type(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Type type, Any value, &?Callable block", "String type_string, Any value, &?Callable block"])?;
    let t = match &args[0] {
        Value::Type(t) => (**t).clone(),
        other => c.parse_type_text(&other.to_puppet_string())?,
    };
    let value = args[1].clone();
    if types::instance_of(&t, &value) {
        return Ok(value);
    }
    let inferred = types::infer_set(&value);
    if let Some(l) = ctx.lambda {
        return c.call_lambda(&l, vec![Value::type_value(t), Value::type_value(inferred)]);
    }
    Err(plain(types::describe_mismatch("assert_type():", &t, &inferred)))
}

pub fn unwrap(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let _ = c;
    let value = match args.into_iter().next() {
        Some(Value::Sensitive(inner)) => (*inner).clone(),
        Some(other) => other,
        None => return Err(plain("'unwrap' expects 1 argument, got none")),
    };
    match ctx.lambda {
        Some(l) => c.call_lambda(&l, vec![value]),
        None => Ok(value),
    }
}

pub fn annotate(c: &mut Compiler, ctx: &mut CallContext, _args: Vec<Value>) -> R<Value> {
    Err(c.unsupported("the function 'annotate'", ctx.span))
}

pub fn convert_to(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    c.dispatch(ctx, &args, &["Any value, Type type, Any args*, &?Callable[1,1] block"])?;
    let mut new_args = vec![args[1].clone(), args[0].clone()];
    new_args.extend(args[2..].iter().cloned());
    let value = new_value(c, ctx, new_args)?;
    match ctx.lambda {
        Some(l) => c.call_lambda(&l, vec![value]),
        None => Ok(value),
    }
}

pub fn new(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let value = new_value(c, ctx, args)?;
    match ctx.lambda {
        Some(l) => c.call_lambda(&l, vec![value]),
        None => Ok(value),
    }
}

fn conversion_error(what: &str, value: &Value) -> crate::eval::Flow {
    match value {
        Value::String(s) => plain(format!("The string '{s}' cannot be converted to {what}")),
        other => plain(format!("Value of type {} cannot be converted to {what}", types::generalize(&types::infer(other)))),
    }
}

/// Ruby's `Integer(text, radix)` after Puppet's checks.
fn parse_integer(text: &str, radix: Option<u32>) -> Option<i64> {
    let trimmed = text.trim();
    let (negative, digits) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, trimmed.strip_prefix('+').map(str::trim_start).unwrap_or(trimmed)),
    };
    let digits = digits.replace('_', "");
    let (radix, body) = match radix {
        Some(16) => (16, digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")).unwrap_or(&digits).to_string()),
        Some(2) => (2, digits.strip_prefix("0b").or_else(|| digits.strip_prefix("0B")).unwrap_or(&digits).to_string()),
        Some(8) => (8, digits.strip_prefix("0o").unwrap_or(&digits).to_string()),
        Some(r) => (r, digits.clone()),
        None => {
            if let Some(hex) = digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
                (16, hex.to_string())
            } else if let Some(bin) = digits.strip_prefix("0b").or_else(|| digits.strip_prefix("0B")) {
                (2, bin.to_string())
            } else if digits.len() > 1 && digits.starts_with('0') {
                (8, digits.trim_start_matches("0o")[1..].to_string())
            } else {
                (10, digits.clone())
            }
        }
    };
    if body.is_empty() {
        return None;
    }
    let value = i64::from_str_radix(&body, radix).ok()?;
    Some(if negative { -value } else { value })
}

fn new_value(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let Some((Value::Type(t), rest)) = args.split_first() else {
        return Err(plain("'new' expects a Type as its first argument"));
    };
    let t = (**t).clone();
    let resolved = t.resolve_alias();
    let from = rest.first().cloned().unwrap_or(Value::Undef);
    let value = match &resolved {
        PType::Integer(_) => {
            let radix = match rest.get(1) {
                Some(Value::Integer(r)) => Some(*r as u32),
                _ => None,
            };
            let abs = matches!(rest.get(2), Some(Value::Boolean(true)));
            let n = match &from {
                Value::Integer(i) => *i,
                Value::Float(f) => f.trunc() as i64,
                Value::Boolean(b) => i64::from(*b),
                Value::Timespan(n) | Value::Timestamp(n) => (*n / 1_000_000_000) as i64,
                Value::String(s) => parse_integer(s, radix).ok_or_else(|| conversion_error("Integer", &from))?,
                Value::Hash(map) => {
                    let named = |key: &str| map.get(&Value::from(key)).cloned().unwrap_or(Value::Undef);
                    return new_value(c, ctx, vec![args[0].clone(), named("from"), named("radix"), named("abs")]);
                }
                other => return Err(conversion_error("Integer", other)),
            };
            Value::Integer(if abs { n.abs() } else { n })
        }
        // Float and Numeric take `(from, abs)` or the named arguments `{from, abs}`.
        PType::Float { .. } | PType::Numeric if matches!(from, Value::Hash(_)) => {
            let Value::Hash(map) = &from else { unreachable!("matched as a hash") };
            let named = |key: &str| map.get(&Value::from(key)).cloned().unwrap_or(Value::Undef);
            return new_value(c, ctx, vec![args[0].clone(), named("from"), named("abs")]);
        }
        PType::Float { .. } => {
            let f = match &from {
                Value::Float(f) => *f,
                Value::Integer(i) => *i as f64,
                Value::Boolean(b) => if *b { 1.0 } else { 0.0 },
                Value::String(s) => match crate::eval::ops::string_to_number(s.trim()) {
                    Some(v) => crate::eval::ops::as_f64(&v),
                    None => return Err(conversion_error("Float", &from)),
                },
                other => return Err(conversion_error("Float", other)),
            };
            Value::Float(if matches!(rest.get(1), Some(Value::Boolean(true))) { f.abs() } else { f })
        }
        PType::Numeric => {
            let n = match &from {
                Value::Integer(_) | Value::Float(_) => from.clone(),
                Value::Boolean(b) => Value::Integer(i64::from(*b)),
                Value::String(s) => crate::eval::ops::string_to_number(s.trim()).ok_or_else(|| conversion_error("Numeric", &from))?,
                other => return Err(conversion_error("Numeric", other)),
            };
            match (n, matches!(rest.get(1), Some(Value::Boolean(true)))) {
                (Value::Integer(i), true) => Value::Integer(i.abs()),
                (Value::Float(f), true) => Value::Float(f.abs()),
                (n, _) => n,
            }
        }
        PType::Boolean(_) => match &from {
            Value::Boolean(b) => Value::Boolean(*b),
            Value::Integer(i) => Value::Boolean(*i != 0),
            Value::Float(f) => Value::Boolean(*f != 0.0),
            Value::String(s) => match s.to_lowercase().as_str() {
                "true" | "yes" | "y" => Value::Boolean(true),
                "false" | "no" | "n" => Value::Boolean(false),
                _ => return Err(conversion_error("Boolean", &from)),
            },
            other => return Err(conversion_error("Boolean", other)),
        },
        PType::String(_) => Value::from(super::string_converter::convert(&from, rest.get(1)).map_err(plain)?),
        PType::Array { .. } | PType::Tuple { .. } => {
            let wrap = matches!(rest.get(1), Some(Value::Boolean(true)));
            match &from {
                Value::Array(_) => from.clone(),
                _ if wrap => Value::array(vec![from.clone()]),
                Value::Hash(map) => Value::array(map.iter().map(|(k, v)| Value::array(vec![k.clone(), v.clone()])).collect()),
                Value::Binary(bytes) => Value::array(bytes.iter().map(|b| Value::Integer(i64::from(*b))).collect()),
                other => match super::iterate::iterable_values(other) {
                    Some(values) => Value::array(values),
                    None => return Err(conversion_error("Array", other)),
                },
            }
        }
        PType::Hash { .. } | PType::Struct(_) => match &from {
            Value::Hash(_) => from.clone(),
            Value::Array(values) => {
                let mut map = Map::new();
                if values.iter().all(|v| matches!(v, Value::Array(p) if p.len() == 2)) && !values.is_empty() {
                    for pair in values.iter() {
                        let pair = pair.as_array().unwrap_or(&[]);
                        map.insert(pair[0].clone(), pair[1].clone());
                    }
                } else {
                    if values.len() % 2 != 0 {
                        return Err(plain("odd number of arguments for Hash"));
                    }
                    for chunk in values.chunks(2) {
                        map.insert(chunk[0].clone(), chunk[1].clone());
                    }
                }
                Value::hash(map)
            }
            other => return Err(conversion_error("Hash", other)),
        },
        PType::Sensitive(_) => match &from {
            Value::Sensitive(_) => from.clone(),
            other => Value::Sensitive(Rc::new(other.clone())),
        },
        PType::Regexp(_) => match &from {
            Value::Regexp(_) => from.clone(),
            other => {
                let mut source = other.to_puppet_string();
                if matches!(rest.get(1), Some(Value::Boolean(true))) {
                    source = crate::regex::escape(&source);
                }
                Value::Regexp(c.regex(&source).map_err(plain)?)
            }
        },
        PType::SemVer(_) => match &from {
            Value::SemVer(_) => from.clone(),
            Value::String(s) => match crate::semver::Version::parse(s) {
                Some(v) => Value::SemVer(Rc::new(v)),
                None => return Err(plain(format!("The string '{s}' cannot be converted to SemVer"))),
            },
            other => return Err(conversion_error("SemVer", other)),
        },
        PType::SemVerRange => match &from {
            Value::String(s) => match crate::semver::VersionRange::parse(s) {
                Ok(r) => Value::SemVerRange(Rc::new(r)),
                Err(_) => return Err(plain(format!("The string '{s}' cannot be converted to SemVerRange"))),
            },
            other => return Err(conversion_error("SemVerRange", other)),
        },
        PType::Binary => match &from {
            Value::String(s) => {
                let format = rest.get(1).map(Value::to_puppet_string).unwrap_or_else(|| "%B".into());
                let bytes = if format == "%s" || format == "%r" {
                    s.as_bytes().to_vec()
                } else {
                    super::encoding::base64_decode(s).ok_or_else(|| plain("invalid base64"))?
                };
                Value::Binary(Rc::new(bytes))
            }
            Value::Array(values) => Value::Binary(Rc::new(values.iter().map(|v| if let Value::Integer(i) = v { *i as u8 } else { 0 }).collect())),
            other => return Err(conversion_error("Binary", other)),
        },
        PType::Timespan { .. } => match &from {
            Value::Integer(i) => Value::Timespan(i128::from(*i) * 1_000_000_000),
            Value::Float(f) => Value::Timespan((f * 1e9) as i128),
            Value::String(s) => Value::Timespan(super::time::parse_timespan(s).ok_or_else(|| conversion_error("Timespan", &from))?),
            Value::Timespan(_) => from.clone(),
            other => return Err(conversion_error("Timespan", other)),
        },
        PType::Timestamp { .. } => match &from {
            Value::Integer(i) => Value::Timestamp(i128::from(*i) * 1_000_000_000),
            Value::Float(f) => Value::Timestamp((f * 1e9) as i128),
            Value::String(s) => Value::Timestamp(super::time::parse_timestamp(s).ok_or_else(|| conversion_error("Timestamp", &from))?),
            Value::Timestamp(_) => from.clone(),
            Value::Undef if rest.is_empty() => return Err(c.unsupported("Timestamp.new() (the current time)", ctx.span)),
            other => return Err(conversion_error("Timestamp", other)),
        },
        PType::Deferred => {
            let name = from.to_puppet_string();
            let arguments = match rest.get(1) {
                Some(Value::Array(values)) => values.to_vec(),
                _ => Vec::new(),
            };
            Value::Deferred(Rc::new((name, arguments)))
        }
        PType::Optional(Some(inner)) | PType::NotUndef(Some(inner)) => {
            let mut inner_args = vec![Value::Type(inner.clone())];
            inner_args.extend(rest.iter().cloned());
            return new_value(c, ctx, inner_args);
        }
        PType::Variant(alternatives) => {
            for alternative in alternatives.iter() {
                let mut inner_args = vec![Value::type_value(alternative.clone())];
                inner_args.extend(rest.iter().cloned());
                if let Ok(value) = new_value(c, ctx, inner_args) {
                    return Ok(value);
                }
            }
            return Err(conversion_error(&t.to_string(), &from));
        }
        PType::Type(_) => match &from {
            Value::String(s) => Value::type_value(c.parse_type_text(s)?),
            other => return Err(conversion_error("Type", other)),
        },
        PType::Any | PType::Unit | PType::Scalar | PType::ScalarData => from.clone(),
        other => {
            return Err(plain(format!("Creation of new instance of type '{other}' is not supported")));
        }
    };
    if !types::instance_of(&t, &value) && !matches!(resolved, PType::Sensitive(_) | PType::Deferred) {
        let message = types::describe_mismatch(&format!("Converted value from {}.new()", t), &t, &types::infer_set(&value));
        return Err(plain(message));
    }
    Ok(value)
}

/// `String(x)` with the default formats: strings inside collections are quoted.
pub fn string_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Undef => String::new(),
        Value::Float(f) => puppet_syntax::numbers::ruby_float_to_s(*f),
        Value::Array(_) | Value::Hash(_) => types::format_value(value),
        other => other.to_puppet_string(),
    }
}

#[allow(dead_code)]
fn size_type(range: IntRange) -> PType {
    PType::String(StringSpec::Size(range))
}
