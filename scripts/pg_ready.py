"""Does the PostgreSQL server of the given URL answer? (used by `make test-postgres`)

Exit status: 0 it answers; 2 it does not and the tests may be skipped (a developer's machine);
1 it does not and the environment variable CI is set: CI must fail rather than skip the PostgreSQL tests.
"""

import os
import sys

import psycopg

url = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/postgres"
base = url.rsplit("/", 1)[0] + "/postgres"
try:
    with psycopg.connect(base, connect_timeout=3):
        pass
except Exception as exc:
    where = base.rsplit("@", 1)[-1].rsplit("/", 1)[0]
    if os.environ.get("CI"):
        sys.stderr.write(
            f"错误：PostgreSQL 未在 {where} 应答（{exc}）。CI 中不能跳过 PostgreSQL 测试："
            "请先启动数据库（.ci/run 会启动本机集群），再运行 make test。\n"
        )
        sys.exit(1)
    sys.stderr.write(
        f"PostgreSQL 未在 {where} 应答（{exc}）：跳过 PostgreSQL 测试。"
        "启动数据库后再运行 make test-postgres 即可补测。\n"
    )
    sys.exit(2)
