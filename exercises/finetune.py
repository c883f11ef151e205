"""Exercise `finetune`: teach a CNN pretrained on digits 0-4 to recognise 5-9.

Write `fine_tune(base_model, x_new, y_new) -> keras.Model`:

- `base_model` is a small CNN pretrained on MNIST digits 0-4. Its layers:
  conv_1 (Conv2D) -> pool_1 -> conv_2 (Conv2D) -> pool_2 -> features
  (Flatten) -> dropout -> classifier (Dense(10, softmax)). Its convolutional
  layers already detect strokes and curves that digits 5-9 share.
- `x_new` is a SMALL labelled set: a few images of each digit 5-9, float32
  (N, 28, 28, 1) in [0, 1]; `y_new` holds their digits (integers 5-9).
- Freeze the pretrained convolutional base (its weights must come back
  bit for bit unchanged) and train a NEW head on top of its features.
- Return a keras.Model that takes (N, 28, 28, 1) float32 images and outputs
  10 softmax probabilities per image, whose argmax is the digit itself
  (so a 7 gives index 7). Only built-in Keras layers: the grader loads
  your model with `safe_mode=True`.
- The grader measures accuracy on digits 5-9 your code never saw, and
  compares it with the same architecture trained from scratch on the same
  small set: transfer learning should win. Stay within a minute.

Example:

    >>> from grader.data.finetune_base import finetune_data, load_base
    >>> base, data = load_base(), finetune_data()   # builds and caches the base once
    >>> model = fine_tune(base.model, data.x_new, data.y_new)
    >>> model.predict(data.x_unseen[:1]).shape
    (1, 10)

Check your work with `mlkata grade finetune`.
"""

import keras  # noqa: F401 (you will need these)
from keras import layers  # noqa: F401

# Training parameters.
NUM_CLASSES = 10  # index = digit; only 5-9 appear in y_new
EPOCHS = 50
BATCH_SIZE = 32


def fine_tune(base_model, x_new, y_new):
    # TODO: freeze the pretrained layers so their weights cannot change.

    # TODO: take the base's features (base_model.get_layer("features").output)
    #       and put a new head on them ending in Dense(NUM_CLASSES, softmax);
    #       wrap it as keras.Model(base_model.inputs, outputs).

    # TODO: compile (sparse categorical cross-entropy) and fit on x_new, y_new.

    raise NotImplementedError("fine_tune is not written yet")
