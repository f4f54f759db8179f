"""Loading the Kubernetes manifests of one kustomization, and small lookups over them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]


@dataclass(frozen=True)
class Variant:
    """The objects one ``kubectl apply -k DIR`` would create, with the file each came from."""

    directory: Path
    objects: list[tuple[Path, Manifest]]

    def of_kind(self, kind: str) -> list[Manifest]:
        return [doc for _, doc in self.objects if doc["kind"] == kind]

    def named(self, kind: str, name: str) -> Manifest:
        found = [doc for doc in self.of_kind(kind) if doc["metadata"]["name"] == name]
        assert len(found) == 1, f"{self.directory.name}: expected one {kind} {name!r}"
        return found[0]

    def workloads(self) -> list[Manifest]:
        return self.of_kind("Deployment") + self.of_kind("StatefulSet")


def kustomization_files(directory: Path) -> list[Path]:
    """The resource files listed by ``directory``/kustomization.yaml, following directories."""
    data = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    assert data["kind"] == "Kustomization", directory
    files: list[Path] = []
    for entry in data["resources"]:
        path = (directory / entry).resolve()
        assert path.exists(), f"{directory}/kustomization.yaml lists missing {entry}"
        files.extend(kustomization_files(path) if path.is_dir() else [path])
    return files


def load_variant(directory: Path) -> Variant:
    objects: list[tuple[Path, Manifest]] = []
    for path in kustomization_files(directory):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if doc is not None:
                objects.append((path, doc))
    return Variant(directory, objects)


def labels_match(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def pod_spec(workload: Manifest) -> Manifest:
    spec: Manifest = workload["spec"]["template"]["spec"]
    return spec


def agent_container(workload: Manifest) -> Manifest:
    """The dq-agent container of a workload (the image built from packaging/Dockerfile)."""
    found = [c for c in pod_spec(workload)["containers"] if c["image"].split(":")[0] == "dq-agent"]
    assert len(found) == 1, workload["metadata"]["name"]
    return found[0]


def agent_config(variant: Variant, workload: Manifest) -> tuple[str, Manifest]:
    """The agent config (text and parsed) from the ConfigMap mounted at /etc/dq-agent."""
    container = agent_container(workload)
    (mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == "/etc/dq-agent"]
    (volume,) = [v for v in pod_spec(workload)["volumes"] if v["name"] == mount["name"]]
    config_map = variant.named("ConfigMap", volume["configMap"]["name"])
    text: str = config_map["data"]["config.yaml"]
    return text, yaml.safe_load(text)
