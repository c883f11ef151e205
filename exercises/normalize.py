"""Exercise `normalize`: min-max scale MNIST images to [0, 1].

Write `preprocess_image(image)`:

- `image` is ONE image of shape (28, 28) or a BATCH of shape (N, 28, 28),
  holding numbers (usually uint8 pixels 0-255, but any numeric dtype).
- Return a new float32 array of the same shape in which EACH IMAGE is scaled
  on its own: (x - min) / (max - min), with min and max taken over that
  image's pixels only, so every non-constant image spans exactly [0, 1].
- A constant image (max == min, e.g. a blank one) becomes all zeros:
  never NaN, never inf.
- Never modify the input array.
- Vectorise: a batch of 60,000 images (47 million pixels) should take a
  fraction of a second. No Python loops over pixels or images.

Example:

    >>> image = np.zeros((28, 28), dtype=np.uint8)
    >>> image[0, :4] = [0, 50, 100, 200]
    >>> preprocess_image(image)[0, :4]
    array([0.  , 0.25, 0.5 , 1.  ], dtype=float32)
    >>> preprocess_image(np.zeros((3, 28, 28), np.uint8)).max()
    0.0

Check your work with `mlkata grade normalize`.
"""

import numpy as np

# The axes that make up one image: the last two (height, width), whether the
# input is a single image (28, 28) or a batch (N, 28, 28).
IMAGE_AXES = (-2, -1)


def preprocess_image(image):
    image = np.asarray(image)

    # TODO: find the minimum and maximum of EACH image (not of the whole batch).
    #       Hint: reductions take `axis=` and `keepdims=`.

    # TODO: scale to [0, 1] in float32, without dividing by zero on a
    #       constant image, and without changing `image` in place.

    raise NotImplementedError("preprocess_image is not written yet")
