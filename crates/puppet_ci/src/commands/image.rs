//! `puppet-ci image`: build, list and prune the Debian base images the container stages
//! run in (built without a registry, reused by content key).

use puppet_ci_container::{ImageInfo, ImageSpec};

use crate::GlobalArgs;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: ImageCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum ImageCommand {
    /// Build the image of each role in puppet-ci.yaml (reused when it exists).
    Build {
        /// Only the image of this role (repeatable).
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        /// Build again even when an image with the same content key exists.
        #[arg(long)]
        rebuild: bool,
    },
    /// List the base images the Docker engine has.
    Ls,
    /// Remove the base images no role of puppet-ci.yaml uses (all with --all).
    Prune {
        #[arg(long)]
        all: bool,
    },
}

pub fn run(args: Args, global: &GlobalArgs) -> anyhow::Result<u8> {
    match args.command {
        ImageCommand::Build { roles, rebuild } => {
            let config = crate::output::load_config(global)?;
            if let Some(unknown) = roles.iter().find(|name| config.role(name).is_none()) {
                anyhow::bail!("no role {unknown} under `roles:` in {}", config.root.join(puppet_ci_config::FILE_NAME).display());
            }
            let mut specs: Vec<ImageSpec> = puppet_ci_container::image_specs_for(&config)
                .into_iter()
                .filter(|(role, _)| roles.is_empty() || roles.contains(role))
                .map(|(_, spec)| spec)
                .collect();
            specs.sort();
            specs.dedup();
            if specs.is_empty() {
                // Nothing built is not a success: a job that meant to prepare images did not.
                eprintln!("puppet-ci image build: nothing to build: no roles under `roles:` in puppet-ci.yaml");
                return Ok(crate::exit::FINDINGS);
            }
            let images = puppet_ci_container::build_images(&specs, rebuild, crate::args::stderr_progress())?;
            for image in &images {
                let how = match image.built_in {
                    Some(duration) => format!("built in {:.1}s", duration.as_secs_f64()),
                    None => "reused".to_string(),
                };
                println!("{}\t{}\t{how}", image.tag, human_size(image.size_bytes));
            }
            Ok(crate::exit::OK)
        }
        ImageCommand::Ls => {
            let images = puppet_ci_container::list_images()?;
            println!("TAG\tSIZE\tPACKAGES");
            for ImageInfo { tag, size_bytes, packages, .. } in &images {
                println!("{tag}\t{}\t{}", human_size(*size_bytes), packages.join(","));
            }
            Ok(crate::exit::OK)
        }
        ImageCommand::Prune { all } => {
            let keep: Vec<String> = if all {
                Vec::new()
            } else {
                let config = crate::output::load_config(global)?;
                puppet_ci_container::image_specs_for(&config).into_iter().map(|(_, spec)| spec.key()).collect()
            };
            for tag in puppet_ci_container::prune_images(&keep)? {
                println!("removed {tag}");
            }
            Ok(crate::exit::OK)
        }
    }
}

fn human_size(bytes: i64) -> String {
    format!("{:.0} MB", bytes as f64 / 1_000_000.0)
}
