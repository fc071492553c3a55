"""The duplicate-construction index's tables (第六条 避免重复建设; see similarity_index.py), kept apart
from the register's models; projects.models imports them so that Django finds them."""

from __future__ import annotations

from django.db import models

# -- the duplicate-construction index (第六条 避免重复建设; see similarity_index.py) ------------------
# Derived data, written only by similarity_index.py (and the data generator through it): rebuilt from
# the projects and information systems by `manage.py similarity_reindex`. No foreign keys, so that a
# rebuild can bulk-load a province's postings; a document's id is its project's id, or minus its
# information system's id.


class SimilarityDocument(models.Model):
    """查重索引文档 (第六条): the jieba words of one submitted project or one information system."""

    id = models.BigIntegerField("编号", primary_key=True, help_text="项目编号；信息系统为负的系统编号")
    jurisdiction_id = models.BigIntegerField("行政区域编号")
    terms = models.JSONField("词频", default=dict)

    class Meta:
        verbose_name = "查重索引文档"
        verbose_name_plural = "查重索引文档"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.pk}"


class SimilarityTerm(models.Model):
    """查重索引词典 (第六条): in how many documents each word occurs (the empty word counts them all),
    and the highest weight it has had in any (what it can add to a score at most)."""

    term = models.CharField("词", max_length=100, primary_key=True)
    df = models.IntegerField("文档数")
    max_weight = models.FloatField("最大权重", default=0.0)

    class Meta:
        verbose_name = "查重索引词"
        verbose_name_plural = "查重索引词典"

    def __str__(self) -> str:
        return self.term


class SimilarityPosting(models.Model):
    """查重倒排索引 (第六条): a word of a document with its TF-IDF weight when it was indexed."""

    # the key is the searches' way in: a query's words in the jurisdictions it is compared with
    # (bulk loads append in key order; a document's postings are found through its words)
    pk = models.CompositePrimaryKey("term", "jurisdiction_id", "document_id")
    term = models.CharField("词", max_length=100)
    jurisdiction_id = models.BigIntegerField("行政区域编号")
    document_id = models.BigIntegerField("文档编号")
    weight = models.FloatField("权重")

    class Meta:
        verbose_name = "查重倒排索引"
        verbose_name_plural = "查重倒排索引"

    def __str__(self) -> str:
        return f"{self.term} @ {self.document_id}"


class SimilarityStale(models.Model):
    """查重索引待更新 (第六条): documents whose project or system changed since they were indexed;
    written by database triggers (migration 0005) on every write path, read by the next search."""

    document_id = models.BigIntegerField("文档编号")

    class Meta:
        verbose_name = "查重索引待更新"
        verbose_name_plural = "查重索引待更新"

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} #{self.document_id}"
