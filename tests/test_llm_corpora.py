"""The LLM track's corpora, graded through the real runner and sandbox.

Wrong answers (tests/wrong/): plausible mistakes, each failing exactly the checks whose
messages name it. Fair answers (tests/fair/<id>_*.py): correct answers written apart
from the reference and from each other, each scoring full marks. Check inputs are
drawn fresh on every grading, so every run of this file tries new ones.
"""

from __future__ import annotations

import ast
import doctest
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from grader.exercises import get_exercise
from grader.grading.runner import grade

HERE = Path(__file__).parent
WRONG, FAIR = HERE / "wrong", HERE / "fair"
LLM_TRACK = ("softmax_ce", "attention", "sampling", "bpe", "quantize")

# (exercise, file in tests/wrong, the checks it must fail, a word each message must hold)
WRONG_CASES = [
    ("softmax_ce", "sm_sum.py", {"test_loss_exact_values": "SUM",
                                 "test_gradient_exact_values": "divide by N"}),
    ("softmax_ce", "sm_naive.py", {"test_stable_for_huge_logits": "subtract each row's max"}),
    ("softmax_ce", "sm_logp.py", {"test_stable_for_huge_logits": "log(0)"}),
    ("softmax_ce", "sm_nodivn.py", {"test_gradient_exact_values": "times too large",
                                    "test_gradient_matches_finite_differences": "derivative"}),
    ("softmax_ce", "sm_noonehot.py", {"test_gradient_exact_values": "without the one-hot",
                                      "test_gradient_matches_finite_differences": "derivative",
                                      "test_rows_of_gradient_sum_to_zero": "one-hot"}),
    ("softmax_ce", "sm_inplace.py", {"test_inputs_are_not_modified": "in place"}),
    ("softmax_ce", "sm_loop.py", {"test_vectorised_on_many_rows": "loop"}),
    ("softmax_ce", "sm_decoy.py", {"test_vectorised_on_many_rows": "same 32 rows"}),
    ("sampling", "smp_multiply.py", {"test_temperature_divides_logits": "multiplied"}),
    ("sampling", "smp_divzero.py", {"test_temperature_zero_is_argmax": "divided by temperature 0"}),
    ("sampling", "smp_cumsum.py", {"test_top_p_smallest_set_reaching_p": "crosses it",
                                   "test_top_k_before_top_p": "dropped the token",
                                   "test_no_op_settings_change_nothing": "?cumsum <= top_p"}),
    ("sampling", "smp_flat.py", {"test_batched_rows_are_independent": "axis=-1"}),
    ("sampling", "smp_naive.py", {"test_stable_for_large_logits": "overflowed"}),
    ("sampling", "smp_partition.py", {"test_no_op_settings_change_nothing": "keep every token"}),
    ("attention", "att_noscale.py", {
        "test_scores_scaled_by_sqrt_d": "not divided by sqrt(d)",
        "test_causal_mask": "not divided by sqrt(d)",
        "test_stable_for_large_scores": "?not divided by sqrt(d)",  # saturated: often equal
        "test_leading_axes_broadcast": "not divided by sqrt(d)",
        "test_matches_keras_multi_head_attention": "not divided by sqrt(d)"}),
    ("attention", "att_maskafter.py", {"test_causal_mask": "AFTER the softmax",
                                       "test_matches_keras_multi_head_attention": "AFTER"}),
    ("attention", "att_transpose.py", {"test_leading_axes_broadcast": "np.swapaxes",
                                       "test_matches_keras_multi_head_attention": "np.swapaxes"}),
    ("attention", "att_naive.py", {"test_stable_for_large_scores": "overflowed"}),
    ("attention", "att_global_max.py", {"test_stable_for_large_scores": "WHOLE array"}),
    ("attention", "att_square_mask.py", {"test_causal_mask": "could not be broadcast"}),
    ("attention", "att_diagonal.py", {"test_causal_mask": "diagonal",
                                      "test_matches_keras_multi_head_attention": "diagonal"}),
    ("attention", "att_queryaxis.py", {
        "test_scores_scaled_by_sqrt_d": "QUERY axis",
        "test_softmax_over_the_key_axis": "QUERY axis",
        "test_causal_mask": "QUERY axis",
        "test_stable_for_large_scores": "QUERY axis",
        "test_leading_axes_broadcast": "QUERY axis",
        "test_matches_keras_multi_head_attention": "QUERY axis"}),
    ("quantize", "q_nozero.py", {"test_all_zero_channel": "0 / 0"}),
    ("quantize", "q_trunc.py", {"test_per_tensor_scale_and_values": "truncated",
                                "test_error_within_half_a_step": "nearest step",
                                "test_per_channel_along_axis": "truncated"}),
    ("quantize", "q_axis.py", {"test_per_channel_along_axis": "OTHER axis",
                               "test_error_within_half_a_step": "OTHER axis",
                               "test_all_zero_channel": "OTHER axis",
                               "test_per_channel_beats_per_tensor": "OTHER axis"}),
    ("quantize", "q_float64.py", {"test_returns_int8_and_float32": "float32"}),
    ("quantize", "q_negative_axis.py", {"test_per_channel_along_axis": "along axis -1"}),
    ("bpe", "bpe_firstseen.py", {"test_ties_pick_the_smallest_pair": "seen first",
                                 **{check: "?seen first" for check in (
                                     "test_merges_on_the_classic_corpus",
                                     "test_merges_every_occurrence_left_to_right",
                                     "test_random_corpora", "test_stops_when_no_pair_is_left",
                                     "test_chinese_text_character_by_character")}}),
    ("bpe", "bpe_replace.py", {"test_merges_every_occurrence_left_to_right": "string replace",
                               "test_random_corpora": "?string replace",
                               "test_encode_applies_merges_in_order": "?apply merge 1",
                               "test_chinese_text_character_by_character": "?string replace",
                               # its encoder's str.replace can glue 'qab' wrongly too
                               "test_unseen_word_falls_back_to_characters": "?expected"}),
    ("bpe", "bpe_crash.py", {"test_stops_when_no_pair_is_left": "no pair left"}),
    ("bpe", "bpe_repeat_last.py", {"test_stops_when_no_pair_is_left": "merges, expected"}),
    ("bpe", "bpe_scan.py", {"test_encode_applies_merges_in_order": "in the order learned",
                            "test_chinese_text_character_by_character": "?",
                            # a known prefix ('qab' with ab learned) trips its scan too
                            "test_unseen_word_falls_back_to_characters": "?expected"}),
    ("bpe", "bpe_space.py", {"test_chinese_text_character_by_character": "any whitespace"}),
]  # fmt: skip

FAIR_CASES = sorted(
    (exercise, path.name) for exercise in LLM_TRACK for path in FAIR.glob(f"{exercise}_*.py")
)


@pytest.mark.parametrize(("exercise", "name", "failing"), WRONG_CASES,
                         ids=[c[1][:-3] for c in WRONG_CASES])  # fmt: skip
def test_wrong_answer_fails_exactly_the_checks_naming_its_mistake(exercise, name, failing):
    verdict = grade(get_exercise(exercise), WRONG / name)
    failed = {c.name: c.message for c in verdict.checks if not c.passed}
    # A word starting with "?" marks a check that fails only on some fresh inputs (a
    # rounding the mistake trips over now and then); when it fails, it names the mistake.
    sometimes = {check for check, word in failing.items() if word.startswith("?")}
    assert set(failing) - sometimes <= set(failed) <= set(failing), failed
    for check, message in failed.items():
        assert failing[check].lstrip("?") in message, (check, message)
    assert verdict.error is None


@pytest.mark.parametrize(("exercise", "name"), FAIR_CASES, ids=[c[1][:-3] for c in FAIR_CASES])
def test_independent_correct_answer_scores_full_marks(exercise, name):
    verdict = grade(get_exercise(exercise), FAIR / name)
    failed = {c.name: c.message for c in verdict.checks if not c.passed}
    assert not failed and verdict.score == verdict.max_score, failed


@pytest.mark.parametrize("exercise", LLM_TRACK)
def test_each_exercise_has_three_fair_and_three_wrong_answers(exercise):
    assert sum(1 for e, _ in FAIR_CASES if e == exercise) >= 3
    assert sum(1 for e, _, _ in WRONG_CASES if e == exercise) >= 3


@pytest.mark.parametrize("exercise", LLM_TRACK)
def test_the_stubs_worked_example_holds_for_the_reference(exercise):
    found = get_exercise(exercise)
    doc = ast.get_docstring(ast.parse(found.stub_path.read_text(encoding="utf-8")))
    spec = importlib.util.spec_from_file_location(f"reference_{exercise}", found.solution_path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    names = {"np": np, **{k: v for k, v in vars(module).items() if not k.startswith("__")}}
    example = doctest.DocTestParser().get_doctest(doc, names, exercise, None, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(example)
    assert example.examples and runner.failures == 0
