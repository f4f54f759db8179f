"""Locations of the packaging artefacts under test."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGING = REPO_ROOT / "packaging"
SYSTEMD_UNIT = PACKAGING / "systemd" / "dq-agent.service"
DOCKERFILE = PACKAGING / "Dockerfile"
EXAMPLE_CONFIG = PACKAGING / "dq-agent.example.yaml"
K8S = PACKAGING / "k8s"
PROMETHEUSRULE = K8S / "monitoring" / "prometheusrule.yaml"
GENERATOR = K8S / "generate_prometheusrule.py"
RULES_DIR = REPO_ROOT / "rules"
