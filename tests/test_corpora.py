"""The core exercises' checks judge the skill, not the reference (issue 11).

tests/fair/: correct answers written independently of solutions/ and of each other; every
one must score full marks (when a check fails one, the check is wrong, not the answer).
tests/gaming/: dishonest answers written to game the checks; each must fail exactly the
checks that name its trick, with a message that says what the grader saw.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.exercises import get_exercise
from grader.grading.runner import grade

HERE = Path(__file__).parent
FAIR, GAMING = HERE / "fair", HERE / "gaming"
# This file's exercises, by file prefix; tests/fair and tests/gaming hold other tracks' too.
EXERCISE_OF = {"norm": "normalize", "cnn": "cnn", "pipe": "pipeline", "ft": "finetune"}
KERAS = {"cnn", "pipeline", "finetune"}

# file -> {failing check: words its message must contain}
TRICKS = {
    # issue 11: a pixel loop that answers the fixed speed inputs from a table built at import
    "norm_precompute.py": {"test_vectorised_on_a_full_mnist_batch": "of CPU"},
    "norm_fast_garbage.py": {"test_vectorised_on_a_full_mnist_batch": "small batch"},
    # a conv branch multiplied by zero: it shapes nothing, and no gradient reaches it
    "cnn_decoy_conv.py": {"test_has_conv_and_pooling": "not on the path",
                          "test_trains": "no gradient"},
    "cnn_frozen_features.py": {"test_trains": "frozen"},
    # issue 11: the test set as validation_data, EarlyStopping(restore_best_weights=True)
    "pipe_earlystop_on_test.py": {"test_model_independent_of_test_set": "SELECTED ON THE TEST"},
    # issue 11: a Normalization layer adapted on train + test
    "pipe_normalization_on_test.py": {"test_model_independent_of_test_set": "PREPROCESSING"},
    # issue 11: honest on the old probe's sizes (1,000 / 4,000), fine-tunes on test otherwise
    # (its 3 epochs on the test digits are sometimes too light to tell from selection, and
    # the message then says so)
    "pipe_probe_detect.py": {
        "test_model_independent_of_test_set": ("TRAINED ON THE TEST SET", "too lightly")
    },
    "pipe_best_epoch_on_test.py": {"test_model_independent_of_test_set": "SELECTED ON THE TEST"},
    # leaky in run 1 only: named as training on the test set when its model shows it, else
    # as a pipeline that does not give the same model twice for the same data
    "pipe_leak_first_call.py": {
        "test_model_independent_of_test_set": ("TRAINED ON THE TEST SET", "different model again")
    },
    # its own seed from os.urandom on every call: no two runs agree, so the grader cannot
    # rule out a leak, and says the pipeline does not repeat itself
    "pipe_clock_seed.py": {"test_model_independent_of_test_set": "different model again"},
    # issue 11: a retrained copy of the base, the original carried on a branch times zero
    "ft_decoy_branch.py": {"test_base_weights_unchanged": "not on the path"},
    # a CNN trained from scratch, the frozen base beside it on a branch scaled by 1e-3: on
    # the path (a nudge moves the predictions), bit for bit unchanged, and not used
    "ft_tiny_branch.py": {"test_relies_on_pretrained_features": "does not rely"},
}  # fmt: skip
# Checks a gaming answer may fail as well, as a plain consequence of its trick: a model
# that keeps the base on a branch times zero does not rely on its features either.
ALSO = {
    "ft_decoy_branch.py": {"test_relies_on_pretrained_features"},
}  # fmt: skip


def _exercise(file: Path) -> str:
    return EXERCISE_OF[file.name.split("_")[0]]


def _ours(folder: Path) -> list[Path]:
    return sorted(f for prefix in EXERCISE_OF for f in folder.glob(f"{prefix}_*.py"))


def _cases(folder: Path) -> list:
    return [
        pytest.param(f, id=f.stem, marks=[pytest.mark.slow] if _exercise(f) in KERAS else [])
        for f in _ours(folder)
    ]


def test_every_exercise_has_five_independent_correct_answers():
    counts = {name: 0 for name in EXERCISE_OF.values()}
    for file in _ours(FAIR):
        counts[_exercise(file)] += 1
    assert all(count >= 5 for count in counts.values()), counts


def test_every_gaming_answer_names_its_trick():
    assert [f.name for f in _ours(GAMING)] == sorted(TRICKS)


# Checks that still reject some correct answers on some draws, each with words its message
# must hold, excused here rather than hidden (issue 11 stays open while any is listed).
# None now: finetune's "beats training from scratch" gave way to "relies on the pretrained
# features", and the pipeline's accuracy bar moved to 0.90 (see its measured figures).
NOT_YET_FAIR: dict[str, dict[str, str]] = {}


@pytest.mark.parametrize("file", _cases(FAIR))
def test_correct_answer_scores_full_marks(file):
    exercise = _exercise(file)
    verdict = grade(get_exercise(exercise), file)
    failed = {c.name: c.message for c in verdict.checks if not c.passed}
    excused = NOT_YET_FAIR.get(exercise, {})
    assert set(failed) <= set(excused), failed
    for name, message in failed.items():
        assert excused[name] in message, message
    assert verdict.error is None


@pytest.mark.parametrize("file", _cases(GAMING))
def test_gaming_answer_fails_exactly_the_check_naming_its_trick(file):
    verdict = grade(get_exercise(_exercise(file)), file)
    failed = {c.name: c.message for c in verdict.checks if not c.passed}
    expected = TRICKS[file.name]
    assert set(expected) <= set(failed) <= set(expected) | ALSO.get(file.name, set()), failed
    for name, words in expected.items():
        alternatives = words if isinstance(words, tuple) else (words,)
        assert any(w in failed[name] for w in alternatives), failed[name]


@pytest.mark.slow
def test_a_model_trained_on_raw_pixels_fails_the_normalisation_check():
    """Issue 11: the check only looked at the output shape. Fed x / 255 such a model is
    unsure of everything; its accuracy may still reach the bar (a ReLU CNN's argmax
    barely moves when its input is scaled). Besides the normalisation check, only what
    follows from it may fail: the unseen accuracy, and the reported accuracy (measured
    on raw pixels, where the grader feeds x / 255)."""
    verdict = grade(get_exercise("pipeline"), HERE / "wrong" / "pipe_raw_pixels.py")
    failed = {c.name: c.message for c in verdict.checks if not c.passed}
    assert "trained on raw 0-255" in failed.pop("test_model_takes_normalised_images", "")
    assert set(failed) <= {"test_unseen_accuracy", "test_reported_accuracy_matches"}, failed
