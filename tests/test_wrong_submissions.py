"""Plausible wrong answers: each fails exactly the checks that name its mistake.

The seed material's own answers are among them: the global min/max
normalisation fails its four mistakes separately, and the pipeline that
"fine-tunes on the test data" fails only the leak check, which names the leak.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.exercises import get_exercise
from grader.grading.runner import grade

WRONG = Path(__file__).parent / "wrong"

CASES = [
    ("normalize", "norm_seed.py", {"test_each_image_scaled_on_its_own", "test_output_is_float32",
                                   "test_constant_image_gives_zeros",
                                   "test_vectorised_on_a_full_mnist_batch"}),
    ("normalize", "norm_255.py", {"test_single_image_exact_values",
                                  "test_each_image_scaled_on_its_own",
                                  "test_constant_image_gives_zeros",
                                  "test_accepts_any_numeric_dtype"}),
    ("normalize", "norm_f64.py", {"test_output_is_float32"}),
    ("normalize", "norm_inplace.py", {"test_input_is_not_modified"}),
    ("normalize", "norm_loop.py", {"test_vectorised_on_a_full_mnist_batch"}),
    ("normalize", "norm_nan.py", {"test_constant_image_gives_zeros"}),
    ("cnn", "cnn_dense.py", {"test_has_conv_and_pooling"}),
    ("cnn", "cnn_frozen.py", {"test_trains"}),
    ("cnn", "cnn_hardcoded.py", {"test_shapes_follow_arguments"}),
    ("pipeline", "pipe_seedleak.py", {"test_model_independent_of_test_set"}),
]  # fmt: skip


@pytest.mark.parametrize(("exercise", "name", "failing"), CASES, ids=[c[1][:-3] for c in CASES])
def test_wrong_submission_fails_exactly_its_checks(exercise, name, failing):
    verdict = grade(get_exercise(exercise), WRONG / name)
    failed = {c.name: c.message for c in verdict.checks if not c.passed}
    assert set(failed) == failing, failed  # the messages say why, e.g. the CPU time used
    assert verdict.error is None
    for check in verdict.checks:
        assert check.message, check.name
    if name == "pipe_seedleak.py":  # the seed's "fine-tune on the test data"
        [leak] = [c.message for c in verdict.checks if not c.passed]
        assert "TRAINED ON THE TEST SET" in leak
