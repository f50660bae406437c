//! Embeds the bundled fact sets (`facts/<facter version>/<name>.facts` at the top of the
//! workspace) so that `--facts debian-12-x86_64` works from any folder.

use std::fmt::Write;
use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let facts_dir = manifest_dir.join("../../facts");
    println!("cargo:rerun-if-changed={}", facts_dir.display());
    let mut sets = Vec::new();
    for version in std::fs::read_dir(&facts_dir).expect("the workspace has a facts/ folder") {
        let version = version.expect("facts/ is readable").path();
        if !version.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", version.display());
        let version_name = version.file_name().unwrap().to_string_lossy().into_owned();
        for file in std::fs::read_dir(&version).expect("a facts/ version folder is readable") {
            let file = file.expect("a facts/ version folder is readable").path();
            if file.extension().is_some_and(|extension| extension == "facts") {
                let name = file.file_stem().unwrap().to_string_lossy().into_owned();
                sets.push((version_name.clone(), name, file.canonicalize().expect("a fact file has a path")));
            }
        }
    }
    sets.sort();
    let mut code = String::from("/// Every bundled set: facter version folder, name, the file's text.\npub(crate) static BUNDLED: &[(&str, &str, &str)] = &[\n");
    for (version, name, path) in &sets {
        writeln!(code, "    ({version:?}, {name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
