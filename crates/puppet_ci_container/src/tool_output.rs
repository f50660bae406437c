//! The output of an image build tool while it runs: its progress lines passed on as they
//! come (an image build takes 35-60 s, silent otherwise), the last lines kept for the
//! error when it fails.

use std::collections::VecDeque;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

/// How many of a stream's last lines a failure shows.
pub(crate) const TAIL_LINES: usize = 15;

/// Reads `stream` line by line to its end, calls `on_line` with each progress line, and
/// returns the last [`TAIL_LINES`] lines. A read error ends the stream (the tool's exit
/// status says what happened).
pub(crate) async fn follow(stream: impl AsyncRead + Unpin, on_line: impl Fn(&str)) -> Vec<String> {
    let mut lines = BufReader::new(stream).lines();
    let mut tail = VecDeque::with_capacity(TAIL_LINES);
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(progress) = progress_line(&line) {
            on_line(progress);
        }
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(line);
    }
    tail.into()
}

/// The part of a line worth showing: mmdebstrap's and debootstrap's `I: ` phase lines
/// ("I: downloading packages with apt...", "I: Installing core packages..."), without the
/// one-line-per-package ones debootstrap prints by the hundred ("I: Retrieving acl 2.3.1-3").
fn progress_line(line: &str) -> Option<&str> {
    let text = line.strip_prefix("I: ")?.trim();
    let mut words = text.trim_end_matches('.').split(' ');
    let verb = words.next().unwrap_or_default();
    let per_package = matches!(
        verb,
        "Retrieving" | "Validating" | "Extracting" | "Unpacking" | "Configuring"
    ) && words.next().is_some_and(|name| {
        name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && !name.contains(' ')
    }) && words
        .next()
        .is_none_or(|version| version.starts_with(|c: char| c.is_ascii_digit()))
        && words.next().is_none();
    // mmdebstrap's set-up details: how it chose, not what it is doing.
    const DETAILS: &[&str] = &[
        "automatically chosen",
        "chroot architecture",
        "finding correct signed-by",
        "using /",
        "running --",
        "removing tempdir",
    ];
    let detail = DETAILS.iter().any(|start| text.starts_with(start));
    (!text.is_empty() && !per_package && !detail).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_lines_pass_and_package_lines_do_not() {
        for shown in [
            "I: downloading packages with apt...",
            "I: extracting archives...",
            "I: Retrieving InRelease ",
            "I: Unpacking required packages...",
            "I: Configuring the base system...",
            "I: Base system installed successfully.",
        ] {
            assert_eq!(progress_line(shown), Some(shown[3..].trim()), "{shown}");
        }
        for hidden in [
            "I: automatically chosen mode: root",
            "I: using /tmp/mmdebstrap.j8o4HVKZcH as tempdir",
            "I: running --customize-hook directly: /usr/share/mmdebstrap/hooks/eatmydata/customize.sh /tmp/x",
            "I: Retrieving acl 2.3.1-3", "I: Validating libc6 2.36-9", "I: Unpacking apt...", "I: Configuring libc-bin...", "W: a warning", "Get:1 http://mirror bookworm InRelease", "I: "] {
            assert_eq!(progress_line(hidden), None, "{hidden}");
        }
    }

    #[test]
    fn follow_passes_progress_on_in_order_and_keeps_the_tail() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut text = String::from("I: running apt-get update...\nI: Retrieving acl 2.3.1-3\n");
        for n in 0..20 {
            text.push_str(&format!("line {n}\n"));
        }
        text.push_str("I: done");
        let seen = std::sync::Mutex::new(Vec::new());
        let tail = runtime.block_on(follow(text.as_bytes(), |line| {
            seen.lock().unwrap().push(line.to_string())
        }));
        assert_eq!(*seen.lock().unwrap(), ["running apt-get update...", "done"]);
        assert_eq!(tail.len(), TAIL_LINES);
        assert_eq!(tail.first().map(String::as_str), Some("line 6"));
        assert_eq!(tail.last().map(String::as_str), Some("I: done"));
    }
}
