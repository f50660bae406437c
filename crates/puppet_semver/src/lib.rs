//! Semantic versions and version ranges as Puppet reads them: a port of SemanticPuppet's
//! `Version` and `VersionRange` (semantic_puppet 1.0.4, the gem Puppet 7 ships). One
//! implementation for every reader: the validate stage checks `metadata.json` requirements
//! with it, and the compiler's `SemVer` and `SemVerRange` values are made of it.

use std::cmp::Ordering;
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

/// A version: major, minor, patch, the prerelease identifiers (`1.0.0-rc.1`) and the build
/// identifiers (`1.0.0+build.5`, ignored when ordering).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
    pub prerelease: Vec<String>,
    pub build: Vec<String>,
}

impl Version {
    /// `0.0.0`, the lowest version: where a range without a lower bound begins.
    pub const MIN: Version = Version::new(0, 0, 0);
    /// Where a range without an upper bound ends.
    pub const MAX: Version = Version::new(u64::MAX, u64::MAX, u64::MAX);

    /// A release version, without prerelease or build identifiers.
    pub const fn new(major: u64, minor: u64, patch: u64) -> Version {
        Version { major, minor, patch, prerelease: Vec::new(), build: Vec::new() }
    }

    /// A full version (`1.2.3`, `1.2.3-rc.1+build`), as `SemanticPuppet::Version.parse`
    /// reads it; `None` for anything else (`1.2`, `01.2.3`, `v1.2.3`).
    pub fn parse(text: &str) -> Option<Version> {
        static FULL: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r"\A(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?\z").expect("a valid regex")
        });
        let captures = FULL.captures(text)?;
        let number = |index: usize| captures.get(index)?.as_str().parse::<u64>().ok();
        Some(Version {
            major: number(1)?,
            minor: number(2)?,
            patch: number(3)?,
            prerelease: identifiers(captures.get(4).map(|m| m.as_str())),
            build: identifiers(captures.get(5).map(|m| m.as_str())),
        })
    }

    /// True for a release, false for a prerelease.
    pub fn is_stable(&self) -> bool {
        self.prerelease.is_empty()
    }

    fn same_release(&self, other: &Version) -> bool {
        (self.major, self.minor, self.patch) == (other.major, other.minor, other.patch)
    }
}

fn identifiers(text: Option<&str>) -> Vec<String> {
    text.map(|text| text.split('.').map(str::to_string).collect()).unwrap_or_default()
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch)).then_with(|| {
            // A prerelease comes before its release; identifiers compare numerically when
            // both are numbers, as SemVer says. Build identifiers do not count.
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

/// One interval of versions: from `begin` to `end`, each bound included or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interval {
    pub begin: Version,
    pub exclude_begin: bool,
    pub end: Version,
    pub exclude_end: bool,
    /// SemanticPuppet's `AllRange` (`*`, `x`, an empty range): it admits prereleases too.
    all: bool,
}

impl Interval {
    fn all() -> Interval {
        Interval { begin: Version::MIN, exclude_begin: false, end: Version::MAX, exclude_end: false, all: true }
    }

    fn at_least(version: Version) -> Interval {
        Interval { begin: version, all: false, ..Interval::all() }
    }

    fn above(version: Version) -> Interval {
        Interval { begin: version, exclude_begin: true, all: false, ..Interval::all() }
    }

    fn below(version: Version) -> Interval {
        Interval { end: version, exclude_end: true, all: false, ..Interval::all() }
    }

    fn at_most(version: Version) -> Interval {
        Interval { end: version, all: false, ..Interval::all() }
    }

    fn between(begin: Version, end: Version) -> Interval {
        Interval { begin, exclude_begin: false, end, exclude_end: true, all: false }
    }

    fn exactly(version: Version) -> Interval {
        Interval { begin: version.clone(), exclude_begin: false, end: version, exclude_end: false, all: false }
    }

    /// `LtRange::MATCH_NOTHING`.
    fn nothing() -> Interval {
        Interval::below(Version::MIN)
    }

    /// True when no version is in the interval.
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
        Interval { begin, exclude_begin, end, exclude_end, all: self.all && other.all }
    }

    fn includes(&self, version: &Version) -> bool {
        let above = match version.cmp(&self.begin) {
            Ordering::Greater => true,
            Ordering::Equal => !self.exclude_begin,
            Ordering::Less => false,
        };
        let below = match version.cmp(&self.end) {
            Ordering::Less => true,
            Ordering::Equal => !self.exclude_end,
            Ordering::Greater => false,
        };
        above && below
    }

    /// `test_prerelease?`: a prerelease is only in an interval one of whose bounds is a
    /// prerelease of the same release (as npm's ranges do), or in the interval of all.
    fn admits_prerelease(&self, version: &Version) -> bool {
        let bound = |bound: &Version| !bound.is_stable() && bound.same_release(version);
        self.all || bound(&self.begin) || bound(&self.end)
    }

    /// Every version of `other` is in `self` (compared at the bounds).
    fn contains(&self, other: &Interval) -> bool {
        let begin = match other.begin.cmp(&self.begin) {
            Ordering::Greater => true,
            Ordering::Equal => !self.exclude_begin || other.exclude_begin,
            Ordering::Less => false,
        };
        let end = match other.end.cmp(&self.end) {
            Ordering::Less => true,
            Ordering::Equal => !self.exclude_end || other.exclude_end,
            Ordering::Greater => false,
        };
        begin && end
    }
}

/// Why a range could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeError {
    /// "Unparsable version range: \"...\""
    Unparsable(String),
    /// "Range matches no versions: \"...\"" (metadata-json-lint's rule, not Puppet's).
    Empty(String),
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unparsable(text) => write!(f, "Unparsable version range: \"{text}\""),
            Self::Empty(text) => write!(f, "Range matches no versions: \"{text}\""),
        }
    }
}

impl std::error::Error for RangeError {}

/// A version range: the union of its intervals (`||`), and the text it was read from.
#[derive(Debug, Clone)]
pub struct VersionRange {
    text: String,
    intervals: Vec<Interval>,
}

/// Two ranges are equal when they hold the same versions the same way, whatever their text.
impl PartialEq for VersionRange {
    fn eq(&self, other: &Self) -> bool {
        self.intervals == other.intervals
    }
}

impl Eq for VersionRange {}

/// The text the range was read from, as SemanticPuppet's `to_s`.
impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl VersionRange {
    /// Parses a range as `SemanticPuppet::VersionRange.parse` does (`>= 1.0.0 < 2.0.0`,
    /// `1.x`, `~> 1.2`, `^2.1.0`, `1.0.0 - 1.5.0`, `a || b`, `""` for all versions).
    /// A range that matches no version is a range, as it is for Puppet.
    pub fn parse(text: &str) -> Result<VersionRange, RangeError> {
        static SPACE_AFTER_OPERATOR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"([><=~^])(?:\s+|\s*v)").expect("a valid regex"));
        static OR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s*\|\|\s*").expect("a valid regex"));
        static HYPHEN: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"\A({partial})\s+-\s+({partial})\z", partial = *PARTIAL)).expect("a valid regex"));
        static SIMPLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(&format!(r"\A(<=|>=|~>|~=|[<>=~^])?({partial})\z", partial = *PARTIAL)).expect("a valid regex"));
        let unparsable = || RangeError::Unparsable(text.to_string());
        let normalised = SPACE_AFTER_OPERATOR.replace_all(text, "$1");
        // Ruby's String#split drops trailing empty strings.
        let mut parts: Vec<&str> = OR.split(&normalised).collect();
        while parts.last().is_some_and(|part| part.is_empty()) {
            parts.pop();
        }
        if parts.is_empty() {
            return Ok(VersionRange { text: text.to_string(), intervals: vec![Interval::all()] });
        }
        let mut intervals = Vec::new();
        for part in parts {
            if let Some(captures) = HYPHEN.captures(part) {
                let begin = Partial::parse(&captures[1]).ok_or_else(unparsable)?.lowest();
                let end = Partial::parse(&captures[2]).ok_or_else(unparsable)?.lowest();
                intervals.push(Interval::at_least(begin).intersect(&Interval::at_most(end)));
                continue;
            }
            let mut interval = Interval::all();
            for simple in part.split_whitespace() {
                let captures = SIMPLE.captures(simple).ok_or_else(unparsable)?;
                let partial = Partial::parse(&captures[2]).ok_or_else(unparsable)?;
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
            intervals.push(Interval::nothing());
        }
        Ok(VersionRange { text: text.to_string(), intervals })
    }

    /// [`VersionRange::parse`], refusing a range that matches no version as
    /// metadata-json-lint does.
    pub fn parse_satisfiable(text: &str) -> Result<VersionRange, RangeError> {
        let range = VersionRange::parse(text)?;
        if range.matches_nothing() {
            return Err(RangeError::Empty(text.to_string()));
        }
        Ok(range)
    }

    /// The range of exactly one version.
    pub fn exact(version: &Version) -> VersionRange {
        VersionRange { text: version.to_string(), intervals: vec![Interval::exactly(version.clone())] }
    }

    /// True when no version is in the range.
    pub fn matches_nothing(&self) -> bool {
        self.intervals.iter().all(Interval::is_empty)
    }

    /// Whether a version is in the range. A prerelease is only in a range that names a
    /// prerelease of the same release (`include?` with `test_prerelease?`).
    pub fn includes(&self, version: &Version) -> bool {
        self.intervals.iter().any(|interval| interval.includes(version) && (version.is_stable() || interval.admits_prerelease(version)))
    }

    /// Every version in `other` is in `self` (checked at the bounds of each interval).
    pub fn contains_range(&self, other: &VersionRange) -> bool {
        other.intervals.iter().all(|theirs| theirs.is_empty() || self.intervals.iter().any(|ours| ours.contains(theirs)))
    }

    /// The intervals whose union the range is (none empty, unless the range matches nothing).
    pub fn intervals(&self) -> &[Interval] {
        &self.intervals
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
    build: Vec<String>,
}

impl Partial {
    fn parse(text: &str) -> Option<Partial> {
        static EXPR: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(&format!(r"\A({XR})(?:\.({XR})(?:\.({XR})(?:-({PARTS}))?(?:\+({PARTS}))?)?)?\z")).expect("a valid regex")
        });
        let captures = EXPR.captures(text)?;
        let digit = |index: usize| captures.get(index).map(|m| m.as_str()).filter(|text| !matches!(*text, "x" | "X" | "*")).and_then(|text| text.parse().ok());
        Some(Partial {
            major: digit(1),
            minor: digit(2),
            patch: digit(3),
            prerelease: identifiers(captures.get(4).map(|m| m.as_str())),
            build: identifiers(captures.get(5).map(|m| m.as_str())),
        })
    }

    /// `parse_version`: missing parts are 0.
    fn lowest(&self) -> Version {
        Version {
            major: self.major.unwrap_or(0),
            minor: self.minor.unwrap_or(0),
            patch: self.patch.unwrap_or(0),
            prerelease: self.prerelease.clone(),
            build: self.build.clone(),
        }
    }

    fn exact(&self) -> Option<Version> {
        Some(Version { major: self.major?, minor: self.minor?, patch: self.patch?, prerelease: self.prerelease.clone(), build: self.build.clone() })
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

#[cfg(test)]
mod tests {
    use super::*;

    fn version(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn range(text: &str) -> VersionRange {
        VersionRange::parse(text).unwrap()
    }

    #[test]
    fn ranges_parse_like_semantic_puppet() {
        for valid in [">= 4.0.0 < 10.0.0", "1.x", "1.2.x", "~> 1.2", "^2.1.0", ">=1.0.0", "1.0.0 - 2.0.0", "> 1.0.0 || < 0.5.0", "", "*", "= 1.2.3", ">v1.0.0"] {
            assert!(VersionRange::parse_satisfiable(valid).is_ok(), "{valid}");
        }
        assert_eq!(VersionRange::parse("garbage"), Err(RangeError::Unparsable("garbage".into())));
        assert_eq!(VersionRange::parse("> v1.0.0"), Err(RangeError::Unparsable("> v1.0.0".into())));
        assert!(VersionRange::parse(">= 2.0.0 < 1.0.0").unwrap().matches_nothing());
        assert_eq!(VersionRange::parse_satisfiable(">= 2.0.0 < 1.0.0"), Err(RangeError::Empty(">= 2.0.0 < 1.0.0".into())));
        assert_eq!(VersionRange::parse_satisfiable("< 1.0.0 > 1.0.0").unwrap_err().to_string(), "Range matches no versions: \"< 1.0.0 > 1.0.0\"");
        assert_eq!(range(">= 1.0.0 < 2.0.0").to_string(), ">= 1.0.0 < 2.0.0");
    }

    #[test]
    fn versions_order_with_prereleases_and_print_their_build() {
        assert!(version("1.0.0-rc.1") < version("1.0.0"));
        assert!(version("1.0.0-rc.2") < version("1.0.0-rc.10"));
        assert_eq!(version("1.0.0+b.2").cmp(&version("1.0.0")), Ordering::Equal);
        assert_eq!(version("1.2.3-rc.1+b.2").to_string(), "1.2.3-rc.1+b.2");
        for invalid in ["1.2", "01.2.3", "v1.2.3", "1.2.3-", "1.2.3+"] {
            assert_eq!(Version::parse(invalid), None, "{invalid}");
        }
    }

    #[test]
    fn ranges_include_versions() {
        assert!(range(">=1.0.0 <2.0.0").includes(&version("1.5.0")));
        assert!(!range(">=1.0.0 <2.0.0").includes(&version("2.0.0")));
        assert!(range("1.x").includes(&version("1.9.9")));
        assert!(range("~> 1.2").includes(&version("1.2.7")));
        assert!(!range("~> 1.2").includes(&version("1.3.0")));
        // A caret on 0.x allows patch updates only.
        assert!(range("^0.2.3").includes(&version("0.2.9")));
        assert!(!range("^0.2.3").includes(&version("0.3.0")));
        assert!(range("^1.2.3").includes(&version("1.9.0")));
        assert!(range("1.0.0 - 1.5.0").includes(&version("1.5.0")));
        assert!(range("> 1.0.0 || < 0.5.0").includes(&version("0.4.0")));
        assert!(!range("> 1.0.0 || < 0.5.0").includes(&version("0.7.0")));
    }

    #[test]
    fn prereleases_are_only_in_ranges_that_name_one_of_their_release() {
        assert!(!range(">=1.0.0 <2.0.0").includes(&version("1.2.3-rc.1")));
        assert!(range(">=1.2.3-rc.0").includes(&version("1.2.3-rc.1")));
        assert!(!range(">=1.2.3-rc.0").includes(&version("1.2.4-rc.1")));
        assert!(range("*").includes(&version("1.2.3-rc.1")));
        assert!(range("").includes(&version("0.0.1-alpha")));
    }

    #[test]
    fn ranges_contain_ranges_and_compare_by_versions() {
        assert!(range(">=1.0.0 <3.0.0").contains_range(&range("1.x")));
        assert!(!range("1.x").contains_range(&range(">=1.0.0 <3.0.0")));
        assert!(range("*").contains_range(&range("> 1.0.0 || < 0.5.0")));
        assert!(range(">=1.2.3 <=1.2.3").contains_range(&VersionRange::exact(&version("1.2.3"))));
        assert_eq!(range("1.x"), range(">=1.0.0 <2.0.0"));
        assert_ne!(range("1.x"), range(">=1.0.0 <=2.0.0"));
    }
}
