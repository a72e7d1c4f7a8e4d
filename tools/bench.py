"""Benchmark (`make bench`): one moons training step with microjax, micrograd and plain floats; a deep chain; and the
cost of nested derivatives, level by level.

The workload is `value_and_grad` of the hinge loss of micrograd's 2-16-16-1 MLP (337 parameters) on 100 samples,
run interleaved with micrograd 0.1.0 (same data, same initial weights) and with the same arithmetic on floats
(the loss alone, no gradient). The machines are shared and noisy, so every figure is a ratio measured side by side:
each round runs a block of steps of each system in turn (the order rotates), and a round's ratio compares the medians
of its blocks. Reported: the median ratio over the rounds and its spread (lowest and highest round).
Target: microjax <= 0.05x micrograd, judged on the median ratio.

Usage: python tools/bench.py [ROUNDS]
"""
import gc, statistics, sys, time, tracemalloc
from sklearn.datasets import make_moons
from micrograd.engine import Value
from micrograd.nn import MLP as MgMLP
from microjax.engine import value_and_grad, grad
from microjax.nn import MLP, svm_loss
from microjax.primitives import exp, sigmoid

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
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

def block(fn, steps:int) -> float:
    """The median time of `steps` steady-state steps of `fn`, after a clean heap and one warm-up step: each step also
    pays for collecting the garbage of the step before, as in a training loop (micrograd's graph is full of reference
    cycles; microjax's tape has none), but never for another system's garbage."""
    gc.collect()
    fn()
    ts = []
    for _ in range(steps):
        t = time.perf_counter(); fn(); ts.append(time.perf_counter() - t)
    return statistics.median(ts)

systems = [('microjax', microjax_step, 5), ('micrograd', micrograd_step, 2), ('floats', floats_step, 5)]
rounds = []
for r in range(ROUNDS):
    order = systems[r % 3:] + systems[:r % 3]
    rounds.append({name: block(fn, steps) for name, fn, steps in order})

def spread(values):
    "'median [lowest-highest]' of `values`."
    return f'{statistics.median(values):.3f} [{min(values):.3f}-{max(values):.3f}]'

ms = {name: 1000 * statistics.median(r[name] for r in rounds) for name, _, _ in systems}
vs_mg = [r['microjax'] / r['micrograd'] for r in rounds]
vs_fl = [r['microjax'] / r['floats'] for r in rounds]
print(f'moons step: value_and_grad of the hinge loss, 2-16-16-1 MLP (337 parameters), 100 samples; '
      f'{ROUNDS} interleaved rounds; ratios as median [lowest-highest round]')
print(f"{'':28}{'ms/step':>10}")
for name, label in [('microjax', 'microjax value_and_grad'), ('micrograd', 'micrograd 0.1.0'), ('floats', 'plain floats (loss only)')]:
    print(f'{label:28}{ms[name]:10.1f}')
print(f'microjax / micrograd: {spread(vs_mg)}')
print(f'microjax / floats:    {spread(vs_fl)}')
ratio = statistics.median(vs_mg)
print(f"target: microjax <= 0.05x micrograd: {'met' if ratio <= 0.05 else 'NOT met'} "
      f'(median {ratio:.3f}x, {1 / ratio:.0f} times faster)')

def chain(x):
    for _ in range(1_000_000): x = x * 1.000001
    return x
gc.collect()
t = time.perf_counter(); grad(chain)(1.0); chain_s = time.perf_counter() - t
tracemalloc.start(); grad(chain)(1.0); chain_peak = tracemalloc.get_traced_memory()[1]; tracemalloc.stop()
print(f'1,000,000-operation chain: grad in {chain_s:.2f} s, peak traced memory {chain_peak / 2**20:.0f} MiB')

def nested(f, n:int) -> float:
    "The best of three timings of the `n`-th derivative of `f` at 0.5, by `n` nested `grad`s."
    for _ in range(n): f = grad(f)
    best = float('inf')
    for _ in range(3):
        t = time.perf_counter(); f(0.5); best = min(best, time.perf_counter() - t)
    return best

print('nested derivatives: time of grad^n(f)(0.5), and its growth per level (t_n / t_(n-1)); partials reuse the output')
for name, f, top in [('exp', exp, 12), ('sigmoid', sigmoid, 8)]:
    ts = [nested(f, n) for n in range(1, top + 1)]
    growth = [b / a for a, b in zip(ts, ts[1:])]
    print(f'  {name:8} n=1: {1e3 * ts[0]:.2f} ms, n={top}: {1e3 * ts[-1]:.2f} ms; growth per level {spread(growth)}')
