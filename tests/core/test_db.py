"""core.db.retry_on_conflict against a real deadlock on PostgreSQL: two transactions lock two
rows in opposite orders, PostgreSQL aborts one (40P01), and the aborted one runs again.

Needs real row locks, so it runs on PostgreSQL only (CI does); SQLite serialises writers.
"""

import threading

import pytest
from django.db import OperationalError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.db import Busy, is_serialization_failure, retry_on_conflict
from core.models import WorkerHeartbeat

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="deadlocks need PostgreSQL's row locks: set DATABASE_URL=postgres://…",
    ),
]


@pytest.fixture
def rows():
    now = timezone.now()
    return [WorkerHeartbeat.objects.create(hostname=name, seen_at=now).pk for name in "ab"]


def deadlock(rows, *, wrap, outer=False):
    """Two threads lock the rows in opposite orders, meeting in between on their first try;
    ``wrap`` decorates the work. Returns ([outcome per thread], [tries per thread])."""
    meet = threading.Barrier(2)
    tries = [0, 0]
    outcomes = [None, None]

    def work(i, first, second):
        tries[i] += 1
        WorkerHeartbeat.objects.select_for_update().get(pk=first)
        if tries[i] == 1:
            meet.wait(timeout=10)
        WorkerHeartbeat.objects.select_for_update().get(pk=second)
        return i

    def run(i, first, second):
        job = wrap(transaction.atomic(lambda: work(i, first, second)))
        try:
            if outer:
                with transaction.atomic():
                    outcomes[i] = job()
            else:
                outcomes[i] = job()
        except Exception as exc:  # noqa: BLE001 - the test looks at what was raised
            outcomes[i] = exc
        finally:
            connection.close()

    a, b = rows
    threads = [
        threading.Thread(target=run, args=(0, a, b)),
        threading.Thread(target=run, args=(1, b, a)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes, tries


def test_a_deadlocked_transaction_runs_again_and_both_succeed(rows):
    outcomes, tries = deadlock(rows, wrap=retry_on_conflict)
    assert outcomes == [0, 1]
    assert sorted(tries) == [1, 2]  # PostgreSQL aborted one; it ran once more


def test_when_the_tries_run_out_the_user_is_told_nothing_changed(rows):
    outcomes, tries = deadlock(rows, wrap=retry_on_conflict(attempts=1))
    busy = [o for o in outcomes if isinstance(o, Exception)]
    assert len(busy) == 1 and isinstance(busy[0], Busy)
    assert busy[0].code == "busy"
    assert is_serialization_failure(busy[0].__cause__)
    with translation.override("zh-hans"):  # the thread spoke the portal's language
        said = gettext(
            "Someone else was changing the same records at that moment. Nothing was changed; "
            "please try again."
        )
    assert busy[0].messages == [said] and "请" in said
    assert tries == [1, 1]


def test_inside_an_outer_transaction_the_error_goes_up_unchanged(rows):
    outcomes, tries = deadlock(rows, wrap=retry_on_conflict, outer=True)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], OperationalError)
    assert is_serialization_failure(errors[0])
    assert tries == [1, 1]  # the outer transaction's owner decides; nothing ran twice
