//! The folder one image build works in, and its teardown.
//!
//! mmdebstrap and debootstrap mount `proc`, `sys`, `devpts` and `shm` inside the root they
//! build and run `apt` and `dpkg` in it. Killed half-way, they leave those mounts and a
//! root of a few hundred megabytes behind, and their children running. So every tool of a
//! build runs in a process group of its own, with `TMPDIR` pointing into the build
//! folder, and the teardown — run however the build ends, also when a signal drops the
//! build future — stops the groups (SIGTERM, then SIGKILL after a grace period), kills
//! any process still rooted inside the folder, lazily unmounts everything mounted under
//! it, and removes it only once nothing is mounted there any more.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal};

use crate::{tool_output, ContainerError, Progress};

/// How long a tool gets to clean up after SIGTERM before it is killed.
const GRACE: Duration = Duration::from_secs(10);

pub(crate) struct BuildDir {
    path: PathBuf,
    /// Process groups of the tools started, by their leader's pid.
    groups: Arc<Mutex<Vec<i32>>>,
    torn_down: bool,
}

impl BuildDir {
    /// A new folder `puppet-ci-build-<key>-<pid>` in the temporary folder.
    pub(crate) fn create(key: &str) -> Result<Self, ContainerError> {
        let parent = std::env::temp_dir();
        let path = parent.join(format!("puppet-ci-build-{key}-{}", std::process::id()));
        if path.exists() {
            // A build of this process that never tore down: never delete through mounts.
            let mut stale = Self { path: path.clone(), groups: Arc::default(), torn_down: false };
            stale.teardown_now().map_err(|message| ContainerError::ImageBuild { tag: key.to_string(), message })?;
        }
        std::fs::create_dir(&path).map_err(ContainerError::io(&path))?;
        // Mounts are listed by their real path; compare with the same.
        let path = path.canonicalize().map_err(ContainerError::io(&path))?;
        Ok(Self { path, groups: Arc::default(), torn_down: false })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Runs a build tool to its end in a process group of its own, its temporary files in
    /// the build folder; its phase lines go to `progress` as they come, its last lines into
    /// the error when it fails.
    pub(crate) async fn run_tool(&self, mut command: tokio::process::Command, tag: &str, progress: &Progress) -> Result<(), ContainerError> {
        let program = command.as_std().get_program().to_string_lossy().into_owned();
        let name = Path::new(&program).file_name().map_or(program.clone(), |name| name.to_string_lossy().into_owned());
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        command.env("TMPDIR", &self.path).process_group(0);
        // Not killed when dropped: the teardown stops the whole group, gently first.
        command.kill_on_drop(false);
        let mut child = command
            .spawn()
            .map_err(|err| ContainerError::ImageBuild { tag: tag.into(), message: format!("cannot run {program}: {err}") })?;
        if let Some(pid) = child.id() {
            self.groups.lock().expect("process group list lock").push(pid as i32);
        }
        let (stdout, stderr) = (child.stdout.take().expect("piped"), child.stderr.take().expect("piped"));
        let show = |line: &str| progress(&format!("image {tag}: {name}: {line}"));
        let (_, stderr_tail, status) = tokio::join!(tool_output::follow(stdout, show), tool_output::follow(stderr, show), child.wait());
        let status = status.map_err(|err| ContainerError::ImageBuild { tag: tag.into(), message: format!("{program}: {err}") })?;
        if status.success() {
            return Ok(());
        }
        Err(ContainerError::ImageBuild { tag: tag.into(), message: format!("{program} failed ({status}):\n{}", stderr_tail.join("\n")) })
    }

    /// Stops what the build started, undoes its mounts and removes the folder; says what
    /// could not be done.
    pub(crate) fn teardown(mut self) -> Result<(), String> {
        self.torn_down = true;
        self.teardown_now()
    }

    fn teardown_now(&mut self) -> Result<(), String> {
        let groups = self.groups.lock().expect("process group list lock").clone();
        stop_groups(&groups);
        kill_rooted_under(&self.path);
        let left = unmount_under(&self.path);
        if !left.is_empty() {
            return Err(format!("still mounted, so {} was left in place: {}", self.path.display(), left.join(", ")));
        }
        match std::fs::remove_dir_all(&self.path) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(format!("cannot remove {}: {err}", self.path.display())),
        }
    }
}

impl Drop for BuildDir {
    fn drop(&mut self) {
        if !self.torn_down {
            self.torn_down = true;
            if let Err(message) = self.teardown_now() {
                crate::interrupt::record_cleanup_failure(message);
            }
        }
    }
}

/// The pids of the live (not zombie) processes of a process group.
fn members(group: i32) -> Vec<i32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
            // After the command name in parentheses: state, ppid, pgrp.
            let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
            fields.first().is_some_and(|state| *state != "Z") && fields.get(2).and_then(|pgrp| pgrp.parse::<i32>().ok()) == Some(group)
        })
        .collect()
}

fn signal_group(group: i32, signal: Signal) {
    if let Some(pid) = Pid::from_raw(group) {
        let _ = rustix::process::kill_process_group(pid, signal);
    }
}

/// SIGTERM to each group, time to clean up, then SIGKILL to what is left.
fn stop_groups(groups: &[i32]) {
    let running: Vec<i32> = groups.iter().copied().filter(|group| !members(*group).is_empty()).collect();
    if running.is_empty() {
        return;
    }
    for group in &running {
        signal_group(*group, Signal::TERM);
    }
    let deadline = Instant::now() + GRACE;
    while Instant::now() < deadline && running.iter().any(|group| !members(*group).is_empty()) {
        std::thread::sleep(Duration::from_millis(100));
    }
    for group in &running {
        signal_group(*group, Signal::KILL);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && running.iter().any(|group| !members(*group).is_empty()) {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Kills the processes whose root directory is inside `dir`: what a tool started in the
/// chroot and that left its process group (a daemon a maintainer script started).
fn kill_rooted_under(dir: &Path) {
    let Ok(entries) = std::fs::read_dir("/proc") else { return };
    for pid in entries.flatten().filter_map(|entry| entry.file_name().to_str()?.parse::<i32>().ok()) {
        let rooted = std::fs::read_link(format!("/proc/{pid}/root")).is_ok_and(|root| root.starts_with(dir));
        if rooted {
            if let Some(pid) = Pid::from_raw(pid) {
                let _ = rustix::process::kill_process(pid, Signal::KILL);
            }
        }
    }
}

/// The mount points under `dir`, deepest first, from this process's mount table.
fn mounts_under(dir: &Path) -> Vec<PathBuf> {
    let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut points: Vec<PathBuf> = table
        .lines()
        .filter_map(|line| line.split(' ').nth(4))
        .map(unescape_mount_point)
        .filter(|point| point.starts_with(dir) && point != dir)
        .collect();
    points.sort_by_key(|point| std::cmp::Reverse(point.components().count()));
    points.dedup();
    points
}

/// Mount points escape space, tab, newline and backslash as octal (`\040`).
fn unescape_mount_point(field: &str) -> PathBuf {
    let mut text = String::new();
    let mut rest = field;
    while let Some(at) = rest.find('\\') {
        text.push_str(&rest[..at]);
        let code = rest.get(at + 1..at + 4).and_then(|digits| u8::from_str_radix(digits, 8).ok());
        match code {
            Some(byte) => {
                text.push(byte as char);
                rest = &rest[at + 4..];
            }
            None => {
                text.push('\\');
                rest = &rest[at + 1..];
            }
        }
    }
    text.push_str(rest);
    PathBuf::from(text)
}

/// Lazily unmounts everything under `dir`; returns the mount points still there.
fn unmount_under(dir: &Path) -> Vec<String> {
    for _ in 0..3 {
        let points = mounts_under(dir);
        if points.is_empty() {
            return Vec::new();
        }
        for point in points {
            let _ = rustix::mount::unmount(&point, rustix::mount::UnmountFlags::DETACH);
        }
    }
    mounts_under(dir).iter().map(|point| point.display().to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_points_are_unescaped() {
        assert_eq!(unescape_mount_point("/tmp/a\\040b/proc"), PathBuf::from("/tmp/a b/proc"));
        assert_eq!(unescape_mount_point("/plain"), PathBuf::from("/plain"));
    }

    #[test]
    fn the_teardown_stops_a_tool_and_its_children_and_removes_the_folder() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let dir = BuildDir::create("unit-test").unwrap();
        let path = dir.path().to_path_buf();
        let mut command = tokio::process::Command::new("sh");
        // A tool with a child: both must be gone after the teardown.
        command.args(["-c", "sleep 300 & echo $! > \"$TMPDIR/child\"; sleep 300"]);
        runtime.block_on(async {
            let _ = tokio::time::timeout(Duration::from_millis(500), dir.run_tool(command, "unit-test", &(std::sync::Arc::new(|_: &str| {}) as Progress))).await;
        });
        let child: i32 = std::fs::read_to_string(path.join("child")).unwrap().trim().parse().unwrap();
        let group = dir.groups.lock().unwrap()[0];
        assert!(!members(group).is_empty(), "the tool runs");
        dir.teardown().unwrap();
        assert!(members(group).is_empty(), "the tool's group is stopped");
        assert!(!Path::new(&format!("/proc/{child}")).exists() || std::fs::read_to_string(format!("/proc/{child}/stat")).unwrap().contains(") Z "));
        assert!(!path.exists());
    }
}
