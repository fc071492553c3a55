#!/bin/sh
# Nightly backup of infogov through `manage.py backup`: one checksummed archive of the database (a
# pg_dump of one snapshot), the attachments, and a manifest (row counts, the docket and audit chains'
# head hashes) that `manage.py restore` verifies. Old archives are pruned after INFOGOV_BACKUP_KEEP_DAYS.
# Environment (from /etc/infogov/infogov.env): DATABASE_URL, INFOGOV_BACKUP_DIR, INFOGOV_BACKUP_KEEP_DAYS
# (default 30), INFOGOV_HOME (the checkout, default /srv/infogov/app). Off-site copy and restore drill:
# docs/deploy.md.
set -eu
: "${DATABASE_URL:?DATABASE_URL is not set}"
APP="${INFOGOV_HOME:-/srv/infogov/app}"
BACKUP_DIR="${INFOGOV_BACKUP_DIR:-/srv/infogov/backup}"
KEEP_DAYS="${INFOGOV_BACKUP_KEEP_DAYS:-30}"
umask 077
mkdir -p "$BACKUP_DIR"
cd "$APP"
.venv/bin/python manage.py backup --output "$BACKUP_DIR"
find "$BACKUP_DIR" -maxdepth 1 -name 'infogov-backup-*' -mtime +"$KEEP_DAYS" -delete
echo "infogov backup done: $(ls -1t "$BACKUP_DIR"/infogov-backup-* | head -n 2 | tr '\n' ' ')"
