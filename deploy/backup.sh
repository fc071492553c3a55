#!/bin/sh
# Nightly backup of infogov: the database (pg_dump custom format) and the attachments (media).
# Environment (from /etc/infogov/infogov.env): DATABASE_URL, INFOGOV_MEDIA_ROOT, INFOGOV_BACKUP_DIR,
# INFOGOV_BACKUP_KEEP_DAYS (default 30). Restore: see docs/deploy.md (pg_restore, media copy).
set -eu
: "${DATABASE_URL:?DATABASE_URL is not set}"
BACKUP_DIR="${INFOGOV_BACKUP_DIR:-/srv/infogov/backup}"
MEDIA_ROOT="${INFOGOV_MEDIA_ROOT:-/srv/infogov/media}"
KEEP_DAYS="${INFOGOV_BACKUP_KEEP_DAYS:-30}"
STAMP="$(date +%Y%m%d-%H%M%S)"
umask 077
mkdir -p "$BACKUP_DIR/db" "$BACKUP_DIR/media"

# the database: one consistent snapshot, compressed, restorable table by table
pg_dump --format=custom --compress=6 --no-owner --file="$BACKUP_DIR/db/infogov-$STAMP.dump.part" "$DATABASE_URL"
mv "$BACKUP_DIR/db/infogov-$STAMP.dump.part" "$BACKUP_DIR/db/infogov-$STAMP.dump"

# attachments are content-addressed (attachments/<sha256>) and never rewritten: a hard-linked
# snapshot per night costs only the new files
LAST="$(ls -1d "$BACKUP_DIR"/media/20* 2>/dev/null | tail -n 1 || true)"
if [ -d "$MEDIA_ROOT" ]; then
    if [ -n "$LAST" ]; then
        rsync -a --delete --link-dest="$LAST" "$MEDIA_ROOT/" "$BACKUP_DIR/media/$STAMP/"
    else
        rsync -a "$MEDIA_ROOT/" "$BACKUP_DIR/media/$STAMP/"
    fi
fi

find "$BACKUP_DIR/db" -name 'infogov-*.dump' -mtime +"$KEEP_DAYS" -delete
find "$BACKUP_DIR/media" -mindepth 1 -maxdepth 1 -type d -mtime +"$KEEP_DAYS" -exec rm -rf {} +
echo "infogov backup $STAMP: $(du -sh "$BACKUP_DIR/db/infogov-$STAMP.dump" | cut -f1) database"
