"The engine's contract: nesting, deep graphs, Python semantics, errors, and no state left behind."
import math, sys
import numpy as np
import pytest
from microjax.engine import grad, value_and_grad, relu, trace, backwards
from microjax.core import trace_stack
from helpers import check_against_torch

def close(a, b, rel=1e-12): return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)

@pytest.mark.parametrize('f,x,expected', [
    (lambda x: x * grad(lambda y: x * y)(2.0), 1.0, 2.0),
    (lambda x: grad(lambda y: x * y)(x), 3.0, 1.0),
    (lambda x: grad(lambda y: x * x * y)(2.0), 3.0, 6.0),
    (lambda x: grad(lambda y: grad(lambda z: x * y * z)(1.0))(1.0), 5.0, 1.0),
    (lambda x: x * grad(lambda y: grad(lambda z: x * y * z * z)(x))(x), 2.0, 24.0),   # x * 2x^2, slope 6x^2
])
def test_nested_closures(f, x, expected):
    assert close(grad(f)(x), expected)

def test_nested_mixed_against_torch():
    check_against_torch(lambda o, x, y: x * y * y + o.log(x) * y, (1.3, 0.4), order=3)

def test_million_operation_chain_at_default_recursion_limit():
    def chain(x):
        for _ in range(1_000_000): x = x * 1.000001
        return x
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try: g = grad(chain)(1.0)
    finally: sys.setrecursionlimit(limit)
    assert close(g, 1.000001 ** 1_000_000, rel=1e-9)

def test_constant_output_and_unused_argument():
    assert grad(lambda x: 2.0)(1.0) == 0.0 and type(grad(lambda x: 2.0)(1.0)) is float
    assert grad(lambda x, y: x * 3)(1.0, 2.0) == [3.0, 0.0]
    assert value_and_grad(lambda x: 7)(1.0) == (7.0, 0.0)

def test_ints_and_numpy():
    assert close(grad(lambda x, y: x * y)(2, 3)[0], 3.0)
    g = grad(lambda x: np.float64(1.5) * x ** np.int64(2) + x * np.float64(2.0))(np.float64(2.0))
    assert type(g) is float and close(g, 8.0)

def test_control_flow_uses_concrete_values():
    f = lambda x: x * x if x > 0 else (x if bool(x) else 5.0 * x)
    assert (grad(f)(3.0), grad(f)(-3.0), grad(f)(0.0)) == (6.0, 1.0, 5.0)
    assert grad(relu)(0.0) == 0.0

@pytest.mark.parametrize('out,contains', [((1.0, 2.0), 'Output was (1.0, 2.0) (a tuple)'), ([1.0], '(a list)'),
                                          ('s', "Output was 's' (a str)"), (None, '(a NoneType)')])
def test_bad_output(out, contains):
    with pytest.raises(TypeError, match='Gradient only defined for scalar-output functions') as e:
        grad(lambda x: out if out is not None else None)(1.0)
    assert contains in str(e.value)
    assert trace_stack() == ()

@pytest.mark.parametrize('args,contains', [((1.0, 'a'), "argument 1 is str 'a'"), (({1.0},), 'argument 0 is set'),
                                           ((1.0, 2j), 'argument 1 is complex')])
def test_bad_argument(args, contains):
    with pytest.raises(TypeError, match='requires real-valued arguments') as e: grad(lambda *a: a[0])(*args)
    assert contains in str(e.value)

def test_exception_propagates_and_leaves_no_state():
    def f(x):
        y = x * 2
        raise KeyError('inside f')
    with pytest.raises(KeyError, match='inside f'): grad(f)(1.0)
    assert trace_stack() == ()
    df = grad(lambda x: x ** 3)
    assert [df(2.0) for _ in range(3)] == [12.0, 12.0, 12.0]

def test_trace_and_backwards():
    out, ins, main = trace(lambda x, y: x * y + y, 2.0, 5.0)
    cts = backwards(main.tape, {out.idx: 1.0})
    assert (cts[ins[0].idx], cts[ins[1].idx]) == (5.0, 3.0)

def test_builtin_abs_works_with_the_engine_alone():
    "Python's abs() on a tracer needs no import beyond microjax.engine (checked in a fresh interpreter)."
    import subprocess
    code = 'from microjax.engine import grad; print(grad(lambda x: abs(x) * x)(-3.0))'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout
    assert float(out) == pytest.approx(6.0)
