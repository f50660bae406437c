//! One run's containers and network: each labelled `puppet-ci.run=<id>`, tracked, and
//! removed at the end whatever happened (error, timeout, Ctrl-C) unless `--keep`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bollard::models::{ContainerCreateBody, EndpointSettings, HostConfig, NetworkCreateRequest, NetworkingConfig};
use bollard::query_parameters::{
    CreateContainerOptionsBuilder, ListContainersOptionsBuilder, ListNetworksOptionsBuilder, RemoveContainerOptionsBuilder,
};
use bollard::Docker;

use crate::ContainerError;

/// The label every container and network of a run carries.
pub(crate) const RUN_LABEL: &str = "puppet-ci.run";

#[derive(Clone)]
pub(crate) struct Run {
    pub docker: Docker,
    /// Unique per run: `<pid>-<nanos>`, so parallel runs never touch each other.
    pub id: String,
    containers: Arc<Mutex<Vec<String>>>,
    networks: Arc<Mutex<Vec<String>>>,
    /// Numbers the commands run in the containers, for their process group files.
    execs: Arc<std::sync::atomic::AtomicU64>,
}

/// What a container of a run is started as.
pub(crate) struct ContainerSpec<'a> {
    pub image: &'a str,
    /// Short, unique in the run: becomes part of the container's name.
    pub name: &'a str,
    pub hostname: &'a str,
    pub network: Option<&'a str>,
    /// Extra labels (`puppet-ci.role`).
    pub labels: Vec<(String, String)>,
}

impl Run {
    pub fn new(docker: Docker) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.subsec_nanos())
            .unwrap_or_default();
        Self {
            docker,
            id: format!("{}-{nanos:x}", std::process::id()),
            containers: Arc::default(),
            networks: Arc::default(),
            execs: Arc::default(),
        }
    }

    /// A number no other command of the run has.
    pub fn next_exec_number(&self) -> u64 {
        self.execs.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    fn labels(&self, extra: Vec<(String, String)>) -> HashMap<String, String> {
        let mut labels = HashMap::from([(RUN_LABEL.to_string(), self.id.clone())]);
        labels.extend(extra);
        labels
    }

    /// A user-defined bridge network, on which containers find each other by name.
    pub async fn create_network(&self, name: &str) -> Result<String, ContainerError> {
        let full_name = format!("puppet-ci-{}-{name}", self.id);
        let request = NetworkCreateRequest {
            name: full_name.clone(),
            driver: Some("bridge".into()),
            labels: Some(self.labels(Vec::new())),
            ..Default::default()
        };
        self.docker.create_network(request).await.map_err(ContainerError::docker(format!("creating network {full_name}")))?;
        self.networks.lock().expect("network list lock").push(full_name.clone());
        Ok(full_name)
    }

    /// Creates and starts a container that idles (`sleep infinity` under an init that
    /// reaps the daemons Puppet starts); returns its name.
    pub async fn start_container(&self, spec: ContainerSpec<'_>) -> Result<String, ContainerError> {
        let name = format!("puppet-ci-{}-{}", self.id, spec.name);
        let networking_config = spec.network.map(|network| NetworkingConfig {
            endpoints_config: Some(HashMap::from([(
                network.to_string(),
                EndpointSettings { aliases: Some(vec![spec.hostname.to_string()]), ..Default::default() },
            )])),
        });
        let body = ContainerCreateBody {
            image: Some(spec.image.to_string()),
            cmd: Some(vec!["sleep".into(), "infinity".into()]),
            hostname: Some(spec.hostname.to_string()),
            labels: Some(self.labels(spec.labels)),
            host_config: Some(HostConfig {
                init: Some(true),
                network_mode: spec.network.map(String::from),
                ..Default::default()
            }),
            networking_config,
            ..Default::default()
        };
        let options = CreateContainerOptionsBuilder::new().name(&name).build();
        self.docker
            .create_container(Some(options), body)
            .await
            .map_err(ContainerError::docker(format!("creating container {name} from {}", spec.image)))?;
        self.containers.lock().expect("container list lock").push(name.clone());
        self.docker
            .start_container(&name, None::<bollard::query_parameters::StartContainerOptions>)
            .await
            .map_err(ContainerError::docker(format!("starting container {name}")))?;
        Ok(name)
    }

    /// Why a container is not running any more (killed, exited), or None when it runs.
    pub async fn stopped_reason(&self, name: &str) -> Option<String> {
        let inspect = match self.docker.inspect_container(name, None::<bollard::query_parameters::InspectContainerOptions>).await {
            Ok(inspect) => inspect,
            Err(err) => return Some(format!("container {name} is gone: {err}")),
        };
        let state = inspect.state?;
        if state.running == Some(true) {
            return None;
        }
        Some(format!(
            "container {name} stopped (exit code {}{}{})",
            state.exit_code.unwrap_or_default(),
            if state.oom_killed == Some(true) { ", out of memory" } else { "" },
            state.error.filter(|error| !error.is_empty()).map(|error| format!(", {error}")).unwrap_or_default()
        ))
    }

    /// Removes every container and network of the run: those tracked, and any other the
    /// engine lists with the run's label (created by a request whose answer was lost).
    pub async fn cleanup(&self) {
        let filters = HashMap::from([("label".to_string(), vec![format!("{RUN_LABEL}={}", self.id)])]);
        let mut containers = self.containers.lock().expect("container list lock").clone();
        if let Ok(listed) =
            self.docker.list_containers(Some(ListContainersOptionsBuilder::new().all(true).filters(&filters).build())).await
        {
            containers.extend(listed.into_iter().filter_map(|summary| summary.id));
        }
        let removals = containers.iter().map(|name| {
            self.docker.remove_container(name, Some(RemoveContainerOptionsBuilder::new().force(true).v(true).build()))
        });
        futures_util::future::join_all(removals).await;
        let mut networks = self.networks.lock().expect("network list lock").clone();
        if let Ok(listed) = self.docker.list_networks(Some(ListNetworksOptionsBuilder::new().filters(&filters).build())).await {
            networks.extend(listed.into_iter().filter_map(|network| network.id));
        }
        for network in networks {
            let _ = self.docker.remove_network(&network).await;
        }
    }

    /// [`Run::cleanup`] after the work was dropped half-way: a create request the engine
    /// was still serving can make a container appear after the first look, so look again
    /// until the engine lists nothing of the run twice in a row.
    pub async fn cleanup_after_interrupt(&self) {
        let mut empty_looks = 0;
        for _ in 0..20 {
            self.cleanup().await;
            if self.leftovers().await == 0 {
                empty_looks += 1;
                if empty_looks == 2 {
                    return;
                }
            } else {
                empty_looks = 0;
            }
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
    }

    /// The containers and networks of the run the engine still lists, by name; when the
    /// engine cannot be asked, that is said instead.
    pub async fn leftover_names(&self) -> Vec<String> {
        let filters = HashMap::from([("label".to_string(), vec![format!("{RUN_LABEL}={}", self.id)])]);
        let mut names = Vec::new();
        match self.docker.list_containers(Some(ListContainersOptionsBuilder::new().all(true).filters(&filters).build())).await {
            Ok(listed) => names.extend(listed.into_iter().map(|summary| {
                summary.names.and_then(|names| names.into_iter().next()).map_or_else(|| summary.id.unwrap_or_default(), |name| name.trim_start_matches('/').to_string())
            })),
            Err(err) => names.push(format!("(cannot list the containers: {err})")),
        }
        match self.docker.list_networks(Some(ListNetworksOptionsBuilder::new().filters(&filters).build())).await {
            Ok(listed) => names.extend(listed.into_iter().filter_map(|network| network.name)),
            Err(err) => names.push(format!("(cannot list the networks: {err})")),
        }
        names
    }

    /// How many containers and networks of the run the engine lists.
    async fn leftovers(&self) -> usize {
        let filters = HashMap::from([("label".to_string(), vec![format!("{RUN_LABEL}={}", self.id)])]);
        let containers = self
            .docker
            .list_containers(Some(ListContainersOptionsBuilder::new().all(true).filters(&filters).build()))
            .await
            .map_or(1, |listed| listed.len());
        let networks = self.docker.list_networks(Some(ListNetworksOptionsBuilder::new().filters(&filters).build())).await.map_or(1, |listed| listed.len());
        containers + networks
    }

    /// The containers of the run, by name, for the `--keep` message.
    pub fn container_names(&self) -> Vec<String> {
        self.containers.lock().expect("container list lock").clone()
    }
}

/// Runs `work` on `run`, then removes what the run created (unless `keep`), also when
/// `work` fails or a signal (SIGINT, SIGTERM, SIGHUP) stops it.
pub(crate) async fn with_cleanup<T>(
    run: &Run,
    keep: bool,
    work: impl std::future::Future<Output = Result<T, ContainerError>>,
) -> Result<T, ContainerError> {
    let result = tokio::select! {
        result = work => result,
        signal = crate::interrupt::received() => Err(ContainerError::Interrupted { signal }),
    };
    let interrupted = match &result {
        Err(ContainerError::Interrupted { signal }) => Some(*signal),
        _ => None,
    };
    if let Some(signal) = interrupted {
        run.cleanup_after_interrupt().await;
        let left = run.leftover_names().await;
        if !left.is_empty() {
            return Err(ContainerError::InterruptedUnclean { signal, message: left_message(&left) });
        }
    } else if !keep {
        run.cleanup().await;
        // A run that cannot remove what it created says so, whatever its cases say.
        let left = run.leftover_names().await;
        if !left.is_empty() {
            return Err(ContainerError::Cleanup(left_message(&left)));
        }
    }
    result
}

fn left_message(left: &[String]) -> String {
    format!("still there: {}; remove them with `docker rm -f` / `docker network rm`", left.join(", "))
}
