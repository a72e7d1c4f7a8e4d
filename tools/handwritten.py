"""The moons step written out by hand as Python loops on floats: the reference the benchmark measures microjax against."""

def handwritten(params, X, y, sizes=(2, 16, 16, 1), alpha=1e-4):
    "The loss and its gradient, forward and backward written out by hand on floats (the reference a jit should beat)."
    layers, offsets, k = [], [], 0                       # layers[l][j] = (weights, bias) of neuron j of layer l
    for nin, nout in zip(sizes, sizes[1:]):
        offsets.append(k)
        layers.append([(params[k + j * (nin + 1): k + j * (nin + 1) + nin], params[k + j * (nin + 1) + nin]) for j in range(nout)])
        k += nout * (nin + 1)
    grads, total, n, last = [2 * alpha * p for p in params], 0.0, len(X), len(layers) - 1
    for x, yi in zip(X, y):
        acts, pres = [x], []
        for l, layer in enumerate(layers):                     # forward, keeping what the backward pass needs
            z = [sum(w * a for w, a in zip(ws, acts[-1])) + b for ws, b in layer]
            pres.append(z)
            acts.append(z if l == last else [v if v > 0 else 0.0 for v in z])
        margin = 1.0 - yi * acts[-1][0]
        if margin <= 0: continue
        total += margin
        dz = [-yi / n]                                         # d loss / d score
        for l in range(last, -1, -1):                          # backward, layer by layer
            nin, base = len(acts[l]), offsets[l]
            da = [0.0] * nin
            for j, (ws, _) in enumerate(layers[l]):
                d = dz[j]
                if d == 0.0: continue
                o = base + j * (nin + 1)
                for i in range(nin):
                    grads[o + i] += d * acts[l][i]
                    da[i] += d * ws[i]
                grads[o + nin] += d
            if l: dz = [g if p > 0 else 0.0 for g, p in zip(da, pres[l - 1])]
    return total / n + alpha * sum(p * p for p in params), grads
