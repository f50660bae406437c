//! What the deploy tests start for themselves: a Puppet CA made offline, puppetservers
//! from the packaged jar with private confdirs and ports, an sshd and an haproxy on
//! loopback. Each server runs under a small shell guard that kills it (and removes its
//! folder) when the test binary's end closes the guard's stdin, so nothing outlives the
//! tests, even when one fails.

#![allow(dead_code, clippy::print_stderr)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use puppet_ci_deploy::{ServerClient, ServerTls};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_puppet-ci"))
}

pub fn run(command: &mut Command) -> (i32, String, String) {
    let output = command.output().expect("the command starts");
    (output.status.code().unwrap_or(-1), String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

pub fn sh(script: &str) -> String {
    let output = Command::new("sh").arg("-c").arg(script).output().unwrap();
    assert!(output.status.success(), "{script}: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=puppet-ci tests", "-c", "user.email=tests@example.com", "-c", "init.defaultBranch=production", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// Guards of everything started; their stdins close when the test binary exits.
fn guards() -> &'static Mutex<Vec<(Child, ChildStdin)>> {
    static GUARDS: OnceLock<Mutex<Vec<(Child, ChildStdin)>>> = OnceLock::new();
    GUARDS.get_or_init(|| Mutex::new(Vec::new()))
}

/// Starts `command` (a shell command line) under a guard that kills it when our stdin
/// closes, and removes `cleanup` then. Returns the guard's process id.
pub fn start_guarded(command: &str, log: &Path, cleanup: Option<&Path>) -> u32 {
    let remove = cleanup.map(|path| format!("rm -rf '{}'", path.display())).unwrap_or_default();
    let script = format!("{command} >'{}' 2>&1 & pid=$!; read _ignored; kill $pid 2>/dev/null; sleep 1; kill -9 $pid 2>/dev/null; wait $pid; {remove}", log.display());
    let mut child = Command::new("sh").arg("-c").arg(script).stdin(Stdio::piped()).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    let stdin = child.stdin.take().unwrap();
    let id = child.id();
    guards().lock().unwrap().push((child, stdin));
    id
}

/// The files of the test PKI: a CA made offline with `puppetserver ca`, a server
/// certificate valid for 127.0.0.1, client certificates for the deployer and an agent,
/// and a certificate from another CA.
pub struct Pki {
    pub ssldir: PathBuf,
    pub ca: PathBuf,
    pub deployer: ServerTls,
    pub intruder: ServerTls,
}

pub struct World {
    pub dir: PathBuf,
    pub pki: Pki,
    pub servers: Vec<PuppetServer>,
    pub startup: Duration,
}

pub struct PuppetServer {
    pub name: String,
    pub port: u16,
    pub url: String,
    pub code_dir: PathBuf,
    pub log: PathBuf,
}

impl PuppetServer {
    pub fn client(&self, tls: &ServerTls) -> ServerClient {
        ServerClient::new(&self.url, tls, Duration::from_secs(60)).unwrap()
    }
}

fn puppet_conf(dir: &Path, ssldir: &Path, port: u16, certname: &str) -> String {
    format!(
        "[main]\nconfdir = {d}/conf\ncodedir = {d}/code\nvardir = {d}/var\nrundir = {d}/run\nlogdir = {d}/log\nssldir = {ssl}\ncadir = {ssl}/../ca\ncertname = {certname}\nserver = 127.0.0.1\nmasterport = {port}\nca_port = {port}\ndns_alt_names = IP:127.0.0.1,DNS:localhost\n[server]\nenvironment_timeout = unlimited\nbasemodulepath = {d}/code/modules\n",
        d = dir.display(),
        ssl = ssldir.display()
    )
}

fn make_pki(dir: &Path) -> Pki {
    let ssldir = dir.join("pki/ssl");
    write(&dir.join("pki/conf/puppet.conf"), &puppet_conf(&dir.join("pki"), &ssldir, 1, "puppet"));
    let conf = dir.join("pki/conf/puppet.conf");
    sh(&format!("puppetserver ca setup --config '{}' --certname puppet --subject-alt-names IP:127.0.0.1,DNS:localhost >/dev/null", conf.display()));
    sh(&format!("puppetserver ca generate --ca-client --certname deployer,agent1 --config '{}' >/dev/null", conf.display()));
    // A CA of its own, whose certificate the masters must refuse.
    let other = dir.join("other-pki");
    write(&other.join("conf/puppet.conf"), &puppet_conf(&other, &other.join("ssl"), 1, "intruder"));
    sh(&format!("puppetserver ca setup --config '{}' --certname intruder >/dev/null", other.join("conf/puppet.conf").display()));
    let tls = |ssl: &Path, name: &str| ServerTls { ca: ssldir.join("certs/ca.pem"), cert: ssl.join(format!("certs/{name}.pem")), key: ssl.join(format!("private_keys/{name}.pem")) };
    Pki { ca: ssldir.join("certs/ca.pem"), deployer: tls(&ssldir, "deployer"), intruder: tls(&other.join("ssl"), "intruder"), ssldir }
}

const AUTH_RULES: &str = r#"        {
            match-request: { path: "^/puppet/v4/catalog/?$", type: regex, method: post }
            allow: ["deployer"]
            sort-order: 400
            name: "puppet-ci v4 catalog"
        },
        {
            match-request: { path: "/puppet-admin-api/v1/environment-cache", type: path, method: delete }
            allow: ["deployer"]
            sort-order: 400
            name: "puppet-ci environment cache"
        },
"#;

fn start_server(dir: &Path, pki: &Pki, name: &str) -> PuppetServer {
    let root = dir.join(name);
    let port = free_port();
    for sub in ["conf", "code/environments", "code/modules", "var", "run", "log"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    // A copy of the PKI each: at start-up Puppet makes the ssldir's folders, and two
    // servers making the same folders at once fail with "File exists".
    let ssl = root.join("ssl");
    sh(&format!("cp -r '{}' '{}' && cp -r '{}' '{}'", pki.ssldir.display(), ssl.display(), pki.ssldir.join("../ca").display(), root.join("ca").display()));
    write(&root.join("conf/puppet.conf"), &puppet_conf(&root, &ssl, port, "puppet"));
    sh(&format!("cp -r /etc/puppet/puppetserver/conf.d /etc/puppet/puppetserver/services.d '{}'", root.display()));
    let confd = root.join("conf.d");
    write(
        &confd.join("puppetserver.conf"),
        &format!(
            "jruby-puppet: {{\n ruby-load-path: [/usr/lib/puppetserver/ruby/vendor_ruby]\n gem-home: {r}/var/jruby-gems\n gem-path: [{r}/var/jruby-gems, /usr/lib/puppetserver/vendored-jruby-gems]\n server-conf-dir: {r}/conf\n server-code-dir: {r}/code\n server-var-dir: {r}/var\n server-run-dir: {r}/run\n server-log-dir: {r}/log\n max-active-instances: 1\n}}\nhttp-client: {{}}\nprofiler: {{}}\n",
            r = root.display()
        ),
    );
    let ssl = &ssl;
    write(
        &confd.join("webserver.conf"),
        &format!(
            "webserver: {{\n client-auth: want\n ssl-host: 127.0.0.1\n ssl-port: {port}\n ssl-cert: {s}/certs/puppet.pem\n ssl-key: {s}/private_keys/puppet.pem\n ssl-ca-cert: {s}/certs/ca.pem\n ssl-crl-path: {s}/../ca/ca_crl.pem\n}}\n",
            s = ssl.display()
        ),
    );
    write(&root.join("logback.xml"), "<configuration scan=\"false\"><appender name=\"STDOUT\" class=\"ch.qos.logback.core.ConsoleAppender\"><encoder><pattern>%d %-5p [%c{2}] %m%n</pattern></encoder></appender><root level=\"warn\"><appender-ref ref=\"STDOUT\"/></root></configuration>\n");
    write(&confd.join("global.conf"), &format!("global: {{ logging-config: {}/logback.xml }}\n", root.display()));
    let auth = std::fs::read_to_string(confd.join("auth.conf")).unwrap().replacen("    rules: [\n", &format!("    rules: [\n{AUTH_RULES}"), 1);
    write(&confd.join("auth.conf"), &auth);
    // A compile master: the CA stays with the PKI made offline.
    write(
        &root.join("services.d/ca.cfg"),
        "puppetlabs.services.ca.certificate-authority-disabled-service/certificate-authority-disabled-service\npuppetlabs.trapperkeeper.services.watcher.filesystem-watch-service/filesystem-watch-service\n",
    );
    let log = root.join("server.log");
    let java = format!(
        "exec java -Xms256m -Xmx1g -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djruby.lib=/usr/share/jruby/lib -jar /usr/share/puppetserver/puppetserver.jar --config '{}' --bootstrap-config '{}'",
        confd.display(),
        root.join("services.d").display()
    );
    start_guarded(&java, &log, None);
    PuppetServer { name: name.to_string(), port, url: format!("https://127.0.0.1:{port}"), code_dir: root.join("code"), log }
}

fn wait_ready(server: &PuppetServer, tls: &ServerTls, deadline: Instant) {
    let client = server.client(tls);
    loop {
        match client.flush_environment("production") {
            Ok(()) => return,
            Err(err) => {
                assert!(Instant::now() < deadline, "{} did not come up: {err}\n{}", server.name, std::fs::read_to_string(&server.log).unwrap_or_default());
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    }
}

/// The PKI and two puppetservers, started once per test binary.
pub fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("puppet-ci-deploy-tests-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Removes the folder when the test binary ends (the guard's stdin closes).
        start_guarded("sleep 86400", Path::new("/dev/null"), Some(&dir));
        let pki = make_pki(&dir);
        let start = Instant::now();
        let servers = vec![start_server(&dir, &pki, "ps1"), start_server(&dir, &pki, "ps2")];
        let deadline = Instant::now() + Duration::from_secs(300);
        for server in &servers {
            wait_ready(server, &pki.deployer, deadline);
        }
        let startup = start.elapsed();
        eprintln!("deploy tests: two puppetservers ready in {:.1} s", startup.as_secs_f64());
        World { dir, pki, servers, startup }
    })
}

/// A control repo in git with a `puppet-ci.yaml` whose deploy section names `masters`.
pub struct ControlRepo {
    pub root: PathBuf,
}

impl ControlRepo {
    pub fn new(dir: &Path, deploy_yaml: &str) -> Self {
        let root = dir.join("control-repo");
        write(&root.join("puppet-ci.yaml"), &format!("modulepath: [site, modules]\nmanifest: manifests\n{deploy_yaml}"));
        write(&root.join("environment.conf"), "modulepath = site:modules:$basemodulepath\nenvironment_timeout = unlimited\n");
        write(&root.join("site/profile/manifests/base.pp"), "class profile::base {\n  notify { 'profile::base': }\n}\n");
        write(&root.join(".gitignore"), ".puppet-ci/\n");
        git(dir, &["init", "--quiet", root.to_str().unwrap()]);
        Self { root }
    }

    /// `puppet-ci --root CONTROL_REPO`.
    pub fn cli(&self) -> Command {
        let mut command = bin();
        command.arg("--root").arg(&self.root);
        command
    }

    /// Commits a site.pp that makes the release recognisable (`release NAME` notify).
    pub fn commit(&self, name: &str, extra: &str) {
        write(&self.root.join("manifests/site.pp"), &format!("node default {{\n  include profile::base\n  notify {{ 'release {name}': }}\n{extra}}}\n"));
        git(&self.root, &["add", "-A"]);
        git(&self.root, &["commit", "--quiet", "-m", name]);
    }

    /// `puppet-ci package` at HEAD; returns (id, artifact path).
    pub fn package(&self) -> (String, PathBuf) {
        let (code, stdout, stderr) = run(self.cli().arg("package"));
        assert_eq!(code, 0, "{stdout}{stderr}");
        let (id, path) = stdout.trim().split_once(' ').unwrap();
        (id.to_string(), PathBuf::from(path))
    }
}

pub fn deploy_yaml(world: &World, masters: &[(&str, &PuppetServer)], extra: &str) -> String {
    let tls = &world.pki.deployer;
    let mut yaml = format!(
        "deploy:\n  keep_releases: 3\n  smoke: {{certname: node1.example.com}}\n  tls: {{ca: {}, cert: {}, key: {}}}\n  masters:\n",
        tls.ca.display(),
        tls.cert.display(),
        tls.key.display()
    );
    for (name, server) in masters {
        yaml.push_str(&format!("    - {{name: {name}, code_dir: {}, server: '{}', haproxy_server: puppet/{name}}}\n", server.code_dir.display(), server.url));
    }
    yaml.push_str(extra);
    yaml
}

/// The release a master serves for `environment`: a catalog's `version`.
pub fn served(server: &PuppetServer, environment: &str) -> String {
    let client = server.client(&world().pki.deployer);
    match client.compile(environment, "node1.example.com", &serde_json::json!({})) {
        Ok(catalog) => catalog.version,
        Err(err) => format!("error: {err}"),
    }
}

pub fn write_all(stdin: &mut ChildStdin, text: &str) {
    stdin.write_all(text.as_bytes()).unwrap();
}
