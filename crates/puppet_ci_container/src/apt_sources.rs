//! The host's apt sources: the only Debian mirrors a CI host can reach, so base images are
//! built from them (one-line `sources.list` and deb822 `.sources` files).

use std::path::{Path, PathBuf};

/// One `deb` source for one suite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AptSource {
    pub uri: String,
    pub suite: String,
    pub components: Vec<String>,
    pub signed_by: Option<String>,
}

impl AptSource {
    /// The one-line form mmdebstrap and `sources.list` take.
    pub fn line(&self) -> String {
        let options = match &self.signed_by {
            Some(keyring) => format!("[signed-by={keyring}] "),
            None => String::new(),
        };
        format!("deb {options}{} {} {}", self.uri, self.suite, self.components.join(" "))
    }
}

/// The files apt reads under `root` (`/` on a real host).
pub(crate) fn source_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("etc/apt/sources.list")];
    if let Ok(entries) = std::fs::read_dir(root.join("etc/apt/sources.list.d")) {
        let mut listed: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "list" || ext == "sources"))
            .collect();
        listed.sort();
        files.extend(listed);
    }
    files.retain(|path| path.is_file());
    files
}

/// Every `deb` source of the host whose suite is `suite` or one of its pockets
/// (`bookworm-updates`, `bookworm-security`).
pub(crate) fn host_sources_for(root: &Path, suite: &str) -> Vec<AptSource> {
    let mut sources = Vec::new();
    for path in source_files(root) {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        if path.extension().is_some_and(|ext| ext == "sources") {
            sources.extend(parse_deb822(&text));
        } else {
            sources.extend(parse_one_line(&text));
        }
    }
    sources.retain(|source| source.suite == suite || source.suite.starts_with(&format!("{suite}-")));
    sources.dedup();
    sources
}

fn parse_one_line(text: &str) -> Vec<AptSource> {
    let mut sources = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some(rest) = line.strip_prefix("deb ").or_else(|| line.strip_prefix("deb\t")) else { continue };
        let mut rest = rest.trim_start();
        let mut signed_by = None;
        if let Some(after_bracket) = rest.strip_prefix('[') {
            let Some((options, tail)) = after_bracket.split_once(']') else { continue };
            for option in options.split_whitespace() {
                if let Some(keyring) = option.strip_prefix("signed-by=") {
                    signed_by = Some(keyring.to_string());
                }
            }
            rest = tail.trim_start();
        }
        let fields: Vec<&str> = rest.split_whitespace().collect();
        if fields.len() < 2 {
            continue;
        }
        sources.push(AptSource {
            uri: fields[0].to_string(),
            suite: fields[1].to_string(),
            components: fields[2..].iter().map(|component| component.to_string()).collect(),
            signed_by,
        });
    }
    sources
}

fn parse_deb822(text: &str) -> Vec<AptSource> {
    let mut sources = Vec::new();
    for stanza in text.split("\n\n") {
        let field = |name: &str| -> Option<String> {
            let mut value: Option<String> = None;
            for line in stanza.lines() {
                if line.starts_with('#') {
                    continue;
                }
                if line.starts_with(' ') || line.starts_with('\t') {
                    if let Some(current) = value.as_mut() {
                        current.push(' ');
                        current.push_str(line.trim());
                    }
                    continue;
                }
                if value.is_some() {
                    break;
                }
                if let Some((key, rest)) = line.split_once(':') {
                    if key.trim().eq_ignore_ascii_case(name) {
                        value = Some(rest.trim().to_string());
                    }
                }
            }
            value
        };
        let types = field("Types").unwrap_or_default();
        if !types.split_whitespace().any(|kind| kind == "deb") {
            continue;
        }
        if field("Enabled").is_some_and(|enabled| enabled.eq_ignore_ascii_case("no")) {
            continue;
        }
        let components: Vec<String> = field("Components").unwrap_or_default().split_whitespace().map(String::from).collect();
        let signed_by = field("Signed-By").filter(|value| value.starts_with('/'));
        let suites = field("Suites").unwrap_or_default();
        for uri in field("URIs").unwrap_or_default().split_whitespace() {
            for suite in suites.split_whitespace() {
                sources.push(AptSource {
                    uri: uri.to_string(),
                    suite: suite.to_string(),
                    components: components.clone(),
                    signed_by: signed_by.clone(),
                });
            }
        }
    }
    sources
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        dir
    }

    fn lines(root: &Path, suite: &str) -> Vec<String> {
        host_sources_for(root, suite).iter().map(AptSource::line).collect()
    }

    #[test]
    fn deb822_with_security_pocket() {
        let dir = host(&[(
            "etc/apt/sources.list.d/debian.sources",
            "Types: deb\n# comment\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n\
             Types: deb deb-src\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main contrib\n\n\
             Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\n",
        )]);
        assert_eq!(
            lines(dir.path(), "bookworm"),
            vec![
                "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main",
                "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm-updates main",
                "deb http://deb.debian.org/debian-security bookworm-security main contrib",
            ]
        );
    }

    #[test]
    fn one_line_format_skips_deb_src_comments_and_disabled_files() {
        let dir = host(&[
            (
                "etc/apt/sources.list",
                "# deb http://old/debian bookworm main\ndeb-src http://mirror/debian bookworm main\n\
                 deb [arch=amd64 signed-by=/k.gpg] http://mirror/debian bookworm main non-free # trailing\n",
            ),
            ("etc/apt/sources.list.d/other.list.disabled", "deb http://other/debian bookworm main\n"),
            ("etc/apt/sources.list.d/vendor.list", "deb https://vendor.example/apt cloud-sdk main\n"),
        ]);
        assert_eq!(lines(dir.path(), "bookworm"), vec!["deb [signed-by=/k.gpg] http://mirror/debian bookworm main non-free"]);
    }

    #[test]
    fn no_source_for_the_suite_gives_nothing() {
        let dir = host(&[("etc/apt/sources.list", "deb http://mirror/debian trixie main\n")]);
        assert!(lines(dir.path(), "bookworm").is_empty());
    }
}
