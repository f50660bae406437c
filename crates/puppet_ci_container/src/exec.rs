//! Commands run inside a container through the exec API, output collected as it streams,
//! with a timeout. A command that times out is stopped, its whole process tree, before
//! the caller goes on: an apply still running in the background would change what the
//! checks after it see.

use std::time::{Duration, Instant};

use bollard::exec::{CreateExecOptions, StartExecResults};
use futures_util::StreamExt;

use crate::run::Run;
use crate::ContainerError;

/// What a command printed (stdout and stderr interleaved as they came) and how it ended.
#[derive(Debug, Clone)]
pub(crate) struct ExecOutput {
    /// None when the command did not finish: timed out, or the container died.
    pub exit_code: Option<i64>,
    pub output: String,
    pub duration: Duration,
    pub timed_out: bool,
}

/// Where the wrapper of an exec writes its pid inside the container.
fn pid_file(number: u64) -> String {
    format!("/run/puppet-ci-exec-{number}.pid")
}

/// `argv` under a shell that writes its pid to [`pid_file`] (the root of the command's
/// process tree) and removes it when the command ends; the exit code is the command's.
fn wrapped(argv: &[&str], number: u64) -> Vec<String> {
    let file = pid_file(number);
    let script = format!("echo $$ > {file}; \"$@\"; status=$?; rm -f {file}; exit $status");
    let mut command: Vec<String> = ["sh", "-c", &script, "sh"].iter().map(|word| word.to_string()).collect();
    command.extend(argv.iter().map(|arg| arg.to_string()));
    command
}

/// The shell script that stops the process tree of exec `number`. By parentage, not by
/// process group: Puppet runs each `exec` in a session of its own. The tree is frozen
/// first (SIGSTOP, collected again until nothing new was forked), so that no process
/// escapes to init as its parent dies; then SIGTERM and SIGCONT, five seconds to end,
/// and SIGKILL for what is left.
fn stop_tree_script(number: u64) -> String {
    let file = pid_file(number);
    format!(
        "root=$(cat {file} 2>/dev/null) || exit 0
tree() {{ echo \"$1\"; for child in $(ps -o pid= --ppid \"$1\"); do tree \"$child\"; done; }}
pids=''
for round in 1 2 3 4; do
  found=$(tree \"$root\")
  kill -STOP $found 2>/dev/null
  pids=\"$pids $found\"
done
kill -TERM $pids 2>/dev/null; kill -CONT $pids 2>/dev/null
alive() {{ for pid in $pids; do grep -qs '^State:[[:space:]]*[^Z]' /proc/$pid/status && echo $pid; done; }}
for i in $(seq 50); do [ -z \"$(alive)\" ] && break; sleep 0.1; done
left=$(alive); [ -n \"$left\" ] && kill -KILL $left 2>/dev/null
rm -f {file}; exit 0"
    )
}

/// Stops the process tree of exec `number` in `container` and waits until it is gone.
async fn stop_tree(run: &Run, container: &str, number: u64) -> Result<(), ContainerError> {
    let context = || format!("stopping a timed-out command in {container}");
    let options = CreateExecOptions {
        cmd: Some(vec!["sh".to_string(), "-c".to_string(), stop_tree_script(number)]),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        ..Default::default()
    };
    let created = run.docker.create_exec(container, options).await.map_err(ContainerError::docker(context()))?;
    if let StartExecResults::Attached { output: mut stream, .. } = run.docker.start_exec(&created.id, None).await.map_err(ContainerError::docker(context()))? {
        while let Some(Ok(_)) = stream.next().await {}
    }
    Ok(())
}

/// Runs `argv` in `container` with `env`, for at most `timeout`; a command still running
/// then is stopped before this returns.
pub(crate) async fn exec(
    run: &Run,
    container: &str,
    argv: &[&str],
    env: &[String],
    timeout: Duration,
) -> Result<ExecOutput, ContainerError> {
    let started = Instant::now();
    let number = run.next_exec_number();
    let options = CreateExecOptions {
        cmd: Some(wrapped(argv, number)),
        env: Some(env.to_vec()),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        ..Default::default()
    };
    let created = run
        .docker
        .create_exec(container, options)
        .await
        .map_err(ContainerError::docker(format!("exec {} in {container}", argv.join(" "))))?;
    let started_exec = run
        .docker
        .start_exec(&created.id, None)
        .await
        .map_err(ContainerError::docker(format!("exec {} in {container}", argv.join(" "))))?;
    let mut output = Vec::new();
    let mut timed_out = false;
    if let StartExecResults::Attached { output: mut stream, .. } = started_exec {
        let collect = async {
            while let Some(Ok(chunk)) = stream.next().await {
                output.extend_from_slice(&chunk.into_bytes());
            }
        };
        timed_out = tokio::time::timeout(timeout, collect).await.is_err();
    }
    // The time the command had, not counting the stop after a timeout.
    let duration = started.elapsed();
    let exit_code = if timed_out {
        // The container may have died meanwhile: then there is nothing left to stop.
        if run.stopped_reason(container).await.is_none() {
            stop_tree(run, container, number).await?;
        }
        None
    } else {
        run.docker.inspect_exec(&created.id).await.ok().and_then(|inspect| inspect.exit_code)
    };
    Ok(ExecOutput { exit_code, output: String::from_utf8_lossy(&output).into_owned(), duration, timed_out })
}

/// Runs a shell command line.
pub(crate) async fn shell(run: &Run, container: &str, script: &str, timeout: Duration) -> Result<ExecOutput, ContainerError> {
    exec(run, container, &["sh", "-c", script], &[], timeout).await
}
