"""Studies over many scenarios: sensitivity of the metrics to uncertain inputs."""
