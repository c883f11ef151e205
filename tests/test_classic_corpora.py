"""The classic and LoRA exercises against their corpora, graded as a learner's file is.

Wrong answers (tests/wrong/): each plausible mistake fails exactly the checks that name
it, with a message that says so. Fair answers (tests/fair/): correct answers written
independently of the reference and of each other, which must all score full marks.
Inputs are drawn fresh at every grading, so each run tries new numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.exercises import get_exercise
from grader.grading.runner import grade

HERE = Path(__file__).parent
slow = pytest.mark.slow

# (exercise, file in tests/wrong, the checks it fails, a phrase the first failure says)
WRONG = [
    ("metrics", "metrics_transposed.py",
     {"test_confusion_rows_are_true_classes", "test_precision_recall_f1_per_class"}, "transposed"),
    ("metrics", "metrics_float_confusion.py", {"test_confusion_rows_are_true_classes"},
     "integer counts"),
    ("metrics", "metrics_macro_of_means.py", {"test_accuracy_and_averages"},
     "F1 of the mean precision and the mean recall"),
    ("metrics", "metrics_macro_present.py", {"test_absent_classes_give_zero_not_nan"},
     "averages only the"),
    ("metrics", "metrics_nan.py", {"test_absent_classes_give_zero_not_nan"}, "0 / 0 must give 0"),
    ("metrics", "metrics_no_range_check.py", {"test_out_of_range_labels_are_refused"},
     "instead of raising ValueError"),
    ("metrics", "metrics_loop.py", {"test_vectorised_on_a_million_labels"},
     "lines of your code"),
    ("metrics", "metrics_tolist.py", {"test_vectorised_on_a_million_labels"},
     "lines of your code"),
    # switches the line count off to hide its loop: the CPU time, measured from outside, stays
    ("metrics", "metrics_untraced_loop.py", {"test_vectorised_on_a_million_labels"},
     "s of CPU"),
    ("backprop", "backprop_keepdims.py", {"test_returns_loss_and_gradients_with_their_shapes"},
     "keepdims"),
    ("backprop", "backprop_loss_sum.py", {"test_loss_is_mean_cross_entropy"}, "is the SUM"),
    ("backprop", "backprop_sign.py", {"test_output_layer_gradients", "test_hidden_layer_gradients"},
     "opposite sign"),
    ("backprop", "backprop_no_divide.py", {"test_output_layer_gradients",
     "test_hidden_layer_gradients", "test_mean_does_not_depend_on_batch_size"}, "times too large"),
    ("backprop", "backprop_no_mask.py", {"test_hidden_layer_gradients", "test_relu_zero_region"},
     "through the ReLU everywhere"),
    ("backprop", "backprop_relu_ge.py", {"test_relu_zero_region"}, "z1 == 0"),
    ("conv2d", "conv2d_flipped.py", {"test_cross_correlation_not_flipped"}, "flipped the kernel"),
    ("conv2d", "conv2d_no_bias.py", {"test_bias_added_per_output_channel"},
     "expected the bias"),
    ("conv2d", "conv2d_pad_topleft.py", {"test_same_padding_even_kernel", "test_stride_2"},
     "on the top/left"),
    ("conv2d", "conv2d_subsample.py", {"test_stride_2"}, "worked out for stride 1"),
    ("conv2d", "conv2d_loop_images.py", {"test_vectorised_over_images_and_positions"},
     "s of CPU"),
    ("conv2d", "conv2d_loop_positions.py", {"test_vectorised_over_images_and_positions"},
     "s of CPU"),
    pytest.param("lora", "lora_b_random.py", {"test_predictions_unchanged_before_training"},
                 "B is not zero", marks=slow),
    pytest.param("lora", "lora_no_scale.py", {"test_update_is_alpha_over_rank_times_x_a_b"},
                 "not scaled", marks=slow),
    pytest.param("lora", "lora_after_activation.py",
                 {"test_update_is_alpha_over_rank_times_x_a_b"}, "AFTER the Dense layer's",
                 marks=slow),
    pytest.param("lora", "lora_a_zero.py", {"test_training_moves_only_a_and_b"},
                 "initialise A randomly", marks=slow),
    pytest.param("lora", "lora_unfrozen.py", {"test_trainable_parameters_are_only_a_and_b",
                 "test_training_moves_only_a_and_b"}, "are trainable", marks=slow),
    pytest.param("lora", "lora_bias.py", {"test_trainable_parameters_are_only_a_and_b",
                 "test_training_moves_only_a_and_b"}, "biases on A or B", marks=slow),
    # The one mistake that fails every check: the model cannot be loaded at all, and each
    # check says so in the same words.
    pytest.param("lora", "lora_lambda.py", {"test_returns_a_new_model_of_built_in_layers",
                 "test_predictions_unchanged_before_training",
                 "test_trainable_parameters_are_only_a_and_b",
                 "test_update_is_alpha_over_rank_times_x_a_b",
                 "test_training_moves_only_a_and_b"}, "safe_mode", marks=slow),
]  # fmt: skip

# This file's exercises; tests/fair also holds the llm track's answers.
EXERCISES = ("metrics", "backprop", "conv2d", "lora")
FAIR = sorted(p.name for e in EXERCISES for p in (HERE / "fair").glob(f"{e}_*.py"))


def _exercise_of(name: str) -> str:
    return next(e for e in EXERCISES if name.startswith(e + "_"))


def _case_id(case) -> str:
    values = case.values if hasattr(case, "values") else case
    return values[1][:-3]


def test_every_classic_exercise_has_three_wrong_and_three_fair_answers():
    for exercise in EXERCISES:
        cases = [c.values if hasattr(c, "values") else c for c in WRONG]
        assert sum(case[0] == exercise for case in cases) >= 3, exercise
        assert sum(_exercise_of(name) == exercise for name in FAIR) >= 3, exercise


@pytest.mark.parametrize(
    ("exercise", "name", "failing", "says"), WRONG, ids=[_case_id(c) for c in WRONG]
)
def test_wrong_answer_fails_exactly_the_checks_that_name_its_mistake(exercise, name, failing, says):
    verdict = grade(get_exercise(exercise), HERE / "wrong" / name)
    failed = {c.name: c.message for c in verdict.checks if not c.passed}
    assert set(failed) == failing, failed
    assert verdict.error is None
    first = next(c.message for c in verdict.checks if not c.passed)
    assert says in first, first


FAIR_PARAMS = [pytest.param(n, marks=slow) if n.startswith("lora_") else n for n in FAIR]


@pytest.mark.parametrize("name", FAIR_PARAMS, ids=[n[:-3] for n in FAIR])
def test_fair_answer_written_differently_scores_full_marks(name):
    exercise = get_exercise(_exercise_of(name))
    verdict = grade(exercise, HERE / "fair" / name)
    failed = {c.name: c.message for c in verdict.checks if not c.passed}
    assert verdict.passed and verdict.score == exercise.max_score, failed
