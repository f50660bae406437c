//! The connection to the Docker engine: `DOCKER_HOST` or the default socket, with the API
//! version negotiated down to what the engine speaks.

use bollard::Docker;

use crate::ContainerError;

/// Where the engine is, as the user would recognise it in an error.
pub(crate) fn engine_address() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_string())
}

/// Connects and pings, so that an unreachable engine is one clear error up front.
pub(crate) async fn connect() -> Result<Docker, ContainerError> {
    let host = engine_address();
    let unreachable = |message: String| ContainerError::EngineUnreachable { host: host.clone(), message };
    let docker = Docker::connect_with_defaults().map_err(|err| unreachable(err.to_string()))?;
    // Negotiation pings the engine: a closed socket fails here.
    let docker = docker.negotiate_version().await.map_err(|err| unreachable(err.to_string()))?;
    docker.ping().await.map_err(|err| unreachable(err.to_string()))?;
    Ok(docker)
}
