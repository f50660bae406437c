//! Numbers as Puppet reads and prints them: the value and radix of a number token
//! (`Puppet::Pops::Utils.to_n_with_radix`), and Ruby's `Float#to_s`.

/// A number token's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Number {
    Integer { value: i128, radix: u32 },
    Float(f64),
}

/// Why a number token is not a number, with Puppet's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberError(pub String);

/// Reads a number token as Puppet's lexer (`assert_numeric`) and factory (`NUMBER`) do.
pub fn parse_number(text: &str) -> Result<Number, NumberError> {
    let bytes = text.as_bytes();
    if text.starts_with("0x") || text.starts_with("0X") {
        let digits = &text[2..];
        if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
            return Err(NumberError(format!("Not a valid hex number {text}")));
        }
        return Ok(Number::Integer { value: parse_radix(digits, 16), radix: 16 });
    }
    if bytes.len() > 1 && bytes[0] == b'0' && bytes[1] != b'.' {
        if !bytes[1..].iter().all(|byte| (b'0'..=b'7').contains(byte)) {
            return Err(NumberError(format!("Not a valid octal number {text}")));
        }
        return Ok(Number::Integer { value: parse_radix(&text[1..], 8), radix: 8 });
    }
    if bytes.iter().all(u8::is_ascii_digit) && !bytes.is_empty() {
        return Ok(Number::Integer { value: parse_radix(text, 10), radix: 10 });
    }
    if !is_decimal_float(text) {
        // Puppet's assert_numeric: digits then `e`, `E` or `.` claim to be a decimal.
        let digits = text.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && matches!(text.as_bytes().get(digits), Some(b'e' | b'E' | b'.')) {
            return Err(NumberError(format!("Not a valid decimal number {text}")));
        }
        return Err(NumberError(format!("Illegal number '{text}'")));
    }
    // Puppet's to_n_with_radix gives no float for 0 raised to any power (`0e1`, `0.0e5`);
    // the parser then fails on it.
    let (mantissa, _) = text.split_once(['e', 'E']).unwrap_or((text, ""));
    let integer_part = mantissa.split('.').next().unwrap_or("");
    let fraction = mantissa.split_once('.').map_or("", |(_, fraction)| fraction);
    if text.contains(['e', 'E']) && integer_part.bytes().all(|byte| byte == b'0') && fraction.bytes().all(|byte| byte == b'0') {
        return Err(NumberError(format!("Internal Error, NUMBER token does not contain a valid number, {text}")));
    }
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(Number::Float(value)),
        _ => Err(NumberError(format!("Internal Error, NUMBER token does not contain a valid number, {text}"))),
    }
}

/// `\d+(\.\d+)?([eE]-?\d+)?` with at least a fraction or an exponent.
fn is_decimal_float(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut index = 0;
    let digits = |index: &mut usize| {
        let start = *index;
        while *index < bytes.len() && bytes[*index].is_ascii_digit() {
            *index += 1;
        }
        *index > start
    };
    if !digits(&mut index) {
        return false;
    }
    if index < bytes.len() && bytes[index] == b'.' {
        index += 1;
        if !digits(&mut index) {
            return false;
        }
    }
    if index < bytes.len() && (bytes[index] == b'e' || bytes[index] == b'E') {
        index += 1;
        if index < bytes.len() && bytes[index] == b'-' {
            index += 1;
        }
        if !digits(&mut index) {
            return false;
        }
    }
    index == bytes.len()
}

/// Digits in a radix, saturating (Puppet's checker reports values out of the 64-bit range).
fn parse_radix(digits: &str, radix: u32) -> i128 {
    let mut value: i128 = 0;
    for ch in digits.chars() {
        let digit = ch.to_digit(radix).unwrap_or(0);
        value = value.saturating_mul(i128::from(radix)).saturating_add(i128::from(digit));
    }
    value
}

/// Ruby's `Float#to_s`: the shortest digits that read back to the same float, in fixed
/// notation for moderate exponents, else as `1.0e+20`.
pub fn ruby_float_to_s(value: f64) -> String {
    if value.is_nan() {
        return "NaN".to_string();
    }
    if value.is_infinite() {
        return if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if value == 0.0 {
        return if value.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `d.ddde-x`.
    let scientific = format!("{:e}", value.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // Ruby's decpt: value = 0.DIGITS * 10^decpt.
    let decpt = exponent + 1;
    let sign = if value < 0.0 { "-" } else { "" };
    let length = digits.len() as i32;
    // Ruby keeps fixed notation up to 16 integer digits when there is a fraction, and
    // up to 15 for integral values (`1e14` is `100000000000000.0`, `1e15` is `1.0e+15`).
    let fixed_limit = if decpt < length { 16 } else { 15 };
    if decpt > 0 && decpt <= fixed_limit {
        if decpt >= length {
            format!("{sign}{digits}{}.0", "0".repeat((decpt - length) as usize))
        } else {
            let (integer, fraction) = digits.split_at(decpt as usize);
            format!("{sign}{integer}.{fraction}")
        }
    } else if decpt <= 0 && decpt > -4 {
        format!("{sign}0.{}{digits}", "0".repeat((-decpt) as usize))
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        let shown = decpt - 1;
        format!("{sign}{first}.{rest}e{}{:02}", if shown < 0 { '-' } else { '+' }, shown.abs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_ruby_prints_them() {
        for (value, text) in [
            (1e20, "1.0e+20"),
            (1e16, "1.0e+16"),
            (1e15, "1.0e+15"),
            (1e14, "100000000000000.0"),
            (1.5e15, "1.5e+15"),
            (1000000000000001.0, "1.000000000000001e+15"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (1.5e-5, "1.5e-05"),
            (0.0001, "0.0001"),
            (2.5, "2.5"),
            (-2.0, "-2.0"),
            (1234567890123456.7, "1234567890123456.8"),
            (0.1, "0.1"),
            (123.456, "123.456"),
            (1.0e-10, "1.0e-10"),
            (1.25e100, "1.25e+100"),
        ] {
            assert_eq!(ruby_float_to_s(value), text, "{value}");
        }
    }

    #[test]
    fn number_tokens() {
        assert_eq!(parse_number("0x1F"), Ok(Number::Integer { value: 31, radix: 16 }));
        assert_eq!(parse_number("017"), Ok(Number::Integer { value: 15, radix: 8 }));
        assert_eq!(parse_number("0"), Ok(Number::Integer { value: 0, radix: 10 }));
        assert_eq!(parse_number("10"), Ok(Number::Integer { value: 10, radix: 10 }));
        assert_eq!(parse_number("0.5"), Ok(Number::Float(0.5)));
        assert_eq!(parse_number("1e3"), Ok(Number::Float(1000.0)));
        assert!(parse_number("08").is_err());
        assert!(parse_number("0x").is_err());
        assert!(parse_number("1.e3").is_err());
    }
}
