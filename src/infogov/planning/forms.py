"""Input forms of the plan pages (parsing only; every rule lives in services and rules)."""

from __future__ import annotations

from typing import cast

from django import forms

from infogov.core.workflow.permissions import scope_of
from infogov.org.models import Organisation

from .choices import ANSWER_TEMPLATES, AnswerStatus, ExpertConclusion, PlanLevel
from .models import Plan


class PlanCreateForm(forms.Form):
    level = forms.ChoiceField(label="规划层级", choices=PlanLevel.choices)
    title = forms.CharField(label="规划名称", max_length=200)
    owner = forms.ModelChoiceField(label="编制单位", queryset=Organisation.objects.none())
    period_start = forms.IntegerField(label="规划期起始年", min_value=2000, max_value=2100, initial=2026)
    period_end = forms.IntegerField(label="规划期终止年", min_value=2000, max_value=2100, initial=2030)
    parent = forms.ModelChoiceField(
        label="依据规划",
        queryset=Plan.objects.none(),
        required=False,
        help_text="本辖区规划依据市规划；专项规划依据本区域（本级）规划",
    )
    parent_reference = forms.CharField(label="依据的省级规划（全市规划填写）", max_length=200, required=False)
    body = forms.CharField(label="规划说明", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        org_ids = (
            scope_of(user).org_ids_with_role("dept_staff", "authority_staff", "authority_leader")
            if user
            else []
        )
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = Organisation.objects.filter(
            pk__in=org_ids
        )
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = Plan.objects.select_related(
            "jurisdiction"
        ).order_by("level", "id")


class GoalForm(forms.Form):
    text = forms.CharField(label="发展目标", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class TaskForm(forms.Form):
    text = forms.CharField(label="重点任务", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    goal_id = forms.IntegerField(label="所属目标", required=False)
    responsible = forms.ModelChoiceField(
        label="责任单位", queryset=Organisation.objects.all(), required=False
    )
    indicator = forms.CharField(label="目标指标", max_length=200, required=False)
    target_value = forms.DecimalField(label="目标值", max_digits=14, decimal_places=2, required=False)
    unit = forms.CharField(label="单位", max_length=20, required=False)
    target_year = forms.IntegerField(label="目标年度", min_value=2000, max_value=2100, required=False)


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
