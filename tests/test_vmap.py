"vmap: every primitive's batching rule against a loop, compositions against loops and PyTorch, random programs and in_axes."
import math
import torch
from hypothesis import given, settings, strategies as st, assume, HealthCheck
from helpers import torch_derivatives, assert_close, MjOps
from test_properties import exprs, evaluate
from microjax import grad, value_and_grad, jvp, vjp, jit, make_jaxpr, where, relu, abs as mj_abs
from microjax.batching import vmap
from microjax.core import TracerBoolConversionError, ConcretizationTypeError, trace_stack
import microjax.primitives as mp
import microjax.core as core

def same(a, b, what):
    "Equal as floats, nan equal to nan, through lists and tuples."
    if isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), f'{what}: {a!r} != {b!r}'
        for u, v in zip(a, b): same(u, v, what)
    else: assert (a != a and b != b) or a == b, f'{what}: {a!r} != {b!r}'

UNARY = {'neg': lambda x: -x, 'abs': mj_abs, 'relu': relu, 'log': mp.log, 'exp': mp.exp, 'sin': mp.sin, 'cos': mp.cos,
         'tanh': mp.tanh, 'sigmoid': mp.sigmoid, 'sqrt': mp.sqrt, 'round': round}
OPERATORS = {'add': lambda a, b: a + b, 'sub': lambda a, b: a - b, 'mul': lambda a, b: a * b,
             'truediv': lambda a, b: a / b, 'pow': lambda a, b: a ** b, 'mod': lambda a, b: a % b,
             'floordiv': lambda a, b: a // b, 'lt': lambda a, b: a < b, 'le': lambda a, b: a <= b,
             'gt': lambda a, b: a > b, 'ge': lambda a, b: a >= b, 'eq': lambda a, b: a == b, 'ne': lambda a, b: a != b}
PRIMS = {'add': core.add_p, 'sub': core.sub_p, 'mul': core.mul_p, 'truediv': core.div_p, 'pow': core.pow_p,
         'mod': core.mod_p, 'floordiv': core.floordiv_p, 'lt': core.lt_p, 'le': core.le_p, 'gt': core.gt_p,
         'ge': core.ge_p, 'eq': core.eq_p, 'ne': core.ne_p}
# batched: the operator on tracers; the loop: the primitive bound on floats (microjax's IEEE answers, not Python's errors)
BINARY = {n: (op, lambda a, b, p=PRIMS[n]: core.bind(p, a, b)) for n, op in OPERATORS.items()}
BINARY['where'] = (lambda a, b: where(a > b, a, b), lambda a, b: where(a > b, a, b))
edge = st.one_of(st.floats(-3, 3), st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, math.inf, -math.inf, math.nan]))

@settings(max_examples=60, deadline=None)
@given(st.lists(edge, min_size=1, max_size=5), st.lists(edge, min_size=5, max_size=5))
def test_every_primitive_batched_equals_the_loop(xs, ys):
    "Each primitive, batched in one operand, the other, or both, gives what a loop of the primitive gives (errors too)."
    ys = ys[:len(xs)]
    def loop(f, *cols):
        try: return [f(*v) for v in zip(*cols)]
        except (ValueError, ZeroDivisionError, OverflowError) as e: return type(e)
    def batched(f, in_axes, *args):
        try: return vmap(f, in_axes=in_axes)(*args)
        except (ValueError, ZeroDivisionError, OverflowError) as e: return type(e)
    for name, f in UNARY.items():
        if name == 'round' and any(not math.isfinite(x) for x in xs): continue
        same(batched(f, 0, xs), loop(f, xs), f'{name} on {xs}')
    for name, (f, ref) in BINARY.items():
        same(batched(f, (0, 0), xs, ys), loop(ref, xs, ys), f'{name} on {xs}, {ys}')
        same(batched(f, (0, None), xs, 1.5), loop(ref, xs, [1.5] * len(xs)), f'{name} on {xs}, 1.5')
        same(batched(f, (None, 0), -0.5, ys), loop(ref, [-0.5] * len(ys), ys), f'{name} on -0.5, {ys}')
    assert trace_stack() == ()

@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs, st.lists(st.floats(-2, 2), min_size=1, max_size=4), st.floats(-2, 2),
       st.sampled_from([(0, 0), (0, None), (None, 0)]))
def test_random_programs_in_every_composition(e, xs, c, in_axes):
    "Random programs, batched in x, y or both: vmap of f, grad, jvp, jit and vmap itself equal loops of them."
    f = lambda x, y: evaluate(e, MjOps, x, y) * 1.0 + 0.0 * x
    n = len(xs)
    ys = [c + 0.25 * k for k in range(n)]
    args = [xs if in_axes[0] == 0 else xs[0], ys if in_axes[1] == 0 else c]
    pts = [(args[0][k] if in_axes[0] == 0 else args[0], args[1][k] if in_axes[1] == 0 else args[1]) for k in range(n)]
    g2 = grad(f, argnums=(0, 1))
    for name, batched, one in [('vmap', vmap(f, in_axes), f),
                               ('vmap(grad)', vmap(g2, in_axes), g2),
                               ('vmap(jvp)', vmap(lambda x, y: jvp(f, (x, y), (1.0, 0.5)), in_axes),
                                lambda x, y: jvp(f, (x, y), (1.0, 0.5))),
                               ('jit(vmap)', jit(vmap(f, in_axes)), f),
                               ('vmap(jit)', vmap(jit(f), in_axes), f)]:
        out = batched(*args)
        loop = [one(*p) for p in pts]
        if isinstance(loop[0], tuple): loop = tuple(map(list, zip(*loop)))   # a pytree of batches
        same(out, loop, f'{name} of {e} with in_axes {in_axes}')
    tangents = [[1.0] * n if in_axes[0] == 0 else 1.0, [0.5] * n if in_axes[1] == 0 else 0.5]
    loop = [jvp(f, p, (1.0, 0.5)) for p in pts]
    same(jvp(vmap(f, in_axes), tuple(args), tuple(tangents)), tuple(map(list, zip(*loop))), f'jvp(vmap) of {e}')
    nested = vmap(vmap(f, in_axes), in_axes)([args[0]] * 2 if in_axes[0] == 0 else args[0],
                                              [args[1]] * 2 if in_axes[1] == 0 else args[1])
    same(nested, [[f(*p) for p in pts]] * 2, f'vmap(vmap) of {e}')

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs, st.lists(st.floats(-2, 2), min_size=2, max_size=4), st.floats(-2, 2))
def test_grad_of_a_batched_sum_matches_torch(e, xs, y):
    "grad of sum(vmap(f)) with respect to every element, and to the unbatched y, against PyTorch."
    f = lambda o, x, y: evaluate(e, o, x, y) * 1.0 + 0.0 * x
    refs = [torch_derivatives(f, (x, y), order=1) for x in xs]
    assume(all(math.isfinite(v) and abs(v) < 1e12 for r in refs for v in r.values()))
    total = lambda y, *xs: sum(vmap(lambda x: f(MjOps, x, y))(list(xs)))
    got = grad(total, argnums=tuple(range(len(xs) + 1)))(y, *xs)
    assert_close(got[0], sum(r[(1,)] for r in refs), rtol=1e-7, atol=1e-9, what=f'd/dy of {e}')
    for g, r in zip(got[1:], refs): assert_close(g, r[(0,)], rtol=1e-7, atol=1e-9, what=f'd/dx of {e}')

def test_per_example_gradients_match_torch():
    "vmap(grad) of a small network's loss over examples, against PyTorch's per-example gradients."
    W = [0.3, -0.7, 0.5, 0.2]
    def loss(w, x0, x1, t):
        h = relu(w[0] * x0 + w[1] * x1)
        return (w[2] * h + w[3] - t) ** 2
    X0, X1, T = [0.1, -1.2, 2.0, 0.7], [1.0, 0.4, -0.3, 0.0], [1.0, -1.0, 0.5, 2.0]
    per = vmap(grad(loss, argnums=0), in_axes=(None, 0, 0, 0))(W, X0, X1, T)
    w = torch.tensor(W, requires_grad=True)
    for i in range(4):
        h = torch.relu(w[0] * X0[i] + w[1] * X1[i])
        ref = torch.autograd.grad((w[2] * h + w[3] - T[i]) ** 2, w)[0].tolist()
        for k in range(4): assert_close(per[k][i], ref[k], what=f'example {i}, weight {k}')

def test_closures_and_levels():
    "Nested vmap inside grad, closing over the outer variable: no perturbation confusion."
    assert grad(lambda x: sum(vmap(lambda y: x * y)([1.0, 2.0, 3.0])))(3.0) == 6.0
    assert grad(lambda x: sum(vmap(lambda y: x * grad(lambda z: x * z * y)(2.0))([1.0, 2.0])))(3.0) == 2 * 3.0 * 3
    assert vmap(lambda x: grad(lambda y: x * y * y)(x))([1.0, 2.0]) == [2.0, 8.0]
    # each element's output is the list [x, 10x]: batched, one list per position (a pytree of batches, as in JAX)
    assert vmap(lambda x: vmap(lambda y: x * y)([1.0, 10.0]))([2.0, 3.0]) == [[2.0, 3.0], [20.0, 30.0]]

def test_errors_are_clear_and_leave_no_state():
    def branchy(x):
        if x > 0: return x
        return -x
    cases = [(lambda: vmap(branchy)([1.0, -1.0]), TracerBoolConversionError, 'inside `vmap` of `branchy`'),
             (lambda: vmap(lambda x: float(x))([1.0]), ConcretizationTypeError, 'batch of 1'),
             (lambda: vmap(lambda x, y: x * y)([1.0, 2.0], [1.0]), ValueError, 'argument 0 has 2, argument 1 has 1'),
             (lambda: vmap(lambda x: x)(3.0), TypeError, 'it is float 3.0'),
             (lambda: vmap(lambda x: x, in_axes=2)([1.0]), ValueError, 'use 0 (batched) or None'),
             (lambda: vmap(lambda x: x, out_axes=None)([1.0, 2.0]), ValueError, 'varies along the batch'),
             (lambda: vmap(lambda x, y: x, in_axes=(0,))([1.0], [2.0]), ValueError, 'in_axes has 1 entries'),
             (lambda: vmap(lambda: 1.0, axis_size=0)(), ValueError, 'positive int'),
             (lambda: jit(vmap(branchy))([1.0]), TracerBoolConversionError, 'branchy')]
    for run, kind, text in cases:
        try: run()
        except kind as err: assert text in str(err), str(err)
        else: raise AssertionError(f'no error for {text}')
        assert trace_stack() == ()
    assert vmap(lambda x, y: x * y, in_axes=(0, None))((1.0, 2.0), 3) == [3.0, 6.0]    # a tuple batch, an int constant
