# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the kafka_connector unit tests share: a connector config with secrets, how the workers report it,
and a runner of the module's main() that checks no secret reaches the result."""

from __future__ import annotations

import json

from ansible_collections.kafkaops.cluster.plugins.modules import kafka_connector

SECRET = "db-pw-93f1c"
URL_PASSWORD = "rest-pw-5e2a"
CONFIG = {
    "connector.class": "FileStreamSink",
    "tasks.max": 1,
    "topics": "orders",
    "file": "/tmp/orders.txt",
    "connection.password": SECRET,
    "errors.log.enable": True,
}
REPORTED = {
    "connector.class": "FileStreamSink",
    "tasks.max": "1",
    "topics": "orders",
    "file": "/tmp/orders.txt",
    "connection.password": "********",
    "errors.log.enable": "true",
}


def connector_runner(run_module, url):
    """``run(args, connect_url=None, check_mode=False, diff=False) -> (failed, result)`` against ``url``."""

    def _run(args, connect_url=None, **kwargs):
        args = dict(args)
        args.setdefault("connect_url", connect_url or [url])
        failed, result = run_module(kafka_connector.main, args, **kwargs)
        assert SECRET not in json.dumps(result)
        assert URL_PASSWORD not in json.dumps(result)
        return failed, result

    return _run
