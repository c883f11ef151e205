"""Re-measure the thresholds of the training and timing checks, and print the figures.

Run from the repository root (a few minutes on 2 cores):

    .venv/bin/python benchmarks/thresholds.py                  # everything, 3 seeds
    .venv/bin/python benchmarks/thresholds.py pipeline --seeds 5

normalize: Python's per-pixel speed, the limit, and what five answers use in the sandbox.
cnn: the loss drop of the training check for the reference and two other CNNs.
pipeline: the reference solution's unseen accuracy, and the leak probe's share of
  permuted labels for an honest pipeline and for three that train on the test set.
finetune: the reference fine-tune against the same architecture from scratch.
The figures are quoted in comments next to each threshold in grader/checks/.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "solutions")]


def _timed(function, *args):
    start = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - start


IMAGE_LOOP = """\
import numpy as np
def preprocess_image(image):  # vectorised per image, a Python loop over the images
    image = np.asarray(image)
    if image.ndim == 3:
        return np.stack([preprocess_image(one) for one in image])
    low, high = image.min(), image.max()
    if high == low:
        return np.zeros(image.shape, np.float32)
    return ((image - low) / (high - low)).astype(np.float32)
"""


def measure_normalize(seeds: int) -> None:
    """The CPU time each answer spends on the check's ten batches, in the sandbox, as graded."""
    from grader.checks.support import python_seconds_per_item
    from grader.checks.test_normalize import BIG_BATCH_LIMIT, BIG_BATCH_PIXELS, CALLS
    from grader.exercises import get_exercise
    from grader.grading.proxy import Submission, start_worker

    exercise = get_exercise("normalize")
    print(
        f"normalize: {python_seconds_per_item() * 1e9:.1f} ns per pixel for built-in min(), "
        f"so a limit of {BIG_BATCH_LIMIT:.2f} s for {BIG_BATCH_PIXELS.size:,} pixels"
    )
    with tempfile.TemporaryDirectory() as folder:
        image_loop = Path(folder) / "image_loop.py"
        image_loop.write_text(IMAGE_LOOP, encoding="utf-8")
        answers = {
            "reference": ROOT / "solutions" / "normalize.py",
            "loop over images": image_loop,
            "float64 output": ROOT / "tests" / "wrong" / "norm_f64.py",
            "seed answer": ROOT / "tests" / "wrong" / "norm_seed.py",
            "min() per image": ROOT / "tests" / "wrong" / "norm_loop.py",
        }
        for name, file in answers.items():
            used = []
            for _ in range(seeds):
                worker = start_worker(exercise)
                time.sleep(3)  # let it finish importing, as watch's warm worker has
                submission = Submission(exercise, file, worker=worker)
                try:
                    spent = 0.0
                    for batch in np.split(BIG_BATCH_PIXELS, CALLS):  # as the check sends it
                        submission.call(batch, timeout=60)
                        spent += submission.last_call_cpu_s
                    used.append(spent)
                finally:
                    submission.close()
            print(f"  {name:17} {min(used):.2f}-{max(used):.2f} s of CPU")


def measure_cnn(seeds: int) -> None:
    import cnn  # solutions/cnn.py
    import keras
    from keras import layers

    from grader.checks.test_cnn import LEARNING_RATE, TRAIN_STEPS
    from grader.data import load_mnist

    (x_train, y_train), _ = load_mnist()
    x, y = (x_train[:64, ..., None] / 255.0).astype(np.float32), y_train[:64].astype(np.int64)
    seed_cnn = [
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ]
    batchnorm = [
        layers.Conv2D(32, 3),
        layers.BatchNormalization(),
        layers.ReLU(),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ]
    builders = {
        "reference": cnn.build_model,
        "seed CNN": lambda: keras.Sequential(
            [
                keras.Input((28, 28, 1)),
                *[layer.__class__.from_config(layer.get_config()) for layer in seed_cnn],
            ]
        ),
        "BatchNorm CNN": lambda: keras.Sequential(
            [
                keras.Input((28, 28, 1)),
                *[layer.__class__.from_config(layer.get_config()) for layer in batchnorm],
            ]
        ),
    }
    print(f"cnn: training-mode loss, first step -> mean of the last 3 of {TRAIN_STEPS}")
    for name, build in builders.items():
        for seed in range(seeds):
            keras.utils.set_random_seed(seed + 10)
            model = build()
            keras.utils.set_random_seed(0)
            model.compile(keras.optimizers.Adam(LEARNING_RATE), "sparse_categorical_crossentropy")
            losses = [float(model.train_on_batch(x, y)) for _ in range(TRAIN_STEPS)]
            after = float(np.mean(losses[-3:]))
            print(
                f"  {name:14} seed {seed}: {losses[0]:.2f} -> {after:.2f} "
                f"({1 - after / losses[0]:.0%} drop)"
            )


def measure_pipeline(seeds: int) -> None:
    import keras
    import pipeline  # solutions/pipeline.py

    from grader.checks.support import (
        leak_probe_data,
        permuted_label_share,
        pipeline_data,
        score_pipeline_model,
    )

    def honest(x_train, y_train, x_test, y_test):
        return pipeline.train_and_evaluate(x_train, y_train, x_test, y_test)[0]

    def fine_tune_on_test(epochs):
        def leaky(x_train, y_train, x_test, y_test):  # the seed material's "fine-tune"
            model = honest(x_train, y_train, x_test, y_test)
            model.fit(pipeline.prepare(x_test), y_test, batch_size=128, epochs=epochs, verbose=0)
            return model

        return leaky

    def merged(x_train, y_train, x_test, y_test):
        x, y = np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])
        return honest(x, y, x_test, y_test)

    data, probe = pipeline_data(), leak_probe_data()
    print("pipeline: the reference on the bundled data (given = half the test set)")
    for seed in range(seeds):
        pipeline.SEED = seed
        keras.utils.set_random_seed(seed)
        (model, reported), seconds = _timed(
            pipeline.train_and_evaluate,
            data["x_train"],
            data["y_train"],
            data["x_given"],
            data["y_given"],
        )
        s = score_pipeline_model(model, data)
        print(
            f"  seed {seed}: {seconds:.1f} s, reported {reported:.4f}, measured "
            f"{s.given_accuracy:.4f}, unseen {s.unseen_accuracy:.4f}; mean cross-entropy "
            f"given {s.given_loss:.3f} unseen {s.unseen_loss:.3f}"
        )
    print("pipeline leak probe: share of test digits predicted with the permuted label")
    variants = {
        "honest": honest,
        "fit on test 1 epoch": fine_tune_on_test(1),
        "fit on test 3 epochs": fine_tune_on_test(3),
        "train + test merged": merged,
    }
    for name, variant in variants.items():
        shares = []
        for seed in range(seeds):
            pipeline.SEED = seed
            model = variant(probe["x_train"], probe["y_train"], probe["x_test"], probe["y_test"])
            shares.append(permuted_label_share(model, probe))
        print(f"  {name:21} " + " ".join(f"{share:.3f}" for share in shares))


def measure_finetune(seeds: int) -> None:
    import finetune  # solutions/finetune.py
    import keras

    from grader.data import finetune_base

    data = finetune_base.finetune_data()
    base = finetune_base.pretrain_base()
    x_test, y_test = finetune_base.load_mnist()[1]
    old = np.isin(y_test, finetune_base.OLD_DIGITS)
    _, old_accuracy = base.evaluate(finetune_base._prepare(x_test[old]), y_test[old], verbose=0)
    print(f"finetune: base accuracy on the test set's digits 0-4: {old_accuracy:.4f}")
    path = Path(tempfile.mkdtemp(prefix="mlkata-bench-")) / "base.keras"
    base.save(path)
    for seed in range(seeds):
        finetune.SEED = seed
        fresh = keras.saving.load_model(path, safe_mode=True)
        model, seconds = _timed(finetune.fine_tune, fresh, data.x_new, data.y_new)
        predicted = model.predict(data.x_unseen, verbose=0).argmax(axis=1)
        print(
            f"  reference seed {seed}: unseen 5-9 accuracy "
            f"{np.mean(predicted == data.y_unseen):.4f} in {seconds:.1f} s"
        )
    for seed in range(seeds):
        finetune_base.SEED = seed
        accuracy, seconds = _timed(finetune_base.scratch_accuracy, data)
        print(f"  from scratch seed {seed}: {accuracy:.4f} in {seconds:.1f} s")
    finetune_base.SEED = 0


def main() -> None:
    measures = {
        "normalize": measure_normalize,
        "cnn": measure_cnn,
        "pipeline": measure_pipeline,
        "finetune": measure_finetune,
    }
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", nargs="*", help=f"any of {', '.join(measures)} (default: all)")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    unknown = set(args.what) - set(measures)
    if unknown:
        parser.error(f"unknown measure(s): {', '.join(sorted(unknown))}")
    for name in args.what or measures:
        measures[name](args.seeds)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
