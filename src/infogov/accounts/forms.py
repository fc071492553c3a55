from __future__ import annotations

from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(
        label="6位动态验证码",
        min_length=6,
        max_length=6,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={
            "required": "请输入手机验证器上显示的6位动态验证码。",
            "min_length": "动态验证码为6位数字。",
            "max_length": "动态验证码为6位数字。",
        },
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if not token.isdigit() or not token.isascii():
            raise forms.ValidationError("动态验证码为6位数字。")
        return token
