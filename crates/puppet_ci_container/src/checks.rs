//! The checks run in containers after `puppet apply`: each one a shell command and a
//! judgement of its output, retried until it passes or its time is up. A failing check
//! says what it expected and what it saw.

use std::time::{Duration, Instant};

use puppet_ci_config::{dynamic, integration};
use puppet_ci_report::{Case, Outcome};
use regex::Regex;

use crate::exec::{shell, ExecOutput};
use crate::run::Run;
use crate::ContainerError;

/// What a probe's output says.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    /// Not (yet) what was expected; retried until the timeout.
    Fail(String),
    /// Wrong for good (a supervisor program in FATAL): not retried.
    FailFinal(String),
}

type Judge = Box<dyn Fn(&ExecOutput) -> Verdict + Send + Sync>;

/// A check made concrete: the command that looks, and how to judge what it printed.
pub(crate) struct Probe {
    pub description: String,
    pub script: String,
    judge: Judge,
}

impl Probe {
    fn new(description: String, script: String, judge: impl Fn(&ExecOutput) -> Verdict + Send + Sync + 'static) -> Self {
        Self { description, script, judge: Box::new(judge) }
    }

    pub fn judge(&self, output: &ExecOutput) -> Verdict {
        (self.judge)(output)
    }
}

/// Quotes a word for `sh`.
pub(crate) fn quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', "'\\''"))
}

fn regex(pattern: &str, what: &str) -> Result<Regex, String> {
    Regex::new(pattern).map_err(|err| format!("invalid regex for {what} {pattern:?}: {err}"))
}

/// Cuts what was seen to a readable length for a message.
fn seen(text: &str) -> String {
    let text = text.trim();
    let limit = 600;
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut: String = text.chars().take(limit).collect();
    format!("{cut}...")
}

const STATUS_MARK: &str = "\n__puppet_ci_status__ ";

fn http_probe(url: &str, status: u16, body: Option<&str>, body_regex: Option<&str>) -> Result<Probe, String> {
    let pattern = body_regex.map(|pattern| regex(pattern, "the body")).transpose()?;
    let mut description = format!("http {url} answers {status}");
    if let Some(text) = body {
        description.push_str(&format!(" containing {text:?}"));
    }
    if let Some(pattern) = body_regex {
        description.push_str(&format!(" matching /{pattern}/"));
    }
    let script = format!("curl -sS --max-time 5 -w {} {}", quote("\\n__puppet_ci_status__ %{http_code}"), quote(url));
    let url = url.to_string();
    let body = body.map(String::from);
    Ok(Probe::new(description, script, move |output| {
        let Some((page, after)) = output.output.rsplit_once(STATUS_MARK) else {
            return Verdict::Fail(format!("expected HTTP {status} from {url}, saw: {}", seen(&output.output)));
        };
        // curl's own error (stderr) may come after the status line: it belongs to the page.
        let code: String = after.chars().take_while(char::is_ascii_digit).collect();
        let page = format!("{page}{}", &after[code.len()..]);
        let page = page.as_str();
        let code = code.as_str();
        if code != status.to_string() {
            let what = if code == "000" { seen(page) } else { format!("HTTP {code}: {}", seen(page)) };
            return Verdict::Fail(format!("expected HTTP {status} from {url}, saw {what}"));
        }
        if let Some(text) = &body {
            if !page.contains(text.as_str()) {
                return Verdict::Fail(format!("expected the body of {url} to contain {text:?}, saw: {}", seen(page)));
            }
        }
        if let Some(pattern) = &pattern {
            if !pattern.is_match(page) {
                return Verdict::Fail(format!("expected the body of {url} to match /{pattern}/, saw: {}", seen(page)));
            }
        }
        Verdict::Pass
    }))
}

/// The probe of a role check.
pub(crate) fn role_probe(check: &dynamic::Check) -> Result<Probe, String> {
    use dynamic::Check;
    Ok(match check {
        Check::Http(http) => http_probe(&http.url, http.status, http.body.as_deref(), http.body_regex.as_deref())?,
        Check::Port(port) => port_probe(port),
        Check::Process(process) => {
            let pattern = regex(&process.command, "the process")?;
            let user = process.user.clone();
            let description = match &user {
                Some(user) => format!("process /{}/ runs as {user}", process.command),
                None => format!("process /{}/ runs", process.command),
            };
            Probe::new(description, "ps -eo user=,args=".into(), move |output| {
                let processes: Vec<(&str, &str)> = output
                    .output
                    .lines()
                    .filter_map(|line| line.trim().split_once(char::is_whitespace))
                    .map(|(user, args)| (user, args.trim()))
                    .filter(|(_, args)| !args.starts_with("ps -eo"))
                    .collect();
                let matching: Vec<&(&str, &str)> = processes.iter().filter(|(_, args)| pattern.is_match(args)).collect();
                if matching.is_empty() {
                    let list: Vec<&str> = processes.iter().map(|(_, args)| *args).take(12).collect();
                    return Verdict::Fail(format!("expected a process matching /{pattern}/, saw none; running: {}", list.join("; ")));
                }
                if let Some(user) = &user {
                    if !matching.iter().any(|(owner, _)| owner == user) {
                        let owners: Vec<String> = matching.iter().map(|(owner, args)| format!("{args} as {owner}")).collect();
                        return Verdict::Fail(format!("expected /{pattern}/ to run as {user}, saw {}", owners.join("; ")));
                    }
                }
                Verdict::Pass
            })
        }
        Check::Service(service) => {
            let name = service.name.clone();
            let running = service.running;
            let description = format!("service {name} {}", if running { "runs" } else { "is stopped" });
            Probe::new(description, format!("service {} status 2>&1", quote(&name)), move |output| {
                let is_running = output.exit_code == Some(0);
                if is_running == running {
                    return Verdict::Pass;
                }
                Verdict::Fail(format!(
                    "expected service {name} {}, `service {name} status` exited {}: {}",
                    if running { "running" } else { "stopped" },
                    output.exit_code.map_or("-".into(), |code| code.to_string()),
                    seen(&output.output)
                ))
            })
        }
        Check::Supervisor(supervisor) => {
            let program = supervisor.program.clone();
            let state = supervisor.state.to_uppercase();
            let description = format!("supervisor program {program} is {state}");
            Probe::new(description, format!("supervisorctl status {} 2>&1", quote(&program)), move |output| {
                let line = output.output.lines().find(|line| line.split_whitespace().next() == Some(program.as_str()));
                let seen_state = line.and_then(|line| line.split_whitespace().nth(1)).unwrap_or("");
                if seen_state == state {
                    return Verdict::Pass;
                }
                let message = format!("expected supervisor program {program} {state}, saw: {}", seen(&output.output));
                // FATAL is where supervisord leaves a program it gave up on: waiting is useless.
                if seen_state == "FATAL" {
                    Verdict::FailFinal(message)
                } else {
                    Verdict::Fail(message)
                }
            })
        }
        Check::Apache(apache) => {
            let vhost = apache.vhost.clone();
            let description = match &vhost {
                Some(vhost) => format!("apache config is valid and serves vhost {vhost}"),
                None => "apache config is valid".to_string(),
            };
            let script = "apache2ctl -t 2>&1; echo \"__puppet_ci_rc__ $?\"; apache2ctl -S 2>&1".to_string();
            Probe::new(description, script, move |output| {
                let (syntax, vhosts) = output.output.split_once("__puppet_ci_rc__ ").unwrap_or((&output.output, "1"));
                let (rc, vhosts) = vhosts.split_once('\n').unwrap_or((vhosts, ""));
                if rc.trim() != "0" {
                    return Verdict::Fail(format!("expected `apache2ctl -t` to pass, saw (exit {}): {}", rc.trim(), seen(syntax)));
                }
                if let Some(vhost) = &vhost {
                    let listed = vhosts.lines().any(|line| {
                        line.split_whitespace().any(|word| word == vhost.as_str())
                    });
                    if !listed {
                        return Verdict::Fail(format!("expected vhost {vhost} in `apache2ctl -S`, saw: {}", seen(vhosts)));
                    }
                }
                Verdict::Pass
            })
        }
        Check::Command(command) => {
            let pattern = command.output.as_deref().map(|pattern| regex(pattern, "the output")).transpose()?;
            let expected_exit = command.exit;
            let run = command.run.clone();
            let mut description = format!("command `{run}` exits {expected_exit}");
            if let Some(pattern) = &command.output {
                description.push_str(&format!(" printing /{pattern}/"));
            }
            Probe::new(description, format!("{run} 2>&1"), move |output| {
                if output.exit_code != Some(expected_exit) {
                    return Verdict::Fail(format!(
                        "expected `{run}` to exit {expected_exit}, saw exit {}: {}",
                        output.exit_code.map_or("-".into(), |code| code.to_string()),
                        seen(&output.output)
                    ));
                }
                if let Some(pattern) = &pattern {
                    if !pattern.is_match(&output.output) {
                        return Verdict::Fail(format!("expected `{run}` to print /{pattern}/, saw: {}", seen(&output.output)));
                    }
                }
                Verdict::Pass
            })
        }
        Check::File(file) => file_probe(file)?,
        Check::Package(package) => {
            let name = package.name.clone();
            let version = package.version.clone();
            let description = match &version {
                Some(version) => format!("package {name} {version} is installed"),
                None => format!("package {name} is installed"),
            };
            let script = format!("dpkg-query -W -f='${{db:Status-Status}} ${{Version}}' {} 2>&1", quote(&name));
            Probe::new(description, script, move |output| {
                let mut words = output.output.split_whitespace();
                let (status, seen_version) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                if output.exit_code != Some(0) || status != "installed" {
                    return Verdict::Fail(format!("expected package {name} installed, saw: {}", seen(&output.output)));
                }
                if let Some(version) = &version {
                    if !seen_version.starts_with(version.as_str()) {
                        return Verdict::Fail(format!("expected package {name} at version {version}, saw {seen_version}"));
                    }
                }
                Verdict::Pass
            })
        }
    })
}

fn port_probe(port: &dynamic::PortCheck) -> Probe {
    let number = port.port;
    let address = port.address.clone();
    let description = match &address {
        Some(address) => format!("port {address}:{number} is listening"),
        None => format!("port {number} is listening"),
    };
    Probe::new(description, "ss -ltnH".into(), move |output| {
        let listeners: Vec<&str> = output.output.lines().filter_map(|line| line.split_whitespace().nth(3)).collect();
        let on_port: Vec<&str> =
            listeners.iter().copied().filter(|local| local.rsplit_once(':').is_some_and(|(_, p)| p == number.to_string())).collect();
        let wanted = address.as_deref();
        let matches = on_port.iter().any(|local| {
            let host = local.rsplit_once(':').map_or("", |(host, _)| host).trim_matches(['[', ']']);
            let host = host.split('%').next().unwrap_or(host);
            match wanted {
                None => true,
                Some(wanted) => host == wanted || (host == "*" && (wanted == "0.0.0.0" || wanted == "::")),
            }
        });
        if matches {
            return Verdict::Pass;
        }
        let target = wanted.map_or(format!("port {number}"), |wanted| format!("{wanted}:{number}"));
        if on_port.is_empty() {
            return Verdict::Fail(format!("expected a TCP listener on {target}, saw none on port {number} (listening: {})", listeners.join(", ")));
        }
        Verdict::Fail(format!("expected a TCP listener on {target}, saw {}", on_port.join(", ")))
    })
}

fn file_probe(file: &dynamic::FileCheck) -> Result<Probe, String> {
    let pattern = file.content.as_deref().map(|pattern| regex(pattern, "the content")).transpose()?;
    let mode = match &file.mode {
        Some(mode) => Some(u32::from_str_radix(mode.trim_start_matches("0o"), 8).map_err(|_| format!("file mode {mode:?} is not octal"))?),
        None => None,
    };
    let path = file.path.clone();
    let owner = file.owner.clone();
    let mut description = format!("file {path} exists");
    if let Some(mode) = &file.mode {
        description.push_str(&format!(" with mode {mode}"));
    }
    if let Some(owner) = &owner {
        description.push_str(&format!(" owned by {owner}"));
    }
    if let Some(pattern) = &file.content {
        description.push_str(&format!(" matching /{pattern}/"));
    }
    let script = format!("stat -c '%a %U %F' {0} 2>&1 && cat {0}", quote(&path));
    Ok(Probe::new(description, script, move |output| {
        let (stat, content) = output.output.split_once('\n').unwrap_or((&output.output, ""));
        if output.exit_code != Some(0) {
            return Verdict::Fail(format!("expected file {path}, saw: {}", seen(stat)));
        }
        let fields: Vec<&str> = stat.splitn(3, ' ').collect();
        let (seen_mode, seen_owner) = (fields.first().copied().unwrap_or(""), fields.get(1).copied().unwrap_or(""));
        if let Some(mode) = mode {
            if u32::from_str_radix(seen_mode, 8).ok() != Some(mode) {
                return Verdict::Fail(format!("expected {path} with mode {mode:04o}, saw {seen_mode:0>4}"));
            }
        }
        if let Some(owner) = &owner {
            if seen_owner != owner {
                return Verdict::Fail(format!("expected {path} owned by {owner}, saw {seen_owner}"));
            }
        }
        if let Some(pattern) = &pattern {
            if !pattern.is_match(content) {
                return Verdict::Fail(format!("expected the content of {path} to match /{pattern}/, saw: {}", seen(content)));
            }
        }
        Verdict::Pass
    }))
}

/// The probe of an integration check, run on the check's `from` node.
pub(crate) fn node_probe(check: &integration::NodeCheck) -> Result<Probe, String> {
    use integration::NodeCheck;
    Ok(match check {
        NodeCheck::Http(http) => {
            let mut probe = http_probe(&http.url, http.status, http.body.as_deref(), None)?;
            probe.description = format!("from {}: {}", http.from, probe.description);
            probe
        }
        NodeCheck::Tcp(tcp) => {
            let target = format!("{}:{}", tcp.host, tcp.port);
            let description = format!("from {}: tcp {target} connects", tcp.from);
            let script = format!("timeout 5 bash -c {} 2>&1", quote(&format!("exec 3<>/dev/tcp/{}/{}", tcp.host, tcp.port)));
            let from = tcp.from.clone();
            Probe::new(description, script, move |output| {
                if output.exit_code == Some(0) {
                    return Verdict::Pass;
                }
                Verdict::Fail(format!("expected a TCP connection from {from} to {target}, saw: {}", seen(&output.output)))
            })
        }
        NodeCheck::Mysql(mysql) => {
            let login = format!("{}@{}:{}", mysql.user, mysql.host, mysql.port);
            let database = mysql.database.clone().map(|db| format!("/{db}")).unwrap_or_default();
            let description = format!("from {}: mysql login as {login}{database} runs {:?}", mysql.from, mysql.query);
            let mut script = format!(
                "MYSQL_PWD={} mysql --connect-timeout=5 -h {} -P {} -u {} -N -B -e {}",
                quote(&mysql.password),
                quote(&mysql.host),
                mysql.port,
                quote(&mysql.user),
                quote(&mysql.query)
            );
            if let Some(db) = &mysql.database {
                script.push_str(&format!(" {}", quote(db)));
            }
            script.push_str(" 2>&1");
            let expect = mysql.expect.clone();
            let query = mysql.query.clone();
            Probe::new(description, script, move |output| {
                if output.exit_code != Some(0) {
                    return Verdict::Fail(format!("expected {query:?} to run as {login}{database}, saw: {}", seen(&output.output)));
                }
                if let Some(expect) = &expect {
                    if !output.output.contains(expect.as_str()) {
                        return Verdict::Fail(format!("expected {query:?} to print {expect:?}, saw: {}", seen(&output.output)));
                    }
                }
                Verdict::Pass
            })
        }
    })
}

/// Runs a probe in `container` until it passes or `timeout` is up, and makes it a case.
pub(crate) async fn run_probe(run: &Run, container: &str, group: &str, probe: &Probe, timeout: Duration) -> Result<Case, ContainerError> {
    let started = Instant::now();
    loop {
        let output = match shell(run, container, &probe.script, Duration::from_secs(30)).await {
            Ok(output) => output,
            // A container that died under the check is the role's failure, not the tool's.
            Err(err) => match run.stopped_reason(container).await {
                Some(reason) => return Ok(Case::new(group, &probe.description, Outcome::error(reason)).with_duration(started.elapsed())),
                None => return Err(err),
            },
        };
        let verdict = if output.timed_out {
            Verdict::Fail(format!("`{}` did not finish in 30s", probe.script))
        } else {
            probe.judge(&output)
        };
        let message = match verdict {
            Verdict::Pass => {
                return Ok(Case::new(group, &probe.description, Outcome::Passed).with_duration(started.elapsed()));
            }
            Verdict::FailFinal(message) => Some(message),
            Verdict::Fail(message) if started.elapsed() >= timeout => Some(message),
            Verdict::Fail(_) => None,
        };
        if let Some(message) = message {
            if let Some(reason) = run.stopped_reason(container).await {
                return Ok(Case::new(group, &probe.description, Outcome::error(reason)).with_duration(started.elapsed()));
            }
            return Ok(Case::new(group, &probe.description, Outcome::failed(message))
                .with_duration(started.elapsed())
                .with_output(output.output));
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(probe: &Probe, exit_code: i64, output: &str) -> Verdict {
        probe.judge(&ExecOutput { exit_code: Some(exit_code), output: output.into(), duration: Duration::ZERO, timed_out: false })
    }

    fn check(yaml: &str) -> Probe {
        let check: dynamic::Check = serde_yaml::from_str(yaml).unwrap();
        role_probe(&check).unwrap()
    }

    #[test]
    fn http_checks_status_and_body() {
        let probe = check("http: {url: 'http://localhost/', body: Hello}");
        assert_eq!(judge(&probe, 0, "<h1>Hello</h1>\n__puppet_ci_status__ 200"), Verdict::Pass);
        assert_eq!(
            judge(&probe, 0, "nope\n__puppet_ci_status__ 404"),
            Verdict::Fail("expected HTTP 200 from http://localhost/, saw HTTP 404: nope".into())
        );
        assert_eq!(
            judge(&probe, 7, "curl: (7) Failed to connect\n__puppet_ci_status__ 000"),
            Verdict::Fail("expected HTTP 200 from http://localhost/, saw curl: (7) Failed to connect".into())
        );
        assert_eq!(
            judge(&probe, 7, "\n__puppet_ci_status__ 000curl: (7) Failed to connect\n"),
            Verdict::Fail("expected HTTP 200 from http://localhost/, saw curl: (7) Failed to connect".into())
        );
        assert_eq!(
            judge(&probe, 0, "It works\n__puppet_ci_status__ 200"),
            Verdict::Fail("expected the body of http://localhost/ to contain \"Hello\", saw: It works".into())
        );
    }

    #[test]
    fn port_distinguishes_loopback_from_all_addresses() {
        let probe = check("port: {port: 3306, address: 0.0.0.0}");
        let loopback = "LISTEN 0 80 127.0.0.1:3306 0.0.0.0:*\nLISTEN 0 511 *:80 *:*\n";
        assert_eq!(judge(&probe, 0, loopback), Verdict::Fail("expected a TCP listener on 0.0.0.0:3306, saw 127.0.0.1:3306".into()));
        assert_eq!(judge(&probe, 0, "LISTEN 0 80 0.0.0.0:3306 0.0.0.0:*\n"), Verdict::Pass);
        let any = check("port: {port: 80}");
        assert_eq!(judge(&any, 0, loopback), Verdict::Pass);
    }

    #[test]
    fn supervisor_fatal_is_final() {
        let probe = check("supervisor: {program: ticker}");
        assert_eq!(judge(&probe, 0, "ticker                           RUNNING   pid 42, uptime 0:00:03\n"), Verdict::Pass);
        assert!(matches!(judge(&probe, 3, "ticker  STARTING\n"), Verdict::Fail(_)));
        let fatal = judge(&probe, 3, "ticker                           FATAL     Exited too quickly (process log may have details)\n");
        assert!(matches!(&fatal, Verdict::FailFinal(message) if message.contains("saw: ticker") && message.contains("FATAL")), "{fatal:?}");
    }

    #[test]
    fn apache_reports_the_syntax_error() {
        let probe = check("apache: {vhost: www.example.test}");
        let broken = "AH00526: Syntax error on line 3 of /etc/apache2/sites-enabled/web.conf:\nInvalid command 'Bogus'\n__puppet_ci_rc__ 1\n";
        assert!(matches!(judge(&probe, 0, broken), Verdict::Fail(message) if message.contains("apache2ctl -t") && message.contains("line 3")));
        let good = "Syntax OK\n__puppet_ci_rc__ 0\n*:80   www.example.test (/etc/apache2/sites-enabled/web.conf:1)\n";
        assert_eq!(judge(&probe, 0, good), Verdict::Pass);
    }

    #[test]
    fn file_mode_owner_content() {
        let probe = check("file: {path: /etc/motd, mode: '0644', owner: root, content: 'hello'}");
        assert_eq!(judge(&probe, 0, "644 root regular file\nhello world\n"), Verdict::Pass);
        assert_eq!(judge(&probe, 0, "600 root regular file\nhello\n"), Verdict::Fail("expected /etc/motd with mode 0644, saw 0600".into()));
    }

    #[test]
    fn invalid_regex_is_an_error_not_a_panic() {
        let check: dynamic::Check = serde_yaml::from_str("process: {command: '('}").unwrap();
        let Err(message) = role_probe(&check) else { panic!("an invalid regex must be an error") };
        assert!(message.contains("invalid regex"), "{message}");
    }
}
