"""`manage.py similarity_threshold [--word-weight W] [--all]`: the duplicate-detection threshold
sweep on the labelled set (projects/data/duplicate_pairs.yaml): precision, recall and F1 at each
threshold, the best one, the wrongly decided pairs there, and the measure before (jieba words alone).
Reads nothing from and writes nothing to the database but the synonym groups."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from infogov.projects import similarity
from infogov.projects import similarity_index as index
from infogov.projects import similarity_quality as q


class Command(BaseCommand):
    help = "在标注集上扫描查重阈值，输出精确率、召回率和 F1（第六条 避免重复建设）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--word-weight", type=float, default=None, help="词的权重（其余给字二元组），默认为当前值"
        )
        parser.add_argument("--all", action="store_true", help="列出每个阈值（默认只列 0.05 的整数倍）")

    def handle(self, *args: Any, **options: Any) -> None:
        pairs = q.labelled_pairs()
        labels = [p.duplicate for p in pairs]
        weight = options["word_weight"]
        saved = index.WORD_WEIGHT, index._SCALE
        if weight is not None:
            if not 0.0 <= weight <= 1.0:
                self.stderr.write("词的权重应在 0 到 1 之间")
                return
            index.WORD_WEIGHT, index._SCALE = weight, (weight**0.5, (1 - weight) ** 0.5)
        try:
            scores = q.pair_scores(pairs)
        finally:
            index.WORD_WEIGHT, index._SCALE = saved
        rows = q.sweep(scores, labels)
        w = self.stdout.write
        w(f"标注集：{len(pairs)} 对，其中重复 {sum(labels)} 对；词权重 {weight or index.WORD_WEIGHT}")
        w(f"AUC {q.auc(scores, labels)}")
        w("阈值   精确率  召回率  F1")
        for r in rows:
            if options["all"] or round(r["threshold"] * 100) % 5 == 0:
                w(f"{r['threshold']:.2f}   {r['precision']:.3f}   {r['recall']:.3f}   {r['f1']:.3f}")
        top = q.best(rows)
        w(
            f"最佳：阈值 {top['threshold']:.2f}，精确率 {top['precision']:.3f}，召回率 {top['recall']:.3f}，"
            f"F1 {top['f1']:.3f}"
        )
        now = q.measure(scores, labels, similarity.THRESHOLD)
        w(
            f"当前阈值 {similarity.THRESHOLD:.2f}：精确率 {now['precision']:.3f}，"
            f"召回率 {now['recall']:.3f}，F1 {now['f1']:.3f}"
            f"（误报 {now['false_positives']}，漏报 {now['false_negatives']}）"
        )
        for line in q.misses(scores, similarity.THRESHOLD, pairs):
            w(f"  {line}")
        base = q.baseline_scores(pairs)
        b = q.measure(base, labels, q.BASELINE_THRESHOLD)
        w(
            f"改进前（仅 jieba 词、无同义词，阈值 {q.BASELINE_THRESHOLD}）：精确率 {b['precision']:.3f}，"
            f"召回率 {b['recall']:.3f}，F1 {b['f1']:.3f}，AUC {q.auc(base, labels)}"
        )
