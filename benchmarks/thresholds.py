"""Per check: the margin between the weakest correct answer and the strongest wrong one.

Run from the repository root (pipeline takes ten minutes or so on 2 shared cores):

    .venv/bin/python benchmarks/thresholds.py                  # everything
    .venv/bin/python benchmarks/thresholds.py cnn finetune

Correct answers: solutions/<id>.py and the fairness corpus tests/fair/; wrong answers:
tests/wrong/ and the gaming corpus tests/gaming/, plus a few built here (a seed CNN
trained one epoch, a head trained three epochs). Each line names the check, its
threshold, the weakest correct figure, the strongest wrong figure, and the margin:
how many times further the wrong answer is from what correct answers do than the
weakest correct one (on error rates for accuracies, on CPU time for speed). A check
that tests an exact property (a gradient is zero or not, two models are the same or
not) says so. The figures are quoted next to each threshold in grader/checks/.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]
PREFIX = {"normalize": "norm", "cnn": "cnn", "pipeline": "pipe", "finetune": "ft"}


def correct_answers(exercise: str) -> list[Path]:
    fair = sorted((ROOT / "tests" / "fair").glob(f"{PREFIX[exercise]}_*.py"))
    return [ROOT / "solutions" / f"{exercise}.py", *fair]


def load(file: Path):
    """Import an answer file as a fresh module (in this process, trusted: our own corpus)."""
    spec = importlib.util.spec_from_file_location(f"answer_{file.stem}_{time.time_ns()}", file)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def line(check: str, threshold: str, correct: str, wrong: str, margin: str) -> None:
    print(f"  {check:38} {threshold:>16}  correct {correct:>22}  wrong {wrong:>22}  {margin}")


def ratio(value: float) -> str:
    flag = "" if value >= 1.5 else "  (< 1.5x: see the note)"
    return f"margin {value:.1f}x{flag}"


def measure_normalize(rounds: int) -> None:
    """CPU time on the check's ten batches, in the sandbox, as graded."""
    from grader.checks.support import fresh_rng, python_seconds_per_item
    from grader.checks.test_normalize import BIG_BATCH, BIG_BATCH_LIMIT, CALLS
    from grader.exercises import get_exercise
    from grader.grading.proxy import Submission, start_worker

    exercise = get_exercise("normalize")
    pixels = fresh_rng().integers(0, 256, (BIG_BATCH, 28, 28), dtype=np.uint8)
    wrong = [ROOT / "tests" / "wrong" / f"{n}.py" for n in ("norm_seed", "norm_loop")]
    wrong.append(ROOT / "tests" / "gaming" / "norm_precompute.py")
    print(
        f"normalize: {python_seconds_per_item() * 1e9:.1f} ns per pixel for built-in min(), "
        f"so a limit of {BIG_BATCH_LIMIT:.2f} s of CPU for {pixels.size:,} pixels"
    )
    used: dict[str, float] = {}
    for file in [*correct_answers("normalize"), *wrong]:
        spent = []
        for _ in range(rounds):
            worker = start_worker(exercise)
            time.sleep(3)  # let it finish importing, as watch's warm worker has
            submission = Submission(exercise, file, worker=worker)
            try:
                total = 0.0
                for batch in np.split(pixels, CALLS):
                    submission.call(batch, timeout=60)
                    total += submission.last_call_cpu_s
                spent.append(total)
            finally:
                submission.close()
        used[file.stem] = max(spent) if file not in wrong else min(spent)
        print(f"    {file.parent.name}/{file.name:24} {min(spent):.2f}-{max(spent):.2f} s of CPU")
    slowest = max(used[f.stem] for f in correct_answers("normalize"))
    fastest_wrong = min(used[f.stem] for f in wrong)
    line(
        "vectorised_on_a_full_mnist_batch",
        f"<= {BIG_BATCH_LIMIT:.2f} s",
        f"{slowest:.2f} s",
        f"{fastest_wrong:.2f} s",
        ratio(fastest_wrong / slowest),
    )
    print("  every other normalize check compares values exactly: no threshold to place")


def measure_cnn(rounds: int) -> None:
    """The trainability figures: the weakest gradient any layer gets, one step's descent."""
    import keras
    import tensorflow as tf

    from grader.checks.test_cnn import BATCH, STEP_SIZES
    from grader.data import load_mnist

    (x_train, y_train), _ = load_mnist()
    wrong = [
        ROOT / "tests" / "wrong" / "cnn_frozen.py",
        *sorted((ROOT / "tests" / "gaming").glob("cnn_*.py")),
    ]
    print("cnn: per answer, the smallest gradient any trainable layer gets, and one step's drop")
    weakest: dict[bool, list[float]] = {True: [], False: []}
    for file in [*correct_answers("cnn"), *wrong]:
        figures = []
        for seed in range(rounds):
            rng = np.random.default_rng(seed)
            picked = rng.choice(len(y_train), BATCH, replace=False)
            x = (x_train[picked, ..., None] / 255.0).astype(np.float32)
            y = y_train[picked]
            keras.utils.set_random_seed(seed)
            model = load(file).build_model()
            layers = [
                layer
                for layer in model._flatten_layers(include_self=False)
                if not isinstance(layer, keras.Model) and layer.weights
            ]
            variables = model.trainable_variables
            if not variables or any(not layer.trainable for layer in layers):
                figures.append(0.0)
                continue
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, model(x)))
            grads = dict(
                zip([id(v) for v in variables], tape.gradient(loss, variables), strict=True)
            )
            smallest = min(
                max(
                    float(tf.reduce_max(tf.abs(grads[id(v)]))) if grads[id(v)] is not None else 0.0
                    for v in layer.trainable_weights
                )
                for layer in layers
                if layer.trainable_weights
            )
            figures.append(smallest)
        correct = file.parent.name in ("fair", "solutions")
        weakest[correct].append(min(figures) if correct else max(figures))
        print(
            f"    {file.parent.name}/{file.name:26} smallest layer gradient "
            f"{min(figures):.2e}-{max(figures):.2e}"
        )
    line(
        "trains (gradient reaches every layer)",
        "> 0",
        f"{min(weakest[True]):.1e}",
        f"{max(weakest[False]):.1e}",
        "exact property: a layer's gradient is zero or not",
    )
    print("  why not 'fits a small batch in N steps': Adam steps (lr 1e-2) until the loss on")
    print("  10 digits is below 10% of ln 10, at most 100, for each correct answer:")
    for file in correct_answers("cnn"):
        steps = []
        for seed in range(rounds):
            picked = np.random.default_rng(seed + 100).choice(len(y_train), 10, replace=False)
            x = (x_train[picked, ..., None] / 255.0).astype(np.float32)
            keras.utils.set_random_seed(seed)
            model = load(file).build_model()
            optimizer = keras.optimizers.Adam(1e-2)
            model.compile(optimizer, "sparse_categorical_crossentropy")
            taken = ">100"
            for step in range(100):
                if float(model.train_on_batch(x, y_train[picked])) < 0.1 * np.log(10):
                    taken = str(step + 1)
                    break
            steps.append(taken)
        print(f"    {file.parent.name}/{file.name:26} {', '.join(steps)} steps")
    print(
        f"  trains (a step lowers the loss): any of {len(STEP_SIZES)} step sizes, exact: a "
        "differentiable loss with a non-zero gradient always has one"
    )


def _pipeline_runs(file: Path, rng: np.random.Generator) -> dict:
    """Run 1 and run 2 of the leak check, as a grading does (in this process)."""
    from grader.checks.support import accuracy, pipeline_data, probabilities
    from grader.checks.test_pipeline import _cross_entropy, _probs, _second_test_set

    data = pipeline_data(rng)
    module = load(file)
    first, _ = module.train_and_evaluate(
        data["x_train"], data["y_train"], data["x_first"], data["y_first"]
    )
    _second_test_set(first, data, rng)
    second, _ = module.train_and_evaluate(
        data["x_train"], data["y_train"], data["x_second"], data["y_second"]
    )
    both = [np.concatenate([_probs(m, data, "first"), _probs(m, data, "held")])
            for m in (first, second)]  # fmt: skip
    held = data["x_held"].astype(np.float32)[..., None]
    raw = probabilities(first, held, "model")
    unseen = accuracy(_probs(first, data, "held"), data["y_held"])
    own = accuracy(_probs(first, data, "first"), data["y_first"])
    held_loss = _cross_entropy(_probs(first, data, "held"), data["y_held"])
    return {
        "unseen": unseen,
        "raw_ratio": _cross_entropy(raw, data["y_held"]) / held_loss,
        "differ": float(np.abs(both[0] - both[1]).max()),
        "fits_own": own - unseen,
        "own_loss_ratio": held_loss / _cross_entropy(_probs(first, data, "first"), data["y_first"]),
    }


SEED_CNN_ONE_EPOCH = """
import keras
from keras import layers
def train_and_evaluate(x_train, y_train, x_test, y_test):
    keras.utils.set_random_seed(0)
    x = (x_train / 255.0)[..., None]
    model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                              layers.MaxPooling2D(), layers.Flatten(),
                              layers.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y_train, epochs=1, batch_size=128, verbose=0)
    return model, 0.0
"""


def measure_pipeline(rounds: int) -> None:
    from grader.checks.support import fresh_rng
    from grader.checks.test_pipeline import (
        FITS_OWN_LOSS,
        FITS_OWN_TEST,
        MIN_UNSEEN_ACCURACY,
        SAME_MODEL,
    )

    folder = Path(tempfile.mkdtemp(prefix="mlkata-bench-"))
    undertrained = folder / "seed_cnn_one_epoch.py"
    undertrained.write_text(SEED_CNN_ONE_EPOCH, encoding="utf-8")
    leaks = [
        ROOT / "tests" / "wrong" / "pipe_seedleak.py",
        *sorted((ROOT / "tests" / "gaming").glob("pipe_*.py")),
    ]
    raw_pixels = ROOT / "tests" / "wrong" / "pipe_raw_pixels.py"
    figures: dict[Path, list[dict]] = {}
    print(
        "pipeline: per answer and round, unseen accuracy, cross-entropy fed 0-255 pixels over "
        "fed x / 255, the largest prediction difference between runs 1 and 2, and how much "
        "better run 1's model does on its own test set than on digits it never saw (accuracy "
        "gap, cross-entropy ratio)"
    )
    for file in [*correct_answers("pipeline"), undertrained, raw_pixels, *leaks]:
        for _ in range(rounds):
            r = _pipeline_runs(file, fresh_rng())
            figures.setdefault(file, []).append(r)
            print(
                f"    {file.parent.name}/{file.name:30} unseen {r['unseen']:.3f}  raw/norm "
                f"{r['raw_ratio']:.2f}  differ {r['differ']:.3g}  own {r['fits_own']:+.3f} "
                f"{r['own_loss_ratio']:.2f}x",
                flush=True,
            )
    correct = correct_answers("pipeline")
    worst = min(r["unseen"] for f in correct for r in figures[f])
    best_wrong = max(r["unseen"] for r in figures[undertrained])
    line(
        "unseen_accuracy",
        f">= {MIN_UNSEEN_ACCURACY}",
        f"{worst:.3f}",
        f"{best_wrong:.3f}",
        ratio((1 - best_wrong) / (1 - worst)) + " (on error rates)",
    )
    weakest = min(r["raw_ratio"] for f in correct for r in figures[f])
    strongest = max(r["raw_ratio"] for r in figures[raw_pixels])
    line(
        "model_takes_normalised_images",
        "raw/norm CE > 1",
        f"{weakest:.2f}",
        f"{strongest:.2f}",
        ratio(weakest / strongest) + " (cross-entropy ratio)",
    )
    same = max(r["differ"] for f in correct for r in figures[f])
    leak = min(r["differ"] for f in leaks for r in figures[f])
    line(
        "model_independent_of_test_set",
        f"differ <= {SAME_MODEL:g}",
        f"{same:.1g}",
        f"{leak:.3g}",
        f"wrong {leak / SAME_MODEL:,.0f}x over the threshold; correct answers are exactly "
        "the same model",
    )
    own = max(r["fits_own"] for f in correct for r in figures[f])
    print(
        f"  (which kind: own-test advantage of correct answers up to {own:+.3f}, threshold "
        f"{FITS_OWN_TEST}; training-on-test answers: "
        + ", ".join(f"{f.stem} {max(r['fits_own'] for r in figures[f]):+.3f}" for f in leaks)
        + ")"
    )
    print(
        f"  (or cross-entropy ratio >= {FITS_OWN_LOSS}x: correct answers up to "
        f"{max(r['own_loss_ratio'] for f in correct for r in figures[f]):.2f}x; leaking answers "
        + ", ".join(
            f"{f.stem} {min(r['own_loss_ratio'] for r in figures[f]):.2f}-"
            f"{max(r['own_loss_ratio'] for r in figures[f]):.2f}x"
            for f in leaks
        )
        + ")"
    )
    print(
        "  reported_accuracy_matches: the reported figure against the grader's on the same "
        "digits; correct answers match exactly"
    )


HEAD_THREE_EPOCHS = """
import keras
def fine_tune(base_model, x_new, y_new):
    keras.utils.set_random_seed(0)
    base_model.trainable = False
    out = keras.layers.Dense(10, activation="softmax")(base_model.get_layer("features").output)
    model = keras.Model(base_model.inputs, out)
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(x_new, y_new, epochs=3, batch_size=32, verbose=0)
    return model
"""


def measure_finetune(rounds: int) -> None:
    """Each round draws the small set afresh (as a grading does); every answer fine-tunes on
    it, and is measured as the checks measure it, its base's weights then set to zero."""
    import keras

    from grader.checks.support import fresh_rng
    from grader.checks.test_finetune import (
        CHANCE,
        MAX_KEPT_SKILL,
        MIN_UNSEEN_ACCURACY,
        TIME_LIMIT,
    )
    from grader.data import finetune_base

    base = finetune_base.load_base()
    originals = [np.asarray(w) for layer in base.model.layers
                 if isinstance(layer, keras.layers.Conv2D) for w in layer.weights]  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix="mlkata-bench-"))
    short = folder / "head_three_epochs.py"
    short.write_text(HEAD_THREE_EPOCHS, encoding="utf-8")
    correct = correct_answers("finetune")
    beside = [ROOT / "tests" / "gaming" / f for f in ("ft_tiny_branch.py", "ft_decoy_branch.py")]
    worst, slowest, wrong = 1.0, 0.0, 0.0
    most_kept, least_kept_wrong = 0.0, np.inf
    print("finetune: per round (a fresh draw of 50 digits), unseen 5-9 accuracy, the share of")
    print("  its skill above chance kept with the base's weights zeroed, and seconds")
    for round_ in range(rounds):
        rng = fresh_rng()
        data = finetune_base.finetune_data(rng)
        print(f"  round {round_ + 1}")
        for file in [*correct, short, *beside]:
            fresh = keras.saving.load_model(base.path, safe_mode=True)
            start = time.perf_counter()
            model = load(file).fine_tune(fresh, data.x_new, data.y_new)
            seconds = time.perf_counter() - start
            accuracy = _accuracy_on(model, data)
            for weight in model.weights:
                value = np.asarray(weight)
                if any(value.shape == o.shape and np.array_equal(value, o) for o in originals):
                    weight.assign(np.zeros_like(value))
            kept = (_accuracy_on(model, data) - CHANCE) / (accuracy - CHANCE)
            print(f"    {file.parent.name}/{file.name:26} {accuracy:.3f}  kept {kept:5.2f}  "
                  f"in {seconds:.1f} s")  # fmt: skip
            if file in correct:
                worst, slowest = min(worst, accuracy), max(slowest, seconds)
                most_kept = max(most_kept, kept)
            elif file == short:
                wrong = max(wrong, accuracy)
            else:
                least_kept_wrong = min(least_kept_wrong, kept)
    line(
        "unseen_accuracy",
        f">= {MIN_UNSEEN_ACCURACY}",
        f"{worst:.3f}",
        f"{wrong:.3f}",
        ratio((1 - wrong) / (1 - worst)) + " (on error rates)",
    )
    line(
        "relies_on_pretrained_features",
        f"kept <= {MAX_KEPT_SKILL}",
        f"kept {most_kept:.2f}",
        f"kept {least_kept_wrong:.2f}",
        ratio(min(MAX_KEPT_SKILL / max(most_kept, 1e-3), least_kept_wrong / MAX_KEPT_SKILL))
        + " (nearer side of the threshold)",
    )
    line(
        "within_time_limit",
        f"<= {TIME_LIMIT:.0f} s",
        f"{slowest:.1f} s",
        "-",
        ratio(TIME_LIMIT / slowest) + " below the limit",
    )
    print("  base_weights_unchanged: exact (bit for bit, and a nudge must move the predictions)")


def _accuracy_on(model, data) -> float:
    predicted = model.predict(data.x_unseen, verbose=0).argmax(axis=1)
    return float(np.mean(predicted == data.y_unseen))


def main() -> None:
    measures = {
        "normalize": measure_normalize,
        "cnn": measure_cnn,
        "pipeline": measure_pipeline,
        "finetune": measure_finetune,
    }
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="*", help=f"any of {', '.join(measures)} (default: all)")
    parser.add_argument("--rounds", type=int, default=2, help="runs per answer (default 2)")
    args = parser.parse_args()
    unknown = set(args.what) - set(measures)
    if unknown:
        parser.error(f"unknown measure(s): {', '.join(sorted(unknown))}")
    for name in args.what or measures:
        measures[name](args.rounds)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
