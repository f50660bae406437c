//! What `puppet-ci --version` says: the release, the commit it was built from, and the
//! Puppet whose language and catalogs it follows.

use puppet_catalog::PuppetVersion;

/// The commit the binary was built from (`build.rs`), `unknown` outside a checkout.
pub const COMMIT: &str = env!("PUPPET_CI_COMMIT");
/// The commit's date, `YYYY-MM-DD`, empty when unknown.
pub const COMMIT_DATE: &str = env!("PUPPET_CI_COMMIT_DATE");

/// The Puppet release whose semantics puppet-ci targets: `7.23`.
pub fn puppet_semantics() -> String {
    let release = PuppetVersion::default().release();
    release.rsplit_once('.').map_or(release, |(major_minor, _)| major_minor).to_string()
}

fn commit_short() -> &'static str {
    COMMIT.get(..12).unwrap_or(COMMIT)
}

/// `0.1.0 (commit 0123456789ab, 2026-05-01; Puppet 7.23)`: `-V` and the man pages.
pub fn short() -> &'static str {
    let date = if COMMIT_DATE.is_empty() { String::new() } else { format!(", {COMMIT_DATE}") };
    let line = format!("{} (commit {}{date}; Puppet {})", env!("CARGO_PKG_VERSION"), commit_short(), puppet_semantics());
    // Parsed once per run; clap keeps the text for the life of the program anyway.
    Box::leak(line.into_boxed_str())
}

/// `--version`: the same, one fact a line, with the full commit and the build target.
pub fn long() -> &'static str {
    let date = if COMMIT_DATE.is_empty() { "unknown" } else { COMMIT_DATE };
    let text = format!(
        "{}\ncommit: {COMMIT} ({date})\nsemantics: Puppet {} (its parser, checks and catalogs)\ntarget: {}",
        env!("CARGO_PKG_VERSION"),
        puppet_semantics(),
        env!("PUPPET_CI_TARGET"),
    );
    Box::leak(text.into_boxed_str())
}
