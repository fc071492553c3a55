"""Reads are scoped (第四条): a 永吉县 user cannot list or read a 蛟河市 project."""

import pytest

from infogov.core.errors import NotFound
from infogov.projects import selectors
from tests.conftest import fresh

pytestmark = pytest.mark.django_db


def test_county_users_see_only_their_own(walker, jiaohe_walker, world):
    mine, theirs = walker.create(), jiaohe_walker.create(title="蛟河市项目")
    for user in (walker.owner, walker.authority):
        assert list(selectors.project_list(user)) == [mine]
        with pytest.raises(NotFound):
            selectors.project_get(user, theirs.pk)
    city = fresh(world.city.authority_user)
    assert set(selectors.project_list(city)) == {mine, theirs}
    assert list(selectors.project_list(fresh(world.audit_admin))) == []


def test_word_search_finds_two_character_words(walker):
    p = walker.create(title="政务服务中台", content="建设政务服务中台，统一身份认证")
    walker.create(title="农业物联网", content="农业监测")
    assert list(selectors.project_list(walker.owner, q="政务")) == [p]
    assert list(selectors.project_list(walker.owner, q="身份认证")) == [p]
    assert list(selectors.project_list(walker.owner, q="认证 农业")) == []
