//! Timespan and Timestamp values: nanosecond counts, printed in Puppet's default formats
//! (`%D-%H:%M:%S.%-N` and `%FT%T.%N %Z`).

pub const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// `Timespan#to_s`: `D-HH:MM:SS.F` with the fraction's trailing zeros dropped.
pub fn format_timespan_default(nanos: i128) -> String {
    let negative = nanos < 0;
    let total = nanos.abs();
    let seconds = total / NANOS_PER_SECOND;
    let fraction = total % NANOS_PER_SECOND;
    let days = seconds / 86_400;
    let hours = (seconds / 3600) % 24;
    let minutes = (seconds / 60) % 60;
    let secs = seconds % 60;
    let mut fraction_text = format!("{fraction:09}");
    while fraction_text.len() > 1 && fraction_text.ends_with('0') {
        fraction_text.pop();
    }
    format!("{}{days}-{hours:02}:{minutes:02}:{secs:02}.{fraction_text}", if negative { "-" } else { "" })
}

/// `Timestamp#to_s`: `YYYY-MM-DDTHH:MM:SS.NNNNNNNNN UTC`.
pub fn format_timestamp_default(nanos: i128) -> String {
    let seconds = nanos.div_euclid(NANOS_PER_SECOND);
    let fraction = nanos.rem_euclid(NANOS_PER_SECOND);
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{fraction:09} UTC",
        of_day / 3600,
        (of_day / 60) % 60,
        of_day % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// A date to days since 1970-01-01.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespan_and_timestamp_formats() {
        assert_eq!(format_timespan_default(3600 * NANOS_PER_SECOND), "0-01:00:00.0");
        assert_eq!(format_timestamp_default(0), "1970-01-01T00:00:00.000000000 UTC");
        assert_eq!(days_from_civil(2021, 3, 1), 18_687);
        assert_eq!(civil_from_days(18_687), (2021, 3, 1));
    }
}
