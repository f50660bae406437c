//! Base images without a registry: a Debian root filesystem made by mmdebstrap (or
//! debootstrap) from the host's apt mirrors, security updates included, imported through
//! the engine API and tagged by a content key so it is built once and reused.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bollard::query_parameters::{CreateImageOptionsBuilder, ListImagesOptionsBuilder, RemoveImageOptionsBuilder};
use bollard::Docker;
use futures_util::StreamExt;
use puppet_ci_config::dynamic::Role;
use puppet_ci_config::Config;
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;

use crate::build_dir::BuildDir;
use crate::{apt_sources, engine, ContainerError, Progress};

/// The repository every base image is tagged in; the tag is `<suite>-<key>`.
pub const IMAGE_REPOSITORY: &str = "puppet-ci-base";

/// What every image holds besides the role's packages: Puppet, the `debian` service
/// provider's tools (`sysv-rc`), and what the checks run (`ss`, `pgrep`, `curl`).
pub const BASE_PACKAGES: &[&str] = &["puppet", "sysv-rc", "procps", "iproute2", "curl", "netbase"];

/// Bumped when the way images are built changes, so old images are not reused.
const RECIPE_VERSION: &str = "puppet-ci-image-1";

/// What goes into one image: its content key is derived from this alone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ImageSpec {
    pub suite: String,
    /// Every package, base packages included, sorted and without duplicates.
    pub packages: BTreeSet<String>,
    /// Apt sources besides the host's (`sources.list` lines).
    pub extra_sources: Vec<String>,
    /// A second image of the same content under another tag (`night`: tonight's rebuild,
    /// which replaces the cached image only after a green night).
    pub variant: Option<String>,
}

impl ImageSpec {
    pub fn new(suite: &str, role_packages: &[String]) -> Self {
        let mut packages: BTreeSet<String> = BASE_PACKAGES.iter().map(|name| name.to_string()).collect();
        packages.extend(role_packages.iter().map(|name| name.trim().to_string()).filter(|name| !name.is_empty()));
        Self { suite: suite.to_string(), packages, extra_sources: Vec::new(), variant: None }
    }

    /// The image of a role of `puppet-ci.yaml`.
    pub fn for_role(role: &Role) -> Self {
        Self { extra_sources: role.apt_sources.clone(), ..Self::new(&role.suite, &role.packages) }
    }

    /// The same image under a variant tag.
    #[must_use]
    pub fn with_variant(mut self, variant: Option<&str>) -> Self {
        self.variant = variant.map(str::to_string);
        self
    }

    /// A short hash of the recipe version, the suite, the package list and the extra sources.
    pub fn key(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(RECIPE_VERSION.as_bytes());
        hasher.update(b"\n");
        hasher.update(self.suite.as_bytes());
        for package in &self.packages {
            hasher.update(b"\n");
            hasher.update(package.as_bytes());
        }
        for source in &self.extra_sources {
            hasher.update(b"\nsource ");
            hasher.update(source.as_bytes());
        }
        hex::encode(hasher.finalize())[..12].to_string()
    }

    /// The tag of the image the stages use.
    pub fn base_tag(&self) -> String {
        format!("{IMAGE_REPOSITORY}:{}-{}", self.suite, self.key())
    }

    /// The tag of this spec: the base tag, or the variant's.
    pub fn tag(&self) -> String {
        match &self.variant {
            Some(variant) => format!("{}-{variant}", self.base_tag()),
            None => self.base_tag(),
        }
    }
}

/// The image each role of the config runs in, in the order of `roles:`.
pub fn image_specs_for(config: &Config) -> Vec<(String, ImageSpec)> {
    config.roles.iter().map(|role| (role.name.clone(), ImageSpec::for_role(role))).collect()
}

/// A base image the engine has.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    pub tag: String,
    pub key: String,
    pub suite: String,
    pub packages: Vec<String>,
    pub size_bytes: i64,
    /// Unix seconds.
    pub created: i64,
    /// How the image came to be in this call: built (with the seconds it took) or reused.
    pub built_in: Option<Duration>,
}

/// Builds (or, when an image with the same key exists and `rebuild` is false, reuses) the
/// images of every spec, one after the other.
pub fn build_images(specs: &[ImageSpec], rebuild: bool, progress: Progress) -> Result<Vec<ImageInfo>, ContainerError> {
    crate::block_on(async {
        let docker = engine::connect().await?;
        let mut infos = Vec::new();
        for spec in specs {
            // A signal drops the build half-way; its build folder tears down as it is dropped.
            let info = tokio::select! {
                info = ensure_image(&docker, spec, rebuild, &progress) => info?,
                signal = crate::interrupt::received() => return Err(ContainerError::Interrupted { signal }),
            };
            infos.push(info);
        }
        Ok(infos)
    })
}

/// Makes tonight's images the ones the stages use: each spec's variant image is tagged
/// with the base tag (the old image keeps running containers, untagged, until pruned),
/// and the variant tag is removed. Returns the tags promoted.
pub fn promote_variant(specs: &[ImageSpec]) -> Result<Vec<String>, ContainerError> {
    crate::block_on(async {
        let docker = engine::connect().await?;
        let mut promoted = Vec::new();
        for spec in specs.iter().filter(|spec| spec.variant.is_some()) {
            let (variant_tag, base_tag) = (spec.tag(), spec.base_tag());
            let (repository, tag) = base_tag.split_once(':').unwrap_or((IMAGE_REPOSITORY, "latest"));
            let options = bollard::query_parameters::TagImageOptionsBuilder::new().repo(repository).tag(tag).build();
            docker.tag_image(&variant_tag, Some(options)).await.map_err(ContainerError::docker(format!("tagging {variant_tag} as {base_tag}")))?;
            docker
                .remove_image(&variant_tag, Some(RemoveImageOptionsBuilder::new().noprune(true).build()), None)
                .await
                .map_err(ContainerError::docker(format!("removing the tag {variant_tag}")))?;
            promoted.push(base_tag);
        }
        Ok(promoted)
    })
}

/// Removes the variant images of `specs` (after a red night): the cached images stay as
/// they were.
pub fn discard_variant(specs: &[ImageSpec]) -> Result<Vec<String>, ContainerError> {
    crate::block_on(async {
        let docker = engine::connect().await?;
        let mut removed = Vec::new();
        for spec in specs.iter().filter(|spec| spec.variant.is_some()) {
            let tag = spec.tag();
            match docker.remove_image(&tag, Some(RemoveImageOptionsBuilder::new().force(true).build()), None).await {
                Ok(_) => removed.push(tag),
                Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => {}
                Err(source) => return Err(ContainerError::Docker { context: format!("removing {tag}"), source }),
            }
        }
        Ok(removed)
    })
}

/// The base images the engine has, newest first.
pub fn list_images() -> Result<Vec<ImageInfo>, ContainerError> {
    crate::block_on(async {
        let docker = engine::connect().await?;
        base_images(&docker).await
    })
}

/// Removes the base images whose key is not in `keep`; returns the tags removed.
pub fn prune_images(keep: &[String]) -> Result<Vec<String>, ContainerError> {
    crate::block_on(async {
        let docker = engine::connect().await?;
        let mut removed = Vec::new();
        for image in base_images(&docker).await? {
            if keep.contains(&image.key) {
                continue;
            }
            docker
                .remove_image(&image.tag, Some(RemoveImageOptionsBuilder::new().build()), None)
                .await
                .map_err(ContainerError::docker(format!("removing {}", image.tag)))?;
            removed.push(image.tag);
        }
        // Images a rebuild left without their tag.
        let filters = HashMap::from([
            ("label".to_string(), vec!["puppet-ci.image=base".to_string()]),
            ("dangling".to_string(), vec!["true".to_string()]),
        ]);
        let dangling = docker
            .list_images(Some(ListImagesOptionsBuilder::new().filters(&filters).build()))
            .await
            .map_err(ContainerError::docker("listing images"))?;
        for image in dangling {
            if docker.remove_image(&image.id, Some(RemoveImageOptionsBuilder::new().build()), None).await.is_ok() {
                removed.push(image.id);
            }
        }
        Ok(removed)
    })
}

async fn base_images(docker: &Docker) -> Result<Vec<ImageInfo>, ContainerError> {
    let filters = HashMap::from([("label".to_string(), vec!["puppet-ci.image=base".to_string()])]);
    let summaries = docker
        .list_images(Some(ListImagesOptionsBuilder::new().filters(&filters).build()))
        .await
        .map_err(ContainerError::docker("listing images"))?;
    let mut images: Vec<ImageInfo> = summaries
        .into_iter()
        .flat_map(|summary| {
            let labels = summary.labels.clone();
            summary
                .repo_tags
                .clone()
                .into_iter()
                .filter(|tag| tag.starts_with(&format!("{IMAGE_REPOSITORY}:")))
                .map(move |tag| ImageInfo {
                    // The tag says which key the image stands for (a retag may differ from its label).
                    key: tag.rsplit_once('-').map(|(_, key)| key.to_string()).unwrap_or_default(),
                    tag,
                    suite: labels.get("puppet-ci.suite").cloned().unwrap_or_default(),
                    packages: labels
                        .get("puppet-ci.packages")
                        .map(|list| list.split(',').map(String::from).collect())
                        .unwrap_or_default(),
                    size_bytes: summary.size,
                    created: summary.created,
                    built_in: None,
                })
        })
        .collect();
    images.sort_by(|a, b| b.created.cmp(&a.created).then(a.tag.cmp(&b.tag)));
    Ok(images)
}

/// The image of `spec`: reused when the engine has it, else built under a lock so that
/// two runs at once build it once.
pub(crate) async fn ensure_image(
    docker: &Docker,
    spec: &ImageSpec,
    rebuild: bool,
    progress: &Progress,
) -> Result<ImageInfo, ContainerError> {
    let tag = spec.tag();
    if !rebuild {
        if let Some(info) = existing(docker, spec).await? {
            progress(&format!("image {tag}: reused"));
            return Ok(info);
        }
    }
    let lock_path = std::env::temp_dir().join(format!("puppet-ci-image-{}.lock", spec.key()));
    let lock = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path).map_err(ContainerError::io(&lock_path))?;
    // Polled rather than waited for in a blocking thread: a signal must be able to stop the wait.
    while !fs4::fs_std::FileExt::try_lock_exclusive(&lock).map_err(ContainerError::io(&lock_path))? {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Another run may have built it while this one waited for the lock.
    if !rebuild {
        if let Some(info) = existing(docker, spec).await? {
            progress(&format!("image {tag}: reused (built by another run)"));
            return Ok(info);
        }
    }
    let previous = docker.inspect_image(&tag).await.ok().and_then(|image| image.id);
    let started = Instant::now();
    progress(&format!("image {tag}: building {} packages from the host's apt sources", spec.packages.len()));
    // Everything the build writes goes in one folder, removed (after its processes are
    // stopped and its mounts undone) however the build ends: done, failed, or dropped
    // half-way by a signal.
    let build = BuildDir::create(&spec.key())?;
    let tarball = build.path().join("rootfs.tar");
    let result = async {
        make_rootfs(spec, &build, &tarball, &tag, progress).await?;
        progress(&format!("image {tag}: root filesystem made in {:.1}s, importing", started.elapsed().as_secs_f64()));
        import(docker, spec, &tarball).await
    }
    .await;
    let teardown = build.teardown();
    drop(lock);
    result?;
    teardown.map_err(|message| ContainerError::ImageBuild { tag: tag.clone(), message })?;
    let built_in = started.elapsed();
    progress(&format!("image {tag}: built in {:.1}s", built_in.as_secs_f64()));
    let mut info = existing(docker, spec)
        .await?
        .ok_or_else(|| ContainerError::ImageBuild { tag: tag.clone(), message: "the engine does not list the imported image".into() })?;
    info.built_in = Some(built_in);
    // A rebuild leaves the old image untagged: remove it unless a container still uses it.
    if let Some(previous) = previous {
        let _ = docker.remove_image(&previous, Some(RemoveImageOptionsBuilder::new().build()), None).await;
    }
    Ok(info)
}

async fn existing(docker: &Docker, spec: &ImageSpec) -> Result<Option<ImageInfo>, ContainerError> {
    let tag = spec.tag();
    match docker.inspect_image(&tag).await {
        Ok(image) => Ok(Some(ImageInfo {
            tag,
            key: spec.key(),
            suite: spec.suite.clone(),
            packages: spec.packages.iter().cloned().collect(),
            size_bytes: image.size.unwrap_or_default(),
            created: 0,
            built_in: None,
        })),
        Err(bollard::errors::Error::DockerResponseServerError { status_code: 404, .. }) => Ok(None),
        Err(source) => Err(ContainerError::Docker { context: format!("inspecting {tag}"), source }),
    }
}

/// A program on `PATH` (root's `PATH` holds `/usr/sbin`, where debootstrap lives).
fn find_tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| candidate.is_file())
}

/// Writes the image's root filesystem as a tarball at `tarball`, its tools' temporary
/// files in `build`.
async fn make_rootfs(spec: &ImageSpec, build: &BuildDir, tarball: &Path, tag: &str, progress: &Progress) -> Result<(), ContainerError> {
    let sources = apt_sources::host_sources_for(Path::new("/"), &spec.suite);
    if sources.is_empty() {
        let searched: Vec<String> =
            apt_sources::source_files(Path::new("/")).iter().map(|path| path.display().to_string()).collect();
        return Err(ContainerError::NoAptSource {
            suite: spec.suite.clone(),
            searched: if searched.is_empty() { "/etc/apt (no source files)".into() } else { searched.join(", ") },
        });
    }
    let include = spec.packages.iter().cloned().collect::<Vec<_>>().join(",");
    if let Some(mmdebstrap) = find_tool("mmdebstrap") {
        let mut command = tokio::process::Command::new(mmdebstrap);
        command.args([
            "--variant=minbase",
            "--mode=auto",
            &format!("--include={include}"),
            "--aptopt=Acquire::Retries \"3\"",
            "--dpkgopt=path-exclude=/usr/share/doc/*",
            "--dpkgopt=path-exclude=/usr/share/man/*",
            "--dpkgopt=path-exclude=/usr/share/info/*",
            &spec.suite,
        ]);
        // A night's image keeps apt's package lists, so that the night can tell which
        // repository each installed package came from.
        if spec.variant.is_some() {
            command.arg("--skip=cleanup/apt/lists");
        }
        // dpkg without fsync: the image is written once, as a whole, at the end. The hook
        // runs dpkg-architecture (dpkg-dev), which a fresh machine with mmdebstrap lacks:
        // without it the hook fails the build, so it is used only when it can run.
        let eatmydata = Path::new("/usr/share/mmdebstrap/hooks/eatmydata");
        if eatmydata.is_dir() && find_tool("dpkg-architecture").is_some() {
            command.arg(format!("--hook-dir={}", eatmydata.display()));
        }
        command.arg(tarball);
        command.args(sources.iter().map(apt_sources::AptSource::line));
        command.args(&spec.extra_sources);
        return build.run_tool(command, tag, progress).await;
    }
    let Some(debootstrap) = find_tool("debootstrap") else { return Err(ContainerError::NoBootstrapTool) };
    if !spec.extra_sources.is_empty() {
        return Err(ContainerError::ImageBuild {
            tag: tag.to_string(),
            message: "a role's apt_sources need mmdebstrap (debootstrap installs from one mirror): apt-get install mmdebstrap".into(),
        });
    }
    // debootstrap takes one mirror: install from the first, then upgrade from all of them
    // (security updates included) inside the new root.
    let root = &build.path().join("root");
    async {
        let mut command = tokio::process::Command::new(debootstrap);
        command.args(["--variant=minbase", &format!("--include={include}"), &spec.suite]);
        command.arg(root).arg(&sources[0].uri);
        build.run_tool(command, tag, progress).await?;
        let lines: Vec<String> = sources.iter().map(apt_sources::AptSource::line).collect();
        let list = root.join("etc/apt/sources.list");
        std::fs::write(&list, lines.join("\n") + "\n").map_err(ContainerError::io(&list))?;
        let mut upgrade = tokio::process::Command::new("chroot");
        // The new root's own PATH, not the caller's.
        upgrade.env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        upgrade.arg(root).args(["/bin/sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -y -qq dist-upgrade && apt-get clean"]);
        build.run_tool(upgrade, tag, progress).await?;
        let mut pack = tokio::process::Command::new("tar");
        pack.arg("-C").arg(root).args(["--numeric-owner", "-cf"]).arg(tarball).arg(".");
        build.run_tool(pack, tag, progress).await
    }
    .await
}

/// Imports the tarball through `POST /images/create?fromSrc=-`, streamed from the file.
async fn import(docker: &Docker, spec: &ImageSpec, tarball: &Path) -> Result<(), ContainerError> {
    let tag = spec.tag();
    let (repository, tag_part) = tag.split_once(':').unwrap_or((&tag, "latest"));
    let packages = spec.packages.iter().cloned().collect::<Vec<_>>().join(",");
    let changes = vec![
        "LABEL puppet-ci.image=base".to_string(),
        format!("LABEL puppet-ci.key={}", spec.key()),
        format!("LABEL puppet-ci.suite={}", spec.suite),
        format!("LABEL puppet-ci.packages={packages}"),
        "CMD [\"sleep\", \"infinity\"]".to_string(),
    ];
    let options = CreateImageOptionsBuilder::new().from_src("-").repo(repository).tag(tag_part).changes(changes).build();
    let file = tokio::fs::File::open(tarball).await.map_err(ContainerError::io(tarball))?;
    let body = futures_util::stream::unfold(file, |mut file| async move {
        let mut buffer = vec![0u8; 1 << 20];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(read) => {
                buffer.truncate(read);
                Some((Ok(buffer.into()), file))
            }
            Err(err) => Some((Err(err), file)),
        }
    });
    let mut stream = docker.create_image(Some(options), Some(bollard::body_try_stream(body)), None);
    while let Some(item) = stream.next().await {
        item.map_err(ContainerError::docker(format!("importing {tag}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_depends_on_suite_and_package_set_not_order() {
        let a = ImageSpec::new("bookworm", &["apache2".into(), "supervisor".into()]);
        let b = ImageSpec::new("bookworm", &["supervisor".into(), "apache2".into(), "apache2".into()]);
        let c = ImageSpec::new("trixie", &["apache2".into(), "supervisor".into()]);
        let d = ImageSpec::new("bookworm", &["apache2".into()]);
        assert_eq!(a.key(), b.key());
        assert_ne!(a.key(), c.key());
        assert_ne!(a.key(), d.key());
        assert_eq!(a.tag(), format!("puppet-ci-base:bookworm-{}", a.key()));
        assert!(a.packages.contains("puppet") && a.packages.contains("sysv-rc"));
    }

    #[test]
    fn the_readable_recipe_installs_the_same_base_packages() {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ci/image/build-rootfs.sh");
        let text = std::fs::read_to_string(&script).unwrap();
        let line = text.lines().find(|line| line.starts_with("base_packages=(")).expect("ci/image/build-rootfs.sh lists base_packages");
        assert_eq!(line, format!("base_packages=({})", BASE_PACKAGES.join(" ")));
    }
}
