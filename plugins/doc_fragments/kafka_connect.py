# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # Kafka Connect REST connection options: kafkaops.cluster.kafka_connect
    # Must match connect_argument_spec() in plugins/module_utils/kafka_connect.py.
    DOCUMENTATION = r"""
options:
  connect_url:
    description:
      - Base URL(s) of the Kafka Connect REST API, for example V(https://connect-0:8083).
        A list, or a string with URLs separated by commas.
      - The workers are tried in order until one answers; the module then uses that worker for
        every request (any worker of a Connect cluster forwards changes to the leader).
        When none answers, the module fails with a message naming every URL tried and why it failed.
    type: list
    elements: str
    required: true
  validate_certs:
    description:
      - Verify the TLS certificate of V(https) workers.
      - Only set V(false) for a test setup; prefer O(ca_path).
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) that signed the workers' certificates.
      - Defaults to the system trust store.
    type: path
  client_cert:
    description:
      - PEM client certificate for mutual TLS (C(listeners.https.ssl.client.auth=required)). Requires O(client_key).
    type: path
  client_key:
    description:
      - PEM private key of O(client_cert). Requires O(client_cert).
    type: path
  url_username:
    description:
      - User name for HTTP basic authentication (for example the C(BasicAuthSecurityRestExtension)).
        Requires O(url_password).
    type: str
  url_password:
    description:
      - Password of O(url_username). Sent only in the C(Authorization) header; never logged or shown in messages.
    type: str
  timeout:
    description:
      - Seconds to wait for each HTTP request (connecting and reading the answer).
    type: int
    default: 30
  retry_timeout:
    description:
      - Seconds to keep retrying a request that the workers refuse because they are rebalancing
        (HTTP 409, HTTP 503, or a server error that mentions a rebalance or the leader), with a
        backoff from 0.5 to 5 seconds between attempts.
    type: int
    default: 60
  secret_keys:
    description:
      - Additional regular expressions (case-insensitive, searched anywhere in the key) for connector
        configuration keys whose values are secrets, on top of the built-in list (see the notes).
      - The values of those keys are never shown; diffs, results and messages show C(********) instead.
    type: list
    elements: str
    default: []
notes:
  - These options can be set once for both Connect modules with C(module_defaults) and the action
    group C(group/kafkaops.cluster.connect).
  - The REST API reports every connector configuration value as a string. Values are compared
    after normalization (V(true) equals V("true"), V(1) equals V("1"), a list equals its
    comma-joined elements); the C(name) key is ignored.
  - Values of configuration keys that look like secrets (keys containing C(password), C(secret),
    C(token), C(credential), C(sasl.jaas.config), C(key.id), C(access.key), C(private.key),
    C(api.key), C(keystore.key), C(user.info), C(connection.uri) or C(connection.url), case-insensitive,
    plus O(secret_keys)), and any value containing C(password=), C(passwd=) or C(pwd=) whatever its key
    (JDBC URLs), are shown as C(********) in diffs, results and messages; Ansible also hides these values
    (and the passwords inside them) in warnings and error texts.
"""
