//! Ruby's `Kernel#sprintf`, as Puppet's `sprintf` function uses it.

use crate::value::Value;

fn integer_of(value: &Value) -> Result<i128, String> {
    match value {
        Value::Integer(i) => Ok(i128::from(*i)),
        Value::Float(f) => Ok(f.trunc() as i128),
        Value::String(s) => match crate::eval::ops::string_to_number(s) {
            Some(Value::Integer(i)) => Ok(i128::from(i)),
            _ => Err(format!("invalid value for Integer(): {}", crate::value::ruby_string_inspect(s))),
        },
        Value::Undef => Err("can't convert nil into Integer".into()),
        other => Err(format!("can't convert {} into Integer", crate::eval::expr_ruby_class(other))),
    }
}

fn float_of(value: &Value) -> Result<f64, String> {
    match value {
        Value::Integer(i) => Ok(*i as f64),
        Value::Float(f) => Ok(*f),
        Value::String(s) => match crate::eval::ops::string_to_number(s) {
            Some(v) => Ok(crate::eval::ops::as_f64(&v)),
            None => Err(format!("invalid value for Float(): {}", crate::value::ruby_string_inspect(s))),
        },
        Value::Undef => Err("can't convert nil into Float".into()),
        other => Err(format!("can't convert {} into Float", crate::eval::expr_ruby_class(other))),
    }
}

fn pad(text: String, width: usize, left: bool, zero: bool) -> String {
    let length = text.chars().count();
    if length >= width {
        return text;
    }
    let fill = width - length;
    if left {
        format!("{text}{}", " ".repeat(fill))
    } else if zero {
        let (sign, digits) = if text.starts_with(['-', '+', ' ']) { text.split_at(1) } else { ("", text.as_str()) };
        let (prefix, rest) = if digits.starts_with("0x") || digits.starts_with("0X") || digits.starts_with("0b") || digits.starts_with("0B") {
            digits.split_at(2)
        } else {
            ("", digits)
        };
        format!("{sign}{prefix}{}{rest}", "0".repeat(fill))
    } else {
        format!("{}{text}", " ".repeat(fill))
    }
}

/// Ruby's `%e` exponent has at least two digits.
fn ruby_exponent(text: String, upper: bool) -> String {
    let marker = if upper { 'E' } else { 'e' };
    match text.split_once(marker) {
        Some((mantissa, exponent)) => {
            let (sign, digits) = if let Some(d) = exponent.strip_prefix('-') { ("-", d) } else { ("+", exponent) };
            format!("{mantissa}{marker}{sign}{digits:0>2}")
        }
        None => text,
    }
}

fn format_g(value: f64, precision: usize, upper: bool, alternate: bool) -> String {
    let precision = precision.max(1);
    if value == 0.0 {
        return "0".into();
    }
    let exponent = value.abs().log10().floor() as i32;
    let text = if exponent < -4 || exponent >= precision as i32 {
        let formatted = format!("{:.*e}", precision - 1, value);
        let (mantissa, exp) = formatted.split_once('e').unwrap_or((&formatted, "0"));
        let mantissa = if alternate { mantissa.to_string() } else { trim_zeros(mantissa) };
        ruby_exponent(format!("{mantissa}e{exp}"), false)
    } else {
        let decimals = (precision as i32 - 1 - exponent).max(0) as usize;
        let formatted = format!("{value:.decimals$}");
        if alternate {
            formatted
        } else {
            trim_zeros(&formatted)
        }
    };
    if upper {
        text.to_uppercase()
    } else {
        text
    }
}

fn trim_zeros(text: &str) -> String {
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text.to_string()
    }
}

pub fn ruby_sprintf(format: &str, args: &[Value]) -> Result<String, String> {
    let chars: Vec<char> = format.chars().collect();
    let mut out = String::new();
    let mut next_arg = 0;
    let mut i = 0;
    let hash = args.first().and_then(Value::as_hash);
    while i < chars.len() {
        let ch = chars[i];
        if ch != '%' {
            out.push(ch);
            i += 1;
            continue;
        }
        i += 1;
        if i >= chars.len() {
            return Err("incomplete format specifier; use %% (double %) instead".into());
        }
        if chars[i] == '%' {
            out.push('%');
            i += 1;
            continue;
        }
        let (mut left, mut plus, mut space, mut zero, mut alternate) = (false, false, false, false, false);
        let mut named: Option<Value> = None;
        let mut width: Option<usize> = None;
        let mut precision: Option<usize> = None;
        // `%N$...`: the Nth argument (Ruby's absolute argument number).
        let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && chars.get(i + digits) == Some(&'$') {
            let position: usize = chars[i..i + digits].iter().collect::<String>().parse().unwrap_or(0);
            if position == 0 {
                return Err(format!("invalid index - {position}$"));
            }
            named = Some(args.get(position - 1).cloned().ok_or("too few arguments")?);
            i += digits + 1;
        }
        loop {
            match chars.get(i) {
                Some('-') => left = true,
                Some('+') => plus = true,
                Some(' ') => space = true,
                Some('0') => zero = true,
                Some('#') => alternate = true,
                Some('<') | Some('{') => {
                    let close = if chars[i] == '<' { '>' } else { '}' };
                    let brace = chars[i] == '{';
                    let end = chars[i..].iter().position(|c| *c == close).ok_or("malformed name - unmatched parenthesis")?;
                    let name: String = chars[i + 1..i + end].iter().collect();
                    let value = hash.and_then(|h| h.get(&Value::from(name.as_str()))).cloned().ok_or_else(|| format!("key<{name}> not found"))?;
                    i += end;
                    if brace {
                        out.push_str(&value.ruby_to_s());
                        i += 1;
                        named = None;
                        width = Some(usize::MAX);
                        break;
                    }
                    named = Some(value);
                }
                _ => break,
            }
            i += 1;
        }
        if width == Some(usize::MAX) {
            continue;
        }
        if chars.get(i) == Some(&'*') {
            let value = args.get(next_arg).ok_or("too few arguments")?;
            next_arg += 1;
            let w = integer_of(value)?;
            if w < 0 {
                left = true;
            }
            width = Some(w.unsigned_abs() as usize);
            i += 1;
        } else {
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            if i > start {
                width = Some(chars[start..i].iter().collect::<String>().parse().unwrap_or(0));
            }
        }
        if chars.get(i) == Some(&'.') {
            i += 1;
            let start = i;
            while chars.get(i).is_some_and(char::is_ascii_digit) {
                i += 1;
            }
            precision = Some(chars[start..i].iter().collect::<String>().parse().unwrap_or(0));
        }
        let Some(&conversion) = chars.get(i) else {
            return Err("incomplete format specifier; use %% (double %) instead".into());
        };
        i += 1;
        let value = match named.take() {
            Some(v) => v,
            None => {
                let v = args.get(next_arg).cloned().ok_or("too few arguments")?;
                next_arg += 1;
                v
            }
        };
        let sign = |negative: bool| if negative { "-" } else if plus { "+" } else if space { " " } else { "" };
        let text = match conversion {
            'd' | 'i' | 'u' => {
                let n = integer_of(&value)?;
                let digits = n.unsigned_abs().to_string();
                let digits = match precision {
                    Some(p) if digits.len() < p => format!("{}{digits}", "0".repeat(p - digits.len())),
                    _ => digits,
                };
                format!("{}{digits}", sign(n < 0))
            }
            'x' | 'X' | 'o' | 'b' | 'B' => {
                let n = integer_of(&value)?;
                let magnitude = n.unsigned_abs();
                let mut digits = match conversion {
                    'x' => format!("{magnitude:x}"),
                    'X' => format!("{magnitude:X}"),
                    'o' => format!("{magnitude:o}"),
                    _ => format!("{magnitude:b}"),
                };
                if let Some(p) = precision {
                    if digits.len() < p {
                        digits = format!("{}{digits}", "0".repeat(p - digits.len()));
                    }
                }
                // Ruby writes no prefix for zero (`'%#x' % 0` is "0").
                let prefix = if alternate && n != 0 {
                    match conversion {
                        'x' => "0x",
                        'X' => "0X",
                        'o' => "0",
                        'b' => "0b",
                        _ => "0B",
                    }
                } else {
                    ""
                };
                format!("{}{prefix}{digits}", sign(n < 0))
            }
            'f' => {
                let f = float_of(&value)?;
                let p = precision.unwrap_or(6);
                if f.is_nan() {
                    "NaN".into()
                } else if f.is_infinite() {
                    format!("{}Inf", sign(f < 0.0))
                } else {
                    // C's printf, as Ruby's: the sign of -0.0 is written.
                    format!("{}{:.p$}", sign(f.is_sign_negative()), f.abs())
                }
            }
            'e' | 'E' => {
                let f = float_of(&value)?;
                let p = precision.unwrap_or(6);
                let text = ruby_exponent(format!("{:.p$e}", f.abs()), false);
                let text = if conversion == 'E' { text.to_uppercase() } else { text };
                format!("{}{text}", sign(f.is_sign_negative()))
            }
            'g' | 'G' => {
                let f = float_of(&value)?;
                let text = format_g(f.abs(), precision.unwrap_or(6), conversion == 'G', alternate);
                format!("{}{text}", sign(f.is_sign_negative()))
            }
            's' => {
                let text = value.ruby_to_s();
                match precision {
                    Some(p) => text.chars().take(p).collect(),
                    None => text,
                }
            }
            'p' => {
                let text = value.ruby_inspect();
                match precision {
                    Some(p) => text.chars().take(p).collect(),
                    None => text,
                }
            }
            'c' => match &value {
                Value::Integer(n) => char::from_u32(*n as u32).map(String::from).unwrap_or_default(),
                other => other.to_puppet_string().chars().next().map(String::from).unwrap_or_default(),
            },
            other => return Err(format!("malformed format string - %{other}")),
        };
        let numeric = matches!(conversion, 'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'b' | 'B' | 'f' | 'e' | 'E' | 'g' | 'G');
        out.push_str(&pad(text, width.unwrap_or(0), left, zero && numeric && (precision.is_none() || matches!(conversion, 'f' | 'e' | 'E' | 'g' | 'G'))));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_formats() {
        let s = |f: &str, args: &[Value]| ruby_sprintf(f, args).unwrap();
        assert_eq!(s("%s-%d", &[Value::from("a"), Value::Integer(5)]), "a-5");
        assert_eq!(s("%05.2f", &[Value::Float(2.5)]), "02.50");
        assert_eq!(s("%-4s|", &[Value::from("ab")]), "ab  |");
        assert_eq!(s("%x %o %#x", &[Value::Integer(255), Value::Integer(8), Value::Integer(255)]), "ff 10 0xff");
        assert_eq!(s("%e", &[Value::Float(12345.678)]), "1.234568e+04");
        assert_eq!(s("%3d%%", &[Value::from("7")]), "  7%");
    }
}
