# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafkaops.cluster.config_files through ansible-playbook on localhost, the way the roles call it.

Templates rendered with ``lookup('ansible.builtin.template')`` must give the same bytes as the
``template`` module (so a converge after the switch changes nothing); check mode predicts and writes
nothing; a second run reports ``changed=0``; ``--diff`` shows the change of a plain file and nothing of a
``no_log`` task; the secret never appears in the output, not even with ``-vvv``; a bad batch fails
whole with nothing written.
"""

from __future__ import annotations

import os
import re
import stat
import sys

import pytest
from playbook_check import ansible_playbook

SECRET = "s3cret-config-files-it"
PYTHON = f"ansible_python_interpreter={sys.executable}"

TEMPLATE = """\
# {{ ansible_managed }}
{% for key, value in _properties | dictsort %}
{{ key }}={{ value }}
{% endfor %}
"""

PLAYBOOK = """\
- name: config_files on localhost
  hosts: localhost
  gather_facts: false
  vars:
    base: "{base}"
    props: {{a: "1", b: "{value}"}}
  tasks:
    - name: The template module's rendering, for comparison
      ansible.builtin.template:
        src: templates/app.properties.j2
        dest: "{{{{ base }}}}/reference.properties"
        mode: "0644"
      vars:
        _properties: "{{{{ props }}}}"
      when: not ansible_check_mode

    - name: Directories and a plain file
      kafkaops.cluster.config_files:
        directories:
          - {{path: "{{{{ base }}}}/conf", owner: root, group: "{group}", mode: "0750"}}
        files:
          - dest: "{{{{ base }}}}/conf/app.properties"
            content: "{{{{ lookup('ansible.builtin.template', 'templates/app.properties.j2',
                                template_vars={{'_properties': props}}) }}}}"
            owner: root
            group: "{group}"
            mode: "0640"

    - name: A file holding a secret
      kafkaops.cluster.config_files:
        files:
          - {{dest: "{{{{ base }}}}/conf/secret.properties", content: "password={secret}\\n", owner: nobody,
             group: "{group}", mode: "0600"}}
      no_log: true
      diff: false
"""


def run(tmp_path, *args, value="2", secret=SECRET):
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "app.properties.j2").write_text(TEMPLATE)
    group = "nogroup" if _group_exists("nogroup") else "root"
    playbook = tmp_path / "play.yml"
    playbook.write_text(PLAYBOOK.format(base=tmp_path / "out", value=value, group=group, secret=secret))
    (tmp_path / "out").mkdir(exist_ok=True)
    return ansible_playbook(["-i", "localhost,", "-c", "local", "-e", PYTHON, *args, str(playbook)], cwd=tmp_path)


def _group_exists(name):
    import grp

    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def changed(output):
    m = re.search(r"localhost\s+: ok=\d+\s+changed=(\d+)", output)
    assert m, output
    return int(m.group(1))


pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="config_files sets owners: needs root")


def test_check_converge_idempotent_diff_and_no_secret(tmp_path):
    rc, out = run(tmp_path, "--check", "--diff")
    assert rc == 0, out
    assert changed(out) == 2, out
    assert not (tmp_path / "out" / "conf").exists(), "check mode wrote something"

    rc, out = run(tmp_path, "-vvv")
    assert rc == 0, out
    assert SECRET not in out
    conf = tmp_path / "out" / "conf"
    assert (conf / "app.properties").read_bytes() == (tmp_path / "out" / "reference.properties").read_bytes()
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o750
    assert stat.S_IMODE(os.stat(conf / "app.properties").st_mode) == 0o640
    assert stat.S_IMODE(os.stat(conf / "secret.properties").st_mode) == 0o600
    assert os.stat(conf / "secret.properties").st_uid == 65534  # nobody
    assert (conf / "secret.properties").read_text() == f"password={SECRET}\n"

    rc, out = run(tmp_path, "--diff")
    assert rc == 0 and changed(out) == 0, out
    rc, out = run(tmp_path, "--check", "--diff")
    assert rc == 0 and changed(out) == 0, out

    rc, out = run(tmp_path, "--check", "--diff", value="3", secret="other-secret-it")
    assert rc == 0 and changed(out) == 2, out
    assert "-b=2" in out and "+b=3" in out, out
    assert "other-secret-it" not in out and SECRET not in out
    assert (conf / "app.properties").read_text().endswith("b=2\n")


def test_bad_batch_fails_whole(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "app.properties.j2").write_text(TEMPLATE)
    playbook = tmp_path / "bad.yml"
    playbook.write_text(
        f"""\
- hosts: localhost
  gather_facts: false
  tasks:
    - kafkaops.cluster.config_files:
        directories:
          - {{path: "{tmp_path}/d", mode: "0755"}}
        files:
          - {{dest: "{tmp_path}/d/f", content: "x", mode: 644}}
"""
    )
    rc, output = ansible_playbook(["-i", "localhost,", "-c", "local", "-e", PYTHON, str(playbook)], cwd=None)
    assert rc != 0
    assert "is not an octal string" in output, output
    assert not (tmp_path / "d").exists()
