# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one polling loop of the collection.

Every wait in the modules (a new topic's leaders, credentials reaching every broker, a
restarted broker rejoining, a reassignment finishing, a connector settling) is
``poll(read, done, timeout)``: read, stop when ``done(value)``, give up at the deadline.
Callers decide what a timeout means (``kafka_common.poll_until`` raises; the reassignment
reports progress), so this module has no Kafka imports and no error types.
"""

from __future__ import annotations

import time


def poll(read, done, timeout, interval=0.5, on_poll=None, sleep=time.sleep, clock=time.monotonic):
    """Call ``read()`` until ``done(value)``; ``on_poll(value, elapsed)`` after each read.

    Returns ``(value, True)`` when done, ``(last value, False)`` once ``timeout`` seconds have
    passed. The last sleep is cut to the deadline, so a wait never overruns it by an interval.
    """
    start = clock()
    while True:
        value = read()
        elapsed = clock() - start
        if on_poll is not None:
            on_poll(value, elapsed)
        if done(value):
            return value, True
        if elapsed >= timeout:
            return value, False
        sleep(max(0.0, min(interval, timeout - elapsed)))
