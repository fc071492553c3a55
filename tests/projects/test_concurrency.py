"""Two reviewers decide the same project at once: one wins, the other gets a conflict (第九条第二款)."""

import threading

import pytest
from django.db import connection

from infogov.core.errors import Conflict
from infogov.core.models import DocketEvent
from infogov.projects import services
from infogov.projects.models import Project
from tests.conftest import fresh
from tests.factories import make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.article(9)]


def test_two_reviewers_one_decision(walker, world):
    p = walker.findings(walker.include(walker.submit(walker.create())))
    second = fresh(make_user("yongji_reviewer2", world.yongji.authority, "authority_leader"))
    first = fresh(walker.authority)
    seen = Project.objects.get(pk=p.pk)  # both read the same version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user, passed):
        try:
            barrier.wait()
            services.project_review_decide(
                project=seen, user=user, passed=passed, comment="审查", expected_version=seen.version
            )
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(first, True)),
        threading.Thread(target=decide, args=(second, False)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "won"]
    decisions = DocketEvent.objects.for_case(p).filter(action__in=["review_pass", "review_fail"])
    assert decisions.count() == 1
    assert Project.objects.get(pk=p.pk).state == decisions.get().to_state
