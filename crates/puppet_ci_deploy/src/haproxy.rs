//! haproxy's admin socket: taking a compile master out of rotation and putting it back.
//!
//! The socket is a Unix socket on this machine (`stats socket /run/haproxy/admin.sock
//! level admin`), or a TCP one, for an haproxy on another host
//! (`stats socket ipv4@10.0.0.2:9999 level admin`, written `10.0.0.2:9999`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::{DeployError, Result};

/// The states a deploy puts a server in (`set server BACKEND/SERVER state ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerState {
    /// No new connections; open ones finish.
    Drain,
    /// Out of rotation entirely.
    Maint,
    /// Back in rotation.
    Ready,
}

impl ServerState {
    fn keyword(self) -> &'static str {
        match self {
            Self::Drain => "drain",
            Self::Maint => "maint",
            Self::Ready => "ready",
        }
    }
}

#[derive(Debug, Clone)]
pub struct AdminSocket {
    pub path: PathBuf,
}

impl AdminSocket {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The TCP address when the socket is written `HOST:PORT` (no `/` in it).
    fn tcp_address(&self) -> Option<String> {
        let text = self.path.to_str()?;
        (!text.contains('/') && text.rsplit_once(':').is_some_and(|(_, port)| port.parse::<u16>().is_ok())).then(|| text.to_string())
    }

    /// Sends one command and returns haproxy's answer.
    pub fn command(&self, command: &str) -> Result<String> {
        let fail = |err: std::io::Error| DeployError::Haproxy(format!("haproxy admin socket {}: {err}", self.path.display()));
        let line = format!("{command}\n");
        let mut answer = String::new();
        if let Some(address) = self.tcp_address() {
            let mut stream = TcpStream::connect(address).map_err(fail)?;
            stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(fail)?;
            stream.write_all(line.as_bytes()).map_err(fail)?;
            stream.read_to_string(&mut answer).map_err(fail)?;
        } else {
            let mut stream = UnixStream::connect(&self.path).map_err(fail)?;
            stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(fail)?;
            stream.write_all(line.as_bytes()).map_err(fail)?;
            stream.read_to_string(&mut answer).map_err(fail)?;
        }
        Ok(answer)
    }

    /// Sets a server's state; `server` is `BACKEND/SERVER`.
    pub fn set_state(&self, server: &str, state: ServerState) -> Result<()> {
        check_server_name(server, &self.path)?;
        let answer = self.command(&format!("set server {server} state {}", state.keyword()))?;
        if answer.trim().is_empty() {
            return Ok(());
        }
        Err(DeployError::Haproxy(format!("haproxy ({}) refused `set server {server} state {}`: {}", self.path.display(), state.keyword(), answer.trim())))
    }

    /// The number of connections haproxy has open to a server now (`scur` of `show stat`).
    pub fn current_sessions(&self, server: &str) -> Result<u64> {
        check_server_name(server, &self.path)?;
        let (backend, name) = server.split_once('/').expect("checked above");
        let stat = self.command("show stat")?;
        let header = stat.lines().next().unwrap_or_default().trim_start_matches("# ");
        let columns: Vec<&str> = header.split(',').collect();
        let column = |wanted: &str| columns.iter().position(|column| *column == wanted);
        let (Some(proxy), Some(service), Some(scur)) = (column("pxname"), column("svname"), column("scur")) else {
            return Err(DeployError::Haproxy(format!("haproxy ({}) answered `show stat` with no pxname/svname/scur columns", self.path.display())));
        };
        for line in stat.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            if fields.get(proxy) == Some(&backend) && fields.get(service) == Some(&name) {
                return Ok(fields.get(scur).and_then(|value| value.parse().ok()).unwrap_or(0));
            }
        }
        Err(DeployError::Haproxy(format!("haproxy ({}) has no server {server}", self.path.display())))
    }

    /// Waits until the server has no open connection, up to `timeout`; returns how many
    /// were still open at the end (0 when it drained).
    pub fn wait_drained(&self, server: &str, timeout: Duration) -> Result<u64> {
        let deadline = Instant::now() + timeout;
        loop {
            let open = self.current_sessions(server)?;
            if open == 0 || Instant::now() >= deadline {
                return Ok(open);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn check_server_name(server: &str, socket: &Path) -> Result<()> {
    match server.split_once('/') {
        Some((backend, name)) if !backend.is_empty() && !name.is_empty() && !server.contains(char::is_whitespace) => Ok(()),
        _ => Err(DeployError::Usage(format!("haproxy server '{server}' (socket {}) must be BACKEND/SERVER", socket.display()))),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;

    use super::*;

    /// A stand-in for haproxy's TCP admin socket: answers each connection's one command
    /// from `answers`, and records the commands.
    fn fake_haproxy(answers: Vec<&'static str>) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let handle = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for answer in answers {
                let (mut stream, _) = listener.accept().unwrap();
                let mut line = String::new();
                BufReader::new(stream.try_clone().unwrap()).read_line(&mut line).unwrap();
                seen.push(line.trim().to_string());
                stream.write_all(answer.as_bytes()).unwrap();
            }
            seen
        });
        (address, handle)
    }

    #[test]
    fn drains_and_reads_sessions_over_tcp() {
        let stat = "# pxname,svname,qcur,qmax,scur,smax\npuppet,FRONTEND,,,0,3\npuppet,ps1,0,0,2,3\npuppet,ps2,0,0,0,1\n";
        let (address, handle) = fake_haproxy(vec!["", stat, "No such server.\n"]);
        let socket = AdminSocket::new(&address);
        socket.set_state("puppet/ps1", ServerState::Drain).unwrap();
        assert_eq!(socket.current_sessions("puppet/ps1").unwrap(), 2);
        let err = socket.set_state("puppet/ps9", ServerState::Ready).unwrap_err().to_string();
        assert_eq!(err, format!("haproxy ({address}) refused `set server puppet/ps9 state ready`: No such server."));
        assert_eq!(handle.join().unwrap(), ["set server puppet/ps1 state drain", "show stat", "set server puppet/ps9 state ready"]);
    }

    #[test]
    fn server_names_are_backend_slash_server() {
        let err = AdminSocket::new("/run/haproxy.sock").set_state("ps1", ServerState::Drain).unwrap_err().to_string();
        assert_eq!(err, "haproxy server 'ps1' (socket /run/haproxy.sock) must be BACKEND/SERVER");
    }
}
