//! Native versions of functions that puppetlabs-stdlib writes in Ruby, used when
//! stdlib is on the modulepath (the Ruby file must exist, as for Puppet).

use crate::functions::Builtin;

/// The native version of a module function, if there is one.
pub fn builtin(name: &str) -> Option<Builtin> {
    let _ = name;
    None
}
