"""The configs shipped with the packages load with the agent's own config loader."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from agent.config.errors import ConfigError
from agent.config.loader import load_config
from tests.packaging.k8s_manifests import agent_config, load_variant
from tests.packaging.paths import EXAMPLE_CONFIG, K8S


def test_example_config_is_valid() -> None:
    config = load_config(EXAMPLE_CONFIG, environ={"DQ_ANALYTICS_PASSWORD": "s3cret-value"})
    assert config.agent.port == 9187
    assert config.agent.state_dir == Path("/var/lib/dq-agent")
    assert config.warehouses["analytics"].resolved_password() == "s3cret-value"
    assert config.datasets["orders"].checks


def test_example_config_holds_no_secret() -> None:
    warehouses = yaml.safe_load(EXAMPLE_CONFIG.read_text(encoding="utf-8"))["warehouses"]
    for warehouse in warehouses.values():
        password = warehouse.get("password", "${")
        assert password.startswith("${") and password.endswith("}")
        assert ":" not in warehouse["url"].split("@")[0].split("//")[1]


def test_example_config_needs_its_environment_variable() -> None:
    with pytest.raises(ConfigError, match="DQ_ANALYTICS_PASSWORD"):
        load_config(EXAMPLE_CONFIG, environ={})


@pytest.mark.parametrize("variant_name", ["standalone", "sidecar"])
def test_configmap_config_is_valid(variant_name: str, tmp_path: Path) -> None:
    variant = load_variant(K8S / variant_name)
    (workload,) = variant.workloads()
    text, data = agent_config(variant, workload)
    # The Secret is mounted in the Pod; here each password_file points at a local stand-in.
    for name, warehouse in data["warehouses"].items():
        stand_in = tmp_path / f"{name}-password"
        stand_in.write_text("from-the-secret\n", encoding="utf-8")
        text = text.replace(warehouse["password_file"], str(stand_in))
    config_file = tmp_path / "config.yaml"
    config_file.write_text(text, encoding="utf-8")
    config = load_config(config_file, environ={})
    assert config.agent.port == 9187
    for warehouse in config.warehouses.values():
        assert warehouse.resolved_password() == "from-the-secret"
