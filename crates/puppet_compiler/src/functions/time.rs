//! Time functions and the parsing of Timespan and Timestamp strings.

use crate::eval::{CallContext, Compiler, R};
use crate::value::Value;

/// A Timespan from `D-HH:MM:SS.F`, `HH:MM:SS`, `MM:SS` or seconds.
pub fn parse_timespan(text: &str) -> Option<i128> {
    let text = text.trim();
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (days, rest) = match text.split_once('-') {
        Some((d, rest)) => (d.parse::<i128>().ok()?, rest),
        None => (0, text),
    };
    let (main, fraction) = match rest.split_once('.') {
        Some((m, f)) => (m, f),
        None => (rest, ""),
    };
    let parts: Vec<&str> = main.split(':').collect();
    let numbers: Vec<i128> = parts.iter().map(|p| p.parse::<i128>()).collect::<Result<_, _>>().ok()?;
    let seconds = match numbers.as_slice() {
        [s] => *s,
        [m, s] => m * 60 + s,
        [h, m, s] => h * 3600 + m * 60 + s,
        _ => return None,
    };
    let mut nanos = (days * 86_400 + seconds) * 1_000_000_000;
    if !fraction.is_empty() {
        let digits: String = fraction.chars().take(9).collect();
        let padded = format!("{digits:0<9}");
        nanos += padded.parse::<i128>().ok()?;
    }
    Some(if negative { -nanos } else { nanos })
}

/// A Timestamp from `YYYY-MM-DD[THH:MM:SS[.F]][ UTC|Z]`.
pub fn parse_timestamp(text: &str) -> Option<i128> {
    let text = text.trim().trim_end_matches(" UTC").trim_end_matches('Z');
    let (date, time) = match text.split_once(['T', ' ']) {
        Some((d, t)) => (d, t),
        None => (text, "00:00:00"),
    };
    let date_parts: Vec<i64> = date.split('-').map(|p| p.parse::<i64>()).collect::<Result<_, _>>().ok()?;
    let [year, month, day] = date_parts.as_slice() else { return None };
    let (clock, fraction) = time.split_once('.').unwrap_or((time, ""));
    let clock_parts: Vec<i128> = clock.split(':').map(|p| p.parse::<i128>()).collect::<Result<_, _>>().ok()?;
    let seconds = match clock_parts.as_slice() {
        [h, m, s] => h * 3600 + m * 60 + s,
        [h, m] => h * 3600 + m * 60,
        _ => return None,
    };
    let days = i128::from(crate::time::days_from_civil(*year, *month as u32, *day as u32));
    let mut nanos = (days * 86_400 + seconds) * 1_000_000_000;
    if !fraction.is_empty() {
        let digits: String = fraction.chars().filter(char::is_ascii_digit).take(9).collect();
        nanos += format!("{digits:0<9}").parse::<i128>().ok()?;
    }
    Some(nanos)
}

const DAYS: [&str; 7] = ["Thursday", "Friday", "Saturday", "Sunday", "Monday", "Tuesday", "Wednesday"];
const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// `strftime` of a Timestamp (in UTC) or a Timespan.
pub fn strftime(c: &mut Compiler, ctx: &mut CallContext, args: Vec<Value>) -> R<Value> {
    let index = c.dispatch(ctx, &args, &["Timestamp time_object, String format, String timezone?", "Timespan time_object, String format", "String format, String timezone?"])?;
    match index {
        0 => {
            if args.get(2).is_some_and(|tz| !matches!(tz.to_puppet_string().as_str(), "UTC" | "utc" | "Z" | "GMT")) {
                return Err(c.unsupported("strftime with a time zone other than UTC", ctx.span));
            }
            let Value::Timestamp(nanos) = args[0] else { return Ok(Value::Undef) };
            Ok(Value::from(format_timestamp(nanos, &args[1].to_puppet_string())))
        }
        1 => {
            let Value::Timespan(nanos) = args[0] else { return Ok(Value::Undef) };
            Ok(Value::from(format_timespan(nanos, &args[1].to_puppet_string())))
        }
        _ => Err(c.unsupported("strftime of the current time", ctx.span)),
    }
}

/// Ruby's `Time#strftime` in UTC for the common directives.
pub fn format_timestamp(nanos: i128, format: &str) -> String {
    let seconds = nanos.div_euclid(1_000_000_000);
    let fraction = nanos.rem_euclid(1_000_000_000);
    let days = seconds.div_euclid(86_400) as i64;
    let of_day = seconds.rem_euclid(86_400) as i64;
    let (year, month, day) = crate::time::civil_from_days(days);
    let (hour, minute, second) = (of_day / 3600, (of_day / 60) % 60, of_day % 60);
    let weekday = days.rem_euclid(7) as usize;
    let yday = days - crate::time::days_from_civil(year, 1, 1) + 1;
    let mut out = String::new();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' || i + 1 >= chars.len() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        let mut pad = true;
        if chars[i] == '-' && i + 1 < chars.len() {
            pad = false;
            i += 1;
        }
        // A width: digits of the fraction for `%N` and `%L` (`%3N` is milliseconds), else
        // the width the field is padded to.
        let width_start = i;
        while i + 1 < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let width: Option<usize> = chars[width_start..i].iter().collect::<String>().parse().ok();
        let two = |n: i64| if pad { format!("{n:02}") } else { n.to_string() };
        let text = match chars[i] {
            'Y' => year.to_string(),
            'C' => two(year / 100),
            'y' => two(year % 100),
            'm' => two(i64::from(month)),
            'd' => two(i64::from(day)),
            'e' => if pad { format!("{day:2}") } else { day.to_string() },
            'j' => if pad { format!("{yday:03}") } else { yday.to_string() },
            'H' => two(hour),
            'k' => format!("{hour:2}"),
            'I' => two(if hour % 12 == 0 { 12 } else { hour % 12 }),
            'l' => format!("{:2}", if hour % 12 == 0 { 12 } else { hour % 12 }),
            'M' => two(minute),
            'S' => two(second),
            'L' | 'N' => {
                let digits = width.unwrap_or(if chars[i] == 'L' { 3 } else { 9 });
                let text = format!("{fraction:09}");
                if digits <= 9 { text[..digits].to_string() } else { format!("{text:0<digits$}") }
            }
            'p' => if hour < 12 { "AM" } else { "PM" }.to_string(),
            'P' => if hour < 12 { "am" } else { "pm" }.to_string(),
            'A' => DAYS[weekday].to_string(),
            'a' => DAYS[weekday][..3].to_string(),
            'B' => MONTHS[month as usize - 1].to_string(),
            'b' | 'h' => MONTHS[month as usize - 1][..3].to_string(),
            'u' => ((weekday + 3) % 7 + 1).to_string(),
            'w' => ((weekday + 4) % 7).to_string(),
            'z' => "+0000".to_string(),
            'Z' => "UTC".to_string(),
            's' => seconds.to_string(),
            'F' => format!("{year:04}-{month:02}-{day:02}"),
            'T' | 'X' => format!("{hour:02}:{minute:02}:{second:02}"),
            'D' | 'x' => format!("{month:02}/{day:02}/{:02}", year % 100),
            'R' => format!("{hour:02}:{minute:02}"),
            'c' => format!("{} {} {day:2} {hour:02}:{minute:02}:{second:02} {year}", &DAYS[weekday][..3], &MONTHS[month as usize - 1][..3]),
            '%' => "%".to_string(),
            other => format!("%{other}"),
        };
        let text = match width {
            Some(width) if !matches!(chars[i], 'L' | 'N') && text.chars().count() < width => {
                let fill = if text.starts_with(|c: char| c.is_ascii_digit()) { '0' } else { ' ' };
                let padding: String = std::iter::repeat_n(fill, width - text.chars().count()).collect();
                format!("{padding}{text}")
            }
            _ => text,
        };
        out.push_str(&text);
        i += 1;
    }
    out
}

/// `Timespan#format`: `%D` days, `%H`, `%M`, `%S`, `%L` milliseconds, `%N` nanoseconds.
pub fn format_timespan(nanos: i128, format: &str) -> String {
    let negative = nanos < 0;
    let total = nanos.abs();
    let seconds = total / 1_000_000_000;
    let fraction = total % 1_000_000_000;
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' || i + 1 >= chars.len() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        i += 1;
        let mut pad = true;
        if chars[i] == '-' {
            pad = false;
            i += 1;
        }
        let text = match chars.get(i) {
            Some('D') => (seconds / 86_400).to_string(),
            Some('H') => if pad { format!("{:02}", (seconds / 3600) % 24) } else { ((seconds / 3600) % 24).to_string() },
            Some('M') => if pad { format!("{:02}", (seconds / 60) % 60) } else { ((seconds / 60) % 60).to_string() },
            Some('S') => if pad { format!("{:02}", seconds % 60) } else { (seconds % 60).to_string() },
            Some('L') => format!("{:03}", fraction / 1_000_000),
            Some('N') => {
                let text = format!("{fraction:09}");
                if pad {
                    text
                } else {
                    let trimmed = text.trim_end_matches('0');
                    if trimmed.is_empty() { "0".into() } else { trimmed.to_string() }
                }
            }
            Some('%') => "%".to_string(),
            Some(other) => format!("%{other}"),
            None => String::new(),
        };
        out.push_str(&text);
        i += 1;
    }
    out
}
