//! The `Puppetfile`: which modules a control repo installs, and from where.
//!
//! A Puppetfile is Ruby; r10k evaluates it. We read the declarative subset every real
//! Puppetfile uses (`forge`, `moduledir`, `mod` with a version or a hash of options) and
//! reject anything else with its line number, rather than guess what Ruby would do.

use std::path::{Path, PathBuf};

use crate::{DeployError, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Puppetfile {
    /// Where modules are installed, relative to the control repo (`modules` by default).
    pub moduledir: PathBuf,
    pub modules: Vec<ModuleSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleSpec {
    /// The folder name the module is installed as (`stdlib` for `puppetlabs/stdlib`).
    pub name: String,
    pub source: ModuleSource,
    /// The line of the `mod` in the Puppetfile, for error messages.
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModuleSource {
    /// A Forge module, `author-name`; `version: None` means the newest one available.
    Forge { author: String, name: String, version: Option<String> },
    /// A git repository at a reference.
    Git { url: String, reference: GitReference },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GitReference {
    Tag(String),
    Branch(String),
    Commit(String),
    /// `:ref`: a tag, a branch or a commit, tried in that order.
    Any(String),
    /// No reference given: the repository's default branch.
    Default,
}

impl GitReference {
    pub fn describe(&self) -> String {
        match self {
            Self::Tag(tag) => format!("tag {tag}"),
            Self::Branch(branch) => format!("branch {branch}"),
            Self::Commit(commit) => format!("commit {commit}"),
            Self::Any(reference) => format!("ref {reference}"),
            Self::Default => "the default branch".to_string(),
        }
    }
}

/// Reads and parses a Puppetfile.
pub fn load(path: &Path) -> Result<Puppetfile> {
    let text = std::fs::read_to_string(path).map_err(DeployError::io(path))?;
    parse(&text, path)
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Word(String),
    Symbol(String),
    Key(String),
    Text(String),
    Arrow,
    Comma,
    Newline,
}

fn error(path: &Path, line: usize, message: impl Into<String>) -> DeployError {
    DeployError::Puppetfile { path: path.to_path_buf(), line, message: message.into() }
}

fn tokenize(text: &str, path: &Path) -> Result<Vec<(Token, usize)>> {
    let mut tokens = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(character) = chars.next() {
        match character {
            '\n' => {
                tokens.push((Token::Newline, line));
                line += 1;
            }
            ' ' | '\t' | '\r' => {}
            '#' => {
                while chars.peek().is_some_and(|next| *next != '\n') {
                    chars.next();
                }
            }
            ',' => tokens.push((Token::Comma, line)),
            '(' | ')' => {}
            '=' if chars.peek() == Some(&'>') => {
                chars.next();
                tokens.push((Token::Arrow, line));
            }
            '\'' | '"' => {
                let start = line;
                let mut value = String::new();
                loop {
                    match chars.next() {
                        None => return Err(error(path, start, "unterminated string")),
                        Some(end) if end == character => break,
                        Some('\\') => {
                            if let Some(escaped) = chars.next() {
                                value.push(escaped);
                            }
                        }
                        Some('\n') => return Err(error(path, start, "unterminated string")),
                        Some(other) => value.push(other),
                    }
                }
                tokens.push((Token::Text(value), line));
            }
            ':' => {
                let word = take_word(&mut chars);
                if word.is_empty() {
                    return Err(error(path, line, "expected a symbol name after ':'"));
                }
                tokens.push((Token::Symbol(word), line));
            }
            other if other.is_ascii_alphabetic() || other == '_' => {
                let mut word = other.to_string();
                word.push_str(&take_word(&mut chars));
                // `git: 'url'` is the Ruby 1.9 spelling of `:git => 'url'`.
                if chars.peek() == Some(&':') {
                    chars.next();
                    tokens.push((Token::Key(word), line));
                } else {
                    tokens.push((Token::Word(word), line));
                }
            }
            other => return Err(error(path, line, format!("unexpected character '{other}' (puppet-ci reads the declarative subset of the Puppetfile DSL: forge, moduledir, mod)"))),
        }
    }
    tokens.push((Token::Newline, line));
    Ok(tokens)
}

fn take_word(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> String {
    let mut word = String::new();
    while let Some(next) = chars.peek() {
        if next.is_ascii_alphanumeric() || *next == '_' {
            word.push(*next);
            chars.next();
        } else {
            break;
        }
    }
    word
}

/// Splits the tokens into statements: a statement ends at a newline that does not follow
/// a comma or an arrow (Ruby continues a call's arguments on the next line after those).
fn statements(tokens: Vec<(Token, usize)>) -> Vec<Vec<(Token, usize)>> {
    let mut statements = Vec::new();
    let mut current: Vec<(Token, usize)> = Vec::new();
    for (token, line) in tokens {
        if token == Token::Newline {
            let continues = matches!(current.last(), Some((Token::Comma | Token::Arrow, _)));
            if !continues && !current.is_empty() {
                statements.push(std::mem::take(&mut current));
            }
            continue;
        }
        current.push((token, line));
    }
    statements
}

/// Parses the text of a Puppetfile found at `path`.
pub fn parse(text: &str, path: &Path) -> Result<Puppetfile> {
    let mut puppetfile = Puppetfile { moduledir: PathBuf::from("modules"), modules: Vec::new() };
    for statement in statements(tokenize(text, path)?) {
        let line = statement[0].1;
        let Token::Word(keyword) = &statement[0].0 else {
            return Err(error(path, line, "expected forge, moduledir or mod at the start of the line"));
        };
        let arguments = &statement[1..];
        match keyword.as_str() {
            // The Forge URL does not matter: Forge modules come from the local cache.
            "forge" => {}
            "moduledir" => match arguments {
                [(Token::Text(dir), _)] => puppetfile.moduledir = PathBuf::from(dir),
                _ => return Err(error(path, line, "moduledir takes one string")),
            },
            "mod" => {
                let module = parse_mod(arguments, line, path)?;
                if let Some(previous) = puppetfile.modules.iter().find(|other| other.name == module.name) {
                    return Err(error(path, line, format!("module {} is already declared on line {}", module.name, previous.line)));
                }
                puppetfile.modules.push(module);
            }
            other => return Err(error(path, line, format!("unsupported Puppetfile statement '{other}' (supported: forge, moduledir, mod)"))),
        }
    }
    Ok(puppetfile)
}

fn parse_mod(arguments: &[(Token, usize)], line: usize, path: &Path) -> Result<ModuleSpec> {
    let mut parts = arguments.split(|(token, _)| *token == Token::Comma);
    let full_name = match parts.next() {
        Some([(Token::Text(name), _)]) => name.clone(),
        _ => return Err(error(path, line, "mod needs the module's name as a string first")),
    };
    let mut version = None;
    let mut latest = false;
    let mut options: Vec<(String, String)> = Vec::new();
    for part in parts {
        match part {
            [(Token::Text(text), _)] if options.is_empty() => version = Some(text.clone()),
            [(Token::Symbol(symbol), _)] if symbol == "latest" && options.is_empty() => latest = true,
            [(Token::Symbol(key), _), (Token::Arrow, _), (Token::Text(value), _)] | [(Token::Key(key), _), (Token::Text(value), _)] => {
                options.push((key.clone(), value.clone()));
            }
            [(Token::Symbol(key), _), (Token::Arrow, _), (Token::Symbol(value), _)] | [(Token::Key(key), _), (Token::Symbol(value), _)]
                if key == "default_branch" || value == "control_branch" =>
            {
                return Err(error(path, line, format!("{key} => :{value} is r10k's control-branch tracking; pin a branch, tag or commit instead")));
            }
            _ => return Err(error(path, line, format!("cannot read the arguments of mod '{full_name}': expected a version string or key => 'value' options"))),
        }
    }
    let (author, name) = match full_name.split_once(['/', '-']) {
        Some((author, name)) => (Some(author.to_string()), name.to_string()),
        None => (None, full_name.clone()),
    };
    if name.is_empty() || !name.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_') {
        return Err(error(path, line, format!("'{full_name}' is not a valid module name (lowercase letters, digits and underscores)")));
    }
    if options.is_empty() {
        let Some(author) = author else {
            return Err(error(path, line, format!("Forge module '{full_name}' needs its author: 'author/{full_name}'")));
        };
        if latest {
            version = None;
        }
        return Ok(ModuleSpec { name: name.clone(), source: ModuleSource::Forge { author, name, version }, line });
    }
    if version.is_some() || latest {
        return Err(error(path, line, format!("mod '{full_name}' has both a version and options")));
    }
    let mut url = None;
    let mut reference = GitReference::Default;
    for (key, value) in options {
        match key.as_str() {
            "git" => url = Some(value),
            "tag" => reference = GitReference::Tag(value),
            "branch" => reference = GitReference::Branch(value),
            "commit" => reference = GitReference::Commit(value),
            "ref" => reference = GitReference::Any(value),
            other => return Err(error(path, line, format!("mod '{full_name}': unsupported option :{other} (supported: :git, :tag, :branch, :commit, :ref)"))),
        }
    }
    let Some(url) = url else {
        return Err(error(path, line, format!("mod '{full_name}' has options but no :git source")));
    };
    Ok(ModuleSpec { name, source: ModuleSource::Git { url, reference }, line })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> std::result::Result<Puppetfile, String> {
        parse(text, Path::new("Puppetfile")).map_err(|err| err.to_string())
    }

    #[test]
    fn reads_forge_and_git_modules() {
        let puppetfile = check(
            "forge 'https://forge.puppet.com'\n\
             # a comment\n\
             mod 'puppetlabs/stdlib', '9.4.1'\n\
             mod 'example-motd', :latest\n\
             mod 'apache',\n  :git => 'https://example.com/apache.git',\n  :tag => 'v1.2.0'\n\
             mod 'ntp', git: '/srv/git/ntp', branch: 'main'\n",
        )
        .unwrap();
        assert_eq!(puppetfile.moduledir, PathBuf::from("modules"));
        let names: Vec<_> = puppetfile.modules.iter().map(|module| module.name.as_str()).collect();
        assert_eq!(names, ["stdlib", "motd", "apache", "ntp"]);
        assert_eq!(
            puppetfile.modules[0].source,
            ModuleSource::Forge { author: "puppetlabs".into(), name: "stdlib".into(), version: Some("9.4.1".into()) }
        );
        assert_eq!(puppetfile.modules[1].source, ModuleSource::Forge { author: "example".into(), name: "motd".into(), version: None });
        assert_eq!(
            puppetfile.modules[2].source,
            ModuleSource::Git { url: "https://example.com/apache.git".into(), reference: GitReference::Tag("v1.2.0".into()) }
        );
        assert_eq!(puppetfile.modules[2].line, 5);
        assert_eq!(puppetfile.modules[3].source, ModuleSource::Git { url: "/srv/git/ntp".into(), reference: GitReference::Branch("main".into()) });
    }

    #[test]
    fn moduledir_is_read() {
        assert_eq!(check("moduledir 'vendor'\n").unwrap().moduledir, PathBuf::from("vendor"));
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(check("mod 'a/b', '1.0.0'\n\nmod 'a/b', '2.0.0'\n").unwrap_err(), "Puppetfile:3: module b is already declared on line 1");
        assert_eq!(
            check("mod 'x', :git => 'u', :install_path => 'y'\n").unwrap_err(),
            "Puppetfile:1: mod 'x': unsupported option :install_path (supported: :git, :tag, :branch, :commit, :ref)"
        );
        assert_eq!(check("mod 'stdlib', '1.0.0'\n").unwrap_err(), "Puppetfile:1: Forge module 'stdlib' needs its author: 'author/stdlib'");
        assert_eq!(check("mod 'a/b', '1\n").unwrap_err(), "Puppetfile:1: unterminated string");
        assert!(check("File.read('x')\n").unwrap_err().starts_with("Puppetfile:1: "));
        assert_eq!(check("mod 'a/B-c', '1'\n").unwrap_err(), "Puppetfile:1: 'a/B-c' is not a valid module name (lowercase letters, digits and underscores)");
    }
}
