"""The grading machinery's messages, in Chinese: built by machinery(), or recognised."""

from grader import messages
from grader.messages import localize, machinery


def test_every_machinery_message_reads_back_from_its_english_form():
    values = {"during": "preprocess_image(array(shape=(28, 28), dtype=uint8))",
              "limit": "2048", "value": "object 1", "reason": "bad", "seconds": "60",
              "detail": "killed", "where": "line 5: invalid syntax", "function": "f",
              "error": "ValueError: no", "mb": "2048", "n": "256"}  # fmt: skip
    for key, (en, zh) in messages.MACHINERY.items():
        english = en.format(**values)
        assert localize(english, "zh") == zh.format(**values), key
        assert localize(english, "en") == english


def test_machinery_speaks_the_language_in_use():
    messages.use("zh")
    try:
        assert machinery("not_done", during="importing your file").startswith("导入你的文件 抛出了")
    finally:
        messages.use("en")
    assert machinery("kept_dying") == "the worker running your code kept dying; gave up"


def test_a_message_the_catalogue_does_not_know_is_left_as_it_is():
    assert localize("the model from build_model() gave rows summing to 2", "zh") == (
        "the model from build_model() gave rows summing to 2"
    )
