"""JAX's reverse mode (`linearize`, `linear_transpose`, `vjp_by_transpose`) against microjax's tape: every primitive,
random programs, every composition, and the errors."""
import math, random
import pytest
import microjax as mj
from microjax.core import trace_stack
from microjax.linear import linearize, linear_transpose, vjp_by_transpose

UNARY = [mj.sin, mj.cos, mj.exp, mj.tanh, mj.sigmoid, mj.log1p, mj.expm1, mj.tan, mj.arctan, mj.erf, mj.relu,
         mj.abs, lambda x: mj.sqrt(x * x + 1.0), lambda x: mj.log(x * x + 0.5), lambda x: -x, lambda x: x ** 3,
         lambda x: 2.0 ** x, lambda x: 1.0 / (x * x + 0.1)]
BINARY = [lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: x / (y * y + 0.5),
          lambda x, y: mj.arctan2(x, y), mj.maximum, mj.minimum, lambda x, y: mj.where(x > y, x * y, x - y),
          lambda x, y: (x * x + 1.0) ** y]


@pytest.mark.parametrize('k', range(len(UNARY)))
def test_every_unary_primitive_both_reverse_modes_agree(k):
    f = UNARY[k]
    for x in (-1.3, 0.4, 2.1):
        y, f_jvp = linearize(f, x)
        assert (y, f_jvp(1.0)) == mj.jvp(f, (x,), (1.0,))
        # one primitive: the same product, bit for bit
        assert vjp_by_transpose(f, x)[1](1.0) == (mj.grad(f)(x),)


@pytest.mark.parametrize('k', range(len(BINARY)))
def test_every_binary_primitive_both_reverse_modes_agree(k):
    f = BINARY[k]
    for x, y in [(-1.3, 0.4), (0.7, 2.1), (1.5, -0.8)]:
        got = vjp_by_transpose(f, x, y)[1](1.0)
        want = tuple(mj.grad(f)(x, y))
        for u, v in zip(got, want): assert abs(u - v) <= 1e-14 * max(1.0, abs(v)), (got, want)


def random_program(rng, n_ops=25):
    "A random straight-line function of two inputs, from the primitives above."
    ops = [(rng.randrange(len(UNARY)), None) if rng.random() < 0.5 else (rng.randrange(len(BINARY)), rng.random())
           for _ in range(n_ops)]
    def f(a, b):
        vals = [a, b]
        for k, r in ops:
            if r is None: vals.append(UNARY[k](vals[-1]))
            else: vals.append(BINARY[k](vals[-1], vals[int(r * (len(vals) - 1))]))
            vals[-1] = vals[-1] * 0.5          # keep the values in range
        return vals[-1] + 0.1 * vals[-2]
    return f

@pytest.mark.parametrize('seed', range(12))
def test_random_programs_both_reverse_modes_agree(seed):
    rng = random.Random(seed)
    f = random_program(rng)
    a, b = rng.uniform(-1, 1), rng.uniform(-1, 1)
    want = mj.grad(f)(a, b)
    got = vjp_by_transpose(f, a, b)[1](1.0)
    for u, v in zip(got, want):
        assert abs(u - v) <= 1e-10 * max(1.0, abs(v)) or (math.isnan(u) and math.isnan(v)), (got, want)


def test_compositions():
    f = lambda x: mj.sin(x) * mj.exp(-x * x)
    g = lambda x: vjp_by_transpose(f, x)[1](1.0)[0]
    for x in (0.3, -1.2):
        assert abs(g(x) - mj.grad(f)(x)) <= 1e-15
        assert mj.jit(g)(x) == g(x)
        assert abs(mj.grad(g)(x) - mj.grad(mj.grad(f))(x)) <= 1e-13
    assert mj.vmap(g)([0.3, -1.2]) == [g(0.3), g(-1.2)]
    # linearize under jit: the linear map of a jitted program
    y, f_jvp = linearize(mj.jit(f), 0.3)
    assert abs(f_jvp(1.0) - mj.jvp(f, (0.3,), (1.0,))[1]) <= 1e-15


def test_outputs_whose_tangent_is_known():
    # a constant output, and an output that is an input: tangents 0.0 and the input's
    y, f_jvp = linearize(lambda x, y: (x * y, 2.0, y), 1.0, 2.0)
    assert (y, f_jvp(1.0, 3.0)) == ((2.0, 2.0, 2.0), (5.0, 0.0, 3.0))
    out, pullback = vjp_by_transpose(lambda x, y: (x * y, 2.0, y), 1.0, 2.0)
    assert pullback((1.0, 1.0, 1.0)) == (2.0, 2.0)


def test_pytrees_and_errors():
    f = lambda p: {'s': p['a'] * p['b'], 'd': mj.sin(p['a'])}
    out, pullback = vjp_by_transpose(f, {'a': 1.0, 'b': 2.0})
    assert pullback({'s': 1.0, 'd': 0.0}) == ({'a': 2.0, 'b': 1.0},)
    with pytest.raises(TypeError, match="output's structure"):
        pullback(1.0)
    with pytest.raises(TypeError, match='both depend'):
        linear_transpose(lambda x: x * x, 1.0)
    with pytest.raises(TypeError, match='affine'):
        linear_transpose(lambda x: x + 1.0, 1.0)
    with pytest.raises(TypeError, match='callable'):
        linearize(3.0, 1.0)
    assert trace_stack() == ()
