//! `--partition K/N`: a deterministic share of the work, so that N CI machines together
//! run everything once (as cargo-nextest's `count:K/N`).

use std::fmt;
use std::str::FromStr;

/// Part `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    pub index: usize,
    pub count: usize,
}

impl Partition {
    /// Whether the item at `position` (0-based, in a stable order) is in this part: items
    /// are dealt round-robin, so parts differ in size by at most one.
    pub fn keeps(&self, position: usize) -> bool {
        position % self.count == self.index - 1
    }

    /// The items of this part, from items in a stable order.
    pub fn select<T>(&self, items: impl IntoIterator<Item = T>) -> Vec<T> {
        items.into_iter().enumerate().filter(|(position, _)| self.keeps(*position)).map(|(_, item)| item).collect()
    }
}

impl fmt::Display for Partition {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let spec = text.strip_prefix("count:").unwrap_or(text);
        let bad = || format!("--partition {text:?} is not K/N with 1 <= K <= N (like 2/4)");
        let (index, count) = spec.split_once('/').ok_or_else(bad)?;
        let index: usize = index.trim().parse().map_err(|_| bad())?;
        let count: usize = count.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Partition { index, count })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_everything_once() {
        let items: Vec<usize> = (0..23).collect();
        let mut seen: Vec<usize> = (1..=4).flat_map(|index| Partition { index, count: 4 }.select(items.clone())).collect();
        seen.sort_unstable();
        assert_eq!(seen, items);
        assert_eq!(Partition { index: 4, count: 4 }.select(items).len(), 5);
    }

    #[test]
    fn parsing() {
        assert_eq!("2/4".parse::<Partition>(), Ok(Partition { index: 2, count: 4 }));
        assert_eq!("count:1/1".parse::<Partition>(), Ok(Partition { index: 1, count: 1 }));
        for bad in ["0/4", "5/4", "4", "a/b", "1/0", ""] {
            let error = bad.parse::<Partition>().unwrap_err();
            assert!(error.contains("is not K/N"), "{bad}: {error}");
        }
    }
}
