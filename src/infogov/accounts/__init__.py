"""The platform's own identity controls (GB/T 22239-2019 level 3, 身份鉴别 and 访问控制): password policy and
history, lockout (django-axes), idle timeout, TOTP second factor (django-otp), forced password change."""
