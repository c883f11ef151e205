# ruff: noqa
def preprocess_image(image):
    mn = min(image.flatten())
    mx = max(image.flatten())
    return (image - mn) / (mx - mn)
