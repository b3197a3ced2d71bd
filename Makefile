# kafkaops.cluster — every entry point bootstraps what it needs (venv, Docker engine, images,
# Kafka bundle) and reuses what already exists.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON        ?= python3
VENV          ?= .venv
BIN           := $(CURDIR)/$(VENV)/bin
KAFKA_VERSION ?= 3.9.2
BUNDLE        := build/kafka/kafka_2.13-$(KAFKA_VERSION).tgz
# The KRaft lab's Kafka (inventories/kraft): the newest 4.x whose Connect and MirrorMaker jars resolve here.
KRAFT_VERSION ?= 4.3.1
KRAFT_BUNDLE  := build/kafka/kafka_2.13-$(KRAFT_VERSION).tgz
CONNECT_PLUGINS := build/connect-plugins
COLLECTION    := build/collections/ansible_collections/kafkaops/cluster
SCENARIO      ?= default replication
# The ansible-core versions meta/runtime.yml claims besides the main venv's 2.19 (Python 3.11), each in
# a venv of its own on the Python it needs (<core>:<python>): make unit and make lint (sanity) run in
# every venv, and make test converges a lab with each (molecule-default: 2.19, then its lifecycle and
# reliability steps: 2.20; molecule-replication: 2.21).
CORE_VENVS    := 2.20:3.12 2.21:3.13
CORES         := $(foreach c,$(CORE_VENVS),$(firstword $(subst :, ,$(c))))
ALL_VENVS     := $(VENV) $(foreach c,$(CORES),.venv-$(c))
core_bin       = $(CURDIR)/.venv-$(1)/bin

export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(BIN):$(PATH)
export ANSIBLE_FORCE_COLOR ?= false
export PY_COLORS ?= 0

.PHONY: help venv core-venvs collection bundle connect-plugins images prereqs lint unit alert-tests integration module-tests plugin-tests aws-tests lifecycle-tests migration-tests molecule molecule-default molecule-replication molecule-kraft test demo demo-replication demo-kraft demo-verify demo-down lock clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# controller.txt pins every package (a pip freeze), so no dependency resolution (--no-deps, then pip
# check proves nothing is missing). The byte-compiling stays: with PYTHONDONTWRITEBYTECODE set (as on
# this machine) Python never caches what it imports, and every ansible-playbook and module run would
# compile ansible, boto3 and botocore again (--no-compile: aws-tests 234 s -> 329 s).
# tools/venv.sh builds each venv once per interpreter and requirements file in ~/.cache/kafkaops/venvs
# (KAFKAOPS_VENV_CACHE; empty: in place) and links it here: a fresh checkout reuses it (make test's setup stage:
# 157 s -> a few seconds).
ZIPCACHE := tools/zipcache/install.sh tools/zipcache/kafkaops_zipcache.pth tools/zipcache/kafkaops_zipcache.py
$(VENV)/.stamp: requirements/controller.txt tools/venv.sh $(ZIPCACHE)
	tools/venv.sh $(PYTHON) $(VENV) requirements/controller.txt
	touch $@

venv: $(VENV)/.stamp collection ## create the pinned Python venv (ansible, molecule, ...)

# .venv-<core>: the same, on the Python that ansible-core version needs (tools/find-python.sh).
.venv-%/.stamp: requirements/ansible-core-%.txt tools/venv.sh $(ZIPCACHE)
	py=$$(tools/find-python.sh $(word 2,$(subst :, ,$(filter $*:%,$(CORE_VENVS))))) && tools/venv.sh $$py .venv-$* $<
	touch $@

core-venvs: $(foreach c,$(CORES),.venv-$(c)/.stamp) collection ## the venvs of the other claimed ansible-core versions

collection: ## make kafkaops.cluster.* resolve from this checkout
	@mkdir -p $(dir $(COLLECTION))
	@ln -sfn ../../../.. $(COLLECTION)

bundle: ## build the Kafka bundles from Maven Central (cached): 3.9 (ZooKeeper mode) and 4.x (KRaft), and fetch the metrics agent
	tools/kafka-bundle/build.sh --version $(KAFKA_VERSION)
	tools/kafka-bundle/build.sh --version $(KRAFT_VERSION)
	tools/kafka-bundle/agent.sh

images: bundle ## make sure Docker answers and the lab images exist, the golden one with the bundle (cached)
	tools/lab/build-images.sh --bundle $(BUNDLE)

connect-plugins: ## build the S3 backup/restore connector plugin from Maven Central (cached)
	tools/connect-plugins/build.sh --out $(CONNECT_PLUGINS)

prereqs: venv bundle connect-plugins images

lint: venv core-venvs ## ansible-lint (production profile), yamllint, ruff (lint + format), ansible-test sanity per ansible-core
	$(BIN)/ansible-lint
	$(BIN)/yamllint -s .
	$(BIN)/ruff check plugins tests bench tools
	$(BIN)/ruff format --check plugins tests bench tools
	set -e; for venv in $(ALL_VENVS); do tools/sanity/run.sh $$venv; done

# Most unit tests wait on fake clocks' real timeouts (about 30 s of CPU in 80 s): four workers.
unit: venv core-venvs ## unit tests, once per ansible-core version
	set -e; for venv in $(ALL_VENVS); do \
	  echo "unit: $$($$venv/bin/ansible --version | head -1), $$($$venv/bin/python --version)"; \
	  $$venv/bin/python -m pytest -q -n 4 -p no:cacheprovider tests/unit; done

alert-tests: venv ## the Prometheus alert rules (roles/monitoring) rendered, checked and unit-tested with promtool
	tests/prometheus/run.sh

integration: venv ## playbook-level tests (preflight refusals; data_volume on loop devices, needs root)
	command -v mkfs.xfs >/dev/null || { apt-get update -qq && apt-get install -y -qq xfsprogs >/dev/null; }
	$(BIN)/python -m pytest -q tests/integration

module-tests: venv bundle ## module integration targets against a secured Kafka cluster on loopback (TARGETS=a,b)
	tests/integration/module_targets.sh $(TARGETS)

# The KRaft twin of module-tests (tests/integration/loopback/kraft.sh, Kafka 4.x, 3 controllers + 3 brokers on ports
# 30200+: kafka_controller_voters_kraft adds and removes voters), running the targets named *_kraft.
module-tests-kraft: venv ## module integration targets against a secured KRaft cluster (Kafka 4.x) on loopback (TARGETS=a,b)
	tools/kafka-bundle/build.sh --version $(KRAFT_VERSION)
	IT_METADATA_MODE=kraft IT_KRAFT_CONTROLLERS=3 KAFKA_TGZ=$(CURDIR)/$(KRAFT_BUNDLE) tests/integration/module_targets.sh $(TARGETS)

plugin-tests: venv bundle connect-plugins ## S3 connector end to end on loopback: Kafka + Connect + moto (backup, crash, restore)
	tools/connect-plugins/selftest.sh

aws-tests: venv ## aws provider against moto on loopback (environment, provision main/retire/replace, inventory, errors)
	tests/aws/run.sh

lifecycle-tests: prereqs ## scale.yml up/down and replace_broker.yml against the lifecycle lab (inventories/lifecycle)
	tests/lifecycle/run.sh

# The ZooKeeper-to-KRaft migration under load (molecule/default/migration.yml) on a fresh demo lab, which is removed
# afterwards whatever the outcome. MIGRATION_PATH=full (3 controllers, one phase per run, the rollback from the kraft
# phase, the refusals; 500 msg/s) or ci (1 controller, the rollback from dual-write, no refusals; 50 msg/s). Neither
# is part of make test: chained after molecule-default's reliability suite on its lab (it passed there), the ci path
# took 808 s of wall (its steps wait on restarts and gates, so a lower rate saved CPU, not time) and ~1500 CPU-s: a
# fresh clone's make test 2337 s and 4185 CPU-s against 1464 s and 2669 CPU-s, over the 2100 s budget.
MIGRATION_PATH ?= full
migration-tests: prereqs ## migrate_to_kraft.yml phase by phase, rollback, again, finalize, upgrade.yml to 4.x: under load on a fresh make demo lab (MIGRATION_PATH=full|ci)
	$(BIN)/ansible-playbook -i inventories/local playbooks/lab_destroy.yml -e lab_destroy_confirm=true >/dev/null
	$(BIN)/ansible-playbook -i inventories/local playbooks/site.yml && \
	ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks \
	$(BIN)/ansible-playbook -i inventories/local molecule/default/migration.yml -e migration_path=$(MIGRATION_PATH); \
	rc=$$?; $(BIN)/ansible-playbook -i inventories/local playbooks/lab_destroy.yml -e lab_destroy_confirm=true >/dev/null; exit $$rc

molecule: prereqs ## each scenario in SCENARIO the way make test runs it (default: default replication)
	for scenario in $(SCENARIO); do $(MAKE) --no-print-directory molecule-$$scenario || exit 1; done

molecule-replication: prereqs core-venvs ## molecule test of the replication scenario (ansible-core 2.21)
	PATH=$(call core_bin,2.21):$$PATH $(call core_bin,2.21)/molecule test -s replication

# One lab for three test groups, on the default scenario's lab through its docker_containers inventory:
# molecule's converges and verify, then the lifecycle steps (scale up and down, broker replacement), then
# the reliability suite under load on the brokers the lifecycle left (its rolling restart with a changed
# JVM option comes last, so no later playbook restarts every broker to take the option back: that cost
# the lifecycle's first scale-up three restarts). The lab is destroyed afterwards whatever the outcome.
molecule-default: prereqs core-venvs ## molecule test of the default scenario, then tests/lifecycle and the reliability suite on its lab
	$(BIN)/molecule destroy -s default
	$(BIN)/molecule test -s default --destroy never && \
	LIFECYCLE_INV=molecule/default/inventory LIFECYCLE_LAB=molecule LIFECYCLE_HOST_PREFIX=mol- \
	LIFECYCLE_REUSE_LAB=1 BIN=$(call core_bin,2.20) tests/lifecycle/run.sh && \
	ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks \
	$(call core_bin,2.20)/ansible-playbook -i molecule/default/inventory molecule/default/reliability.yml; \
	rc=$$?; $(BIN)/molecule destroy -s default >/dev/null; exit $$rc

# The KRaft lab (Kafka 4.x: 3 controllers + 3 brokers): molecule's converge, idempotence, verification and security
# refusals, then controllers added and removed (tests/kraft/controllers.sh: 3 -> 5 -> 3 with scale.yml), then the
# reliability suite under load (brokers, then the controllers' rolling restart and a SIGKILL of the active
# controller; last, so no later playbook restarts every node to take its JVM option back). The lab is destroyed
# afterwards whatever the outcome.
molecule-kraft: prereqs ## molecule test of the KRaft scenario (Kafka 4.x), then tests/kraft/controllers.sh and its reliability suite
	tools/kafka-bundle/build.sh --version $(KRAFT_VERSION)
	tools/lab/build-images.sh --bundle $(KRAFT_BUNDLE)
	$(BIN)/molecule destroy -s kraft
	$(BIN)/molecule test -s kraft --destroy never && \
	KRAFT_INV=molecule/kraft/inventory KRAFT_LAB=molkraft tests/kraft/controllers.sh && \
	ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks \
	$(BIN)/ansible-playbook -i molecule/kraft/inventory molecule/kraft/reliability.yml; \
	rc=$$?; $(BIN)/molecule destroy -s kraft >/dev/null; exit $$rc

# Each stage timed; the run ends with the stage timing table against tests/stage-budgets.tsv. a+b runs
# side by side stages that mostly wait and share no ports (module-tests 30000+, module-tests-kraft 30200+, plugin-tests
# 31000-31099, aws-tests' moto 32600-32699; all below Linux's ephemeral range 32768-60999, where a client connection's
# local port made a listener's bind fail); a,b runs them one after the other. The molecule labs run one at a time (two
# side by side put 16 JVMs on 2 cores and each ran twice as slowly), after the loopback clusters' stages.
# ~a,b is the background lane (tools/ci/stages.sh): the CPU-bound stages that wait on nothing Kafka does (lint with
# three ansible-core sanity runs, aws-tests on moto, unit tests, promtool on the alert rules, the playbook-level
# integration tests) at nice 19 in an autogroup of their own, beside everything after it, on the CPU the loopback
# clusters and the labs leave idle (the
# labs ran at 70-80 % CPU). Before, they took two lanes of their own ahead of the labs: lint,module-tests,plugin-tests
# beside aws-tests,module-tests-kraft 663 s, the labs 1250 s with unit and integration beside them.
TEST_STAGES := venv+core-venvs+bundle connect-plugins+images ~lint,unit,alert-tests,integration,aws-tests \
	module-tests+plugin-tests,module-tests-kraft molecule-default molecule-replication

test: ## everything CI runs, stage by stage, ending with a stage timing table
	tools/ci/stages.sh $(TEST_STAGES)

demo: prereqs ## bring up the local lab cluster and prove it works
	$(BIN)/ansible-playbook -i inventories/local playbooks/site.yml

demo-replication: prereqs ## bring up the two-cluster lab (prod: ZooKeeper with Kafka Connect; repl: KRaft on Kafka 4.x with MirrorMaker 2)
	$(BIN)/ansible-playbook -i inventories/replication playbooks/site.yml

demo-kraft: venv ## bring up the KRaft lab (Kafka 4.x: 3 controllers + 3 brokers, no ZooKeeper) and prove it works
	tools/kafka-bundle/build.sh --version $(KRAFT_VERSION)
	tools/lab/build-images.sh --bundle $(KRAFT_BUNDLE)
	$(BIN)/ansible-playbook -i inventories/kraft playbooks/site.yml

demo-verify: venv ## re-run only the verification against the lab
	$(BIN)/ansible-playbook -i inventories/local playbooks/verify.yml

demo-down: venv ## remove the lab containers, volumes and network (the make target is the intent)
	$(BIN)/ansible-playbook -i inventories/local playbooks/lab_destroy.yml -e lab_destroy_confirm=true

lock: ## regenerate requirements/controller.txt and ansible-core-*.txt from their .in files
	rm -rf build/lock-venv && $(PYTHON) -m venv build/lock-venv
	build/lock-venv/bin/pip install -q -r requirements/controller.in
	{ echo "# Generated from controller.in by \`make lock\` (pip freeze of a clean venv). Do not edit by hand."; \
	  build/lock-venv/bin/pip freeze; } > requirements/controller.txt
	set -e; for c in $(CORE_VENVS); do core=$${c%%:*}; \
	  rm -rf build/lock-$$core && $$(tools/find-python.sh $${c##*:}) -m venv build/lock-$$core; \
	  build/lock-$$core/bin/pip install -q -r requirements/ansible-core-$$core.in; \
	  { echo "# Generated from ansible-core-$$core.in by \`make lock\` (pip freeze of a clean venv). Do not edit by hand."; \
	    build/lock-$$core/bin/pip freeze; } > requirements/ansible-core-$$core.txt; done

clean: ## remove the venvs and build outputs (keeps Docker images)
	rm -rf $(ALL_VENVS) build
