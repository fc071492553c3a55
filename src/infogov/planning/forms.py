"""Input forms of the plan pages (parsing only; every rule lives in services and rules). Every choice
offers only what the user may use: the levels their organisation may draw up, plans in force as a
basis, the organisations of the plan's own area as a task's 责任单位."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models import Q

from infogov.core.workflow.permissions import scope_of
from infogov.org.choices import OrganisationKind
from infogov.org.models import Organisation

from .choices import ANSWER_TEMPLATES, AnswerStatus, ExpertConclusion, PlanLevel, PlanState
from .models import Plan

# who may own a plan of each level (第五条; the rules A5-1/2/3-OWNER judge it on the plan itself)
_OWNER_KINDS = {
    PlanLevel.CITY: (OrganisationKind.AUTHORITY,),
    PlanLevel.LOCAL: (OrganisationKind.AUTHORITY,),
    PlanLevel.SPECIAL: (
        OrganisationKind.DEPARTMENT,
        OrganisationKind.PUBLIC_SERVICE,
        OrganisationKind.AUTHORITY,
    ),
}


def levels_for(owners: Iterable[Organisation]) -> list[str]:
    """The plan levels one of `owners` may draw up: 全市 only the city authority, 本辖区 a county's
    (district's, zone's) authority, 专项 a department of its own area."""
    levels = set()
    for o in owners:
        at_city = o.jurisdiction.parent_id is None
        for level, kinds in _OWNER_KINDS.items():
            if o.kind in kinds and (level == PlanLevel.SPECIAL or at_city == (level == PlanLevel.CITY)):
                levels.add(level)
    return [str(v) for v in PlanLevel.values if v in levels]


def basis_plans(owners: Iterable[Organisation]) -> Any:
    """The plans a new plan may rest on: plans in force (第五条) — the city plan, and the area plans of
    the owners' own jurisdictions."""
    jurisdictions = {o.jurisdiction_id for o in owners}
    return (
        Plan.objects.filter(versions__state=PlanState.IN_FORCE)
        .filter(Q(level=PlanLevel.CITY) | Q(level=PlanLevel.LOCAL, jurisdiction_id__in=jurisdictions))
        .select_related("jurisdiction")
        .distinct()
        .order_by("level", "id")
    )


class PlanCreateForm(forms.Form):
    level = forms.ChoiceField(label="规划层级", choices=PlanLevel.choices)
    title = forms.CharField(label="规划名称", max_length=200)
    owner = forms.ModelChoiceField(
        label="编制单位",
        queryset=Organisation.objects.none(),
        error_messages={"invalid_choice": "只能以本单位名义编制规划（第五条）"},
    )
    period_start = forms.IntegerField(label="规划期起始年", min_value=2000, max_value=2100, initial=2026)
    period_end = forms.IntegerField(label="规划期终止年", min_value=2000, max_value=2100, initial=2030)
    parent = forms.ModelChoiceField(
        label="依据规划",
        queryset=Plan.objects.none(),
        required=False,
        help_text="本辖区规划依据施行中的市规划；专项规划依据本区域（本级）施行中的规划",
        error_messages={"invalid_choice": "依据规划须为施行中的市规划或本区域规划（第五条）"},
    )
    parent_reference = forms.CharField(label="依据的省级规划（全市规划填写）", max_length=200, required=False)
    body = forms.CharField(label="规划说明", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_ids = (
            scope_of(user).org_ids_with_role("dept_staff", "authority_staff", "authority_leader")
            if user
            else []
        )
        owners = list(Organisation.objects.filter(pk__in=org_ids).select_related("jurisdiction"))
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in owners]
        )
        levels = levels_for(owners)
        cast(forms.ChoiceField, self.fields["level"]).choices = [
            (v, label) for v, label in PlanLevel.choices if v in levels
        ]
        self.fields["level"].error_messages["invalid_choice"] = "本单位不能编制该层级的规划（第五条）"
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = basis_plans(owners)
        for f in self.fields.values():
            w = f.widget
            w.attrs.setdefault("class", "form-select" if isinstance(w, forms.Select) else "form-control")


class GoalForm(forms.Form):
    text = forms.CharField(label="发展目标", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


def responsible_choices(version: Any) -> Any:
    """The organisations a plan's task may be given to: those of the plan's own area (a county plan:
    that county's; the city plan: the city's and its counties'), active."""
    return (
        Organisation.objects.filter(is_active=True, jurisdiction__path__startswith=version.jurisdiction.path)
        .select_related("jurisdiction")
        .order_by("jurisdiction__sort_order", "kind", "name")
    )


class TaskForm(forms.Form):
    text = forms.CharField(label="重点任务", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    goal_id = forms.IntegerField(label="所属目标", required=False)
    responsible = forms.ModelChoiceField(
        label="责任单位",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="（不指定）",
        widget=forms.Select(attrs={"class": "form-select", "id": "task-resp"}),
        error_messages={"invalid_choice": "责任单位须为本规划所在区域的单位"},
    )
    indicator = forms.CharField(label="目标指标", max_length=200, required=False)
    target_value = forms.DecimalField(label="目标值", max_digits=14, decimal_places=2, required=False)
    unit = forms.CharField(label="单位", max_length=20, required=False)
    target_year = forms.IntegerField(label="目标年度", min_value=2000, max_value=2100, required=False)

    def __init__(self, *args: Any, version: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if version is not None:
            cast(forms.ModelChoiceField, self.fields["responsible"]).queryset = responsible_choices(version)


class PublicCommentForm(forms.Form):
    body = forms.CharField(
        label="意见内容", min_length=5, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    target = forms.CharField(label="针对", required=False)  # "", "goal:<id>" or "task:<id>"
    name = forms.CharField(label="姓名（选填）", max_length=50, required=False)
    contact = forms.CharField(label="联系方式（选填，答复后通知您）", max_length=100, required=False)
    website = forms.CharField(label="网址", required=False)  # honeypot, hidden from people

    def target_ids(self) -> tuple[int | None, int | None]:
        kind, _, raw = (self.cleaned_data.get("target") or "").partition(":")
        value = int(raw) if raw.isdigit() else None
        return (value, None) if kind == "goal" else (None, value) if kind == "task" else (None, None)


class AnswerForm(forms.Form):
    comment_ids = forms.TypedMultipleChoiceField(label="意见", coerce=int, choices=())
    template = forms.ChoiceField(
        label="答复模板",
        required=False,
        choices=[("", "不用模板")] + [(k, v["label"]) for k, v in ANSWER_TEMPLATES.items()],
    )
    status = forms.ChoiceField(label="答复结论", choices=[("", "—"), *AnswerStatus.choices], required=False)
    text = forms.CharField(label="答复意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="理由", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, comment_ids=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["comment_ids"]).choices = [(i, str(i)) for i in comment_ids]


class OpinionForm(forms.Form):
    conclusion = forms.ChoiceField(label="论证结论", choices=ExpertConclusion.choices)
    opinion = forms.CharField(label="论证意见", min_length=5, widget=forms.Textarea(attrs={"rows": 4}))
