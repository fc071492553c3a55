from django.apps import AppConfig

from infogov.core.registry import ApiRouter, CaseType, MenuEntry, Pages, Registration


class TestappConfig(AppConfig):
    name = "tests.testapp"
    label = "testapp"
    verbose_name = "测试工作流"

    # the whole registration of a case type: core derives its URLs, API, menu entry and page links
    infogov = Registration(
        case_types=(CaseType("testapp.Widget", "tests.testapp.workflows:WORKFLOW", namespace="widgets"),),
        pages=(Pages("widgets/", "tests.testapp.pages"),),
        api=(ApiRouter("/widgets/", "tests.testapp.api:router", ("测试事项",)),),
        menu=(MenuEntry("测试事项", "widgets:list", lambda u: u.is_superuser, order=800),),
    )
