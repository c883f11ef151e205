"""TensorFlow's start-up lines are not the learner's output (seen in a real grading)."""

import pytest

from grader.tfnoise import without_noise

REAL = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796005994.274323       2 port.cc:153] oneDNN custom operations are on. You may see \
slightly different numerical results due to floating-point round-off errors from different \
computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.
I0000 00:00:1796005994.274803       2 cudart_stub.cc:31] Could not find cuda drivers on your \
machine, GPU will not be used.
2024-05-01 10:00:00.123456: I tensorflow/core/platform/cpu_feature_guard.cc:210] This TensorFlow \
binary is optimized to use available CPU instructions in performance-critical operations.
To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow with the \
appropriate compiler flags.
normalize.py:68: RuntimeWarning: invalid value encountered in divide
  return ((image - lo) / (hi - lo)).astype(np.float32)
my own print: I0000 is a fine name
"""


def test_tensorflow_start_up_lines_go_and_the_learners_own_output_stays():
    assert without_noise(REAL).splitlines() == [
        "normalize.py:68: RuntimeWarning: invalid value encountered in divide",
        "  return ((image - lo) / (hi - lo)).astype(np.float32)",
        "my own print: I0000 is a fine name",
    ]


@pytest.mark.slow
def test_grading_a_file_that_imports_tensorflow_blames_nothing_on_the_learner(mlkata):
    """The issue's case: the cnn stub (it imports keras) graded as normalize."""
    result = mlkata("grade", "normalize", "exercises/cnn.py", "--lang", "en", timeout=300)
    assert result.returncode == 1
    assert "cudart_stub" not in result.stdout and "oneDNN" not in result.stdout
    assert "absl::InitializeLog" not in result.stdout
