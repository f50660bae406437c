//! Copies the control repo into a container as Puppet's `production` environment: a tar
//! archive made in memory, uploaded through the archive API.

use std::path::Path;

use crate::run::Run;
use crate::ContainerError;

/// Where Debian's Puppet looks for the `production` environment.
pub(crate) const ENVIRONMENT_DIR: &str = "/etc/puppet/code/environments/production";

/// The control repo as a tar archive whose entries sit under `ENVIRONMENT_DIR`, leaving
/// out hidden entries (`.git`) and build output (`target`).
pub(crate) fn control_repo_archive(root: &Path) -> Result<Vec<u8>, ContainerError> {
    let mut builder = tar::Builder::new(Vec::new());
    builder.mode(tar::HeaderMode::Deterministic);
    let prefix = Path::new(ENVIRONMENT_DIR.trim_start_matches('/'));
    let mut ancestors: Vec<&Path> = prefix.ancestors().filter(|path| !path.as_os_str().is_empty()).collect();
    ancestors.reverse();
    for dir in ancestors {
        append_dir(&mut builder, dir)?;
    }
    append_tree(&mut builder, root, root, prefix)?;
    builder.into_inner().map_err(ContainerError::io(root))
}

fn append_dir(builder: &mut tar::Builder<Vec<u8>>, name: &Path) -> Result<(), ContainerError> {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(tar::EntryType::Directory);
    header.set_mode(0o755);
    header.set_size(0);
    builder.append_data(&mut header, name, std::io::empty()).map_err(ContainerError::io(name))
}

fn append_tree(builder: &mut tar::Builder<Vec<u8>>, root: &Path, dir: &Path, prefix: &Path) -> Result<(), ContainerError> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(ContainerError::io(dir))?
        .collect::<Result<_, _>>()
        .map_err(ContainerError::io(dir))?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        let file_name = entry.file_name();
        let name = file_name.to_string_lossy();
        if name.starts_with('.') || (dir == root && name == "target") {
            continue;
        }
        let path = entry.path();
        let relative = path.strip_prefix(root).expect("walked paths are under the root");
        let archived = prefix.join(relative);
        if path.is_dir() {
            append_dir(builder, &archived)?;
            append_tree(builder, root, &path, prefix)?;
        } else if path.is_file() {
            builder.append_path_with_name(&path, &archived).map_err(ContainerError::io(&path))?;
        }
    }
    Ok(())
}

/// Uploads the control repo at `root` into `container`.
pub(crate) async fn upload_control_repo(run: &Run, container: &str, root: &Path) -> Result<(), ContainerError> {
    let archive = control_repo_archive(root)?;
    let options = bollard::query_parameters::UploadToContainerOptionsBuilder::new().path("/").build();
    run.docker
        .upload_to_container(container, Some(options), bollard::body_full(archive.into()))
        .await
        .map_err(ContainerError::docker(format!("copying {} into {container}", root.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_holds_the_repo_under_the_environment_without_hidden_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("site/role/manifests")).unwrap();
        std::fs::write(dir.path().join("site/role/manifests/web.pp"), "class role::web {}\n").unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::write(dir.path().join(".git/HEAD"), "ref").unwrap();
        std::fs::write(dir.path().join("hiera.yaml"), "---\n").unwrap();
        let archive = control_repo_archive(dir.path()).unwrap();
        let mut names: Vec<String> = tar::Archive::new(archive.as_slice())
            .entries()
            .unwrap()
            .map(|entry| entry.unwrap().path().unwrap().display().to_string())
            .collect();
        names.retain(|name| name.contains("production"));
        assert_eq!(
            names,
            vec![
                "etc/puppet/code/environments/production",
                "etc/puppet/code/environments/production/hiera.yaml",
                "etc/puppet/code/environments/production/site",
                "etc/puppet/code/environments/production/site/role",
                "etc/puppet/code/environments/production/site/role/manifests",
                "etc/puppet/code/environments/production/site/role/manifests/web.pp",
            ]
        );
    }
}
