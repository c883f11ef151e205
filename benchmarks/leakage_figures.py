"""Reproduce the quiz's figures on fine-tuning on the test set, on the bundled MNIST sample.

Several questions quote what happens when a tutorial "fine-tunes" on its test set:

    model.fit(x_train, y_train, ...)
    model.fit(x_test, y_test, epochs=2)   # "fine-tune"
    model.evaluate(x_test, y_test)

This script runs exactly that with the `pipeline` exercise's reference model on the bundled
sample (grader/data/mnist-10k.npz): it trains on the 8,000 training digits (the reference's
validation_split=0.1 holds 800 of them out), fine-tunes for two epochs on one half of the test
set (998 digits, the "test set" the tutorial reports on), then for eight more, and after each
stage measures accuracy both there and on the other half (1,002 digits no step ever trained
on). It trains a small CNN once per seed: under a minute per seed on 2 CPU cores (measured on
a shared machine, so only a rough figure).

    .venv/bin/python benchmarks/leakage_figures.py            # seed 0: the figures quoted
    .venv/bin/python benchmarks/leakage_figures.py --seeds 3  # how much they move
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "solutions")]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

FINE_TUNE_EPOCHS = (2, 10)  # 2 as in the tutorial, model.fit(x_test, y_test, epochs=2); then 10


def measure(seed: int) -> tuple[dict[str, float], tuple[int, int, int]]:
    """Accuracy on the leaked half and on the unseen half, before and after the leak; sizes."""
    import keras
    import pipeline  # solutions/pipeline.py

    from grader.checks.support import as_model_input, pipeline_data

    data = pipeline_data()
    pipeline.SEED = seed
    model, _ = pipeline.train_and_evaluate(
        data["x_train"], data["y_train"], data["x_given"], data["y_given"]
    )

    def accuracy(images, labels) -> float:
        return float(model.evaluate(as_model_input(images), labels, verbose=0)[1])

    figures = {
        "honest_test": accuracy(data["x_given"], data["y_given"]),
        "honest_unseen": accuracy(data["x_unseen"], data["y_unseen"]),
    }
    keras.utils.set_random_seed(seed)
    done = 0
    for epochs in FINE_TUNE_EPOCHS:
        model.fit(as_model_input(data["x_given"]), data["y_given"], epochs=epochs - done, verbose=0)
        done = epochs
        figures[f"test_after_{epochs}"] = accuracy(data["x_given"], data["y_given"])
        figures[f"unseen_after_{epochs}"] = accuracy(data["x_unseen"], data["y_unseen"])
    sizes = (len(data["y_train"]), len(data["y_given"]), len(data["y_unseen"]))
    return figures, sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=1, help="seeds 0..N-1 (default 1)")
    args = parser.parse_args(argv)
    for seed in range(args.seeds):
        start = time.perf_counter()
        f, (train, test, unseen) = measure(seed)
        print(
            f"seed {seed} ({time.perf_counter() - start:.0f} s): trained on {train:,} digits; "
            f"test set of {test:,}, unseen set of {unseen:,}"
        )
        print(
            f"  honest:                          test {f['honest_test']:.3f}, "
            f"unseen {f['honest_unseen']:.3f}"
        )
        for epochs in FINE_TUNE_EPOCHS:
            print(
                f"  after {epochs:2} epochs on the test set: test {f[f'test_after_{epochs}']:.3f}, "
                f"unseen {f[f'unseen_after_{epochs}']:.3f}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
