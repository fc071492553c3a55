#!/usr/bin/env bash
# Debian packages the browser tests and PDF/screenshot rendering need. Idempotent.
# On a developer's machine best effort (the browser tests then skip with a message). With the environment
# variable CI set, Chromium and the CJK fonts are required: not being able to install them fails (exit 1).
set -u
chromium="${INFOGOV_CHROMIUM:-/usr/bin/chromium}"  # the browser the tests drive (overridden only by tests)
need=()
[ -x "$chromium" ] || need+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || need+=(fonts-noto-cjk)
command -v wrk >/dev/null 2>&1 || need+=(wrk)  # make bench: the HTTP load generator (never required)
dpkg -s libmagic1 >/dev/null 2>&1 || need+=(libmagic1)  # python-magic: attachments' type (required)
[ ${#need[@]} -eq 0 ] && exit 0

browser_ready() { [ -x "$chromium" ] && dpkg -s fonts-noto-cjk >/dev/null 2>&1; }
give_up() {  # $1: why
  if browser_ready; then
    echo "$1（只影响 make bench）"
  elif [ -n "${CI:-}" ]; then
    echo "错误：$1。CI 中浏览器测试不能跳过：须安装 chromium 与 fonts-noto-cjk（apt-get install -y chromium fonts-noto-cjk）" >&2
    exit 1
  else
    echo "$1：浏览器测试将跳过（安装后运行 make test 即可补测）"
  fi
  exit 0
}

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  give_up "缺少 ${need[*]}（需要 root 与 apt-get 安装）"
fi
echo "安装 ${need[*]} …"
export DEBIAN_FRONTEND=noninteractive
apt_install() { apt-get install -y -q "$@" >/dev/null 2>&1; }
updated=""
for pkg in "${need[@]}"; do  # one by one: wrk missing from a mirror must not keep Chromium out
  apt_install "$pkg" || { [ -z "$updated" ] && updated=1 && apt-get update -q >/dev/null 2>&1 && apt_install "$pkg"; } \
    || echo "安装 $pkg 失败"
done
if ! dpkg -s libmagic1 >/dev/null 2>&1; then
  echo "错误：未能安装 libmagic1（附件按内容判断文件类型需要它）" >&2
  [ -n "${CI:-}" ] && exit 1
fi
browser_ready || give_up "未能安装 /usr/bin/chromium 或 fonts-noto-cjk"
exit 0
