//! Running the external programs deploys use (`git`, `ssh`): output captured, failures
//! turned into errors that show the command and what it printed.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::{DeployError, Result};

/// A command line as people would type it, for error messages.
pub(crate) fn describe(command: &Command) -> String {
    let mut text = command.get_program().to_string_lossy().into_owned();
    for argument in command.get_args() {
        text.push(' ');
        text.push_str(&argument.to_string_lossy());
    }
    text
}

/// Runs `command` with `input` on its stdin; returns its stdout when it exits 0.
pub(crate) fn run(command: &mut Command, input: Option<&[u8]>) -> Result<Vec<u8>> {
    let description = describe(command);
    command.stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|err| DeployError::Command {
        command: description.clone(),
        message: format!("cannot start it: {err}"),
    })?;
    if let Some(input) = input {
        let mut stdin = child.stdin.take().expect("stdin is piped");
        // A program that exits early closes its stdin; its exit status tells why.
        let _ = stdin.write_all(input);
    }
    let output = child.wait_with_output().map_err(|err| DeployError::Command {
        command: description.clone(),
        message: err.to_string(),
    })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let said = if stderr.trim().is_empty() { stdout.trim().to_string() } else { stderr.trim().to_string() };
        return Err(DeployError::Command {
            command: description,
            message: format!("{} ({})", if said.is_empty() { "no output" } else { &said }, output.status),
        });
    }
    Ok(output.stdout)
}

/// Runs `command` and returns its stdout as trimmed text.
pub(crate) fn run_text(command: &mut Command) -> Result<String> {
    let stdout = run(command, None)?;
    Ok(String::from_utf8_lossy(&stdout).trim().to_string())
}
