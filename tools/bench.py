"""Benchmark (`make bench`): one moons training step with microjax, micrograd and plain floats, and a deep chain.

The workload is `value_and_grad` of the hinge loss of micrograd's 2-16-16-1 MLP (337 parameters) on 100 samples,
run interleaved with micrograd 0.1.0 (same data, same initial weights) and with the same arithmetic on floats
(the loss alone, no gradient). Reported: the median over repetitions, and the ratios. Target: microjax <= 0.05x micrograd.
"""
import gc, statistics, sys, time, tracemalloc
from sklearn.datasets import make_moons
from micrograd.engine import Value
from micrograd.nn import MLP as MgMLP
from microjax.engine import value_and_grad, grad
from microjax.nn import MLP, svm_loss

REPS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
X, y = make_moons(n_samples=100, noise=0.1, random_state=1)
X, y = X.tolist(), (2 * y - 1).tolist()
sizes = [16, 16, 1]
params = MLP.init(2, sizes, seed=0).parameters()
loss = lambda *ps: svm_loss(MLP.from_parameters(ps, 2, sizes), X, y, alpha=1e-4)

mg = MgMLP(2, sizes)
for p, v in zip(mg.parameters(), params): p.data = v     # same initial weights, same order (weights, then bias)

def micrograd_step():
    mg.zero_grad()
    scores = [mg([Value(a) for a in x]) for x in X]       # the loss of micrograd's demo notebook
    losses = [(1 + -yi * s).relu() for yi, s in zip(y, scores)]
    total = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in mg.parameters())
    total.backward()
    return total.data, [p.grad for p in mg.parameters()]

def microjax_step(): return value_and_grad(loss)(*params)
def floats_step(): return loss(*params), None

# the three compute the same loss, and the two engines the same gradients
(l1, g1), (l2, g2), (l3, _) = microjax_step(), micrograd_step(), floats_step()
assert abs(l1 - l2) <= 1e-9 * abs(l2) and abs(l1 - l3) <= 1e-12 * abs(l3), (l1, l2, l3)
assert all(abs(a - b) <= 1e-9 * max(abs(b), 1e-9) for a, b in zip(g1, g2))

times = {'microjax': [], 'micrograd': [], 'floats': []}
# Interleaved in blocks, so that drift hits all three alike. Each block is a short training run of one system: the
# heap is cleaned before it (no collector time spent on another system's garbage), its first step warms up, and
# the steps after it are timed in the steady state of a training loop, where each step also pays for collecting
# the garbage of the step before (micrograd's graph is full of reference cycles; microjax's tape has none).
BLOCK = 3
for _ in range(REPS):
    for name, fn in [('microjax', microjax_step), ('micrograd', micrograd_step), ('floats', floats_step)]:
        gc.collect()
        for k in range(BLOCK):
            t = time.perf_counter(); fn(); dt = time.perf_counter() - t
            if k: times[name].append(dt)
ms = {k: 1000 * statistics.median(v) for k, v in times.items()}

def chain(x):
    for _ in range(1_000_000): x = x * 1.000001
    return x
gc.collect()
t = time.perf_counter(); grad(chain)(1.0); chain_s = time.perf_counter() - t
tracemalloc.start(); grad(chain)(1.0); chain_peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()

print(f'moons step: value_and_grad of the hinge loss, 2-16-16-1 MLP (337 parameters), 100 samples; '
      f'median of {REPS * (BLOCK - 1)} steady-state steps in {REPS} interleaved blocks')
print(f"{'':28}{'ms/step':>10}{'vs micrograd':>14}{'vs floats':>11}")
for name, label in [('microjax', 'microjax value_and_grad'), ('micrograd', 'micrograd 0.1.0'), ('floats', 'plain floats (loss only)')]:
    print(f'{label:28}{ms[name]:10.1f}{ms[name] / ms["micrograd"]:13.3f}x{ms[name] / ms["floats"]:10.1f}x')
ratio = ms['microjax'] / ms['micrograd']
print(f"target: microjax <= 0.05x micrograd: {'met' if ratio <= 0.05 else 'NOT met'} ({ratio:.3f}x, {1 / ratio:.0f} times faster)")
print(f'1,000,000-operation chain: grad in {chain_s:.2f} s, peak traced memory {chain_peak / 2**20:.0f} MiB')
