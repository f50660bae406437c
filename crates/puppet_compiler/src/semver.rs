//! Semantic versions and version ranges as `SemanticPuppet` reads them (the values of
//! the SemVer and SemVerRange types).

use std::cmp::Ordering;
use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub prerelease: Vec<String>,
    pub build: Vec<String>,
}

impl Version {
    /// Parses `1.2.3`, `1.2.3-rc.1`, `1.2.3+build.5`.
    pub fn parse(text: &str) -> Option<Version> {
        let (rest, build) = match text.split_once('+') {
            Some((rest, build)) => (rest, build.split('.').map(str::to_string).collect()),
            None => (text, Vec::new()),
        };
        let (core, prerelease) = match rest.split_once('-') {
            Some((core, pre)) => (core, pre.split('.').map(str::to_string).collect()),
            None => (rest, Vec::new()),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.len() != 3 {
            return None;
        }
        let number = |s: &str| -> Option<u64> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
                return None;
            }
            s.parse().ok()
        };
        let version = Version { major: number(parts[0])?, minor: number(parts[1])?, patch: number(parts[2])?, prerelease, build };
        if version.prerelease.iter().chain(version.build.iter()).any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')) {
            return None;
        }
        Some(version)
    }

    fn triple(major: u64, minor: u64, patch: u64) -> Version {
        Version { major, minor, patch, prerelease: Vec::new(), build: Vec::new() }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.prerelease.is_empty() {
            write!(f, "-{}", self.prerelease.join("."))?;
        }
        if !self.build.is_empty() {
            write!(f, "+{}", self.build.join("."))?;
        }
        Ok(())
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch)).then_with(|| {
            match (self.prerelease.is_empty(), other.prerelease.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (a, b) in self.prerelease.iter().zip(other.prerelease.iter()) {
                        let order = match (a.parse::<u64>(), b.parse::<u64>()) {
                            (Ok(x), Ok(y)) => x.cmp(&y),
                            (Ok(_), Err(_)) => Ordering::Less,
                            (Err(_), Ok(_)) => Ordering::Greater,
                            (Err(_), Err(_)) => a.cmp(b),
                        };
                        if order != Ordering::Equal {
                            return order;
                        }
                    }
                    self.prerelease.len().cmp(&other.prerelease.len())
                }
            }
        })
    }
}

/// One interval of versions.
#[derive(Clone, Debug, PartialEq)]
struct Interval {
    min: Option<(Version, bool)>,
    max: Option<(Version, bool)>,
}

impl Interval {
    fn includes(&self, v: &Version) -> bool {
        let above = match &self.min {
            None => true,
            Some((min, inclusive)) => v > min || (*inclusive && v == min),
        };
        let below = match &self.max {
            None => true,
            Some((max, inclusive)) => v < max || (*inclusive && v == max),
        };
        above && below
    }

    fn intersect(&self, other: &Interval) -> Interval {
        let min = match (&self.min, &other.min) {
            (None, x) | (x, None) => x.clone(),
            (Some(a), Some(b)) => Some(if a.0 > b.0 || (a.0 == b.0 && !a.1) { a.clone() } else { b.clone() }),
        };
        let max = match (&self.max, &other.max) {
            (None, x) | (x, None) => x.clone(),
            (Some(a), Some(b)) => Some(if a.0 < b.0 || (a.0 == b.0 && !a.1) { a.clone() } else { b.clone() }),
        };
        Interval { min, max }
    }
}

/// A version range (`>=1.0.0 <2.0.0`, `1.x`, `~> 1.2`, `1.0.0 - 1.5.0`, `a || b`).
#[derive(Clone, Debug)]
pub struct VersionRange {
    text: String,
    intervals: Vec<Interval>,
}

impl PartialEq for VersionRange {
    fn eq(&self, other: &Self) -> bool {
        self.intervals == other.intervals
    }
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl VersionRange {
    pub fn exact(v: &Version) -> VersionRange {
        VersionRange { text: v.to_string(), intervals: vec![Interval { min: Some((v.clone(), true)), max: Some((v.clone(), true)) }] }
    }

    pub fn parse(text: &str) -> Option<VersionRange> {
        let mut intervals = Vec::new();
        for alternative in text.split("||") {
            intervals.push(parse_conjunction(alternative.trim())?);
        }
        Some(VersionRange { text: text.to_string(), intervals })
    }

    /// Whether a version is in the range. A prerelease is only in a range that names a
    /// prerelease of the same version (as SemanticPuppet, like npm, does).
    pub fn includes(&self, v: &Version) -> bool {
        self.intervals.iter().any(|i| {
            if !i.includes(v) {
                return false;
            }
            if v.prerelease.is_empty() {
                return true;
            }
            let same = |bound: &Option<(Version, bool)>| {
                bound.as_ref().is_some_and(|(b, _)| !b.prerelease.is_empty() && (b.major, b.minor, b.patch) == (v.major, v.minor, v.patch))
            };
            same(&i.min) || same(&i.max)
        })
    }

    /// Every version in `other` is in `self` (checked at the bounds).
    pub fn contains_range(&self, other: &VersionRange) -> bool {
        other.intervals.iter().all(|o| {
            self.intervals.iter().any(|s| {
                let min_ok = match (&s.min, &o.min) {
                    (None, _) => true,
                    (Some(_), None) => false,
                    (Some(a), Some(b)) => b.0 > a.0 || (b.0 == a.0 && (a.1 || !b.1)),
                };
                let max_ok = match (&s.max, &o.max) {
                    (None, _) => true,
                    (Some(_), None) => false,
                    (Some(a), Some(b)) => b.0 < a.0 || (b.0 == a.0 && (a.1 || !b.1)),
                };
                min_ok && max_ok
            })
        })
    }
}

fn parse_conjunction(text: &str) -> Option<Interval> {
    if text.is_empty() || text == "*" {
        return Some(Interval { min: None, max: None });
    }
    if let Some((low, high)) = text.split_once(" - ") {
        let low = parse_partial(low.trim())?;
        let high = parse_partial(high.trim())?;
        return Some(Interval { min: Some((low.lower(), true)), max: Some(high.upper_inclusive()) });
    }
    let mut result = Interval { min: None, max: None };
    let mut tokens: Vec<String> = Vec::new();
    for token in text.split_whitespace() {
        if matches!(token, ">=" | "<=" | ">" | "<" | "=" | "~>" | "~" | "^") {
            tokens.push(token.to_string());
        } else if let Some(last) = tokens.last_mut().filter(|l| matches!(l.as_str(), ">=" | "<=" | ">" | "<" | "=" | "~>" | "~" | "^")) {
            last.push_str(token);
        } else {
            tokens.push(token.to_string());
        }
    }
    for token in tokens {
        result = result.intersect(&parse_comparator(&token)?);
    }
    Some(result)
}

/// A version with possibly missing parts (`1`, `1.2`, `1.x`).
struct Partial {
    parts: Vec<u64>,
    full: Option<Version>,
}

impl Partial {
    fn lower(&self) -> Version {
        match &self.full {
            Some(v) => v.clone(),
            None => Version::triple(*self.parts.first().unwrap_or(&0), *self.parts.get(1).unwrap_or(&0), 0),
        }
    }

    /// The exclusive upper bound of everything this partial version covers.
    fn upper_exclusive(&self) -> Option<Version> {
        match self.parts.len() {
            0 => None,
            1 => Some(Version::triple(self.parts[0] + 1, 0, 0)),
            2 => Some(Version::triple(self.parts[0], self.parts[1] + 1, 0)),
            _ => None,
        }
    }

    fn upper_inclusive(&self) -> (Version, bool) {
        match (&self.full, self.upper_exclusive()) {
            (Some(v), _) => (v.clone(), true),
            (None, Some(v)) => (v, false),
            (None, None) => (Version::triple(u64::MAX, 0, 0), false),
        }
    }
}

fn parse_partial(text: &str) -> Option<Partial> {
    let text = text.trim_start_matches('v');
    if let Some(v) = Version::parse(text) {
        return Some(Partial { parts: vec![v.major, v.minor, v.patch], full: Some(v) });
    }
    let mut parts = Vec::new();
    for part in text.split('.') {
        if matches!(part, "x" | "X" | "*") {
            break;
        }
        parts.push(part.parse().ok()?);
    }
    if parts.len() > 3 {
        return None;
    }
    if parts.len() == 3 {
        let v = Version::triple(parts[0], parts[1], parts[2]);
        return Some(Partial { parts, full: Some(v) });
    }
    Some(Partial { parts, full: None })
}

fn parse_comparator(token: &str) -> Option<Interval> {
    let (op, rest) = ["~>", ">=", "<=", ">", "<", "=", "~", "^"]
        .iter()
        .find_map(|op| token.strip_prefix(op).map(|rest| (*op, rest)))
        .unwrap_or(("", token));
    let partial = parse_partial(rest)?;
    let lower = partial.lower();
    Some(match op {
        ">=" => Interval { min: Some((lower, true)), max: None },
        ">" => match partial.upper_exclusive() {
            Some(upper) if partial.full.is_none() => Interval { min: Some((upper, true)), max: None },
            _ => Interval { min: Some((lower, false)), max: None },
        },
        "<" => Interval { min: None, max: Some((lower, false)) },
        "<=" => Interval { min: None, max: Some(partial.upper_inclusive()) },
        "~>" | "~" => {
            let upper = if partial.parts.len() >= 3 || partial.parts.len() == 2 {
                Version::triple(partial.parts[0], partial.parts.get(1).copied().unwrap_or(0) + 1, 0)
            } else {
                Version::triple(partial.parts.first().copied().unwrap_or(0) + 1, 0, 0)
            };
            Interval { min: Some((lower, true)), max: Some((upper, false)) }
        }
        "^" => {
            let upper = Version::triple(partial.parts.first().copied().unwrap_or(0) + 1, 0, 0);
            Interval { min: Some((lower, true)), max: Some((upper, false)) }
        }
        _ => match &partial.full {
            Some(v) => Interval { min: Some((v.clone(), true)), max: Some((v.clone(), true)) },
            None => Interval { min: Some((lower, true)), max: partial.upper_exclusive().map(|u| (u, false)) },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_include_versions() {
        let v = |s| Version::parse(s).unwrap();
        assert!(VersionRange::parse(">=1.0.0 <2.0.0").unwrap().includes(&v("1.5.0")));
        assert!(!VersionRange::parse(">=1.0.0 <2.0.0").unwrap().includes(&v("2.0.0")));
        assert!(VersionRange::parse("1.x").unwrap().includes(&v("1.9.9")));
        assert!(VersionRange::parse("~> 1.2").unwrap().includes(&v("1.2.7")));
        assert!(v("1.0.0-rc1") < v("1.0.0"));
        assert!(!VersionRange::parse(">=1.0.0 <2.0.0").unwrap().includes(&v("1.2.3-rc.1")));
        assert!(VersionRange::parse(">=1.2.3-rc.0").unwrap().includes(&v("1.2.3-rc.1")));
    }
}
