# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Helpers shared by the unit tests' fake AdminClients (importable: conftest.py's folder is on sys.path)."""

from __future__ import annotations

import concurrent.futures


def done(value=None, exception=None):
    """A future that already holds ``value`` (or raises ``exception``), like the AdminClient returns."""
    future = concurrent.futures.Future()
    if exception is not None:
        future.set_exception(exception)
    else:
        future.set_result(value)
    return future
