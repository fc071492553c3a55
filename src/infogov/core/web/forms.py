"""Forms of the UI shell: they parse input only; services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone


class TokenCreateForm(forms.Form):
    name = forms.CharField(label="用途", max_length=100, help_text="例如：项目库数据同步")
    expires_on = forms.DateField(
        label="有效期至",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="留空表示长期有效；到期当日 24 时失效",
    )

    def clean_expires_on(self) -> dt.date | None:
        value = self.cleaned_data.get("expires_on")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("有效期不能早于今天")
        return value

    def expires_at(self) -> dt.datetime | None:
        """The end of the chosen day, Asia/Shanghai time."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label="操作", required=False)
    user = forms.CharField(label="用户", required=False, max_length=150)
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, actions: list[str] = (), **kwargs) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        action = self.fields["action"]
        assert isinstance(action, forms.ChoiceField)
        action.choices = [("", "全部"), *((a, ACTION_LABELS.get(a, a)) for a in actions)]


class AttachmentForm(forms.Form):
    file = forms.FileField(label="选择文件")


ACTION_LABELS = {
    "login": "登录",
    "logout": "退出",
    "login_failed": "登录失败",
    "api_token_create": "创建接口令牌",
    "api_token_revoke": "吊销接口令牌",
    "admin_change": "系统管理变更",
}
