//! Each stage of [`crate::STAGES`]: what it needs, whether it has work, how it runs.

use puppet_ci_report::StageReport;

use crate::{Context, DeployRequest, Need, PipelineError, Stage, Work};

pub(crate) const VALIDATE: Stage = Stage {
    name: "validate",
    about: "Puppet syntax and Puppet's own checks of every manifest and template; one case per file",
    needs: &[],
    work: validate_work,
    run: |ctx| Ok(puppet_ci_validate::stage(ctx.config)?),
};

pub(crate) const LINT: Stage = Stage {
    name: "lint",
    about: "puppet-lint's 40 checks over every manifest (.puppet-lint.rc and `lint:` in puppet-ci.yaml); one case per file",
    needs: &[],
    work: |ctx| {
        Ok(if puppet_lint::command::has_work(ctx.config) {
            Work::Run
        } else {
            Work::Nothing(format!("no .pp files in the manifest or module folders of {}", ctx.config.root.display()))
        })
    },
    run: |ctx| Ok(puppet_lint::command::stage(ctx.config)?),
};

pub(crate) const CATALOG: Stage = Stage {
    name: "catalog",
    about: "every role compiled against every fact set, graph checks, module tests and snapshots; cases per role and fact set",
    needs: &[],
    work: |ctx| Ok(match puppet_ci_catalog::has_work(ctx.config) {
        None => Work::Run,
        Some(reason) => Work::Nothing(reason),
    }),
    run: |ctx| Ok(puppet_ci_catalog::stage(ctx.config, &ctx.catalog)?),
};

pub(crate) const DYNAMIC: Stage = Stage {
    name: "dynamic",
    about: "each role applied twice in a container of its own, then its checks; cases per role and check",
    needs: &[Need::DockerEngine, Need::DebianAptSources],
    work: dynamic_work,
    run: |ctx| Ok(puppet_ci_container::run_dynamic(ctx.config, &dynamic_roles(ctx), &ctx.container)?),
};

/// The roles of the dynamic stage in this partition (all of them without `--partition`).
pub(crate) fn dynamic_roles(ctx: &Context<'_>) -> Vec<String> {
    let roles = ctx.config.roles.iter().map(|role| role.name.clone());
    match ctx.catalog.partition {
        Some(partition) => partition.select(roles),
        None => roles.collect(),
    }
}

fn dynamic_work(ctx: &Context<'_>) -> Result<Work, PipelineError> {
    if ctx.config.roles.is_empty() {
        return Ok(Work::Nothing("no roles under `roles:` in puppet-ci.yaml".to_string()));
    }
    match ctx.catalog.partition {
        Some(partition) if dynamic_roles(ctx).is_empty() => Ok(Work::Gated(format!("partition {partition} has no roles"))),
        _ => Ok(Work::Run),
    }
}

pub(crate) const INTEGRATION: Stage = Stage {
    name: "integration",
    about: "the nodes of `integration:` on one network, checked from one another",
    needs: &[Need::DockerEngine, Need::DebianAptSources],
    work: |ctx| Ok(if ctx.config.integration.is_none() { Work::Nothing("no `integration:` in puppet-ci.yaml".to_string()) } else { Work::Run }),
    run: |ctx| Ok(puppet_ci_container::run_integration(ctx.config, &ctx.container)?),
};

pub(crate) const DEPLOY: Stage = Stage {
    name: "deploy",
    about: "the control repo at the deploy branch, packaged and deployed to every master; cases per step",
    needs: &[Need::DeployTargets],
    work: deploy_work,
    run: deploy_run,
};

fn validate_work(ctx: &Context<'_>) -> Result<Work, PipelineError> {
    if !puppet_ci_validate::control_repo_targets(ctx.config)?.is_empty() {
        return Ok(Work::Run);
    }
    let mut places = vec![ctx.config.manifest.display().to_string()];
    places.extend(ctx.config.modulepath.iter().map(|folder| folder.display().to_string()));
    Ok(Work::Nothing(format!("no .pp or .epp files in {} (relative to {})", places.join(", "), ctx.config.root.display())))
}

fn deploy_branch(ctx: &Context<'_>) -> Option<String> {
    ctx.deploy.branch.clone().or_else(|| crate::current_branch(&ctx.config.root))
}

fn deploy_work(ctx: &Context<'_>) -> Result<Work, PipelineError> {
    if !ctx.deploy.requested {
        return Ok(Work::Gated("--deploy was not given".to_string()));
    }
    let deploy_branch_name = ctx.config.deploy.as_ref().map_or(puppet_ci_config::deploy::DEFAULT_BRANCH, |deploy| deploy.branch.as_str());
    let Some(branch) = deploy_branch(ctx) else {
        return Err(PipelineError::Usage("cannot tell which branch is being built: pass --branch".to_string()));
    };
    if branch != deploy_branch_name {
        return Ok(Work::Gated(format!("branch {branch} is not the deploy branch {deploy_branch_name}")));
    }
    Ok(Work::Run)
}

fn deploy_run(ctx: &Context<'_>) -> Result<StageReport, PipelineError> {
    let branch = deploy_branch(ctx).ok_or_else(|| PipelineError::Usage("cannot tell which branch is being built: pass --branch".to_string()))?;
    let request = DeployRequest { reference: Some(branch.clone()), branch: Some(branch), ..DeployRequest::default() };
    Ok(crate::deploy(ctx.config, &request)?.stage)
}
