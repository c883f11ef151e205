"""Fair: the whole computation in float32 (as a GPU would), one-hot by comparison."""

import numpy as np


def mlp_gradients(x, y, params):
    f = np.float32
    W1, b1 = params["W1"].astype(f), params["b1"].astype(f)
    W2, b2 = params["W2"].astype(f), params["b2"].astype(f)
    x = x.astype(f)
    n = x.shape[0]
    hidden_in = x @ W1 + b1
    hidden = np.maximum(hidden_in, f(0))
    logits = hidden @ W2 + b2
    logits = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(logits)
    total = exp.sum(axis=-1, keepdims=True)
    probs = exp / total
    one_hot = (np.arange(logits.shape[1])[None, :] == y[:, None]).astype(f)
    loss = np.mean(np.log(total[:, 0]) - logits[np.arange(n), y])
    d_logits = (probs - one_hot) / f(n)
    d_hidden_in = (d_logits @ W2.T) * (hidden_in > 0)
    return {
        "loss": float(loss),
        "W1": x.T @ d_hidden_in,
        "b1": d_hidden_in.sum(axis=0),
        "W2": hidden.T @ d_logits,
        "b2": d_logits.sum(axis=0),
    }
