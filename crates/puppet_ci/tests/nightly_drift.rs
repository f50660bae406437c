//! `puppet-ci nightly` for real: base images rebuilt by mmdebstrap from the host's apt
//! sources plus a local apt repository served on loopback by this test, holding a package
//! built with dpkg-deb. Night 1 installs version 1.0; the repository moves to 2.0 and night
//! 2 reports that package's drift for the role that installs it; in night 3 the package is
//! gone: the rebuild fails with a line naming the package and the role, and the last good
//! images stay. A fourth night interrupted midway records nothing and leaves the images,
//! the history and no container behind.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

const PACKAGE: &str = "pci-drift-test";

/// A flat apt repository served over HTTP on 127.0.0.1 by a thread of this test.
struct AptRepository {
    folder: PathBuf,
    port: u16,
}

impl AptRepository {
    fn start(folder: PathBuf) -> AptRepository {
        std::fs::create_dir_all(&folder).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let root = Arc::new(Mutex::new(folder.clone()));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.lock().unwrap().clone();
                std::thread::spawn(move || serve(stream, &root));
            }
        });
        AptRepository { folder, port }
    }

    fn source_line(&self) -> String {
        format!("deb [trusted=yes] http://127.0.0.1:{}/ ./", self.port)
    }

    /// Publishes exactly these `.deb` files (none: an empty repository).
    fn publish(&self, debs: &[&Path]) {
        for entry in std::fs::read_dir(&self.folder).unwrap() {
            std::fs::remove_file(entry.unwrap().path()).unwrap();
        }
        let mut packages = String::new();
        for deb in debs {
            let name = deb.file_name().unwrap().to_string_lossy().into_owned();
            std::fs::copy(deb, self.folder.join(&name)).unwrap();
            let control = Command::new("dpkg-deb").arg("-f").arg(deb).output().unwrap();
            let bytes = std::fs::read(deb).unwrap();
            packages.push_str(String::from_utf8_lossy(&control.stdout).trim_end());
            packages.push_str(&format!("\nFilename: ./{name}\nSize: {}\nSHA256: {}\n\n", bytes.len(), sha256(&bytes)));
        }
        std::fs::write(self.folder.join("Packages"), &packages).unwrap();
        let release = format!("Origin: puppet-ci-test\nLabel: puppet-ci-test\nSHA256:\n {} {} Packages\n", sha256(packages.as_bytes()), packages.len());
        std::fs::write(self.folder.join("Release"), release).unwrap();
    }
}

fn sha256(bytes: &[u8]) -> String {
    let mut child = Command::new("sha256sum").stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(bytes).unwrap();
    let output = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&output.stdout).split_whitespace().next().unwrap().to_string()
}

fn serve(mut stream: std::net::TcpStream, root: &Path) {
    let mut request = String::new();
    if BufReader::new(&stream).read_line(&mut request).is_err() {
        return;
    }
    let path = request.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_string();
    let file = root.join(path.trim_start_matches("./"));
    let head = request.starts_with("HEAD ");
    match std::fs::read(&file).ok().filter(|_| !path.contains("..") && !path.is_empty()) {
        Some(body) => {
            let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            if !head {
                let _ = stream.write_all(&body);
            }
        }
        None => {
            let _ = write!(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    }
}

/// Builds `pci-drift-test_VERSION_all.deb`: a script that prints its version.
fn build_deb(dir: &Path, version: &str) -> PathBuf {
    let root = dir.join(format!("pkg-{version}"));
    std::fs::create_dir_all(root.join("DEBIAN")).unwrap();
    std::fs::create_dir_all(root.join("usr/bin")).unwrap();
    let control = format!("Package: {PACKAGE}\nVersion: {version}\nArchitecture: all\nMaintainer: puppet-ci tests <tests@example.com>\nDescription: a package whose version moves between nights\n");
    std::fs::write(root.join("DEBIAN/control"), control).unwrap();
    let script = root.join(format!("usr/bin/{PACKAGE}"));
    std::fs::write(&script, format!("#!/bin/sh\necho {PACKAGE} {version}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let deb = dir.join(format!("{PACKAGE}_{version}_all.deb"));
    let output = Command::new("dpkg-deb").args(["--root-owner-group", "--build"]).arg(&root).arg(&deb).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    deb
}

fn control_repo(dir: &Path, source_line: &str) -> PathBuf {
    let root = dir.join("control-repo");
    std::fs::create_dir_all(root.join("manifests")).unwrap();
    std::fs::create_dir_all(root.join("site/role/manifests")).unwrap();
    std::fs::write(root.join("manifests/site.pp"), "node default { include role::drift }\n").unwrap();
    std::fs::write(
        root.join("site/role/manifests/drift.pp"),
        format!("class role::drift {{\n  package {{ '{PACKAGE}': ensure => installed }}\n  file {{ '/etc/drift-marker': content => \"managed\\n\" }}\n}}\n"),
    )
    .unwrap();
    std::fs::write(root.join("hiera.yaml"), "---\nversion: 5\n").unwrap();
    let yaml = format!(
        "roles:\n  - name: role::drift\n    packages: [{PACKAGE}]\n    apt_sources: [\"{source_line}\"]\n    checks:\n      - command: {{run: \"{PACKAGE}\", output: \"^{PACKAGE} \"}}\n      - file: {{path: /etc/drift-marker, content: managed}}\nnightly:\n  keep: 10\n"
    );
    std::fs::write(root.join("puppet-ci.yaml"), yaml).unwrap();
    root
}

fn night(root: &Path, history: &Path, json: &Path) -> (i32, String, serde_json::Value) {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_puppet-ci"))
        .arg("--root")
        .arg(root)
        .arg("nightly")
        .arg("--history")
        .arg(history)
        .arg("--json")
        .arg(json)
        .args(["--check-timeout", "20"])
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    let report = std::fs::read_to_string(json).ok().and_then(|text| serde_json::from_str(&text).ok()).unwrap_or(serde_json::Value::Null);
    (output.status.code().unwrap_or(-1), text, report)
}

fn image_id(tag: &str) -> Option<String> {
    let output = Command::new("docker").args(["image", "inspect", "--format", "{{.Id}}", tag]).output().ok()?;
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).trim().to_string())
}

fn nights_in(history: &Path) -> usize {
    std::fs::read_dir(history).map(|entries| entries.filter(|entry| entry.as_ref().unwrap().path().extension().is_some_and(|e| e == "json")).count()).unwrap_or(0)
}

#[test]
fn nights_report_package_drift_and_keep_the_last_good_images() {
    let dir = tempfile::tempdir().unwrap();
    let repository = AptRepository::start(dir.path().join("apt"));
    let v1 = build_deb(dir.path(), "1.0");
    let v2 = build_deb(dir.path(), "2.0");
    let root = control_repo(dir.path(), &repository.source_line());
    let history = dir.path().join("history");
    let role = puppet_ci_config::Config::load(&root).unwrap().roles.remove(0);
    let base_tag = puppet_ci_container::ImageSpec::for_role(&role).base_tag();

    // Night 1: version 1.0; nothing to compare with yet.
    repository.publish(&[&v1]);
    let (code, text, report) = night(&root, &history, &dir.path().join("night1.json"));
    assert_eq!(code, 0, "{text}");
    let packages = report["night"]["roles"][0]["packages"].as_array().unwrap();
    let ours = packages.iter().find(|package| package["name"] == PACKAGE).unwrap();
    assert_eq!(ours["version"], "1.0");
    assert!(packages.len() > 50, "the whole installed system is recorded: {}", packages.len());
    assert!(text.contains("no earlier good night to compare with"), "{text}");
    let night1_image = image_id(&base_tag).expect("night 1's image is the cached one");

    // Night 2: the repository moved to 2.0.
    repository.publish(&[&v2]);
    let (code, text, report) = night(&root, &history, &dir.path().join("night2.json"));
    assert_eq!(code, 3, "green with drift: {text}");
    assert!(text.contains(&format!("package {PACKAGE} 1.0 -> 2.0 (role::drift)")), "{text}");
    let drift = report["drift"].as_array().unwrap();
    assert!(drift.iter().any(|item| item["kind"] == "package_moved" && item["package"] == PACKAGE && item["roles"] == serde_json::json!(["role::drift"])), "{drift:?}");
    let night2_image = image_id(&base_tag).expect("night 2's image is the cached one");
    assert_ne!(night1_image, night2_image, "a green night replaces the cached image");

    // Night 3: the package is gone from the repository.
    repository.publish(&[]);
    let (code, text, report) = night(&root, &history, &dir.path().join("night3.json"));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains(&format!("package {PACKAGE} is not in today's repositories (needed by role::drift)")), "{text}");
    assert_eq!(report["night"]["green"], false);
    assert_eq!(image_id(&base_tag), Some(night2_image.clone()), "a red night keeps the last good image");
    assert_eq!(image_id(&format!("{base_tag}-night")), None, "tonight's image is removed after a red night");
    assert_eq!(nights_in(&history), 3);

    // Night 4, interrupted while it applies: nothing recorded, nothing left running.
    repository.publish(&[&v2]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_puppet-ci"))
        .arg("--root")
        .arg(&root)
        .arg("nightly")
        .arg("--history")
        .arg(&history)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    for line in BufReader::new(stderr).lines() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.contains("started from") {
            let _ = Command::new("kill").args(["-INT", &child.id().to_string()]).status();
            break;
        }
    }
    let status = child.wait().unwrap();
    assert!(!status.success(), "an interrupted night fails: {seen}");
    assert_eq!(nights_in(&history), 3, "an interrupted night records nothing");
    assert_eq!(image_id(&base_tag), Some(night2_image), "the cached image stays");
    let left = Command::new("docker").args(["ps", "-a", "--filter", "label=puppet-ci.role=role::drift", "--format", "{{.Names}}"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&left.stdout).trim(), "", "no container is left");
}
