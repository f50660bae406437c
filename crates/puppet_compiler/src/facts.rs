//! A fact hash converted to compiler values once per thread, not once per compile.
//!
//! Values are reference-counted without atomics (`Rc`), so they cannot be shared between
//! threads; each thread keeps the conversions of the fact hashes it compiled with last,
//! keyed by the identity of the shared hash ([`puppet_catalog::Facts::shared`]).

use std::cell::RefCell;
use std::sync::{Arc, Weak};

use puppet_catalog::Facts;
use serde_json::{Map, Value as Json};

use crate::value::{self, Value};

/// How many fact hashes a thread keeps converted: the catalog stage compiles node after
/// node with a few fact sets, the differential suite case after case with three.
const KEPT: usize = 8;

/// A fact hash and its conversion. The `Weak` keeps the hash's allocation, so its address
/// names that hash for as long as the entry lives.
type Converted = (Weak<Map<String, Json>>, Value);

thread_local! {
    /// Most recently used first.
    static CONVERTED: RefCell<Vec<Converted>> = const { RefCell::new(Vec::new()) };
}

/// The facts as a compiler hash; the caller may change it (copy on write).
pub(crate) fn values(facts: &Facts) -> Value {
    let shared = facts.shared();
    CONVERTED.with(|converted| {
        let mut converted = converted.borrow_mut();
        if let Some(position) = converted.iter().position(|(weak, _)| std::ptr::eq(weak.as_ptr(), Arc::as_ptr(shared))) {
            let entry = converted.remove(position);
            let values = entry.1.clone();
            converted.insert(0, entry);
            return values;
        }
        let values = value::from_json_map(shared);
        converted.retain(|(weak, _)| weak.strong_count() > 0);
        converted.truncate(KEPT - 1);
        converted.insert(0, (Arc::downgrade(shared), values.clone()));
        values
    })
}
