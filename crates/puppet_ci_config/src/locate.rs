//! Where a value sits in the YAML text: the line and column of a path such as
//! `roles[1].name`, for errors about what a configuration means (a role defined twice, an
//! unknown role) that are found after the text was read.
//!
//! serde_yaml keeps no positions in what it returns, but it puts the position of the
//! value being read on every error raised while reading it. So the path is walked with a
//! seed that skips everything else and raises an error on the value itself, and the
//! error's position is the answer.

use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One step of a path into the YAML document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// Builds a path: `yaml_path!["roles", 1, "name"]`.
macro_rules! yaml_path {
    ($($step:expr),* $(,)?) => {
        vec![$($crate::locate::Step::from($step)),*]
    };
}
pub(crate) use yaml_path;

impl From<&str> for Step {
    fn from(key: &str) -> Self {
        Step::Key(key.to_string())
    }
}

impl From<&String> for Step {
    fn from(key: &String) -> Self {
        Step::Key(key.clone())
    }
}

impl From<usize> for Step {
    fn from(index: usize) -> Self {
        Step::Index(index)
    }
}

/// The 1-based line and column of the value at `path` in `text`, when it is there.
pub fn locate(text: &str, path: &[Step]) -> Option<(usize, usize)> {
    let error = Seek { path }.deserialize(serde_yaml::Deserializer::from_str(text)).err()?;
    if !error.to_string().contains(FOUND) {
        return None;
    }
    error.location().map(|location| (location.line(), location.column()))
}

/// The message of the error raised on the value looked for.
const FOUND: &str = "puppet-ci: the value looked for";

struct Seek<'p> {
    path: &'p [Step],
}

impl<'de> DeserializeSeed<'de> for Seek<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        match self.path.split_first() {
            None => deserializer.deserialize_any(Found),
            Some((Step::Key(key), rest)) => deserializer.deserialize_any(InMapping { key, rest }),
            Some((Step::Index(index), rest)) => deserializer.deserialize_any(InSequence { index: *index, rest }),
        }
    }
}

/// Fails on whatever value it is given, so that the error carries the value's position.
struct Found;

impl<'de> Visitor<'de> for Found {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(FOUND))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(FOUND))
    }

    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(de::Error::custom(FOUND))
    }
}

struct InMapping<'p> {
    key: &'p str,
    rest: &'p [Step],
}

impl<'de> Visitor<'de> for InMapping<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(formatter, "a mapping with the key {}", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<serde_yaml::Value>()? {
            if key.as_str() == Some(self.key) {
                return map.next_value_seed(Seek { path: self.rest });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

struct InSequence<'p> {
    index: usize,
    rest: &'p [Step],
}

impl<'de> Visitor<'de> for InSequence<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        write!(formatter, "a sequence with an item {}", self.index)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for _ in 0..self.index {
            if seq.next_element::<IgnoredAny>()?.is_none() {
                return Ok(());
            }
        }
        seq.next_element_seed(Seek { path: self.rest })?;
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(path: Vec<Step>) -> Option<(usize, usize)> {
        locate(TEXT, &path)
    }

    const TEXT: &str = "roles:\n  - name: role::web\n    checks:\n      - file: {path: /x, mode: rwx}\n  - name: role::db\nintegration:\n  nodes:\n    - {name: db, role: role::db}\n";

    #[test]
    fn finds_scalars_in_block_and_flow_style() {
        assert_eq!(at(yaml_path!["roles", 1, "name"]), Some((5, 11)));
        assert_eq!(at(yaml_path!["roles", 0, "checks", 0, "file", "mode"]), Some((4, 32)));
        assert_eq!(at(yaml_path!["integration", "nodes", 0, "role"]), Some((8, 24)));
    }

    #[test]
    fn finds_collections() {
        assert_eq!(at(yaml_path!["roles", 0]), Some((2, 5)));
    }

    #[test]
    fn a_path_that_is_not_there_has_no_position() {
        assert_eq!(at(yaml_path!["roles", 7, "name"]), None);
        assert_eq!(at(yaml_path!["deploy"]), None);
        assert_eq!(at(yaml_path!["roles", "name"]), None);
    }
}
