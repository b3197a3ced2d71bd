# -*- coding: utf-8 -*-
# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from fake_clock import FakeClock

from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll


def test_poll_returns_first_done_value_and_reports_each_read():
    clock = FakeClock()
    reads = iter([1, 2, 3, 4])
    seen = []
    value, done = poll(
        lambda: next(reads),
        lambda v: v >= 3,
        10,
        interval=1,
        on_poll=lambda v, elapsed: seen.append((v, elapsed)),
        sleep=clock.sleep,
        clock=clock,
    )
    assert (value, done) == (3, True)
    assert seen == [(1, 0.0), (2, 1.0), (3, 2.0)]


def test_poll_gives_up_at_the_deadline_without_overrunning_it():
    clock = FakeClock()
    value, done = poll(lambda: "pending", lambda v: False, 2.5, interval=1, sleep=clock.sleep, clock=clock)
    assert (value, done) == ("pending", False)
    assert clock.sleeps == [1, 1, 0.5]
    assert clock.now == 2.5
