//! Code dirs a release is deployed to: a local folder, or one on another host over SSH.
//!
//! Both use the same layout under the code dir (what puppetserver calls `codedir`):
//!
//! ```text
//! environments/NAME -> ../releases/NAME/ID    the live release (a relative symlink)
//! releases/NAME/ID/                           complete, checked releases
//! releases/NAME/.partial-ID-PID/              an unpack in progress (never switched to)
//! releases/NAME/history                       ids in the order they went live
//! releases/NAME/.lock                         the deploy lock
//! ```
//!
//! A release folder gets its final name only after it is fully written (a rename), and
//! the environment switches with one more rename of a symlink, so a reader (the puppet
//! master) sees the old release or the new one, never a mixture.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fs4::fs_std::FileExt;

use crate::package::{Artifact, METADATA_DIR};
use crate::{process, DeployError, Result};

/// Held while a deploy or rollback runs; dropping it releases the lock.
pub trait LockGuard: Send {}

/// A code dir: the operations a deploy and a rollback need, local or remote.
pub trait CodeDir {
    /// `/etc/puppetlabs/code` or `deploy@host:/etc/puppetlabs/code`, for messages.
    fn describe(&self) -> String;
    /// Takes the environment's deploy lock, waiting up to `wait` for another holder.
    fn lock(&self, environment: &str, wait: Duration, holder: &str) -> Result<Box<dyn LockGuard>>;
    /// The release the environment points to, `None` when the environment does not exist.
    /// An environment folder puppet-ci does not manage is an error.
    fn live(&self, environment: &str) -> Result<Option<String>>;
    /// Complete release ids present for the environment.
    fn releases(&self, environment: &str) -> Result<Vec<String>>;
    /// Release ids in the order they went live (the last is live).
    fn history(&self, environment: &str) -> Result<Vec<String>>;
    fn write_history(&self, environment: &str, history: &[String]) -> Result<()>;
    /// A local folder to unpack and check the release in before it is installed, when the
    /// code dir is local (so installing is a rename); `None` for a remote code dir.
    fn staging_dir(&self, environment: &str, id: &str) -> Result<Option<PathBuf>>;
    /// Makes `releases/ENV/ID` complete: renames the checked `staged` folder into place
    /// (local), or streams the artifact and unpacks it there (remote).
    fn install(&self, environment: &str, artifact: &Artifact, staged: &Path) -> Result<()>;
    /// Points the environment at a complete release, atomically.
    fn switch(&self, environment: &str, id: &str) -> Result<()>;
    /// Switches, then records `history`: one round trip where the code dir is remote.
    fn switch_and_record(&self, environment: &str, id: &str, history: &[String]) -> Result<()> {
        self.switch(environment, id)?;
        self.write_history(environment, history)
    }
    fn remove_release(&self, environment: &str, id: &str) -> Result<()>;
    /// Removes unpacks that never completed (a deploy killed half-way).
    fn remove_partials(&self, environment: &str) -> Result<Vec<String>>;
    /// What the environment's path is when it is a folder puppet-ci did not create (a
    /// puppetserver's first start, r10k): `None` when it is missing or a puppet-ci symlink.
    fn unmanaged(&self, environment: &str) -> Result<Option<Unmanaged>>;
    /// Replaces the unmanaged folder of the environment with the symlink to release `id`
    /// in one step (an exchange of the two paths), then keeps the old folder as the
    /// release `adopted` (so a rollback returns to it) and records `history`. On failure
    /// the folder is put back as it was.
    fn adopt_and_switch(&self, environment: &str, id: &str, adopted: &str, history: &[String]) -> Result<()>;
    /// What a deploy or rollback reads first, after removing unpacks that never
    /// completed: one round trip where the code dir is remote.
    fn prepare(&self, environment: &str) -> Result<EnvironmentState> {
        self.remove_partials(environment)?;
        let unmanaged = self.unmanaged(environment)?;
        let live = if unmanaged.is_some() { None } else { self.live(environment)? };
        Ok(EnvironmentState { live, history: self.history(environment)?, releases: self.releases(environment)?, unmanaged })
    }
    /// Environments whose folder is a puppet-ci symlink.
    fn managed_environments(&self) -> Result<Vec<String>>;
    /// Removes an environment's symlink and all its releases.
    fn remove_environment(&self, environment: &str) -> Result<()>;
}

/// An environment as [`CodeDir::prepare`] finds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvironmentState {
    /// The live release, `None` when the environment does not exist.
    pub live: Option<String>,
    /// Release ids in the order they went live.
    pub history: Vec<String>,
    /// Complete releases present.
    pub releases: Vec<String>,
    /// Set when the environment is a folder puppet-ci does not manage.
    pub unmanaged: Option<Unmanaged>,
}

/// An environment folder puppet-ci did not create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmanaged {
    /// Only empty folders, as a puppetserver's first start leaves it: adopted without asking.
    Empty,
    /// A folder with code in it (r10k's, or copied by hand): adopted only with `--adopt`.
    Code,
}

/// The message for an environment folder a deploy will not replace.
pub(crate) fn unmanaged_message(describe: &str, environment: &str) -> String {
    format!(
        "{describe}/environments/{environment} is a folder puppet-ci does not manage (r10k's?); deploy with --adopt to keep it as a release of its own (a rollback returns to it) and switch atomically, or move it away"
    )
}

/// The metadata written into an adopted folder, so that it is a release like the others.
fn adopted_metadata(environment: &str, adopted: &str) -> String {
    let metadata = crate::package::ReleaseMetadata {
        format: crate::package::FORMAT,
        id: adopted.to_string(),
        commit: String::new(),
        reference: format!("adopted: the folder environments/{environment} puppet-ci found there"),
        modules: Vec::new(),
    };
    serde_json::to_string_pretty(&metadata).expect("metadata serializes") + "\n"
}

fn release_id_from_link(environment: &str, link: &str, describe: impl Fn() -> String) -> Result<String> {
    let prefix = format!("../releases/{environment}/");
    match link.strip_prefix(&prefix) {
        Some(id) if !id.is_empty() && !id.contains('/') => Ok(id.to_string()),
        _ => Err(DeployError::Target(format!(
            "{}: environments/{environment} points to {link}, not to a puppet-ci release; move it away or deploy another environment",
            describe()
        ))),
    }
}

fn parse_history(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|line| !line.is_empty()).map(str::to_string).collect()
}

fn history_text(history: &[String]) -> String {
    history.iter().map(|id| format!("{id}\n")).collect()
}

/// A code dir on this machine.
#[derive(Debug, Clone)]
pub struct LocalCodeDir {
    pub root: PathBuf,
}

struct LocalLock {
    file: std::fs::File,
}

impl LockGuard for LocalLock {}

impl Drop for LocalLock {
    fn drop(&mut self) {
        // Unlock explicitly rather than by closing: a child forked meanwhile by another
        // thread holds a copy of the descriptor until it execs, and with it the lock.
        let _ = FileExt::unlock(&self.file);
    }
}

impl LocalCodeDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn releases_dir(&self, environment: &str) -> PathBuf {
        self.root.join("releases").join(environment)
    }

    fn environment_path(&self, environment: &str) -> PathBuf {
        self.root.join("environments").join(environment)
    }
}

impl CodeDir for LocalCodeDir {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn lock(&self, environment: &str, wait: Duration, holder: &str) -> Result<Box<dyn LockGuard>> {
        let dir = self.releases_dir(environment);
        std::fs::create_dir_all(&dir).map_err(DeployError::io(&dir))?;
        let path = dir.join(".lock");
        let mut file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(DeployError::io(&path))?;
        let deadline = Instant::now() + wait;
        loop {
            if FileExt::try_lock_exclusive(&file).map_err(DeployError::io(&path))? {
                break;
            }
            if Instant::now() >= deadline {
                let mut owner = String::new();
                let _ = file.read_to_string(&mut owner);
                return Err(DeployError::Locked(format!(
                    "another deploy holds the lock {} ({}); waited {:.1} s. Try again when it is done, or pass --lock-timeout to wait longer",
                    path.display(),
                    if owner.trim().is_empty() { "holder unknown".to_string() } else { owner.trim().to_string() },
                    wait.as_secs_f64()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        file.set_len(0).map_err(DeployError::io(&path))?;
        file.write_all(holder.as_bytes()).map_err(DeployError::io(&path))?;
        Ok(Box::new(LocalLock { file }))
    }

    fn live(&self, environment: &str) -> Result<Option<String>> {
        let path = self.environment_path(environment);
        match std::fs::symlink_metadata(&path) {
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(DeployError::Io { path, source }),
            Ok(metadata) if !metadata.file_type().is_symlink() => return Err(DeployError::Target(unmanaged_message(&self.describe(), environment))),
            Ok(_) => {}
        }
        let link = std::fs::read_link(&path).map_err(DeployError::io(&path))?;
        release_id_from_link(environment, &link.to_string_lossy(), || self.describe()).map(Some)
    }

    fn releases(&self, environment: &str) -> Result<Vec<String>> {
        let dir = self.releases_dir(environment);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(DeployError::Io { path: dir, source }),
        };
        let mut ids: Vec<String> = entries
            .flatten()
            .filter(|entry| entry.path().is_dir())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| !name.starts_with('.'))
            .collect();
        ids.sort();
        Ok(ids)
    }

    fn history(&self, environment: &str) -> Result<Vec<String>> {
        let path = self.releases_dir(environment).join("history");
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(parse_history(&text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(source) => Err(DeployError::Io { path, source }),
        }
    }

    fn write_history(&self, environment: &str, history: &[String]) -> Result<()> {
        let dir = self.releases_dir(environment);
        let path = dir.join("history");
        let temporary = dir.join(format!(".history.tmp{}", std::process::id()));
        std::fs::write(&temporary, history_text(history)).map_err(DeployError::io(&temporary))?;
        std::fs::rename(&temporary, &path).map_err(DeployError::io(&path))
    }

    fn staging_dir(&self, environment: &str, id: &str) -> Result<Option<PathBuf>> {
        let dir = self.releases_dir(environment).join(format!(".partial-{id}-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(DeployError::io(&dir))?;
        }
        std::fs::create_dir_all(&dir).map_err(DeployError::io(&dir))?;
        Ok(Some(dir))
    }

    fn install(&self, environment: &str, artifact: &Artifact, staged: &Path) -> Result<()> {
        let dest = self.releases_dir(environment).join(artifact.id());
        if dest.exists() {
            // Release folders are complete by construction (renamed into place), and the
            // content id names the content: the same release is already there.
            std::fs::remove_dir_all(staged).map_err(DeployError::io(staged))?;
            return Ok(());
        }
        std::fs::rename(staged, &dest).map_err(DeployError::io(&dest))
    }

    fn switch(&self, environment: &str, id: &str) -> Result<()> {
        let release = self.releases_dir(environment).join(id);
        if !release.join(METADATA_DIR).join("release.json").is_file() {
            return Err(DeployError::Target(format!("{}: release {id} of {environment} is missing or incomplete", self.describe())));
        }
        let environments = self.root.join("environments");
        std::fs::create_dir_all(&environments).map_err(DeployError::io(&environments))?;
        let temporary = environments.join(format!(".{environment}.tmp{}", std::process::id()));
        let _ = std::fs::remove_file(&temporary);
        std::os::unix::fs::symlink(format!("../releases/{environment}/{id}"), &temporary).map_err(DeployError::io(&temporary))?;
        let live = self.environment_path(environment);
        // rename(2) replaces the old symlink in one step: no moment without an environment.
        std::fs::rename(&temporary, &live).map_err(|source| {
            let _ = std::fs::remove_file(&temporary);
            DeployError::Io { path: live, source }
        })
    }

    fn remove_release(&self, environment: &str, id: &str) -> Result<()> {
        let dir = self.releases_dir(environment).join(id);
        std::fs::remove_dir_all(&dir).map_err(DeployError::io(&dir))
    }

    fn unmanaged(&self, environment: &str) -> Result<Option<Unmanaged>> {
        let path = self.environment_path(environment);
        match std::fs::symlink_metadata(&path) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => return Ok(None),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(DeployError::Io { path, source }),
        }
        for entry in walkdir::WalkDir::new(&path).min_depth(1) {
            let entry = entry.map_err(|err| DeployError::Io { path: path.clone(), source: err.into() })?;
            if !entry.file_type().is_dir() {
                return Ok(Some(Unmanaged::Code));
            }
        }
        Ok(Some(Unmanaged::Empty))
    }

    fn adopt_and_switch(&self, environment: &str, id: &str, adopted: &str, history: &[String]) -> Result<()> {
        let release = self.releases_dir(environment).join(id);
        if !release.join(METADATA_DIR).join("release.json").is_file() {
            return Err(DeployError::Target(format!("{}: release {id} of {environment} is missing or incomplete", self.describe())));
        }
        let live = self.environment_path(environment);
        let temporary = self.root.join("environments").join(format!(".{environment}.tmp{}", std::process::id()));
        let _ = std::fs::remove_file(&temporary);
        std::os::unix::fs::symlink(format!("../releases/{environment}/{id}"), &temporary).map_err(DeployError::io(&temporary))?;
        // The one step a reader could notice: the folder and the symlink trade places.
        if let Err(source) = exchange(&temporary, &live) {
            let _ = std::fs::remove_file(&temporary);
            return Err(DeployError::Target(format!("{}: cannot swap {} for the release symlink atomically: {source}", self.describe(), live.display())));
        }
        let kept = self.releases_dir(environment).join(adopted);
        let result = std::fs::rename(&temporary, &kept)
            .map_err(DeployError::io(&kept))
            .and_then(|()| {
                let metadata_dir = kept.join(METADATA_DIR);
                std::fs::create_dir_all(&metadata_dir).map_err(DeployError::io(&metadata_dir))?;
                let path = metadata_dir.join("release.json");
                std::fs::write(&path, adopted_metadata(environment, adopted)).map_err(DeployError::io(&path))
            })
            .and_then(|()| self.write_history(environment, history));
        if let Err(err) = result {
            // Put the folder back where puppetserver found it.
            if kept.exists() {
                let _ = std::fs::remove_dir_all(kept.join(METADATA_DIR));
                let _ = std::fs::rename(&kept, &temporary);
            }
            if exchange(&temporary, &live).is_ok() {
                let _ = std::fs::remove_file(&temporary);
            }
            return Err(err);
        }
        Ok(())
    }

    fn remove_partials(&self, environment: &str) -> Result<Vec<String>> {
        let dir = self.releases_dir(environment);
        let mut removed = Vec::new();
        for entry in std::fs::read_dir(&dir).map_err(DeployError::io(&dir))?.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".partial-") {
                std::fs::remove_dir_all(entry.path()).map_err(DeployError::io(entry.path()))?;
                removed.push(name);
            }
        }
        Ok(removed)
    }

    fn managed_environments(&self) -> Result<Vec<String>> {
        let dir = self.root.join("environments");
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(DeployError::Io { path: dir, source }),
        };
        let mut names = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if let Ok(link) = std::fs::read_link(entry.path()) {
                if release_id_from_link(&name, &link.to_string_lossy(), String::new).is_ok() {
                    names.push(name);
                }
            }
        }
        names.sort();
        Ok(names)
    }

    fn remove_environment(&self, environment: &str) -> Result<()> {
        let link = self.environment_path(environment);
        std::fs::remove_file(&link).map_err(DeployError::io(&link))?;
        let dir = self.releases_dir(environment);
        std::fs::remove_dir_all(&dir).map_err(DeployError::io(&dir))
    }
}

/// Swaps two paths in one step (`renameat2(RENAME_EXCHANGE)`, Linux 3.15): a folder and a
/// symlink trade places, so a reader sees one or the other, never neither.
fn exchange(first: &Path, second: &Path) -> std::io::Result<()> {
    rustix::fs::renameat_with(rustix::fs::CWD, first, rustix::fs::CWD, second, rustix::fs::RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

/// How to reach a host over SSH. Uses the system `ssh`, so `~/.ssh/config`, agents and
/// jump hosts work as they do for people.
#[derive(Debug, Clone)]
pub struct SshTarget {
    pub host: String,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub identity_file: Option<PathBuf>,
    pub known_hosts_file: Option<PathBuf>,
    /// More `-o` options (`ConnectTimeout=5`, ...).
    pub options: Vec<String>,
}

impl SshTarget {
    /// Parses `ssh://[USER@]HOST[:PORT]/PATH` into the target and its code dir.
    pub fn parse_url(url: &str) -> Result<(SshTarget, PathBuf)> {
        let invalid = |message: String| DeployError::Usage(format!("{url}: {message}"));
        let rest = url.strip_prefix("ssh://").ok_or_else(|| invalid("not an ssh:// URL".to_string()))?;
        let (authority, path) = rest.split_once('/').ok_or_else(|| invalid("the code dir path is missing (ssh://HOST/etc/puppetlabs/code)".to_string()))?;
        let (user, host_port) = match authority.rsplit_once('@') {
            Some((user, host_port)) => (Some(user.to_string()), host_port),
            None => (None, authority),
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (host.to_string(), Some(port.parse::<u16>().map_err(|_| invalid(format!("'{port}' is not a port")))?)),
            None => (host_port.to_string(), None),
        };
        if host.is_empty() {
            return Err(invalid("the host is missing".to_string()));
        }
        let target = SshTarget { host, port, user, identity_file: None, known_hosts_file: None, options: Vec::new() };
        Ok((target, PathBuf::from(format!("/{path}"))))
    }

    fn destination(&self) -> String {
        match &self.user {
            Some(user) => format!("{user}@{}", self.host),
            None => self.host.clone(),
        }
    }

    /// `ssh ... -- remote`. With `control_path`, commands share one connection: the
    /// first one (the lock, held for the whole deploy) becomes the master, and the others
    /// skip the connection set-up, which is most of the time of a rollback over SSH.
    fn command(&self, remote: &str, control_path: Option<&Path>) -> Command {
        let mut command = Command::new("ssh");
        command.args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=10"]);
        if let Some(control_path) = control_path {
            command.args(["-o", "ControlMaster=auto", "-o", "ControlPersist=no"]).arg("-o").arg(format!("ControlPath={}", control_path.display()));
        }
        if let Some(port) = self.port {
            command.arg("-p").arg(port.to_string());
        }
        if let Some(identity) = &self.identity_file {
            command.arg("-i").arg(identity).args(["-o", "IdentitiesOnly=yes"]);
        }
        if let Some(known_hosts) = &self.known_hosts_file {
            command.arg("-o").arg(format!("UserKnownHostsFile={}", known_hosts.display())).args(["-o", "StrictHostKeyChecking=yes"]);
        }
        for option in &self.options {
            command.arg("-o").arg(option);
        }
        command.arg(self.destination()).arg("--").arg(remote);
        command
    }
}

/// A code dir on another host, driven with `ssh` and POSIX shell commands there
/// (`tar`, `ln`, `mv -T`, `flock`: coreutils and util-linux, as on any Linux master).
#[derive(Debug, Clone)]
pub struct SshCodeDir {
    pub ssh: SshTarget,
    pub root: PathBuf,
    control_path: PathBuf,
}

/// renameat2(RENAME_EXCHANGE) for a master whose `mv` has no `--exchange`.
const EXCHANGE_PY: &str = "import ctypes, os, sys\nlibc = ctypes.CDLL(None, use_errno=True)\nif libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(), 2) != 0:\n    sys.exit(os.strerror(ctypes.get_errno()))\n";

/// A shell command printing `!empty` when the folder at `path` holds only folders, and
/// `!unmanaged` when it holds anything else.
fn classify_folder(path: &str) -> String {
    format!("if [ -z \"$(find {path} ! -type d -print 2>/dev/null | head -n 1)\" ]; then echo '!empty'; else echo '!unmanaged'; fi")
}

/// Quotes a string for the remote POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

struct SshLock {
    child: Child,
}

impl LockGuard for SshLock {}

impl Drop for SshLock {
    fn drop(&mut self) {
        // Closing stdin ends the remote `cat`, which ends `flock` and frees the lock.
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

impl SshCodeDir {
    pub fn new(ssh: SshTarget, root: impl Into<PathBuf>) -> Self {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let count = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let control_path = std::env::temp_dir().join(format!("puppet-ci-ssh-{}-{count}", std::process::id()));
        Self { ssh, root: root.into(), control_path }
    }

    fn path(&self, relative: &str) -> String {
        quote(&format!("{}/{relative}", self.root.display()))
    }

    /// The shell commands that point the environment at a complete release.
    fn switch_script(&self, environment: &str, id: &str) -> String {
        let release = self.path(&format!("releases/{environment}/{id}/{METADATA_DIR}/release.json"));
        let environments = self.path("environments");
        let temporary = self.path(&format!("environments/.{environment}.tmp"));
        let live = self.path(&format!("environments/{environment}"));
        let target = quote(&format!("../releases/{environment}/{id}"));
        format!(
            "[ -f {release} ] || {{ echo 'release {id} of {environment} is missing or incomplete' >&2; exit 1; }}; mkdir -p {environments} && ln -sfn {target} {temporary} && mv -T {temporary} {live}"
        )
    }

    fn run(&self, script: &str, input: Option<&[u8]>) -> Result<String> {
        let output = process::run(&mut self.ssh.command(script, Some(&self.control_path)), input).map_err(|err| match err {
            DeployError::Command { message, .. } => DeployError::Target(format!("{}: {message}", self.describe())),
            other => other,
        })?;
        Ok(String::from_utf8_lossy(&output).into_owned())
    }
}

impl CodeDir for SshCodeDir {
    fn describe(&self) -> String {
        format!("{}:{}", self.ssh.destination(), self.root.display())
    }

    fn lock(&self, environment: &str, wait: Duration, holder: &str) -> Result<Box<dyn LockGuard>> {
        let dir = self.path(&format!("releases/{environment}"));
        let lock = self.path(&format!("releases/{environment}/.lock"));
        let owner = self.path(&format!("releases/{environment}/.lock.owner"));
        let wait_flag = if wait.is_zero() { "-n".to_string() } else { format!("-w {}", wait.as_secs_f64()) };
        // flock holds the lock while `cat` waits for our stdin to close.
        let script = format!(
            "mkdir -p {dir} && exec flock -E 75 {wait_flag} {lock} sh -c 'printf \"%s\\n\" \"$1\" > \"$2\"; echo locked; exec cat >/dev/null' sh {} {owner}",
            quote(holder)
        );
        let mut command = self.ssh.command(&script, Some(&self.control_path));
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|err| DeployError::Target(format!("{}: cannot start ssh: {err}", self.describe())))?;
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout is piped");
        let _ = BufReader::new(stdout).read_line(&mut line);
        if line.trim() == "locked" {
            return Ok(Box::new(SshLock { child }));
        }
        drop(child.stdin.take());
        let status = child.wait().map_err(|err| DeployError::Target(format!("{}: {err}", self.describe())))?;
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        if status.code() == Some(75) {
            let holder = self.run(&format!("cat {owner} 2>/dev/null || true"), None).unwrap_or_default();
            return Err(DeployError::Locked(format!(
                "another deploy holds the lock {}/releases/{environment}/.lock ({}); waited {:.1} s. Try again when it is done, or pass --lock-timeout to wait longer",
                self.describe(),
                if holder.trim().is_empty() { "holder unknown".to_string() } else { holder.trim().to_string() },
                wait.as_secs_f64()
            )));
        }
        Err(DeployError::Target(format!("{}: cannot take the deploy lock: {} ({status})", self.describe(), stderr.trim())))
    }

    fn live(&self, environment: &str) -> Result<Option<String>> {
        let path = self.path(&format!("environments/{environment}"));
        let output = self.run(&format!("if [ -L {path} ]; then readlink {path}; elif [ -e {path} ]; then echo '!unmanaged'; fi"), None)?;
        let link = output.trim();
        if link.is_empty() {
            return Ok(None);
        }
        if link == "!unmanaged" {
            return Err(DeployError::Target(unmanaged_message(&self.describe(), environment)));
        }
        release_id_from_link(environment, link, || self.describe()).map(Some)
    }

    fn releases(&self, environment: &str) -> Result<Vec<String>> {
        let dir = self.path(&format!("releases/{environment}"));
        let output = self.run(&format!("cd {dir} 2>/dev/null || exit 0; for f in *; do [ -d \"$f\" ] && echo \"$f\"; done; true"), None)?;
        let mut ids = parse_history(&output);
        ids.retain(|id| id != "*");
        ids.sort();
        Ok(ids)
    }

    fn history(&self, environment: &str) -> Result<Vec<String>> {
        Ok(parse_history(&self.run(&format!("cat {} 2>/dev/null || true", self.path(&format!("releases/{environment}/history"))), None)?))
    }

    fn write_history(&self, environment: &str, history: &[String]) -> Result<()> {
        let path = self.path(&format!("releases/{environment}/history"));
        let temporary = self.path(&format!("releases/{environment}/.history.tmp"));
        self.run(&format!("cat > {temporary} && mv -f {temporary} {path}"), Some(history_text(history).as_bytes())).map(drop)
    }

    fn staging_dir(&self, _environment: &str, _id: &str) -> Result<Option<PathBuf>> {
        Ok(None)
    }

    fn install(&self, environment: &str, artifact: &Artifact, _staged: &Path) -> Result<()> {
        let id = artifact.id();
        let dir = self.path(&format!("releases/{environment}"));
        let partial = self.path(&format!("releases/{environment}/.partial-{id}-{}", std::process::id()));
        let dest = self.path(&format!("releases/{environment}/{id}"));
        let bytes = std::fs::read(&artifact.path).map_err(DeployError::io(&artifact.path))?;
        // The folder gets its final name only once tar has written all of it.
        let script = format!(
            "mkdir -p {dir} && if [ -d {dest} ]; then cat >/dev/null; else rm -rf {partial} && mkdir {partial} && tar -xzf - -C {partial} && mv -T {partial} {dest}; fi"
        );
        self.run(&script, Some(&bytes)).map(drop)
    }

    fn switch(&self, environment: &str, id: &str) -> Result<()> {
        self.run(&self.switch_script(environment, id), None).map(drop)
    }

    fn switch_and_record(&self, environment: &str, id: &str, history: &[String]) -> Result<()> {
        let path = self.path(&format!("releases/{environment}/history"));
        let temporary = self.path(&format!("releases/{environment}/.history.tmp"));
        let script = format!("{} && cat > {temporary} && mv -f {temporary} {path}", self.switch_script(environment, id));
        self.run(&script, Some(history_text(history).as_bytes())).map(drop)
    }

    fn remove_release(&self, environment: &str, id: &str) -> Result<()> {
        self.run(&format!("rm -rf {}", self.path(&format!("releases/{environment}/{id}"))), None).map(drop)
    }

    fn unmanaged(&self, environment: &str) -> Result<Option<Unmanaged>> {
        let link = self.path(&format!("environments/{environment}"));
        let output = self.run(&format!("if [ -d {link} ] && [ ! -L {link} ]; then {}; fi", classify_folder(&link)), None)?;
        Ok(match output.trim() {
            "!empty" => Some(Unmanaged::Empty),
            "!unmanaged" => Some(Unmanaged::Code),
            _ => None,
        })
    }

    fn adopt_and_switch(&self, environment: &str, id: &str, adopted: &str, history: &[String]) -> Result<()> {
        let release = self.path(&format!("releases/{environment}/{id}/{METADATA_DIR}/release.json"));
        let temporary = self.path(&format!("environments/.{environment}.tmp"));
        let live = self.path(&format!("environments/{environment}"));
        let target = quote(&format!("../releases/{environment}/{id}"));
        let kept = self.path(&format!("releases/{environment}/{adopted}"));
        let metadata = self.path(&format!("releases/{environment}/{adopted}/{METADATA_DIR}"));
        let history_path = self.path(&format!("releases/{environment}/history"));
        // `mv --exchange` (coreutils 9.5), else renameat2 through python3: the folder and
        // the symlink trade places in one step. Any later failure swaps them back.
        let script = format!(
            "set -e; exchange() {{ mv --exchange -T \"$1\" \"$2\" 2>/dev/null || python3 -c {python} \"$1\" \"$2\"; }}; \
             [ -f {release} ] || {{ echo 'release {id} of {environment} is missing or incomplete' >&2; exit 1; }}; \
             rm -f {temporary}; ln -s {target} {temporary}; \
             exchange {temporary} {live} || {{ rm -f {temporary}; echo 'cannot swap the folder for the release symlink atomically: needs mv --exchange (coreutils 9.5) or python3 on the master' >&2; exit 1; }}; \
             if mv -T {temporary} {kept} && mkdir -p {metadata} && printf '%s' {json} > {metadata}/release.json && printf '%s' {history} > {history_path}; then exit 0; fi; \
             rm -rf {metadata}; mv -T {kept} {temporary} 2>/dev/null || true; exchange {temporary} {live} && rm -f {temporary}; exit 1",
            python = quote(EXCHANGE_PY),
            json = quote(&adopted_metadata(environment, adopted)),
            history = quote(&history_text(history)),
        );
        self.run(&script, None).map(drop)
    }

    fn remove_partials(&self, environment: &str) -> Result<Vec<String>> {
        let dir = self.path(&format!("releases/{environment}"));
        let output = self.run(&format!("cd {dir} 2>/dev/null || exit 0; for f in .partial-*; do [ -d \"$f\" ] && rm -rf \"$f\" && echo \"$f\"; done; true"), None)?;
        Ok(parse_history(&output))
    }

    fn prepare(&self, environment: &str) -> Result<EnvironmentState> {
        let dir = self.path(&format!("releases/{environment}"));
        let link = self.path(&format!("environments/{environment}"));
        let classify = classify_folder(&link);
        let script = format!(
            "if [ -d {dir} ]; then cd {dir} && for f in .partial-*; do [ -d \"$f\" ] && rm -rf \"$f\"; done; fi; \
             echo '#live'; if [ -L {link} ]; then readlink {link}; elif [ -d {link} ]; then {classify}; elif [ -e {link} ]; then echo '!unmanaged'; fi; \
             echo '#history'; cat {dir}/history 2>/dev/null; \
             echo '#releases'; if [ -d {dir} ]; then cd {dir} && for f in *; do [ -d \"$f\" ] && echo \"$f\"; done; fi; true"
        );
        let output = self.run(&script, None)?;
        let mut sections: std::collections::HashMap<&str, Vec<String>> = std::collections::HashMap::new();
        let mut current = "";
        for line in output.lines().map(str::trim).filter(|line| !line.is_empty()) {
            match line {
                "#live" | "#history" | "#releases" => current = line,
                _ => sections.entry(current).or_default().push(line.to_string()),
            }
        }
        let (live, unmanaged) = match sections.get("#live").and_then(|lines| lines.first()).map(String::as_str) {
            None => (None, None),
            Some("!empty") => (None, Some(Unmanaged::Empty)),
            Some("!unmanaged") => (None, Some(Unmanaged::Code)),
            Some(link) => (Some(release_id_from_link(environment, link, || self.describe())?), None),
        };
        let mut releases = sections.remove("#releases").unwrap_or_default();
        releases.retain(|id| id != "*");
        releases.sort();
        Ok(EnvironmentState { live, history: sections.remove("#history").unwrap_or_default(), releases, unmanaged })
    }

    fn managed_environments(&self) -> Result<Vec<String>> {
        let dir = self.path("environments");
        let output = self.run(&format!("cd {dir} 2>/dev/null || exit 0; for f in *; do [ -L \"$f\" ] && printf '%s %s\\n' \"$f\" \"$(readlink \"$f\")\"; done; true"), None)?;
        let mut names: Vec<String> = output
            .lines()
            .filter_map(|line| line.split_once(' '))
            .filter(|(name, link)| release_id_from_link(name, link, String::new).is_ok())
            .map(|(name, _)| name.to_string())
            .collect();
        names.sort();
        Ok(names)
    }

    fn remove_environment(&self, environment: &str) -> Result<()> {
        let link = self.path(&format!("environments/{environment}"));
        let dir = self.path(&format!("releases/{environment}"));
        self.run(&format!("rm -f {link} && rm -rf {dir}"), None).map(drop)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ssh_urls() {
        let (target, path) = SshTarget::parse_url("ssh://deploy@127.0.0.1:2222/etc/puppetlabs/code").unwrap();
        assert_eq!((target.user.as_deref(), target.host.as_str(), target.port, path), (Some("deploy"), "127.0.0.1", Some(2222), PathBuf::from("/etc/puppetlabs/code")));
        let (target, _) = SshTarget::parse_url("ssh://puppet1/srv/code").unwrap();
        assert_eq!((target.user, target.host.as_str(), target.port), (None, "puppet1", None));
        assert_eq!(SshTarget::parse_url("ssh://host").unwrap_err().to_string(), "ssh://host: the code dir path is missing (ssh://HOST/etc/puppetlabs/code)");
        assert_eq!(SshTarget::parse_url("ssh://host:x/y").unwrap_err().to_string(), "ssh://host:x/y: 'x' is not a port");
        assert!(SshTarget::parse_url("ssh://:22/y").is_err());
    }

    use super::*;

    #[test]
    fn quotes_for_the_remote_shell() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), "'it'\\''s'");
    }

    #[test]
    fn links_outside_releases_are_not_ours() {
        assert_eq!(release_id_from_link("production", "../releases/production/abc", String::new).unwrap(), "abc");
        assert!(release_id_from_link("production", "/srv/other", String::new).is_err());
        assert!(release_id_from_link("production", "../releases/staging/abc", String::new).is_err());
    }
}
