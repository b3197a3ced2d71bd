# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # Kafka connection options: kafkaops.cluster.kafka
    # Must match kafka_argument_spec() in plugins/module_utils/kafka_connection.py.
    DOCUMENTATION = r"""
options:
  bootstrap_servers:
    description:
      - Kafka brokers to bootstrap from, as C(host:port) strings.
      - The client then connects to the brokers' B(advertised) listeners, so
        those names must resolve and be reachable from the host the module runs on
        (usually a broker or an admin host inside the cluster network, via C(delegate_to)).
    type: list
    elements: str
    required: true
  security_protocol:
    description:
      - Protocol used to talk to the brokers.
    type: str
    choices: [PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL]
    default: PLAINTEXT
  sasl_mechanism:
    description:
      - SASL mechanism.
      - Required when O(security_protocol) is V(SASL_PLAINTEXT) or V(SASL_SSL); ignored otherwise.
    type: str
    choices: [PLAIN, SCRAM-SHA-256, SCRAM-SHA-512]
  sasl_username:
    description:
      - SASL user name.
      - Required when O(security_protocol) is V(SASL_PLAINTEXT) or V(SASL_SSL); ignored otherwise.
    type: str
  sasl_password:
    description:
      - SASL password.
      - Required when O(security_protocol) is V(SASL_PLAINTEXT) or V(SASL_SSL); ignored otherwise.
      - Passed to the client library in memory only; never logged or shown in messages.
    type: str
  ssl_cafile:
    description:
      - PEM file with the CA certificate(s) used to verify the brokers' certificates.
      - Defaults to the system trust store. Only used with V(SSL) and V(SASL_SSL).
    type: path
  ssl_certfile:
    description:
      - PEM client certificate for mutual TLS. Requires O(ssl_keyfile).
      - Only used with V(SSL) and V(SASL_SSL).
    type: path
  ssl_keyfile:
    description:
      - PEM private key of O(ssl_certfile). Requires O(ssl_certfile).
      - Only used with V(SSL) and V(SASL_SSL).
    type: path
  ssl_keyfile_password:
    description:
      - Password of O(ssl_keyfile), if it is encrypted.
    type: str
  ssl_check_hostname:
    description:
      - Verify that the broker certificate matches the host name connected to.
      - Setting V(false) only skips the host name check; the certificate chain is always verified.
    type: bool
    default: true
  request_timeout:
    description:
      - Timeout in seconds for each request to the cluster, including the initial
        connection check. An unreachable cluster fails within this time (sooner when
        every bootstrap broker refuses the connection or authentication fails).
    type: int
    default: 30
requirements:
  - confluent-kafka >= 2.3.0 (Python library, on the host that runs the module)
notes:
  - These options can be set once for all modules of the collection with
    C(module_defaults) and the action group C(group/kafkaops.cluster.kafka).
"""

    # ZooKeeper options: kafkaops.cluster.kafka.zookeeper
    # Must match zookeeper_argument_spec() in plugins/module_utils/kafka_connection.py.
    ZOOKEEPER = r"""
options:
  zookeeper_hosts:
    description:
      - ZooKeeper connection string, for example V(zk-0:2181,zk-1:2181,zk-2:2181),
        without the chroot (see O(zookeeper_chroot)).
      - When omitted, ZooKeeper is not queried.
    type: str
  zookeeper_chroot:
    description:
      - The chroot path of the Kafka cluster in ZooKeeper (the path suffix of the brokers'
        C(zookeeper.connect)). Use V(/) for no chroot.
    type: str
    default: /kafka
  zookeeper_timeout:
    description:
      - Seconds to wait for the ZooKeeper session to be established (and authenticated).
    type: int
    default: 10
  zookeeper_sasl_username:
    description:
      - User name for SASL authentication to ZooKeeper, one of the C(user_<name>) entries of the
        C(Server) section of the ZooKeeper servers' JAAS file.
      - When omitted the module connects anonymously, which a server with C(enforce.auth.enabled=true)
        refuses; the module then fails at once with an C(authentication failed / session closed) message.
      - Requires O(zookeeper_sasl_password).
    type: str
  zookeeper_sasl_password:
    description:
      - Password of O(zookeeper_sasl_username).
      - Passed to the client library in memory only; never logged or shown in messages.
    type: str
  zookeeper_sasl_mechanism:
    description:
      - SASL mechanism for ZooKeeper. Only V(DIGEST-MD5) (ZooKeeper's C(DigestLoginModule)) is supported.
      - Only used when O(zookeeper_sasl_username) is set.
    type: str
    choices: [DIGEST-MD5]
    default: DIGEST-MD5
requirements:
  - kazoo (Python library, only when O(zookeeper_hosts) is set)
  - pure-sasl (Python library, only when O(zookeeper_sasl_username) is set)
notes:
  - A wrong O(zookeeper_sasl_password), an unknown O(zookeeper_sasl_username) and an anonymous
    connection to a server that enforces SASL all fail fast, with a message that starts with
    C(Failed to connect to ZooKeeper at) and names the authentication failure.
  - With C(zookeeper.set.acl=true) the brokers' znodes grant full access only to the SASL identity
    the brokers use and read access to everyone, except sensitive paths such as
    C(<chroot>/config/users) (SCRAM credentials), which only that identity can read.
    Reading broker registrations works with any authenticated user.
"""
