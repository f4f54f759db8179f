"""aiohttp routes: /metrics (text or OpenMetrics by negotiation), /, /healthz, /readyz, reload."""

from __future__ import annotations

import html
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.exposition import choose_encoder

from agent import __version__
from agent.snapshot import ResultsSnapshot

ReloadFunction = Callable[[], Awaitable[tuple[bool, str]]]


class HttpApi:
    def __init__(
        self, registry: CollectorRegistry, snapshot: ResultsSnapshot,
        ready: Callable[[], bool], reload: ReloadFunction | None = None,
    ) -> None:
        self.registry = registry
        self.snapshot = snapshot
        self.ready = ready
        self.reload = reload

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/", self.landing)
        app.router.add_get("/metrics", self.metrics)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readyz)
        app.router.add_post("/-/reload", self.reload_config)
        app.router.add_get("/api/v1/datasets", self.datasets)
        return app

    async def metrics(self, request: web.Request) -> web.Response:
        encoder, content_type = choose_encoder(request.headers.get("Accept", ""))
        body = encoder(self.registry)
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "version": __version__})

    async def readyz(self, _request: web.Request) -> web.Response:
        if self.ready():
            return web.json_response({"status": "ready"})
        return web.json_response({"status": "starting"}, status=503)

    async def reload_config(self, _request: web.Request) -> web.Response:
        if self.reload is None:
            return web.json_response({"status": "error", "error": "reload unavailable"}, status=501)
        ok, message = await self.reload()
        return web.json_response({"status": "ok" if ok else "error", "message": message},
                                 status=200 if ok else 400)

    async def datasets(self, _request: web.Request) -> web.Response:
        return web.json_response(self.snapshot.summary(), dumps=_dumps)

    async def landing(self, _request: web.Request) -> web.Response:
        rows = []
        for dataset in self.snapshot.summary():
            for check in dataset["checks"]:
                status = check["status"] or "pending"
                rows.append(
                    f"<tr class='{html.escape(status)}'><td>{html.escape(dataset['dataset'])}</td>"
                    f"<td>{html.escape(dataset['table'])}</td><td>{html.escape(check['check'])}</td>"
                    f"<td>{html.escape(status)}</td>"
                    f"<td>{html.escape(_fmt(check['observed_value']))}</td></tr>"
                )
        page = _PAGE.format(version=html.escape(__version__), rows="\n".join(rows))
        return web.Response(text=page, content_type="text/html")


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _dumps(data: Any) -> str:
    return json.dumps(data, default=str)


_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>dq-agent</title>
<style>body{{font-family:sans-serif;margin:2em}}td,th{{padding:.2em .8em;text-align:left}}
tr.pass td:nth-child(4){{color:#1a7f37}}tr.fail td:nth-child(4),tr.error td:nth-child(4){{color:#cf222e}}
tr.warn td:nth-child(4){{color:#9a6700}}</style></head>
<body><h1>dq-agent {version}</h1>
<p><a href="/metrics">Metrics</a> · <a href="/healthz">Health</a> · <a href="/readyz">Readiness</a>
· <a href="/api/v1/datasets">Datasets (JSON)</a></p>
<table><thead><tr><th>Dataset</th><th>Table</th><th>Check</th><th>Status</th><th>Observed</th></tr>
</thead><tbody>
{rows}
</tbody></table></body></html>
"""
