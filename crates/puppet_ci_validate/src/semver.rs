//! Semantic versions and version ranges as Puppet reads them in `metadata.json`
//! (SemanticPuppet's `Version` and `VersionRange`): enough to tell an unparsable range from
//! one that matches no version, and where a range begins and ends.

use std::cmp::Ordering;
use std::sync::LazyLock;

use regex::Regex;

/// A version: major, minor, patch and the prerelease identifiers (`1.0.0-rc.1`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub prerelease: Vec<String>,
}

impl Version {
    pub const MIN: Version = Version { major: 0, minor: 0, patch: 0, prerelease: Vec::new() };
    pub const MAX: Version = Version { major: u64::MAX, minor: u64::MAX, patch: u64::MAX, prerelease: Vec::new() };

    fn new(major: u64, minor: u64, patch: u64) -> Version {
        Version { major, minor, patch, prerelease: Vec::new() }
    }

    /// A full version (`1.2.3`, `1.2.3-rc.1+build`), as `SemanticPuppet::Version.parse`.
    pub fn parse(text: &str) -> Option<Version> {
        static FULL: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"\A(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?\z").expect("a valid regex")
        });
        let captures = FULL.captures(text)?;
        let number = |index: usize| captures.get(index)?.as_str().parse::<u64>().ok();
        Some(Version { major: number(1)?, minor: number(2)?, patch: number(3)?, prerelease: prerelease(captures.get(4).map(|m| m.as_str())) })
    }
}

fn prerelease(text: Option<&str>) -> Vec<String> {
    text.map(|text| text.split('.').map(str::to_string).collect()).unwrap_or_default()
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch)).then_with(|| {
            // A prerelease comes before its release; identifiers compare numerically when
            // both are numbers, as SemVer says.
            match (self.prerelease.is_empty(), other.prerelease.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => {
                    for (left, right) in self.prerelease.iter().zip(&other.prerelease) {
                        let order = match (left.parse::<u64>(), right.parse::<u64>()) {
                            (Ok(left), Ok(right)) => left.cmp(&right),
                            (Ok(_), Err(_)) => Ordering::Less,
                            (Err(_), Ok(_)) => Ordering::Greater,
                            (Err(_), Err(_)) => left.cmp(right),
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

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.prerelease.is_empty() {
            write!(f, "-{}", self.prerelease.join("."))?;
        }
        Ok(())
    }
}

/// One interval of versions: from `begin` to `end`, each bound included or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    pub begin: Version,
    pub exclude_begin: bool,
    pub end: Version,
    pub exclude_end: bool,
}

impl Interval {
    fn all() -> Interval {
        Interval { begin: Version::MIN, exclude_begin: false, end: Version::MAX, exclude_end: false }
    }

    fn at_least(version: Version) -> Interval {
        Interval { begin: version, ..Interval::all() }
    }

    fn above(version: Version) -> Interval {
        Interval { begin: version, exclude_begin: true, ..Interval::all() }
    }

    fn below(version: Version) -> Interval {
        Interval { end: version, exclude_end: true, ..Interval::all() }
    }

    fn at_most(version: Version) -> Interval {
        Interval { end: version, ..Interval::all() }
    }

    fn between(begin: Version, end: Version) -> Interval {
        Interval { begin, exclude_begin: false, end, exclude_end: true }
    }

    fn exactly(version: Version) -> Interval {
        Interval { begin: version.clone(), exclude_begin: false, end: version, exclude_end: false }
    }

    fn nothing() -> Interval {
        Interval::below(Version::MIN)
    }

    pub fn is_empty(&self) -> bool {
        match self.begin.cmp(&self.end) {
            Ordering::Greater => true,
            Ordering::Equal => self.exclude_begin || self.exclude_end,
            Ordering::Less => false,
        }
    }

    fn intersect(&self, other: &Interval) -> Interval {
        let (begin, exclude_begin) = match self.begin.cmp(&other.begin) {
            Ordering::Greater => (self.begin.clone(), self.exclude_begin),
            Ordering::Less => (other.begin.clone(), other.exclude_begin),
            Ordering::Equal => (self.begin.clone(), self.exclude_begin || other.exclude_begin),
        };
        let (end, exclude_end) = match self.end.cmp(&other.end) {
            Ordering::Less => (self.end.clone(), self.exclude_end),
            Ordering::Greater => (other.end.clone(), other.exclude_end),
            Ordering::Equal => (self.end.clone(), self.exclude_end || other.exclude_end),
        };
        Interval { begin, exclude_begin, end, exclude_end }
    }
}

/// Why a range could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeError {
    /// "Unparsable version range: \"...\""
    Unparsable(String),
    /// "Range matches no versions: \"...\""
    Empty(String),
}

impl std::fmt::Display for RangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unparsable(text) => write!(f, "Unparsable version range: \"{text}\""),
            Self::Empty(text) => write!(f, "Range matches no versions: \"{text}\""),
        }
    }
}

/// A version range: the union of its intervals (`||`), none of them empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRange {
    pub intervals: Vec<Interval>,
}

impl VersionRange {
    /// Parses a range as `SemanticPuppet::VersionRange.parse` does, refusing one that matches
    /// no version as metadata-json-lint does.
    pub fn parse(text: &str) -> Result<VersionRange, RangeError> {
        static SPACE_AFTER_OPERATOR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"([><=~^])(?:\s+|\s*v)").expect("a valid regex"));
        static OR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*\|\|\s*").expect("a valid regex"));
        static HYPHEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"\A({partial})\s+-\s+({partial})\z", partial = *PARTIAL)).expect("a valid regex"));
        static SIMPLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"\A(<=|>=|~>|~=|[<>=~^])?({partial})\z", partial = *PARTIAL)).expect("a valid regex"));
        let unparsable = || RangeError::Unparsable(text.to_string());
        let normalised = SPACE_AFTER_OPERATOR.replace_all(text, "$1");
        let mut intervals = Vec::new();
        // Ruby's String#split drops trailing empty strings.
        let mut parts: Vec<&str> = OR.split(&normalised).collect();
        while parts.last().is_some_and(|part| part.is_empty()) {
            parts.pop();
        }
        if parts.is_empty() {
            return Ok(VersionRange { intervals: vec![Interval::all()] });
        }
        for part in parts {
            if let Some(captures) = HYPHEN.captures(part) {
                let begin = lowest(&captures[1]).ok_or_else(unparsable)?;
                let end = lowest(&captures[2]).ok_or_else(unparsable)?;
                intervals.push(Interval::at_least(begin).intersect(&Interval::at_most(end)));
                continue;
            }
            let mut interval = Interval::all();
            for simple in part.split_whitespace() {
                let captures = SIMPLE.captures(simple).ok_or_else(unparsable)?;
                let operand = &captures[2];
                let partial = Partial::parse(operand).ok_or_else(unparsable)?;
                let one = match captures.get(1).map(|m| m.as_str()) {
                    Some("~" | "~>" | "~=") => partial.patch_updates(true),
                    Some("^") if partial.major == Some(0) => partial.patch_updates(true),
                    Some("^") => partial.minor_updates(),
                    Some(">") => partial.greater(),
                    Some(">=") => Interval::at_least(partial.lowest()),
                    Some("<") => Interval::below(partial.lowest()),
                    Some("<=") => partial.at_most(),
                    _ => partial.patch_updates(false),
                };
                interval = interval.intersect(&one);
            }
            intervals.push(interval);
        }
        intervals.retain(|interval| !interval.is_empty());
        if intervals.is_empty() {
            return Err(RangeError::Empty(text.to_string()));
        }
        Ok(VersionRange { intervals })
    }

    /// The lowest version of a one-interval range (`MIN` when it has no lower bound).
    pub fn begin(&self) -> Option<&Version> {
        (self.intervals.len() == 1).then(|| &self.intervals[0].begin)
    }

    /// True when the range has no upper bound (`>= 1.0.0`).
    pub fn is_open_ended(&self) -> bool {
        self.intervals.len() == 1 && self.intervals[0].end == Version::MAX
    }
}

const XR: &str = r"(?:x|X|\*|0|[1-9][0-9]*)";
const PARTS: &str = r"(?:[0-9A-Za-z-]+)(?:\.(?:[0-9A-Za-z-]+))*";
static PARTIAL: LazyLock<String> = LazyLock::new(|| format!(r"{XR}(?:\.{XR}(?:\.{XR}(?:-{PARTS})?(?:\+{PARTS})?)?)?"));

/// A partial version (`1`, `1.x`, `1.2.*`, `1.2.3-rc1`): `None` parts are wildcards or absent.
struct Partial {
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    prerelease: Vec<String>,
}

impl Partial {
    fn parse(text: &str) -> Option<Partial> {
        static EXPR: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(&format!(r"\A({XR})(?:\.({XR})(?:\.({XR})(?:-({PARTS}))?(?:\+({PARTS}))?)?)?\z")).expect("a valid regex")
        });
        let captures = EXPR.captures(text)?;
        let digit = |index: usize| captures.get(index).map(|m| m.as_str()).filter(|text| !matches!(*text, "x" | "X" | "*")).and_then(|text| text.parse().ok());
        Some(Partial { major: digit(1), minor: digit(2), patch: digit(3), prerelease: prerelease(captures.get(4).map(|m| m.as_str())) })
    }

    fn lowest(&self) -> Version {
        Version { major: self.major.unwrap_or(0), minor: self.minor.unwrap_or(0), patch: self.patch.unwrap_or(0), prerelease: self.prerelease.clone() }
    }

    fn exact(&self) -> Option<Version> {
        Some(Version { major: self.major?, minor: self.minor?, patch: self.patch?, prerelease: self.prerelease.clone() })
    }

    /// `~1.2.3`, and a bare `1.2` (x-range): patch updates only.
    fn patch_updates(&self, tilde_or_caret: bool) -> Interval {
        let Some(major) = self.major else { return Interval::all() };
        let Some(minor) = self.minor else { return Interval::between(Version::new(major, 0, 0), Version::new(major + 1, 0, 0)) };
        let Some(version) = self.exact() else { return Interval::between(Version::new(major, minor, 0), Version::new(major, minor + 1, 0)) };
        if !tilde_or_caret {
            return Interval::exactly(version);
        }
        Interval::between(version, Version::new(major, minor + 1, 0))
    }

    /// `^1.2.3`: minor updates.
    fn minor_updates(&self) -> Interval {
        let Some(major) = self.major else { return Interval::all() };
        Interval::between(self.lowest(), Version::new(major + 1, 0, 0))
    }

    fn greater(&self) -> Interval {
        let Some(major) = self.major else { return Interval::nothing() };
        let Some(minor) = self.minor else { return Interval::at_least(Version::new(major + 1, 0, 0)) };
        match self.exact() {
            Some(version) => Interval::above(version),
            None => Interval::at_least(Version::new(major, minor + 1, 0)),
        }
    }

    fn at_most(&self) -> Interval {
        let Some(major) = self.major else { return Interval::all() };
        let Some(minor) = self.minor else { return Interval::below(Version::new(major + 1, 0, 0)) };
        match self.exact() {
            Some(version) => Interval::at_most(version),
            None => Interval::below(Version::new(major, minor + 1, 0)),
        }
    }
}

fn lowest(text: &str) -> Option<Version> {
    Partial::parse(text).map(|partial| partial.lowest())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_like_semantic_puppet() {
        for valid in [">= 4.0.0 < 10.0.0", "1.x", "1.2.x", "~> 1.2", "^2.1.0", ">=1.0.0", "1.0.0 - 2.0.0", "> 1.0.0 || < 0.5.0", "", "*", "= 1.2.3", ">v1.0.0"] {
            assert!(VersionRange::parse(valid).is_ok(), "{valid}");
        }
        assert_eq!(VersionRange::parse("garbage"), Err(RangeError::Unparsable("garbage".into())));
        assert_eq!(VersionRange::parse("> v1.0.0"), Err(RangeError::Unparsable("> v1.0.0".into())));
        assert_eq!(VersionRange::parse(">= 2.0.0 < 1.0.0"), Err(RangeError::Empty(">= 2.0.0 < 1.0.0".into())));
        assert_eq!(VersionRange::parse("< 1.0.0 > 1.0.0").unwrap_err().to_string(), "Range matches no versions: \"< 1.0.0 > 1.0.0\"");
        assert!(VersionRange::parse(">= 1.0.0").unwrap().is_open_ended());
        assert!(!VersionRange::parse(">= 1.0.0 < 2.0.0").unwrap().is_open_ended());
        assert_eq!(VersionRange::parse(">= 3.0.0").unwrap().begin(), Some(&Version::new(3, 0, 0)));
    }

    #[test]
    fn versions_order_with_prereleases() {
        assert!(Version::parse("1.0.0-rc.1").unwrap() < Version::parse("1.0.0").unwrap());
        assert!(Version::parse("1.0.0-rc.2").unwrap() < Version::parse("1.0.0-rc.10").unwrap());
        assert_eq!(Version::parse("1.2"), None);
    }
}
