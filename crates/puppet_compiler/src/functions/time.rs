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

pub fn strftime(c: &mut Compiler, ctx: &mut CallContext, _args: Vec<Value>) -> R<Value> {
    Err(c.unsupported("the function 'strftime'", ctx.span))
}
