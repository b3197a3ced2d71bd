# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An in-process fake Kafka Connect REST API (http.server on 127.0.0.1, in a thread) for the unit tests.

It keeps connectors in memory and answers like a distributed worker: every config value is reported as
a string, ``name`` is added to the config, status and task documents look like the real ones. Tests can
queue failures (``fail_next``), make tasks fail (``failing``), require basic auth and delay answers.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs
from urllib.parse import unquote
from urllib.parse import urlsplit

PLUGINS = [
    {"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink", "version": "3.9.2"},
    {"class": "org.apache.kafka.connect.file.FileStreamSourceConnector", "type": "source", "version": "3.9.2"},
]
WORKER = "127.0.0.1:8083"
TRACE = (
    "org.apache.kafka.connect.errors.ConnectException: Couldn't find or create file '/nope/x' for FileStreamSinkTask\n"
    "\tat org.apache.kafka.connect.file.FileStreamSinkTask.start(FileStreamSinkTask.java:74)\n"
    "\tat org.apache.kafka.connect.runtime.WorkerTask.run(WorkerTask.java:281)\n"
    "Caused by: java.nio.file.NoSuchFileException: /nope/x\n"
    "\tat java.base/sun.nio.fs.UnixException.translateToIOException(UnixException.java:92)\n"
    "\t... 10 more\n"
)


def _text(value):
    """What Jackson makes of a JSON value in a Map<String, String> (true -> "true")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _plugin(connector_class):
    for plugin in PLUGINS:
        simple = plugin["class"].rsplit(".", 1)[-1]
        if connector_class in (plugin["class"], simple, simple[: -len("Connector")]):
            return plugin
    return None


class FakeConnect:
    """Connectors as ``{name: {config, state, tasks: [state]}}``; records every request."""

    def __init__(self, version="3.9.2", connectors=None, auth=None):
        self.version = version
        self.connectors = {}
        self.requests = []
        self.fail_next = []  # [(method, path prefix, status, message)], consumed in order
        self.failing = {}  # {connector name: trace}: its tasks fail when (re)started
        self.auth = auth  # (user, password) required, or None
        self.delay = 0.0
        self.lock = threading.Lock()
        for name, config in (connectors or {}).items():
            self.add(name, config)

    # -- state -------------------------------------------------------------------

    def add(self, name, config, state="RUNNING", task_state=None):
        config = {key: _text(value) for key, value in config.items()}
        config["name"] = name
        count = int(config.get("tasks.max", "1"))
        self.connectors[name] = dict(
            config=config, state=state, tasks=[] if state == "STOPPED" else [task_state or state] * count
        )

    def _start_tasks(self, name, state):
        connector = self.connectors[name]
        if state == "STOPPED":
            connector["tasks"] = []
            return
        count = int(connector["config"].get("tasks.max", "1"))
        task_state = "FAILED" if name in self.failing and state == "RUNNING" else state
        connector["tasks"] = [task_state] * count

    @property
    def writes(self):
        return [(method, path) for method, path, _body in self.requests if method != "GET" and "/validate" not in path]

    def status(self, name):
        connector = self.connectors[name]
        tasks = []
        for index, state in enumerate(connector["tasks"]):
            task = dict(id=index, state=state, worker_id=WORKER)
            if state == "FAILED":
                task["trace"] = self.failing.get(name, TRACE)
            tasks.append(task)
        plugin = _plugin(connector["config"].get("connector.class")) or {}
        return dict(
            name=name,
            connector=dict(state=connector["state"], worker_id=WORKER),
            tasks=tasks,
            type=plugin.get("type", "unknown"),
        )

    def info(self, name):
        connector = self.connectors[name]
        plugin = _plugin(connector["config"].get("connector.class")) or {}
        return dict(
            name=name,
            config=dict(connector["config"]),
            tasks=[dict(connector=name, task=index) for index in range(len(connector["tasks"]))],
            type=plugin.get("type", "unknown"),
        )

    def validate(self, config):
        errors = {}
        tasks_max = config.get("tasks.max", "1")
        if not tasks_max.lstrip("-").isdigit() or int(tasks_max) < 1:
            errors["tasks.max"] = [f"Invalid value {tasks_max} for configuration tasks.max: Value must be at least 1"]
        plugin = _plugin(config.get("connector.class"))
        if plugin and plugin["type"] == "sink" and not config.get("topics") and not config.get("topics.regex"):
            errors["topics"] = ["Must configure one of topics or topics.regex"]
            errors["topics.regex"] = ["Must configure one of topics or topics.regex"]
        configs = [
            dict(definition=dict(name=key), value=dict(name=key, value=config.get(key), errors=errors.get(key, [])))
            for key in ["name", "connector.class", "tasks.max", "topics", "topics.regex"]
        ]
        return dict(name=config.get("connector.class"), error_count=len(errors), groups=["Common"], configs=configs)

    # -- HTTP --------------------------------------------------------------------

    def handle(self, method, raw_path, body, headers):
        """``(status, document)`` for a request."""
        with self.lock:
            self.requests.append((method, raw_path, body))
            if self.auth is not None:
                expected = "Basic " + base64.b64encode(f"{self.auth[0]}:{self.auth[1]}".encode()).decode()
                if headers.get("Authorization") != expected:
                    return 401, dict(error_code=401, message="Credentials are invalid")
            for index, (fail_method, prefix, status, message) in enumerate(self.fail_next):
                if fail_method == method and raw_path.startswith(prefix):
                    del self.fail_next[index]
                    return status, dict(error_code=status, message=message)
            return self._route(method, raw_path, body)

    def _route(self, method, raw_path, body):
        split = urlsplit(raw_path)
        parts = [unquote(part) for part in split.path.strip("/").split("/")] if split.path.strip("/") else []
        query = parse_qs(split.query)
        missing = (404, None)

        if method == "GET" and not parts:
            return 200, dict(version=self.version, commit="5e9866f43ab8e7e4", kafka_cluster_id="fake-cluster")
        if parts == ["connector-plugins"] and method == "GET":
            return 200, PLUGINS
        if len(parts) == 4 and parts[0] == "connector-plugins" and parts[2:] == ["config", "validate"]:
            if _plugin(parts[1]) is None:
                return 500, dict(
                    error_code=500, message=f"Failed to find any class that implements Connector: {parts[1]}"
                )
            return 200, self.validate({key: _text(value) for key, value in body.items()})
        if parts == ["connectors"] and method == "GET":
            if "expand" in query:
                return 200, {name: dict(status=self.status(name), info=self.info(name)) for name in self.connectors}
            return 200, sorted(self.connectors)
        if parts == ["connectors"] and method == "POST":
            name = body["name"]
            if name in self.connectors:
                return 409, dict(error_code=409, message=f"Connector {name} already exists")
            if body.get("initial_state") and self.version < "3.7":
                return 400, dict(error_code=400, message="Unrecognized field initial_state")
            self.add(name, body["config"], state=body.get("initial_state") or "RUNNING")
            if self.connectors[name]["state"] == "PAUSED":
                self.connectors[name]["tasks"] = []
            return 201, self.info(name)
        if len(parts) < 2 or parts[0] != "connectors":
            return 404, dict(error_code=404, message="HTTP 404 Not Found")
        name = parts[1]
        rest = parts[2:]
        exists = name in self.connectors
        not_found = 404, dict(error_code=404, message=f"Connector {name} not found")

        if method == "PUT" and rest == ["config"]:
            config = {key: _text(value) for key, value in body.items()}
            if exists:
                connector = self.connectors[name]
                connector["config"] = dict(config, name=name)
                self._start_tasks(name, connector["state"])
                return 200, self.info(name)
            self.add(name, config)
            self._start_tasks(name, "RUNNING")
            return 201, self.info(name)
        if not exists:
            return not_found if method != "DELETE" else not_found
        connector = self.connectors[name]
        if method == "GET" and rest == ["status"]:
            return 200, self.status(name)
        if method == "GET" and rest == ["tasks"]:
            return 200, [dict(id=dict(connector=name, task=i), config={}) for i in range(len(connector["tasks"]))]
        if method == "GET" and rest == ["config"]:
            return 200, dict(connector["config"])
        if method == "GET" and not rest:
            return 200, self.info(name)
        if method == "PUT" and rest == ["pause"]:
            connector["state"] = "PAUSED"
            connector["tasks"] = ["PAUSED" if state != "FAILED" else state for state in connector["tasks"]]
            return 202, None
        if method == "PUT" and rest == ["resume"]:
            was = connector["state"]
            connector["state"] = "RUNNING"
            if was == "STOPPED":
                self._start_tasks(name, "RUNNING")
            else:
                connector["tasks"] = ["RUNNING" if state == "PAUSED" else state for state in connector["tasks"]]
            return 202, None
        if method == "PUT" and rest == ["stop"]:
            if self.version < "3.5":
                return 404, dict(error_code=404, message="HTTP 404 Not Found")
            connector["state"] = "STOPPED"
            connector["tasks"] = []
            return 204, None
        if method == "POST" and rest == ["restart"]:
            still = name in self.failing
            connector["tasks"] = [
                ("FAILED" if still else "RUNNING") if s == "FAILED" else s for s in connector["tasks"]
            ]
            return 202, self.status(name)
        if method == "DELETE" and not rest:
            del self.connectors[name]
            return 204, None
        return missing


class _Handler(BaseHTTPRequestHandler):
    fake = None

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        if self.fake.delay:
            time.sleep(self.fake.delay)
        status, document = self.fake.handle(self.command, self.path, body, self.headers)
        payload = b"" if document is None else json.dumps(document).encode()
        self.send_response(status)
        if payload:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = _serve

    def log_message(self, format, *args):  # noqa: A002 - signature of BaseHTTPRequestHandler
        pass


@contextlib.contextmanager
def serve(fake):
    """Serve ``fake`` on 127.0.0.1 (a free port); yields the base URL."""
    handler = type("Handler", (_Handler,), dict(fake=fake))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def closed_port_url():
    """A loopback URL nothing listens on."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"
