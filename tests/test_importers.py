"""`mlkata import csv|markdown`: question/answer lists become validated `open` questions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import bank
from grader.errors import UserError
from grader.importers import parse_csv, parse_markdown, skip_known

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "instructor"
REPO = Path(__file__).resolve().parent.parent


def imported(root: Path, topic: str) -> list[bank.Question]:
    loaded = bank.load_banks([root / "questions" / f"{topic}.yaml"])
    assert loaded.errors == ()
    return loaded.questions


def test_anki_export_becomes_open_questions(mlkata, tmp_path):
    result = mlkata("import", "csv", str(FIXTURES / "anki-notes.txt"), "--topic", "anki",
                    "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Imported 3 open questions into" in result.stdout
    questions = imported(tmp_path, "anki")
    assert [q.id for q in questions] == [
        "anki-what-does-relu-compute",
        "anki-why-split-off-a-validation-set",
        "anki-how-many-classes-does-mnist-have",
    ]
    relu, validation, classes = questions
    assert {q.type for q in questions} == {"open"}
    assert relu.reference("en") == (
        "max(0, x), element-wise\nIt is cheap and does not saturate for x > 0."
    )
    assert relu.tags == ("imported", "activations", "cnn")
    assert validation.prompt("en") == "Why split off a validation set?"  # HTML tags stripped
    assert validation.reference("en").endswith("stop early\nwithout touching the test set.")
    assert classes.reference("en") == "10 (the digits 0-9)"  # &nbsp; decoded
    assert relu.source("en") == "anki-notes.txt, line 4"


def test_comma_csv_without_header_in_chinese(tmp_path):
    text = "问题,答案\n什么是过拟合？,在训练集上表现好、在新数据上表现差。\n"
    cards = parse_csv(text, tmp_path / "x.csv")
    assert [(c.front, c.back, c.line) for c in cards] == [
        ("问题", "答案", 1),
        ("什么是过拟合？", "在训练集上表现好、在新数据上表现差。", 2),
    ]


def test_chinese_questions_get_fallback_ids_and_zh_text(mlkata, tmp_path):
    deck = tmp_path / "deck.csv"
    deck.write_text(
        "什么是过拟合？,在训练集上表现好、在新数据上表现差。\n什么是 dropout？,随机丢弃激活。\n"
    )
    result = mlkata("import", "csv", str(deck), "--topic", "zh-notes", "--lang", "zh",
                    "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    first, second = imported(tmp_path, "zh-notes")
    assert (first.id, second.id) == ("zh-notes-question", "zh-notes-dropout")
    assert first.prompt.zh == "什么是过拟合？" and first.prompt.en is None
    assert first.explanation.zh


def test_markdown_headings_and_bullets(mlkata, tmp_path):
    result = mlkata("import", "markdown", str(FIXTURES / "notes.md"), "--topic", "notes",
                    "--difficulty", "easy", "--tag", "seed", "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    questions = imported(tmp_path, "notes")
    assert [q.prompt("en") for q in questions] == [
        "What is overfitting?",
        "What does dropout do?",
        "Why use batch normalisation?",
        "Which loss for integer labels?",
    ]
    overfitting, dropout, batchnorm, loss = questions
    assert [k("en") for k in overfitting.key_points] == [
        "Training loss keeps falling while validation loss rises",
        "Fix it with more data, regularisation or early stopping",
    ]
    assert (
        dropout.reference("en") == "Zeroes a random fraction of activations during training only."
    )
    assert batchnorm.reference("en").splitlines()[1] == "which steadies and speeds up training."
    assert "# not a heading" in loss.reference("en")  # a comment in a code fence stays put
    assert {q.difficulty for q in questions} == {"easy"}
    # the section heading above the bullets is their tag; the document's title is not
    assert [q.tags for q in questions] == [
        ("seed",),
        ("seed", "deep-learning-one-liners"),
        ("seed", "deep-learning-one-liners"),
        ("seed",),
    ]


def test_import_appends_to_an_existing_bank_with_unique_ids(mlkata, tmp_path):
    (tmp_path / "questions").mkdir()
    shipped = REPO / "questions" / "mnist-data.yaml"
    shutil.copy(shipped, tmp_path / "questions")
    notes = tmp_path / "notes.md"
    notes.write_text(
        "- What is split sizes?\n  60,000 and 10,000.\n- What is split sizes?\n  Same.\n"
    )
    result = mlkata("import", "markdown", str(notes), "--topic", "mnist-data",
                    "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    path = tmp_path / "questions" / "mnist-data.yaml"
    assert path.read_text().startswith(shipped.read_text().rstrip("\n"))
    ids = [q.id for q in imported(tmp_path, "mnist-data")]
    assert ids[-2:] == ["mnist-data-what-is-split-sizes", "mnist-data-what-is-split-sizes-2"]
    assert len(ids) == len(set(ids))


def test_dry_run_prints_yaml_and_writes_nothing(mlkata, tmp_path):
    result = mlkata("import", "csv", str(FIXTURES / "anki-notes.txt"), "--topic", "anki",
                    "--dry-run", "--root", str(tmp_path))  # fmt: skip
    assert result.returncode == 0
    assert result.stdout.startswith("  - id: anki-what-does-relu-compute\n    type: open\n")
    assert not (tmp_path / "questions").exists()


BAD_INPUT = [
    ("deck.txt", "#separator:tab\nfront\tback\nno answer\t\n", "deck.txt:3: the answer (back)"),
    ("deck.txt", "#separator:tab\n\tonly a back\n", "deck.txt:2: the question (front) is empty"),
    ("deck.txt", "#separator:weird\na\tb\n", "unknown #separator:weird"),
    ("notes.md", "- Has an answer?\n  Yes.\n- Has none?\n", "notes.md:3: the question 'Has none?'"),
    ("notes.md", "# Only a title\n\n## And a section\n", "found no questions with answers"),
]


@pytest.mark.parametrize(("name", "text", "message"), BAD_INPUT)
def test_bad_input_is_named_and_nothing_is_written(mlkata, tmp_path, name, text, message):
    source = tmp_path / name
    source.write_text(text)
    kind = "csv" if name.endswith(".txt") else "markdown"
    result = mlkata("import", kind, str(source), "--topic", "t", "--root", str(tmp_path))
    assert result.returncode in (1, 2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "questions").exists()


def test_usage_errors(mlkata, tmp_path):
    missing = mlkata("import", "csv", str(tmp_path / "nope.csv"), "--topic", "t",
                     "--root", str(tmp_path))  # fmt: skip
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad_topic = mlkata("import", "csv", str(FIXTURES / "anki-notes.txt"), "--topic", "Bad Topic")
    assert bad_topic.returncode == 2 and "is not a slug" in bad_topic.stderr
    binary = tmp_path / "deck.csv"
    binary.write_bytes(b"front,back\n\xff\xfe,x\n")
    result = mlkata("import", "csv", str(binary), "--topic", "t", "--root", str(tmp_path))
    assert result.returncode == 2 and "not UTF-8" in result.stderr


def test_markdown_parser_ignores_headings_in_code_fences(tmp_path):
    text = "## Q?\n\n```\n## not a question\n```\n"
    cards = parse_markdown(text, tmp_path / "n.md")
    assert [(c.front, c.line) for c in cards] == [("Q?", 1)]
    with pytest.raises(UserError):
        parse_markdown("just prose\n", tmp_path / "n.md")


# -- importing the same notes twice ------------------------------------------------------------


def test_reimport_finds_every_note_already_in_the_bank(mlkata, tmp_path):
    notes = FIXTURES / "notes.md"
    first = mlkata("import", "markdown", str(notes), "--topic", "cnn", "--root", str(tmp_path))
    assert first.returncode == 0, first.stderr
    cards = parse_markdown(notes.read_text(), notes)
    fresh, skipped = skip_known(cards, tmp_path / "questions" / "cnn.yaml", "en")
    assert (fresh, skipped) == ([], cards)
    assert skip_known(cards, tmp_path / "questions" / "missing.yaml", "en") == (cards, [])


def test_known_prompts_ignore_whitespace_and_case_but_not_language(tmp_path):
    bank_path = tmp_path / "cnn.yaml"
    bank_path.write_text(
        "questions:\n"
        '  - prompt: {en: "What is  overfitting?", zh: 什么是过拟合？}\n'
        "  - prompt: What does ReLU compute?\n"  # a plain prompt reads in every language
    )
    text = "what is   overfitting? ,x\nWHAT DOES RELU COMPUTE?,x\n什么是过拟合？,x\nNew one?,x\n"
    cards = parse_csv(text, tmp_path / "deck.csv")
    fresh, skipped = skip_known(cards, bank_path, "en")
    assert [c.front for c in fresh] == ["什么是过拟合？", "New one?"]
    assert [c.front for c in skipped] == ["what is   overfitting?", "WHAT DOES RELU COMPUTE?"]
    fresh, _ = skip_known(cards, bank_path, "zh")
    assert [c.front for c in fresh] == ["what is   overfitting?", "New one?"]
    bank_path.write_text("questions: [unclosed\n")  # writing to it reports the YAML error
    assert skip_known(cards, bank_path, "en") == (cards, [])


def test_importing_the_same_notes_twice_adds_nothing(mlkata, tmp_path):
    notes = str(FIXTURES / "notes.md")
    first = mlkata("import", "markdown", notes, "--topic", "cnn", "--root", str(tmp_path))
    assert first.returncode == 0, first.stderr
    again = mlkata("import", "markdown", notes, "--topic", "cnn", "--root", str(tmp_path))
    assert again.returncode == 0, again.stderr
    assert "Nothing new to import: skipped 4 already in cnn.yaml." in again.stdout
    assert len(imported(tmp_path, "cnn")) == 4
    more = tmp_path / "more.md"
    more.write_text((FIXTURES / "notes.md").read_text() + "\n## What is a stride?\n\nThe step.\n")
    third = mlkata("import", "markdown", str(more), "--topic", "cnn", "--root", str(tmp_path))
    assert "Imported 1 open questions" in third.stdout and "; skipped 4 already" in third.stdout
    assert len(imported(tmp_path, "cnn")) == 5


# -- a CSV's header row ------------------------------------------------------------------------

HEADERS = ["front,back", "Front,Back", "question,answer", "Question,Answer",
           "\ufeff Front , Back ", "Front\tBack"]  # fmt: skip


@pytest.mark.parametrize("header", HEADERS)
def test_a_header_row_is_not_a_question(mlkata, tmp_path, header):
    sep = "\t" if "\t" in header else ","
    deck = tmp_path / "deck.csv"
    deck.write_text(f"{header}\nWhat is ReLU?{sep}max(0 and x)\nWhat is a stride?{sep}The step\n")
    result = mlkata("import", "csv", str(deck), "--topic", "t", "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert [q.id for q in imported(tmp_path, "t")] == ["t-what-is-relu", "t-what-is-a-stride"]
    assert [c.line for c in parse_csv(deck.read_text(), deck)] == [2, 3]


def test_only_the_first_row_can_be_a_header(tmp_path):
    anki = "#separator:tab\n#html:true\nFront\tBack\nWhat is ReLU?\tmax(0, x)\n"
    assert [c.front for c in parse_csv(anki, tmp_path / "deck.txt")] == ["What is ReLU?"]
    later = parse_csv("\ufeffWhat is ReLU?,max(0; x)\nfront,back\n", tmp_path / "d.csv")
    assert [(c.front, c.back) for c in later] == [("What is ReLU?", "max(0; x)"),
                                                  ("front", "back")]  # fmt: skip
    note = parse_csv("Front of a CNN?,The input layer\n", tmp_path / "d.csv")
    assert [(c.front, c.line) for c in note] == [("Front of a CNN?", 1)]


# -- Markdown key points are not repeated in the reference answer -----------------------------


def test_markdown_key_points_are_not_repeated_in_the_answer(mlkata, tmp_path):
    notes = tmp_path / "notes.md"
    notes.write_text(
        (FIXTURES / "notes.md").read_text()
        + "\n## Why augment images?\n\n- More varied training data.\n- Less overfitting\n"
    )
    result = mlkata("import", "markdown", str(notes), "--topic", "notes", "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    questions = {q.id: q for q in imported(tmp_path, "notes")}
    overfitting = questions["notes-what-is-overfitting"]
    assert overfitting.reference("en") == (
        "The model learns the training set, noise included, and does worse on new data."
    )
    assert len(overfitting.key_points) == 2
    augment = questions["notes-why-augment-images"]  # only bullets: they make the answer too
    assert [k("en") for k in augment.key_points] == [
        "More varied training data.",
        "Less overfitting",
    ]
    assert augment.reference("en") == "More varied training data; Less overfitting"
    quiz = mlkata("quiz", "--no-shipped", "--bank", str(tmp_path / "questions"), "-n", "5",
                  "--lang", "en", input="my answer\ngood\n" * 5)  # fmt: skip
    assert quiz.returncode == 0, quiz.stderr
    assert quiz.stdout.count("Training loss keeps falling while validation loss rises") == 1
    assert "Reference answer: The model learns the training set" in quiz.stdout
    assert "Reference answer: More varied training data; Less overfitting\n" in quiz.stdout


def test_a_key_point_keeps_its_continuation_lines(tmp_path):
    text = "- Why augment?\n  It is cheap:\n  - more varied data,\n    at no labelling cost\n"
    (card,) = parse_markdown(text, tmp_path / "n.md")
    assert card.key_points == ("more varied data, at no labelling cost",)
    assert card.back == "It is cheap:"


def test_bullets_in_a_code_fence_stay_in_the_answer(tmp_path):
    text = "## Which YAML lists?\n\nLike this:\n\n```yaml\n- a\n- b\n```\n"
    (card,) = parse_markdown(text, tmp_path / "n.md")
    assert card.key_points == ()
    assert card.back == "Like this:\n\n```yaml\n- a\n- b\n```"


# -- real collections: bold lines, numbered items, <details>, HTML, languages, guids -------


def test_a_collection_of_bold_questions_under_section_headings(mlkata, tmp_path):
    notes = FIXTURES / "theory.md"
    result = mlkata("import", "markdown", str(notes), "--topic", "theory", "--root",
                    str(tmp_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    questions = {q.prompt("en"): q for q in imported(tmp_path, "theory")}
    assert list(questions) == [
        "What is supervised learning? 👶",
        "Which problems does it solve? 👶",
        "What is L2 regularisation? ⭐️",
        "What does dropout do at inference time? ⭐️",
        "When is accuracy misleading? 👶",
    ]  # section headings are tags, never questions; the unanswered one is left out
    assert questions["What is supervised learning? 👶"].tags == ("imported", "supervised-learning")
    assert questions["When is accuracy misleading? 👶"].tags == ("imported", "evaluation",
                                                                 "metrics")  # fmt: skip
    solve = questions["Which problems does it solve? 👶"].reference("en")
    assert solve == ("Classification (a label out of a fixed set) and regression (a number).\n"
                     "Ranking is often framed as one of the two.")  # fmt: skip
    l2 = questions["What is L2 regularisation? ⭐️"]
    assert [k("en") for k in l2.key_points] == [
        "it pulls every weight towards zero",
        "it is the same as weight decay for plain SGD",
    ]
    dropout = questions["What does dropout do at inference time? ⭐️"].reference("en")
    assert dropout.startswith("Nothing: every unit is kept.") and "<" not in dropout
    assert "![" not in questions["When is accuracy misleading? 👶"].reference("en")
    out = " ".join(result.stdout.split())
    assert "1 note(s) had images or other media; they were imported without them." in out
    assert "1 question(s) had no answer beneath and were left out: Why not regularise" in out
    assert "The new bank is titled 'Theory questions'" in out
    text = (tmp_path / "questions" / "theory.yaml").read_text()
    assert 'title: {en: "Theory questions", zh: "Theory questions"}' in text
    valid = mlkata("validate", str(tmp_path / "questions" / "theory.yaml"))
    assert valid.returncode == 0 and "warning" not in valid.stdout


def test_numbered_items_folded_details_and_headings(tmp_path):
    cards = parse_markdown((FIXTURES / "formats.md").read_text(), FIXTURES / "formats.md")
    assert [(c.front, c.tags) for c in cards] == [
        ("What does a 1x1 convolution do?", ("numbered",)),
        ("Why use global average pooling?", ("numbered",)),
        ("What is a learning-rate warm-up?", ("folded",)),
        ("What is label smoothing?", ("folded",)),
        ("What is early stopping?", ()),
    ]
    assert cards[2].back == (
        "Starting with a small learning rate and raising it over the first "
        "steps,\nso early updates on random weights do not blow up."
    )
    assert cards[3].back.startswith("Training on targets like 0.9/0.1")


def test_anki_html_images_languages_guids_and_deck_title(mlkata, tmp_path):
    deck = tmp_path / "deck.txt"
    deck.write_text(
        "#separator:tab\n#html:true\n#guid column:1\n#deck:ML::Interview prep\n"
        "Gx1\tWhat is an embedding?\tan&nbsp;entity<div>third</div>\n"
        'Gx2\tWhat does this plot show?<img src="roc.png">\tan ROC curve\n'
        "Gx3\t什么是过拟合？\t模型记住了训练集的噪声，在新数据上表现变差。\n",
        encoding="utf-8",
    )
    result = mlkata("import", "csv", str(deck), "--topic", "prep", "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    embedding, plot, overfit = imported(tmp_path, "prep")
    assert embedding.reference("en") == "an entity\nthird"
    assert overfit.prompt.zh == "什么是过拟合？" and overfit.prompt.en is None
    assert overfit.reference.zh.startswith("模型记住了") and overfit.reference.en is None
    assert overfit.explanation.zh and overfit.explanation.en
    out = " ".join(result.stdout.split())
    assert "1 note(s) had images or other media" in out
    text = (tmp_path / "questions" / "prep.yaml").read_text()
    assert 'title: {en: "Interview prep", zh: "Interview prep"}' in text
    assert 'guid: "Gx1"' in text and 'guid: "Gx3"' in text
    # The deck's notes were edited since: same guids, new wording. Nothing is added twice.
    deck.write_text(deck.read_text(encoding="utf-8").replace("What is an embedding?",
                    "What is an embedding, briefly?"), encoding="utf-8")  # fmt: skip
    again = mlkata("import", "csv", str(deck), "--topic", "prep", "--root", str(tmp_path))
    assert "Nothing new to import: skipped 3 already in prep.yaml." in again.stdout
    assert len(imported(tmp_path, "prep")) == 3


def test_a_bank_titled_by_its_file_when_nothing_else_names_it(mlkata, tmp_path):
    notes = tmp_path / "deep_learning-basics.md"
    notes.write_text("- What is a tensor?\n  An n-dimensional array.\n")
    result = mlkata("import", "markdown", str(notes), "--topic", "dl", "--root", str(tmp_path))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "questions" / "dl.yaml").read_text()
    assert 'title: {en: "Deep learning basics", zh: "Deep learning basics"}' in text


def test_validate_warns_about_a_heading_taken_for_a_question(mlkata, tmp_path):
    bank_file = tmp_path / "questions" / "notes.yaml"
    bank_file.parent.mkdir()
    long_answer = "The whole section, pasted as one answer. " * 60
    bank_file.write_text(
        "format_version: 1\ntopic: notes\ntitle: Notes\nquestions:\n"
        "  - id: notes-linear-regression\n    type: open\n    difficulty: medium\n    tags: []\n"
        "    prompt: {en: Linear regression}\n"
        f'    answer: {{en: "{long_answer}"}}\n'
        "    explanation: {en: Compare.}\n"
        "  - id: notes-fine\n    type: open\n    difficulty: medium\n    tags: []\n"
        "    prompt: {en: Explain linear regression in one sentence, zh: 用一句话解释线性回归}\n"
        "    answer: {en: A line fitted by least squares.}\n    explanation: {en: Compare.}\n"
    )
    result = mlkata("validate", str(bank_file))
    assert result.returncode == 0, result.stdout
    out = " ".join(result.stdout.split())
    assert (
        "notes.yaml:5: notes-linear-regression: prompt: no question in it (en: 'Linear regression')"
    ) in out
    assert "notes.yaml:5: notes-linear-regression: answer: 2,460 characters (en); over 2,000" in out
    assert "notes-fine" not in out
    assert "No errors. 2 warning(s) above." in out
