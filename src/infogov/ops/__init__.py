"""Operations: backup and restore of the database and the attachments
(GB/T 22239-2019 8.1.4.9 数据备份恢复)."""
