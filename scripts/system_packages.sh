#!/usr/bin/env bash
# Debian packages the browser tests and PDF/screenshot rendering need. Idempotent, best effort.
set -u
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v wrk >/dev/null 2>&1 || need+=(wrk)  # make bench: the HTTP load generator
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少 ${need[*]}（需要 root 与 apt-get 安装）：浏览器测试将跳过"
  exit 0
fi
echo "安装 ${need[*]} …"
export DEBIAN_FRONTEND=noninteractive
(apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${need[@]}" >/dev/null 2>&1; }) \
  || echo "安装 ${need[*]} 失败：浏览器测试将跳过"
exit 0
