//! Commands run inside a container through the exec API, output collected as it streams,
//! with a timeout.

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

/// Runs `argv` in `container` with `env`, for at most `timeout`.
pub(crate) async fn exec(
    run: &Run,
    container: &str,
    argv: &[&str],
    env: &[String],
    timeout: Duration,
) -> Result<ExecOutput, ContainerError> {
    let started = Instant::now();
    let options = CreateExecOptions {
        cmd: Some(argv.iter().map(|arg| arg.to_string()).collect()),
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
    let exit_code = if timed_out {
        None
    } else {
        run.docker.inspect_exec(&created.id).await.ok().and_then(|inspect| inspect.exit_code)
    };
    Ok(ExecOutput { exit_code, output: String::from_utf8_lossy(&output).into_owned(), duration: started.elapsed(), timed_out })
}

/// Runs a shell command line.
pub(crate) async fn shell(run: &Run, container: &str, script: &str, timeout: Duration) -> Result<ExecOutput, ContainerError> {
    exec(run, container, &["sh", "-c", script], &[], timeout).await
}
