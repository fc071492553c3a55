"""Proposals submitted at the same moment each bring the duplicate-construction index up to date in
their own transaction (similarity_index.sync): none fails, none is lost, the index stays whole."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from infogov.projects import similarity_index as ix
from infogov.projects.demo_data import PROJECTS
from infogov.projects.models import Project, SimilarityDocument, SimilarityTerm
from infogov.security.models import InformationSystem
from tests.projects.test_similarity_index import assert_consistent

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_submissions_keep_the_index_whole(walker, world):
    specs = PROJECTS[:4]
    drafts = [walker.create(title=s["title"], content=s["content"], systems=s["systems"]) for s in specs]
    # work waiting in the queue for whoever searches first
    walker.submit(walker.create(title=PROJECTS[4]["title"], content=PROJECTS[4]["content"]))
    InformationSystem.objects.create(
        title="吉林市政务服务平台",
        purpose="统一身份认证、统一电子证照、事项网上申报",
        owner=world.city.department,
        jurisdiction=world.city.jurisdiction,
        level=3,
    )
    barrier = threading.Barrier(len(drafts))
    errors: list[BaseException] = []

    def submit(p: Project) -> None:
        try:
            barrier.wait()
            walker.submit(Project.objects.get(pk=p.pk))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(p,)) for p in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert all(Project.objects.get(pk=p.pk).state == "proposed" for p in drafts)
    ix.sync()
    assert_consistent()
    assert SimilarityDocument.objects.count() == len(drafts) + 2
    assert SimilarityTerm.objects.get(term=ix.CORPUS).df == len(drafts) + 2
