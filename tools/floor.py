"""The moons step as straight-line Python written out by hand: the floor that compiled code is measured against.

`straight_line(X, y)` writes the step of `handwritten.py` (a 2-16-16-1 MLP, hinge loss, L2 penalty) as one function of
the 337 parameters, with the data as literals, no loops and no lists: each sample's forward pass, then its backward pass
with the gradients accumulated in one local per parameter, so that only one sample's values are alive at a time. The
relu's derivative is computed as microjax computes it (1, 0, or nan for a nan input) and multiplied in, so the program
does the operations that the staged step does, with no shortcut that a compiler of the jaxpr could not take. It sums in
another order than the staged step (sample by sample, where the staged step's sweep goes from the last sample to the
first), so its floats may differ in the last bits.
"""

def straight_line(X, y, sizes=(2, 16, 16, 1), alpha=1e-4):
    "The compiled straight-line step: `f(*params) -> (loss, gradients)`."
    layers, k = [], 0                                   # layers[l][j] = (indices of the weights, index of the bias)
    for nin, nout in zip(sizes, sizes[1:]):
        layers.append([(list(range(k + j * (nin + 1), k + j * (nin + 1) + nin)), k + j * (nin + 1) + nin) for j in range(nout)])
        k += nout * (nin + 1)
    n_params, n, last = k, len(X), len(layers) - 1
    lines = [f'def straight_line({", ".join(f"p{i}" for i in range(n_params))}):', '    total = 0.0']
    lines += [f'    g{i} = 0.0' for i in range(n_params)]
    for x, yi in zip(X, y):
        ins = [[repr(float(v)) for v in x]]                # ins[l]: the sources of layer l's inputs
        for l, layer in enumerate(layers):                 # forward
            for j, (ws, b) in enumerate(layer):
                lines.append(f'    h{l}_{j} = p{b} + ' + ' + '.join(f'p{w} * {a}' for w, a in zip(ws, ins[l])))
                if l < last: lines.append(f'    a{l}_{j} = 0.0 if h{l}_{j} <= 0 else h{l}_{j}')
            ins.append([f'a{l}_{j}' for j in range(len(layer))])
        lines.append(f'    m = 1.0 - {float(yi)!r} * h{last}_0')
        lines.append('    total = total + (0.0 if m <= 0 else m)')
        step = '(1.0 if {0} > 0.0 else 0.0 if {0} <= 0.0 else nan)'    # the relu's derivative, nan for nan
        lines.append(f'    d{last}_0 = {step.format("m")} * {-float(yi) / n!r}')
        for l in range(last, -1, -1):                      # backward
            for j, (ws, b) in enumerate(layers[l]):
                lines += [f'    g{w} = g{w} + d{l}_{j} * {a}' for w, a in zip(ws, ins[l])]
                lines.append(f'    g{b} = g{b} + d{l}_{j}')
            if l:
                for i in range(len(ins[l])):
                    terms = ' + '.join(f'd{l}_{j} * p{ws[i]}' for j, (ws, _) in enumerate(layers[l]))
                    lines.append(f'    d{l - 1}_{i} = ({terms}) * {step.format(f"h{l - 1}_{i}")}')
    penalty = ' + '.join(f'p{i} * p{i}' for i in range(n_params))
    grads = ', '.join(f'g{i} + {2 * alpha!r} * p{i}' for i in range(n_params))
    lines.append(f'    return total / {float(n)!r} + {alpha!r} * ({penalty}), [{grads}]')
    ns = {'nan': float('nan')}
    exec(compile('\n'.join(lines), '<straight line>', 'exec'), ns)
    return ns['straight_line']
