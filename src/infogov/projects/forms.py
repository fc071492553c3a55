"""The register form of a project and the annual-plan form: Chinese labels and messages, every
register field (第三、九、十、十二、三十一条), cleaned into the shapes services.project_create /
project_update and services.plan_create take. Forms check the input's shape; what the law requires of
a project (第三条 funding, 第十二条 standards) they judge with the rules the steps apply (rules.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from infogov.core.errors import DomainError
from infogov.core.workflow.payloads import date_in_window
from infogov.core.workflow.rules import RuleContext
from infogov.org.models import Jurisdiction, Organisation

from . import rules as r
from .choices import SECURITY_MEASURES, Category, FundingKind, Hosting, Network, ProtectionLevel
from .models import Project, Standard

_SPLIT = re.compile(r"[\n;；、]+")
MAX_ITEMS = 100
ITEM_MAX_LEN = 200
TEXT_MAX_LEN = 20_000

PRODUCE, CONSUME = "produce", "consume"


def split_lines(value: Any) -> list[str]:
    """One item a line (also split on 、；): the structured lists of the register."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in _SPLIT.split(str(value).replace("\r\n", "\n")) if v.strip()]


def split_resources(items: Iterable[Any]) -> tuple[list[str], list[str]]:
    """data_resources → (produced, consumed) names. Entries without a direction (imported or demo
    data) count as produced: the register never drops them."""
    produced: list[str] = []
    consumed: list[str] = []
    for d in items or ():
        if isinstance(d, dict):
            name = str(d.get("name", "")).strip()
            (consumed if d.get("use") == CONSUME else produced).append(name)
        elif str(d).strip():
            produced.append(str(d).strip())
    return [p for p in produced if p], [c for c in consumed if c]


def join_resources(produced: Sequence[str], consumed: Sequence[str]) -> list[dict[str, str]]:
    return [{"name": n, "use": PRODUCE} for n in produced] + [{"name": n, "use": CONSUME} for n in consumed]


# -- fields ------------------------------------------------------------------------------------------


class MoneyField(forms.DecimalField):
    """An amount in yuan, to the fen: "3,800,000.00"、"380 0000"、"3800000元" all read as 3800000.00."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 16)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": "请填写金额（元），如 3800000.00 或 3,800,000.00",
                "max_digits": "金额过大：整数部分最多 14 位",
                "max_decimal_places": "金额精确到分：最多两位小数",
                "max_whole_digits": "金额过大：整数部分最多 14 位",
                "min_value": "金额须大于零",
            },
        )
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            value = re.sub(r"[,，\s]", "", value).removesuffix("元")
        return super().to_python(value)


class TextField(forms.CharField):
    """Free text with browser line ends (\\r\\n) stored as \\n, so an untouched field is unchanged."""

    def __init__(self, *, rows: int = 3, max_length: int = TEXT_MAX_LEN, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).replace("\r\n", "\n").replace("\r", "\n")


class LinesField(forms.CharField):
    """A list entered one item a line; cleans to list[str]."""

    def __init__(self, *, rows: int = 3, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(widget=forms.Textarea(attrs={"rows": rows}), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list | tuple) else value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        return split_lines(value)

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if len(value) > MAX_ITEMS:
            raise forms.ValidationError(f"最多填写 {MAX_ITEMS} 项", code="too_many")
        long = [v for v in value if len(v) > ITEM_MAX_LEN]
        if long:
            raise forms.ValidationError(f"每项不能超过 {ITEM_MAX_LEN} 字：{long[0][:20]}…", code="too_long")

    def run_validators(self, value: Any) -> None:  # the max_length of CharField is per item here
        return None

    def has_changed(self, initial: Any, data: Any) -> bool:
        return split_lines(initial) != split_lines(data)


class ChecklistField(LinesField):
    """A list ticked from known options (checkboxes); a posted value of several lines is split, so an
    older client sending "甲\n乙" is read the same. The options are the known ones plus the record's own."""

    def __init__(self, *, options: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.widget: forms.CheckboxSelectMultiple = forms.CheckboxSelectMultiple(
            choices=[(o, o) for o in options]
        )
        self.options = list(options)

    def offer(self, extra: Iterable[str]) -> None:
        """Add the record's own entries (typed before the list existed) to the options."""
        more = [e for e in extra if e and e not in self.options]
        self.options += more
        self.widget.choices = [(o, o) for o in self.options]

    def prepare_value(self, value: Any) -> Any:
        return list(value) if isinstance(value, list | tuple) else split_lines(value)

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        items = value if isinstance(value, list | tuple) else [value]
        out: list[str] = []
        for item in items:
            out += [v for v in split_lines(item) if v not in out]
        return out


def _choices(choices: Iterable[tuple[Any, Any]], blank: str | None = None) -> list[tuple[Any, Any]]:
    out = [(v, str(label)) for v, label in choices]
    return [("", blank), *out] if blank is not None else out


class StyledForm(forms.Form):
    """Bootstrap classes on the widgets; help and error texts tied to their input (aria-describedby)."""

    required_css_class = "required"

    def style(self) -> None:
        for name, f in self.fields.items():
            w = f.widget
            if isinstance(w, forms.RadioSelect | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(w, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            w.attrs["class"] = css
            described = [f"id_{name}_help"] if f.help_text else []
            if self.is_bound and name in self.errors:
                w.attrs["class"] = css + " is-invalid"
                described.append(f"id_{name}_error")
            if described:
                w.attrs["aria-describedby"] = " ".join(described)
            else:
                w.attrs.pop("aria-describedby", None)


# -- the register form ---------------------------------------------------------------------------------


class ProjectForm(StyledForm):
    """Every field a construction unit registers; also the edit form of a draft (without owner)."""

    owner = forms.TypedChoiceField(
        label="建设单位", coerce=int, help_text="以本单位作为建设单位登记（第四条）"
    )
    title = forms.CharField(label="项目名称", max_length=200)
    category = forms.ChoiceField(label="项目类别", choices=_choices(Category.choices))
    funding_kind = forms.ChoiceField(
        label="资金性质",
        choices=_choices(FundingKind.choices),
        widget=forms.RadioSelect,
        help_text="使用财政性资金的项目申报列入年度建设计划（第九条）；其他公共基础设施和信息安全项目办理备案（第十条）",
    )
    budget = MoneyField(
        label="预算金额（元）", min_value=Decimal("0.01"), help_text="精确到分，如 3,800,000.00"
    )
    budget_source = forms.CharField(
        label="预算来源",
        max_length=200,
        required=False,
        help_text="财政性资金：列入哪一级、哪一年度的财政预算（第三条），如“2026年永吉县本级财政预算”",
    )
    special_fund = forms.CharField(
        label="信息化发展专项资金", max_length=200, required=False, help_text="使用专项资金的，写明专项名称"
    )
    funding_source = forms.CharField(
        label="资金来源", max_length=200, required=False, help_text="非财政性资金：写明资金来源，如企业自筹"
    )
    year = forms.IntegerField(
        label="建设年度",
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": "请填写四位年份，如 2026"},
    )
    content = TextField(label="建设内容", required=True, rows=5, help_text="建设目标、主要内容和规模")
    systems = LinesField(label="新建或改造的信息系统", help_text="每行一个系统名称")
    data_produced = LinesField(
        label="产生的信息资源", help_text="每行一项，如“电子证照库”（第六条 信息资源共享）"
    )
    data_consumed = LinesField(label="使用的信息资源", help_text="每行一项，如“人口基础信息库”")
    network = forms.ChoiceField(label="接入网络", choices=_choices(Network.choices))
    hosting = forms.ChoiceField(label="部署方式", choices=_choices(Hosting.choices))
    planned_start = forms.DateField(
        validators=[date_in_window],
        label="计划开工",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请填写日期，如 2026-03-01"},
    )
    planned_completion = forms.DateField(
        validators=[date_in_window],
        label="计划竣工",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "请填写日期，如 2026-12-31"},
    )
    plan_task_ref = forms.CharField(
        label="落实的规划任务", max_length=200, required=False, help_text="信息化发展规划中的任务编号或名称"
    )
    standards = forms.MultipleChoiceField(
        label="执行的标准",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="适用于所选类别的强制性标准已预先选中，不得免除（第十二条）",
    )
    security_plan = TextField(
        label="信息安全保障方案", rows=4, help_text="与项目同步规划、同步建设、同步运行（第三十一条第一款）"
    )
    security_level = forms.TypedChoiceField(
        label="拟定安全保护等级",
        required=False,
        coerce=int,
        empty_value=None,
        choices=_choices(ProtectionLevel.choices, blank="尚未确定"),
    )
    security_measures = ChecklistField(
        label="计划建设的安全措施",
        options=SECURITY_MEASURES,
        help_text="按 GB/T 22239-2019 勾选；其他措施填在下方",
    )
    security_measures_other = LinesField(label="其他安全措施", rows=2, help_text="每行一项")
    procedures_completed = TextField(
        label="已办理的建设手续",
        rows=2,
        help_text="非财政性资金项目：依法办理建设相关手续后报送备案（第十条）",
    )

    # form field → model field (the data_* pair both map to data_resources)
    MODEL_FIELDS = {
        "data_produced": "data_resources",
        "data_consumed": "data_resources",
        "security_measures_other": "security_measures",
    }

    def __init__(
        self,
        *args: Any,
        catalogue: Sequence[Standard],
        owners: Sequence[Organisation] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = list(catalogue)
        fields: dict[str, Any] = self.fields
        fields["standards"].choices = [(s.code, f"{s.code} {s.name}") for s in self.catalogue]
        if owners is None:
            del self.fields["owner"]
        else:
            fields["owner"].choices = [(o.pk, o.name) for o in owners]
            if len(owners) == 1:
                self.fields["owner"].initial = owners[0].pk
        measures = fields["security_measures"]
        measures.offer(split_lines(self.initial.get("security_measures")))
        if self.is_bound and hasattr(self.data, "getlist"):
            measures.offer(v for item in self.data.getlist("security_measures") for v in split_lines(item))
        if not self.is_bound and "standards" not in self.initial:
            self.initial["standards"] = self.mandatory_for(
                str(self.initial.get("category") or Category.APPLICATION)
            )
        self.initial.setdefault("year", timezone.localdate().year)
        self.initial.setdefault("funding_kind", FundingKind.FISCAL)
        self.initial.setdefault("category", Category.APPLICATION)
        self.style()

    # -- 第十二条: the standards catalogue ---------------------------------------------------------------
    def mandatory_for(self, category: str) -> list[str]:
        return [s.code for s in self.catalogue if s.mandatory and s.applies_to(category)]

    def standard_rows(self) -> list[dict[str, Any]]:
        """The catalogue as checkboxes: code, name, mandatory, the categories it applies to, checked."""
        if self.is_bound:
            chosen = set(self.data.getlist("standards") if hasattr(self.data, "getlist") else [])
        else:
            chosen = set(self.initial.get("standards") or [])
        return [
            {
                "code": s.code,
                "name": s.name,
                "kind": s.get_kind_display(),
                "mandatory": s.mandatory,
                "categories": " ".join(s.categories),
                "applies": "全部类别"
                if not s.categories
                else "、".join(str(Category(c).label) for c in s.categories if c in Category.values),
                "checked": s.code in chosen,
                "id": f"id_standards_{i}",
            }
            for i, s in enumerate(self.catalogue)
        ]

    # -- checks across fields ----------------------------------------------------------------------------
    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "security_measures" in data:  # the ticked ones and the typed ones: one list
            ticked = list(data["security_measures"])
            data["security_measures"] = ticked + [
                m for m in data.get("security_measures_other") or [] if m not in ticked
            ]
        start, end = data.get("planned_start"), data.get("planned_completion")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.add_error("planned_completion", "计划竣工日期不能早于计划开工日期")
        # the law's checks are the rules the steps apply (rules.py), judged on the project as entered
        kind, category = data.get("funding_kind"), data.get("category")
        if kind:
            draft = Project(
                funding_kind=kind,
                category=category or "",
                # a missing or malformed amount is reported by its own field
                budget=data["budget"] if data.get("budget") is not None else Decimal("0.01"),
                budget_source=data.get("budget_source") or "",
                funding_source=data.get("funding_source") or "",
            )
            failure = r.funding_declared.evaluate(draft, RuleContext())
            if failure is not None:
                # the amount itself is the MoneyField's (a positive amount to the fen): this is the source
                field = "budget_source" if kind == FundingKind.FISCAL else "funding_source"
                self.add_error(field, f"{failure.message}（{failure.citation}）")
            if category and "standards" in data:
                failure = r.mandatory_standards_declared.evaluate(
                    draft, RuleContext(payload={"standards": data["standards"]})
                )
                if failure is not None:
                    self.add_error("standards", f"{failure.message}（{failure.citation}）")
        return data

    # -- into the service -------------------------------------------------------------------------------
    def model_values(self) -> dict[str, Any]:
        """The cleaned register fields, named as Project's fields (for project_create)."""
        d = self.cleaned_data
        values = {
            name: d[name]
            for name in self.fields
            if name not in {"owner", "standards", "data_produced", "data_consumed", "security_measures_other"}
        }
        fiscal = d["funding_kind"] == FundingKind.FISCAL
        # the other kind's source is not part of the register: keep the record consistent
        if fiscal:
            values["funding_source"] = ""
        else:
            values["budget_source"] = values["special_fund"] = ""
        values["data_resources"] = join_resources(d["data_produced"], d["data_consumed"])
        return values

    def changes(self) -> dict[str, Any]:
        """The fields this (edit) form changed, as model field → new value (for project_update)."""
        values = self.model_values()
        changed = set()
        for name in self.changed_data:
            if name in {"owner", "standards"}:
                continue
            changed.add(self.MODEL_FIELDS.get(name, name))
        # switching the kind of funding clears the other kind's source
        if "funding_kind" in changed:
            changed |= {"budget_source", "special_fund", "funding_source"}
        return {name: values[name] for name in sorted(changed)}

    def standards_changed(self) -> bool:
        return "standards" in self.changed_data

    def add_domain_error(self, error: DomainError) -> None:
        """A service refusal: on the field it names, else above the form."""
        placed = False
        for d in error.details or ():
            name = d.get("field") or (d.get("loc") or [None])[-1]
            if name == "data_resources":
                name = "data_produced"
            if name in self.fields:
                self.add_error(name, str(d.get("message") or d.get("msg") or error.message))
                placed = True
        if not placed:
            self.add_error(None, f"{error.message}（{error.article}）" if error.article else error.message)


def project_initial(project: Project) -> dict[str, Any]:
    produced, consumed = split_resources(project.data_resources)
    return {
        "title": project.title,
        "category": project.category,
        "funding_kind": project.funding_kind,
        "budget": project.budget,
        "budget_source": project.budget_source,
        "special_fund": project.special_fund,
        "funding_source": project.funding_source,
        "year": project.year,
        "content": project.content,
        "systems": [str(s) for s in project.systems],
        "data_produced": produced,
        "data_consumed": consumed,
        "network": project.network,
        "hosting": project.hosting,
        "planned_start": project.planned_start,
        "planned_completion": project.planned_completion,
        "plan_task_ref": project.plan_task_ref,
        "standards": [s.code for s in project.standards.all()],
        "security_plan": project.security_plan,
        "security_level": project.security_level,
        "security_measures": [str(m) for m in project.security_measures],
        "procedures_completed": project.procedures_completed,
    }


# -- the annual plan -------------------------------------------------------------------------------------


class PlanForm(StyledForm):
    """年度建设计划 (第九条第一款): one per jurisdiction and year, by the authority of that level."""

    jurisdiction = forms.TypedChoiceField(label="行政区域", coerce=int)
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, error_messages={"invalid": "请填写四位年份，如 2026"}
    )
    title = forms.CharField(
        label="计划名称",
        max_length=200,
        required=False,
        help_text="不填则为“××××年信息化工程项目建设年度计划”",
    )

    def __init__(self, *args: Any, jurisdictions: Sequence[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = [  # type: ignore[attr-defined]
            (j.pk, "\u3000" * (j.path.count("/") - 1) + j.name) for j in jurisdictions
        ]
        if jurisdictions:
            self.initial.setdefault("jurisdiction", jurisdictions[0].pk)
        self.initial.setdefault("year", timezone.localdate().year)
        self.style()
