//! The `roles:` section: each role class and what the container stages need of it.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// The role's class name, e.g. `role::web`.
    pub name: String,
}
