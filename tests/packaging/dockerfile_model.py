"""A small Dockerfile reader for tests: instructions grouped into build stages."""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case, e.g. RUN
    arguments: str  # everything after the keyword, continuation lines joined
    line: int

    def flags(self) -> dict[str, str]:
        """Leading ``--name=value`` options (``RUN --mount=...``, ``COPY --from=...``)."""
        found: dict[str, str] = {}
        for token in shlex.split(self.arguments):
            if not token.startswith("--"):
                break
            name, _, value = token[2:].partition("=")
            found[name] = value
        return found

    def command(self) -> str:
        """The arguments without their leading ``--flag`` options."""
        return re.sub(r"^(\s*--\S+\s+)+", "", self.arguments).strip()

    def exec_form(self) -> list[str] | None:
        """The JSON-array form of CMD / ENTRYPOINT (or HEALTHCHECK's CMD), else None."""
        text = self.command()
        if self.keyword == "HEALTHCHECK":
            text = text.removeprefix("CMD").strip()
        if not text.startswith("["):
            return None
        parsed = json.loads(text)
        assert isinstance(parsed, list) and all(isinstance(p, str) for p in parsed)
        return parsed


@dataclass
class Stage:
    base: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def one(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        assert len(found) == 1, f"expected one {keyword} in stage {self.name}, found {len(found)}"
        return found[0]


@dataclass
class Dockerfile:
    global_args: list[Instruction]
    stages: list[Stage]

    def stage(self, name: str) -> Stage:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise AssertionError(f"no stage named {name!r}")

    def arg_default(self, name: str, stage: Stage | None = None) -> str | None:
        scope = self.global_args + (stage.all("ARG") if stage else [])
        for arg in scope:
            key, _, default = arg.arguments.partition("=")
            if key.strip() == name:
                return default.strip() or None
        return None


def instructions(text: str) -> list[Instruction]:
    result: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped by Docker too
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        joined = " ".join(part for part in pending if part)
        keyword, _, arguments = joined.partition(" ")
        result.append(Instruction(keyword.upper(), arguments.strip(), start))
        pending = []
    assert not pending, "the Dockerfile ends inside a continued line"
    return result


def parse(path: Path) -> Dockerfile:
    model = Dockerfile(global_args=[], stages=[])
    for instruction in instructions(path.read_text(encoding="utf-8")):
        if instruction.keyword == "FROM":
            parts = instruction.command().split()
            name = parts[2] if len(parts) == 3 and parts[1].upper() == "AS" else None
            model.stages.append(Stage(base=parts[0], name=name))
        elif not model.stages:
            assert instruction.keyword == "ARG", f"{instruction.keyword} before the first FROM"
            model.global_args.append(instruction)
        else:
            model.stages[-1].instructions.append(instruction)
    return model
