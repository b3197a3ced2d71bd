# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Kafka Connect REST client of the Connect modules, and its error type.

Usage::

    from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import ConnectClient
    from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import ConnectError

    client = ConnectClient(["https://connect-0:8083", "https://connect-1:8083"], ca_path="/etc/kafka/ca.pem")
    try:
        worker = client.root()            # fails fast, naming every URL tried
        connectors = client.connectors()  # {name: {type, config, tasks, status}}
    except ConnectError as e:
        ...

(modules get their client from ``kafka_connect.ConnectModule.client()``, which passes the connection
options). The client only uses ``ansible.module_utils.urls.open_url``. It tries the workers of
``connect_url`` in order and stays with the first one that answers (any worker forwards writes to the
leader). Requests the workers refuse because of a rebalance (HTTP 409, or a 5xx that mentions a rebalance
or the leader) are retried with backoff until ``retry_timeout``. This module depends on no other Connect
code: the planning (``kafka_connect_plan``), the writes and waits (``kafka_connect_apply``) and the shared
module code (``kafka_connect``) build on it.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from urllib.error import HTTPError
from urllib.error import URLError
from urllib.parse import quote

from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.urls import ConnectionError as UrlsConnectionError
from ansible.module_utils.urls import open_url

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError

# Status codes and messages that mean "the workers are rebalancing, ask again".
_RETRY_STATUS = (409, 503)
_RETRY_5XX_WORDS = ("rebalance", "leader")
_NOT_RETRIED_409_WORDS = ("already exists",)
MAX_MESSAGE_CHARS = 500

# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------


class ConnectError(KafkaOpsError):
    """A failed Connect REST request or a refused input: ``Failed to <action>: <reason>``.

    ``status`` is the HTTP status of the worker's answer (None when no worker answered).
    """

    def __init__(self, action, reason=None, status=None, **details):
        super().__init__(action, reason=reason, **details)
        self.status = status


def _error_message(body):
    """The ``message`` of a Connect error document, or the start of a non-JSON body."""
    text = to_text(body or b"", errors="surrogate_or_replace").strip()
    try:
        document = json.loads(text) if text else None
    except ValueError:
        document = None
    if isinstance(document, dict) and document.get("message"):
        text = to_text(document["message"])
    text = " ".join(text.split())
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 3] + "..."
    return text


def _unreachable_reason(exc, timeout):
    """Short reason why a worker did not answer."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f"no answer within {timeout}s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    text = " ".join(to_native(reason).split()) or type(reason).__name__
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[: MAX_MESSAGE_CHARS - 3] + "..."
    return text


def _retryable(status, message):
    lowered = message.lower()
    if status == 409:
        return not any(word in lowered for word in _NOT_RETRIED_409_WORDS)
    if status in _RETRY_STATUS:
        return True
    return status >= 500 and any(word in lowered for word in _RETRY_5XX_WORDS)


# ---------------------------------------------------------------------------
# REST client
# ---------------------------------------------------------------------------


class ConnectClient:
    """Kafka Connect REST API over ``open_url``; every method raises ``ConnectError``."""

    def __init__(
        self,
        urls,
        timeout=30,
        retry_timeout=60,
        validate_certs=True,
        ca_path=None,
        client_cert=None,
        client_key=None,
        url_username=None,
        url_password=None,
        opener=open_url,
        sleep=time.sleep,
        clock=time.monotonic,
    ):
        self.urls = [url.rstrip("/") for url in urls]
        self.timeout = timeout
        self.retry_timeout = retry_timeout
        self._open_args = dict(
            validate_certs=validate_certs,
            ca_path=ca_path,
            client_cert=client_cert,
            client_key=client_key,
            url_username=url_username,
            url_password=url_password,
            force_basic_auth=bool(url_username),
            use_netrc=False,
            http_agent="kafkaops.cluster",
        )
        self._opener = opener
        self._sleep = sleep
        self._clock = clock
        self._active = 0
        self.requests = []
        # Successful requests that change something (not GET, not a validation).
        self.writes = 0

    @property
    def url(self):
        """The worker currently used."""
        return self.urls[self._active]

    def _send_once(self, method, path, data):
        """``(url, status, body)`` from the first worker that answers, starting with the active one."""
        tried = []
        order = self.urls[self._active :] + self.urls[: self._active]
        headers = {"Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        for url in order:
            try:
                response = self._opener(
                    url + path, data=data, method=method, headers=headers, timeout=self.timeout, **self._open_args
                )
                try:
                    status, body = response.getcode(), response.read()
                finally:
                    response.close()
            except HTTPError as e:
                status = e.code
                try:
                    body = e.read()
                except (OSError, http.client.HTTPException):
                    body = b""
            except (URLError, UrlsConnectionError, OSError, http.client.HTTPException) as e:
                tried.append(f"{url} ({_unreachable_reason(e, self.timeout)})")
                continue
            self._active = self.urls.index(url)
            return url, status, body
        raise ConnectError(
            "reach the Kafka Connect REST API",
            reason=f"no worker answered; tried {', '.join(tried)}",
            urls_tried=list(self.urls),
        )

    def request(self, method, path, body=None, action=None, missing_ok=False):
        """Send a request; return the decoded JSON answer (None for an empty one).

        With ``missing_ok`` a 404 returns None. Retries rebalance conflicts until ``retry_timeout``.
        """
        action = action or f"{method} {path}"
        data = json.dumps(body).encode("utf-8") if body is not None else None
        deadline = self._clock() + self.retry_timeout
        delay = 0.5
        while True:
            self.requests.append((method, path))
            url, status, payload = self._send_once(method, path, data)
            if status < 400:
                if method != "GET" and not path.endswith("/config/validate"):
                    self.writes += 1
                return self._decode(payload, action, url)
            message = _error_message(payload)
            if status == 404 and missing_ok:
                return None
            if _retryable(status, message):
                if self._clock() + delay > deadline:
                    raise ConnectError(
                        action,
                        reason=f"the workers were still busy after {self.retry_timeout}s (rebalance in progress?): "
                        f"HTTP {status} from {url}: {message}",
                        status=status,
                    )
                self._sleep(delay)
                delay = min(delay * 2, 5)
                continue
            raise ConnectError(action, reason=self._status_reason(status, url, message), status=status)

    @staticmethod
    def _decode(payload, action, url):
        text = to_text(payload or b"", errors="surrogate_or_replace").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise ConnectError(
                action, reason=f"{url} answered with something that is not JSON (is it a Kafka Connect worker?)"
            ) from None

    @staticmethod
    def _status_reason(status, url, message):
        if status == 401:
            return f"authentication failed (HTTP 401 Unauthorized) at {url}: check url_username and url_password"
        if status == 403:
            return f"permission denied (HTTP 403 Forbidden) at {url}" + (f": {message}" if message else "")
        if status == 404:
            return f"not found (HTTP 404) at {url}" + (f": {message}" if message else "")
        return f"HTTP {status} from {url}" + (f": {message}" if message else "")

    # -- API -------------------------------------------------------------------

    @staticmethod
    def _name(name):
        return quote(name, safe="")

    def root(self):
        """``{version, commit, kafka_cluster_id}`` of the worker (the connectivity check)."""
        info = self.request("GET", "/", action="read the Kafka Connect worker information") or {}
        if not isinstance(info, dict) or "version" not in info:
            raise ConnectError(
                "read the Kafka Connect worker information",
                reason=f"{self.url} did not answer like a Kafka Connect worker",
            )
        return info

    def connectors(self):
        """``{name: {type, config, tasks, status}}`` of every connector (one expanded request)."""
        listing = self.request("GET", "/connectors?expand=status&expand=info", action="list the connectors") or {}
        connectors = {}
        for name, entry in listing.items():
            info = entry.get("info") or {}
            connectors[name] = dict(
                type=info.get("type") or (entry.get("status") or {}).get("type"),
                config=info.get("config") or {},
                tasks=info.get("tasks") or [],
                status=entry.get("status") or {},
            )
        return connectors

    def connector_status(self, name):
        """The status document of ``name``, or None if it does not exist."""
        return self.request(
            "GET",
            f"/connectors/{self._name(name)}/status",
            action=f"read the status of connector {name}",
            missing_ok=True,
        )

    def connector_tasks(self, name):
        """The task configurations of ``name`` (``[{id, config}]``), or None if it does not exist."""
        return self.request(
            "GET",
            f"/connectors/{self._name(name)}/tasks",
            action=f"read the tasks of connector {name}",
            missing_ok=True,
        )

    def connector_plugins(self):
        plugins = self.request("GET", "/connector-plugins", action="list the installed connector plugins") or []
        return sorted(plugins, key=lambda plugin: plugin.get("class") or "")

    def validate(self, connector_class, config):
        """The validation response for ``config`` (which must contain connector.class)."""
        return self.request(
            "PUT",
            f"/connector-plugins/{self._name(connector_class)}/config/validate",
            body=config,
            action=f"validate the configuration of connector {config.get('name')}",
        )

    def put_config(self, name, config):
        return self.request(
            "PUT", f"/connectors/{self._name(name)}/config", body=config, action=f"write the config of connector {name}"
        )

    def create(self, name, config, initial_state):
        """POST /connectors with ``initial_state`` (Kafka Connect >= 3.7)."""
        return self.request(
            "POST",
            "/connectors",
            body=dict(name=name, config=config, initial_state=initial_state),
            action=f"create connector {name}",
        )

    def pause(self, name):
        return self.request("PUT", f"/connectors/{self._name(name)}/pause", action=f"pause connector {name}")

    def resume(self, name):
        return self.request("PUT", f"/connectors/{self._name(name)}/resume", action=f"resume connector {name}")

    def stop(self, name):
        """PUT /connectors/<name>/stop (Kafka Connect >= 3.5)."""
        return self.request("PUT", f"/connectors/{self._name(name)}/stop", action=f"stop connector {name}")

    def restart_failed(self, name):
        """Restart the connector and its tasks, only the failed ones (Kafka Connect >= 3.0)."""
        return self.request(
            "POST",
            f"/connectors/{self._name(name)}/restart?includeTasks=true&onlyFailed=true",
            action=f"restart the failed parts of connector {name}",
        )

    def delete(self, name):
        return self.request(
            "DELETE", f"/connectors/{self._name(name)}", action=f"delete connector {name}", missing_ok=True
        )
