"""Kubernetes manifests: OpenAPI-schema valid (kubernetes-validate, strict), and consistent.

Built-in kinds are validated against the Kubernetes JSON schemas bundled by kubernetes-validate.
The Prometheus Operator kinds (ServiceMonitor, PodMonitor, PrometheusRule) have no bundled schema:
they are checked structurally here, and the PrometheusRule's groups with promtool elsewhere.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from tests.packaging.k8s_manifests import (
    Manifest,
    Variant,
    agent_config,
    agent_container,
    labels_match,
    load_variant,
    pod_spec,
)
from tests.packaging.paths import K8S
from tests.support.components import unavailable

VARIANTS = ("standalone", "sidecar")
OPERATOR_KINDS = {"ServiceMonitor", "PodMonitor", "PrometheusRule"}
KUBERNETES_VERSIONS = ("1.29.0", "1.37.0")


@pytest.fixture(scope="module", params=VARIANTS)
def variant(request: pytest.FixtureRequest) -> Variant:
    return load_variant(K8S / request.param)


def kubernetes_validate() -> Any:
    try:
        return importlib.import_module("kubernetes_validate")
    except ImportError:
        unavailable("the kubernetes-validate package is not installed")


def test_every_manifest_file_is_part_of_a_kustomization() -> None:
    listed = {p for name in (*VARIANTS, "monitoring") for p, _ in load_variant(K8S / name).objects}
    on_disk = {
        p.resolve() for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml"
    }
    assert on_disk == listed


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_builtin_kinds_match_the_kubernetes_schema(variant: Variant, version: str) -> None:
    validator = kubernetes_validate()
    checked = 0
    for path, doc in variant.objects:
        if doc["kind"] in OPERATOR_KINDS:
            continue
        try:
            validator.validate(doc, version, strict=True)
        except validator.ValidationError as exc:
            location = ".".join(str(p) for p in exc.path)
            pytest.fail(f"{path.name}: {doc['kind']} {location}: {exc.message}")
        checked += 1
    assert checked >= 6


def test_strict_validation_rejects_a_misspelt_field(variant: Variant) -> None:
    """The schema check is strict: an unknown securityContext field is an error."""
    validator = kubernetes_validate()
    workload = variant.workloads()[0]
    broken: Manifest = {**workload, "spec": {**workload["spec"]}}
    template = dict(broken["spec"]["template"])
    spec = dict(template["spec"])
    container = dict(spec["containers"][0])
    container["securityContext"] = {**container["securityContext"], "readOnlyRootFilesytem": True}
    spec["containers"] = [container, *spec["containers"][1:]]
    template["spec"] = spec
    broken["spec"]["template"] = template
    with pytest.raises(validator.ValidationError):
        validator.validate(broken, KUBERNETES_VERSIONS[-1], strict=True)


def test_workload_selectors_match_their_pods(variant: Variant) -> None:
    for workload in variant.workloads():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert labels_match(workload["spec"]["selector"]["matchLabels"], labels)


def test_services_select_a_workload_and_name_real_ports(variant: Variant) -> None:
    services = variant.of_kind("Service")
    assert services
    for service in services:
        selector = service["spec"]["selector"]
        pods = [
            w for w in variant.workloads()
            if labels_match(selector, w["spec"]["template"]["metadata"]["labels"])
        ]
        assert pods, f"Service {service['metadata']['name']} selects no workload"
        containers = [c for w in pods for c in pod_spec(w)["containers"]]
        port_names = {p["name"] for c in containers for p in c["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names


def test_prometheus_operator_objects_point_at_the_metrics_port(variant: Variant) -> None:
    monitors = variant.of_kind("ServiceMonitor") + variant.of_kind("PodMonitor")
    assert len(monitors) == 1
    for monitor in variant.of_kind("ServiceMonitor"):
        assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
        selected = [
            s for s in variant.of_kind("Service")
            if labels_match(monitor["spec"]["selector"]["matchLabels"], s["metadata"]["labels"])
        ]
        assert selected, "the ServiceMonitor selects no Service"
        for endpoint in monitor["spec"]["endpoints"]:
            assert endpoint["path"] == "/metrics"
            assert any(endpoint["port"] == p["name"] for s in selected for p in s["spec"]["ports"])
    for monitor in variant.of_kind("PodMonitor"):
        assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
        selected = [
            w for w in variant.workloads()
            if labels_match(
                monitor["spec"]["selector"]["matchLabels"],
                w["spec"]["template"]["metadata"]["labels"],
            )
        ]
        assert selected, "the PodMonitor selects no Pod"
        for endpoint in monitor["spec"]["podMetricsEndpoints"]:
            assert endpoint["path"] == "/metrics"
            assert endpoint["port"] in {p["name"] for p in agent_container(selected[0])["ports"]}
    assert set(monitors[0]["spec"]) <= {
        "selector", "endpoints", "podMetricsEndpoints", "namespaceSelector", "jobLabel",
    }


def test_agent_probes_port_and_command_agree_with_its_config(variant: Variant) -> None:
    for workload in variant.workloads():
        container = agent_container(workload)
        _, config = agent_config(variant, workload)
        listen_port = int(config["agent"]["listen"].rsplit(":", 1)[1])
        (metrics,) = [p for p in container["ports"] if p["name"] == "metrics"]
        assert metrics["containerPort"] == listen_port
        assert container["args"] == ["run", "--config", "/etc/dq-agent/config.yaml"]
        assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
        assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "metrics"}
        assert container["startupProbe"]["httpGet"]["path"] == "/healthz"


def _effective(pod: Manifest, container: Manifest, key: str) -> Any:
    return container.get("securityContext", {}).get(key, pod.get("securityContext", {}).get(key))


def test_every_container_is_locked_down_and_sized(variant: Variant) -> None:
    for workload in variant.workloads():
        pod = pod_spec(workload)
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            name = f"{workload['metadata']['name']}/{container['name']}"
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"] == {"drop": ["ALL"]}, name
            assert context.get("privileged", False) is False, name
            assert _effective(pod, container, "runAsNonRoot") is True, name
            assert _effective(pod, container, "seccompProfile") == {"type": "RuntimeDefault"}, name
            assert _effective(pod, container, "runAsUser") not in (None, 0), name
            assert {"cpu", "memory"} <= set(container["resources"]["requests"]), name
            assert "memory" in container["resources"]["limits"], name


def _volume_names(workload: Manifest) -> set[str]:
    claims = workload["spec"].get("volumeClaimTemplates", [])
    return {v["name"] for v in pod_spec(workload)["volumes"]} | {
        c["metadata"]["name"] for c in claims
    }


def test_mounts_volumes_and_referenced_objects_exist(variant: Variant) -> None:
    for workload in variant.workloads():
        pod = pod_spec(workload)
        names = _volume_names(workload)
        for container in pod["containers"]:
            for mount in container["volumeMounts"]:
                assert mount["name"] in names, mount
        for volume in pod["volumes"]:
            if "configMap" in volume:
                variant.named("ConfigMap", volume["configMap"]["name"])
            if "secret" in volume:
                secret = variant.named("Secret", volume["secret"]["secretName"])
                keys = set(secret.get("stringData", {})) | set(secret.get("data", {}))
                for item in volume["secret"].get("items", []):
                    assert item["key"] in keys
            if "persistentVolumeClaim" in volume:
                variant.named("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"])
        variant.named("ServiceAccount", pod["serviceAccountName"])


def test_agent_reads_its_password_from_a_mounted_secret(variant: Variant) -> None:
    for workload in variant.workloads():
        container = agent_container(workload)
        _, config = agent_config(variant, workload)
        volumes = {v["name"]: v for v in pod_spec(workload)["volumes"]}
        for warehouse in config["warehouses"].values():
            assert "password" not in warehouse, "a password in a ConfigMap is not secret"
            password_file = Path(warehouse["password_file"])
            mounts = [
                m for m in container["volumeMounts"]
                if password_file.parent == Path(m["mountPath"])
            ]
            assert len(mounts) == 1, f"nothing mounted at {password_file.parent}"
            secret_volume = volumes[mounts[0]["name"]]["secret"]
            secret = variant.named("Secret", secret_volume["secretName"])
            items = secret_volume.get("items")
            files = {i["path"] for i in items} if items else set(secret["stringData"])
            assert password_file.name in files
            assert mounts[0]["readOnly"] is True


def test_history_is_on_a_persistent_volume_with_a_single_writer(variant: Variant) -> None:
    for workload in variant.workloads():
        container = agent_container(workload)
        _, config = agent_config(variant, workload)
        (mount,) = [
            m for m in container["volumeMounts"] if m["mountPath"] == config["agent"]["state_dir"]
        ]
        assert not mount.get("readOnly", False)
        claims = {c["metadata"]["name"] for c in workload["spec"].get("volumeClaimTemplates", [])}
        pvcs = {
            v["name"] for v in pod_spec(workload)["volumes"] if "persistentVolumeClaim" in v
        }
        assert mount["name"] in claims | pvcs
        assert workload["spec"]["replicas"] == 1
        if workload["kind"] == "Deployment":
            assert workload["spec"]["strategy"] == {"type": "Recreate"}


def test_termination_grace_exceeds_the_agents_shutdown_grace(variant: Variant) -> None:
    from agent.config.durations import parse_duration

    for workload in variant.workloads():
        _, config = agent_config(variant, workload)
        grace = parse_duration(config["agent"]["shutdown_grace"])
        assert pod_spec(workload)["terminationGracePeriodSeconds"] > grace


def test_sidecar_shares_the_pod_with_its_warehouse() -> None:
    sidecar = load_variant(K8S / "sidecar")
    (workload,) = sidecar.workloads()
    containers = {c["name"]: c for c in pod_spec(workload)["containers"]}
    assert set(containers) == {"postgres", "dq-agent"}
    _, config = agent_config(sidecar, workload)
    (warehouse,) = config["warehouses"].values()
    (db_port,) = containers["postgres"]["ports"]
    assert f"@127.0.0.1:{db_port['containerPort']}/" in warehouse["url"]
    # The agent sees only its own password, not the database superuser's.
    agent_mounts = {m["name"] for m in containers["dq-agent"]["volumeMounts"]}
    volumes = {v["name"]: v for v in pod_spec(workload)["volumes"]}
    agent_secret_keys = {
        item["key"]
        for name in agent_mounts
        if "secret" in volumes.get(name, {})
        for item in volumes[name]["secret"]["items"]
    }
    assert agent_secret_keys == {"dq-reader-password"}
