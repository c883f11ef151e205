from grader.text import Text, default_language, fallback_note


def test_plain_text_reads_the_same_in_every_language():
    text = Text.of("ReLU")
    assert text.show("en").text == text.show("zh").text == "ReLU"
    assert text.show("zh").fallback is None


def test_each_language_gets_its_own_translation():
    text = Text.of({"en": "Dropout", "zh": "随机失活"})
    assert text("en") == "Dropout"
    assert text("zh") == "随机失活"


def test_missing_translation_falls_back_and_says_so():
    english_only = Text.of({"en": "Dropout"})
    shown = english_only.show("zh")
    assert (shown.text, shown.fallback) == ("Dropout", "en")
    assert fallback_note(shown, "zh") == "（English：暂无中文翻译）"

    chinese_only = Text.of({"zh": "随机失活"})
    shown = chinese_only.show("en")
    assert (shown.text, shown.fallback) == ("随机失活", "zh")
    assert fallback_note(shown, "en") == "(中文: no English translation yet)"
    assert not chinese_only.has("en") and chinese_only.has("zh")


def test_language_defaults_to_the_locale_else_english():
    assert default_language({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert default_language({"LANG": "en_GB.UTF-8"}) == "en"
    assert default_language({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}) == "zh"
    assert default_language({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}) == "en"
    assert default_language({}) == "en"
