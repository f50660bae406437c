//! Puppet's settings as `$settings::` variables (Class[Settings]): the values a
//! default Puppet 7 server configuration has.

use crate::value::Value;

/// The settings of the `settings` class (a subset: those manifests read).
pub fn puppet_settings(environment: &str) -> Vec<(String, Value)> {
    let text = |s: &str| Value::from(s);
    vec![
        ("environment".into(), text(environment)),
        ("confdir".into(), text("/etc/puppetlabs/puppet")),
        ("codedir".into(), text("/etc/puppetlabs/code")),
        ("vardir".into(), text("/opt/puppetlabs/puppet/cache")),
        ("rundir".into(), text("/var/run/puppetlabs")),
        ("logdir".into(), text("/var/log/puppetlabs/puppet")),
        ("ssldir".into(), text("/etc/puppetlabs/puppet/ssl")),
        ("environmentpath".into(), text("/etc/puppetlabs/code/environments")),
        ("strict_variables".into(), Value::Boolean(false)),
        ("storeconfigs".into(), Value::Boolean(false)),
        ("server".into(), text("puppet")),
        ("ca_server".into(), text("puppet")),
        ("masterport".into(), Value::Integer(8140)),
        ("serverport".into(), Value::Integer(8140)),
        ("user".into(), text("puppet")),
        ("group".into(), text("puppet")),
        ("certname".into(), text("puppet")),
        ("reports".into(), text("store")),
    ]
}
