# -*- coding: utf-8 -*-
# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest
from fake_clock import FakeClock

from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll


@pytest.mark.parametrize(
    "reads, ready, interval, expected, seen",
    [
        ([1, 2, 3, 4], lambda v: v >= 3, 1, 3, [(1, 0.0), (2, 1.0), (3, 2.0)]),
        ([3, 2, 0], lambda v: v == 0, 2, 0, [(3, 0.0), (2, 2.0), (0, 4.0)]),
    ],
)
def test_poll_returns_first_done_value_and_reports_each_read(reads, ready, interval, expected, seen):
    clock = FakeClock()
    values = iter(reads)
    polled = []
    value, done = poll(
        lambda: next(values),
        ready,
        10,
        interval=interval,
        on_poll=lambda v, elapsed: polled.append((v, elapsed)),
        sleep=clock.sleep,
        clock=clock,
    )
    assert (value, done) == (expected, True)
    assert polled == seen


@pytest.mark.parametrize(
    "timeout, interval, sleeps",
    [(2.5, 1, [1, 1, 0.5]), (5, 2, [2, 2, 1])],
)
def test_poll_gives_up_at_the_deadline_without_overrunning_it(timeout, interval, sleeps):
    clock = FakeClock()
    value, done = poll(lambda: "pending", lambda v: False, timeout, interval=interval, sleep=clock.sleep, clock=clock)
    assert (value, done) == ("pending", False)
    assert clock.sleeps == sleeps
    assert clock.now == timeout
