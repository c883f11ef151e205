"""The Chinese text of the banks and the exercise manifest follows docs/glossary.md: one
term per concept, and full-width punctuation in prose. Banks added later are covered."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

# libyaml's parser where PyYAML has it: the banks are read at collection, in every
# pytest-xdist worker, and the pure-Python parser took seconds of that.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

REPO = Path(__file__).resolve().parent.parent
FILES = sorted((REPO / "questions").glob("*.yaml")) + [REPO / "exercises" / "exercises.yaml"]

# variant -> the glossary's term
VARIANTS = {
    "泄露": "泄漏",
    "准确度": "准确率",
    "精确度": "准确率 (accuracy) or 精确率 (precision)",
    "查准率": "精确率",
    "精调": "微调",
    "微调整": "微调",
    "过度拟合": "过拟合",
    "学习速率": "学习率",
    "批量大小": "批大小",
    "批次大小": "批大小",
    "校验集": "验证集",
    "预先训练": "预训练",
    "令牌": "词元",
}
# 精度 is numeric precision; the sentence must say which numbers it is about.
NUMERIC = re.compile(
    r"半精度|混合精度|单精度|双精度|全精度|低精度|高精度|数值精度|平均精度|量化"
    r"|fp\d|bf16|float|int\d|位|比特|舍入|小数"
)
HAN = "\u3400-\u4dbf\u4e00-\u9fff"
ASCII_NEXT_TO_HAN = re.compile(
    rf"[{HAN}][,;:?!]|[,;:?!] ?[{HAN}]|[{HAN}] ?\"|\" ?[{HAN}]|[{HAN}]\)|\([{HAN}]"
)


def chinese_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every Chinese text; accepted short answers are what learners
    type, not our prose, and are left out."""
    for path in FILES:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
        yield from _walk(data, path.name)


def _walk(node, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "answers":
                continue
            if key == "zh" and isinstance(value, str):
                yield f"{where}.zh", value
            else:
                yield from _walk(value, f"{where}.{node.get('id', key) if key == 'id' else key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            label = value.get("id") if isinstance(value, dict) and "id" in value else i
            yield from _walk(value, f"{where}[{label}]")


def prose(text: str) -> str:
    """The text without code: backtick spans, function notation and indented code lines."""
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"[A-Za-z]\([^()]*\)", " ", text)  # notation: P(数据 | H₀), ln(类别数)
    return "\n".join(line for line in text.splitlines() if not line.startswith("    "))


TEXTS = list(chinese_texts())


def test_there_is_chinese_text_to_check():
    assert len(TEXTS) > 500


@pytest.mark.parametrize(("variant", "term"), VARIANTS.items())
def test_one_term_per_concept(variant, term):
    found = [where for where, text in TEXTS if variant in text]
    assert not found, f"{variant!r} in {found}: the glossary's term is {term!r}"


def test_jingdu_only_means_numeric_precision():
    wrong = []
    for where, text in TEXTS:
        for sentence in re.split(r"[。；\n]", text):
            if "精度" in sentence and not NUMERIC.search(sentence):
                wrong.append(f"{where}: {sentence.strip()}")
    assert not wrong, "精度 where accuracy (准确率) seems meant:\n" + "\n".join(wrong)


def test_chinese_prose_uses_full_width_punctuation():
    wrong = []
    for where, text in TEXTS:
        for match in ASCII_NEXT_TO_HAN.finditer(prose(text)):
            around = prose(text)[max(0, match.start() - 12) : match.end() + 12]
            wrong.append(f"{where}: …{around}…")
    assert not wrong, f"{len(wrong)} ASCII punctuation marks in Chinese prose:\n" + "\n".join(
        wrong[:40]
    )


def test_the_detector_sees_what_the_issue_reported():
    assert ASCII_NEXT_TO_HAN.search("提示: 用 min")
    assert ASCII_NEXT_TO_HAN.search('训练目标奖励"像真的"')
    assert not ASCII_NEXT_TO_HAN.search("提示：用 Conv2D(32, 3)，再“微调”")
    assert "精度" not in prose("`精度`") and NUMERIC.search("bf16 的精度更高")
