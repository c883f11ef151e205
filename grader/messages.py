"""mlkata's own words in English and Chinese, for modules that have no screen of their own.

The CLI resolves the learner's language once (`--lang`, else the locale) and calls
`use(lang)`; from then on `say(en=..., zh=...)` picks the right one anywhere in the core
(UserError messages, notes) and the hidden checks' `support.say` reads the same choice
from `MLKATA_CHECKS_LANG`, which `use` sets for the grading that follows.

`MACHINERY` holds the grading machinery's own messages (the proxy, the runner, the
sandbox: what a check reports when the submission raised, crashed or timed out). Those
modules can call `machinery(key, **values)`; until they all do, `localize(message, lang)`
recognises their English form and renders it in the learner's language, so the verdict
screen is Chinese either way.
"""

from __future__ import annotations

import functools
import os
import re

LANG_VARIABLE = "MLKATA_CHECKS_LANG"

_current: str | None = None


def use(lang: str) -> None:
    """Speak `lang` (en or zh) from now on, here and in the checks of the next grading."""
    global _current
    _current = "zh" if lang == "zh" else "en"
    os.environ[LANG_VARIABLE] = _current


def language() -> str:
    """The language chosen by `use`, else `MLKATA_CHECKS_LANG`, else the locale's."""
    if _current is not None:
        return _current
    chosen = os.environ.get(LANG_VARIABLE)
    if chosen in ("en", "zh"):
        return chosen
    from grader.text import default_language

    return default_language()


def say(en: str, zh: str) -> str:
    """One message in the current language."""
    return zh if language() == "zh" else en


# -- the grading machinery ---------------------------------------------------------------
#
# key: (English template, Chinese template). Templates use str.format fields; the English
# one is also read back (fields become `(?P<name>.+?)`) to recognise a message built by
# code that does not call `machinery` yet. `{during}` is what was going on: a call such
# as `preprocess_image(array(shape=(28, 28), dtype=uint8))`, or one of DURING below.

MACHINERY: dict[str, tuple[str, str]] = {
    "not_done": (
        "{during} raised NotImplementedError: the exercise is not done yet (replace the "
        "`raise NotImplementedError` with your code)",
        "{during} 抛出了 NotImplementedError：练习还没有完成（把 `raise NotImplementedError` "
        "换成你的代码）",
    ),
    "out_of_memory": (
        "{during} ran out of memory (limit {limit} MB)",
        "{during} 内存不足（上限 {limit} MB）",
    ),
    "unreadable_value": (
        "{during} returned {value}, which the grader cannot receive: return numpy arrays, "
        "numbers, tuples or Keras models",
        "{during} 返回了 {value}，评分程序无法接收：请返回 numpy 数组、数字、元组或 Keras 模型",
    ),
    "undecodable": (
        "{during} sent back something the grader cannot read ({reason})",
        "{during} 返回了评分程序无法读取的内容（{reason}）",
    ),
    "used_up_time": (
        "{during} did not finish in time: your code used up this exercise's time limit "
        "({seconds} s in all)",
        "{during} 没有按时完成：你的代码用完了本练习的时间上限（共 {seconds} 秒）",
    ),
    "no_answer_in_time": (
        "{during} did not finish in time (no answer within {seconds} s)",
        "{during} 没有按时完成（{seconds} 秒内没有回应）",
    ),
    "ended_unexpectedly": (
        "the process running your code ended unexpectedly while {during} ({detail}). "
        "Do not call exit() or os._exit() in a submission.",
        "运行你代码的进程在{during}时意外结束（{detail}）。提交的代码里不要调用 exit() 或 "
        "os._exit()。",
    ),
    "syntax": ("your file has a syntax error at {where}", "你的文件有语法错误：{where}"),
    "missing": (
        "your file does not define {function}(). Did you misname it or forget to define it?",
        "你的文件没有定义 {function}()。是名字写错了，还是忘了定义？",
    ),
    "unreadable_file": (
        "the grader cannot read your file: {error}",
        "评分程序无法读取你的文件：{error}",
    ),
    "import_raised": ("importing your file raised {error}", "导入你的文件时抛出了 {error}"),
    "kept_dying": (
        "the worker running your code kept dying; gave up",
        "运行你代码的进程反复崩溃，已放弃",
    ),
    "sandbox_failed": ("the sandbox could not start: {detail}", "沙箱无法启动：{detail}"),
    "keras_unsafe": (
        "the returned Keras model could not be loaded safely: use built-in Keras layers only "
        "(Lambda layers and custom classes are refused). Keras said: {reason}",
        "返回的 Keras 模型无法安全加载：请只使用 Keras 自带的层（Lambda 层和自定义类会被拒绝）。"
        "Keras 的报错：{reason}",
    ),
    "check_unusable": (
        "the check could not use what your code returned: {error}",
        "检查无法使用你的代码返回的值：{error}",
    ),
    "not_met": ("the check's expectation was not met", "检查的要求没有满足"),
    "checks_unloadable": ("the checks could not load: {error}", "检查代码无法加载：{error}"),
    "did_not_run": (
        "this check did not run (it is missing from the checks file)",
        "这项检查没有运行（检查文件里没有它）",
    ),
    "raised": ("{during} raised {error}", "{during} 抛出了 {error}"),
    "no_sandbox": (
        "no sandbox ({reason}): ran in a plain limited subprocess",
        "没有沙箱（{reason}）：在普通的受限子进程中运行",
    ),
    # The sandbox's details ({detail} above, or after "your code").
    "memory_detail": (
        "{during}: your code used more than {mb} MB of memory",
        "{during}：你的代码用了超过 {mb} MB 内存",
    ),  # fmt: skip
    "processes_detail": (
        "{during}: your code started more than {n} processes or threads",
        "{during}：你的代码启动了超过 {n} 个进程或线程",
    ),  # fmt: skip
    "output_detail": (
        "{during}: your code printed more than {mb} MB",
        "{during}：你的代码输出超过了 {mb} MB",
    ),  # fmt: skip
}

# What was going on when the submission failed, besides a call to its function.
DURING = {
    "importing your file": "导入你的文件",
    "starting": "启动",
}

# Reasons the grader gives in the verdict's footer (`error`), shown after the total.
ERRORS = {
    "timeout": "超时",
    "memory": "内存超限",
    "processes": "进程过多",
    "output": "输出过多",
    "syntax": "语法错误",
    "missing": "缺少函数",
    "crashed": "崩溃",
    "sandbox": "沙箱故障",
}


def machinery(key: str, **values: object) -> str:
    """A grading-machinery message in the current language."""
    en, zh = MACHINERY[key]
    if language() == "zh":
        during = values.get("during")
        if isinstance(during, str):
            values = {**values, "during": DURING.get(during, during)}
        return zh.format(**values)
    return en.format(**values)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


@functools.cache
def _patterns() -> list[tuple[str, re.Pattern[str]]]:
    """Compiled on first use (10 ms): only Chinese verdicts need them."""
    return [(key, _pattern(en)) for key, (en, _) in MACHINERY.items()]


def localize(message: str, lang: str) -> str:
    """`message` in `lang` when it is one of the machinery's English messages; else as is.

    A check may also quote one inside its own sentence ("holding the label 31,
    classification_metrics(...) raised NotImplementedError: ..."): the machinery's
    fixed wording after the call is translated where it stands.
    """
    if lang != "zh":
        return message
    for english, chinese in _TAILS:
        message = message.replace(english, chinese)
    for key, pattern in _patterns():
        match = pattern.fullmatch(message)
        if match:
            values = {name: localize(value, lang) for name, value in match.groupdict().items()}
            if "during" in values:
                values["during"] = DURING.get(values["during"], values["during"])
            return MACHINERY[key][1].format(**values)
    return message


# The fixed wording after `{during}` of the messages that have no other field.
_TAILS = [
    (en.removeprefix("{during}"), zh.removeprefix("{during}"))
    for en, zh in MACHINERY.values()
    if en.startswith("{during}") and "{" not in en.removeprefix("{during}")
]
# ... and the error alone, as a check quotes it after its own "failed, but not with ...".
_TAILS += [(en.removeprefix(" raised "), zh.removeprefix(" 抛出了 ")) for en, zh in _TAILS
           if en.startswith(" raised ") and zh.startswith(" 抛出了 ")]  # fmt: skip


def error_name(error: str, lang: str) -> str:
    """The verdict's `error` word (timeout, memory, ...) in `lang`."""
    return ERRORS.get(error, error) if lang == "zh" else error
