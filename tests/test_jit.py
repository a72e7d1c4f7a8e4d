"jit and make_jaxpr: random programs staged and compiled give the eager values (and PyTorch's derivatives), in every composition."
import ast, math
from collections import Counter
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck
from helpers import assert_close, MjOps
from test_properties import exprs, evaluate, second_order_reference
from microjax import grad, value_and_grad, jvp, vjp, jit, make_jaxpr, eval_jaxpr, where, relu
from microjax.compiler import compile_jaxpr, to_python, _statements, _alive
from microjax.core import TracerBoolConversionError, ConcretizationTypeError, UnexpectedTracerError, trace_stack

def same(a, b, what):
    "Equal floats (nan equal to nan): the staged program does the same float operations as eager mode."
    a, b = (list(a), list(b)) if isinstance(a, (list, tuple)) else ([a], [b])
    for u, v in zip(a, b):
        assert (u != u and v != v) or u == v, f'{what}: {u!r} != {v!r}'

@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs, st.floats(-2, 2), st.floats(-2, 2), st.floats(-2, 2))
def test_random_programs_jit_equals_eager_in_every_composition(e, x, y, x2):
    f = lambda x, y: evaluate(e, MjOps, x, y) * 1.0 + 0.0 * x
    for name, staged, eager in [('jit', jit(f), f), ('jit(grad)', jit(grad(f)), grad(f)),
                                ('grad(jit)', grad(jit(f)), grad(f)),
                                ('jit(value_and_grad)', jit(value_and_grad(f)), value_and_grad(f)),
                                ('jit(grad(grad))', jit(grad(lambda x, y: grad(f)(x, y)[0])),
                                 grad(lambda x, y: grad(f)(x, y)[0]))]:
        for point in [(x, y), (x2, y)]:                     # the second call runs the cached code on new numbers
            a, b = staged(*point), eager(*point)
            if isinstance(a, tuple): a, b = [a[0], *a[1]], [b[0], *b[1]]
            same(a, b, f'{name} of {e} at {point}')
    jx = make_jaxpr(f)(x, y)
    same(eval_jaxpr(jx, jx.consts, x2, y), [f(x2, y)], f'eval_jaxpr of {e}')
    gx = make_jaxpr(grad(f, argnums=(0, 1)))(x, y)             # compiled a statement at a time: the pieces pass values on
    same(compile_jaxpr(gx, chunk_chars=1)(x2, y), grad(f, argnums=(0, 1))(x2, y), f'chunked grad of {e}')
    for jaxpr in (jx, gx):                                    # parentheses only where precedence needs them: the same tree
        assert same_tree(jaxpr), e
        assert counted_without_dead_code(jaxpr), e
        assert locals_as_many_as_alive(jaxpr), (e, to_python(jaxpr)[0])

def counted_without_dead_code(jaxpr) -> bool:
    "`jaxpr.uses` counts the reads of its equations, and every equation is read or is an output (dead code all dropped)."
    reads = Counter(a for _, _, atoms in jaxpr.eqns for a in atoms if type(a) is int)
    variables = [*jaxpr.constvars, *jaxpr.invars, *(o for o, _, _ in jaxpr.eqns)]
    return (all(jaxpr.uses[v] == reads[v] for v in variables)
            and all(reads[o] or o in jaxpr.outvars for o, _, _ in jaxpr.eqns))

def locals_as_many_as_alive(jaxpr) -> bool:
    "In either order, the compiled program has as many locals as the most values alive at once in the program without reuse."
    def ok(order):
        _, fresh, outs, _ = _statements(jaxpr, reuse=False, order=order)
        _, reused, _, _ = _statements(jaxpr, order=order)
        return len({v for v, _ in reused}) == max(len(live) for _, live in _alive(fresh, outs))
    return ok(False) and ok(True)

def same_tree(jaxpr) -> bool:
    "The source of `jaxpr` with minimal parentheses parses to the same syntax tree as with parentheses around every operand."
    return ast.dump(ast.parse(to_python(jaxpr)[0])) == ast.dump(ast.parse(to_python(jaxpr, all_parens=True)[0]))

def test_parentheses_where_precedence_needs_them():
    "Every operator and select as an operand on either side of every other, comparisons of comparisons, negative literals."
    binary = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: where(a < b, a, b),
              lambda a, b: where(a >= b, b - a, a * b), lambda a, b: relu(a) - b, lambda a, b: a / b]
    compare = [lambda a, b: a < b, lambda a, b: a <= b, lambda a, b: a == b, lambda a, b: a != b,
               lambda a, b: a > b, lambda a, b: a >= b]
    programs = [lambda x, y, z, f=f, g=g: f(g(x, y), z) for f in binary for g in binary]
    programs += [lambda x, y, z, f=f, g=g: f(z, g(x, y)) for f in binary for g in binary]
    programs += [lambda x, y, z, c=c, d=d: where(c(d(x, y), z < x), x, y) for c in compare for d in compare]
    programs += [lambda x, y, z, c=c: where(c(x, y), where(y < z, x - y, y), where(z < x, z, x * z)) for c in compare]
    programs += [lambda x, y, z: x * -2.5 - -1.0 * y + z * -math.inf, lambda x, y, z: -0.0 - x * (y - z) * -0.0]
    for k, p in enumerate(programs):
        for jaxpr in (make_jaxpr(p)(1.0, 2.0, 3.0), make_jaxpr(grad(p, argnums=(0, 1, 2)))(1.0, 2.0, 3.0)):
            assert same_tree(jaxpr), (k, to_python(jaxpr)[0])
        for point in [(1.0, 2.0, 3.0), (3.0, -2.0, 0.5), (2.0, 2.0, 2.0)]:
            same([jit(p)(*point)], eval_jaxpr(make_jaxpr(p)(*point), [], *point), f'program {k} at {point}')   # IEEE division

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(exprs, st.floats(-2, 2), st.floats(-2, 2))
def test_jitted_hessian_matches_torch(e, x, y):
    f, ref = second_order_reference(e, x, y)
    g = lambda x, y: f(MjOps, x, y)
    for i in range(2):
        d = jit(grad(lambda x, y: grad(g)(x, y)[i]))(x, y)
        for j in range(2):
            assert_close(d[j], ref[(i, j)], rtol=1e-7, atol=1e-9, what=f'{e} d{(i, j)} at {(x, y)}')

def test_kinks_are_decided_by_the_new_inputs():
    for f in (relu, abs, lambda x: where(x > 1.0, x * x, -x)):
        g = jit(grad(f))
        for x in (2.0, -2.0, 0.0, 1.0, 1.5):
            same([g(x)], [grad(f)(x)], f'{f} at {x}')
    for f in (relu, abs): same([jit(grad(f))(math.nan)], [math.nan], f'{f} at nan')
    # At nan, a staged `where` is JAX's select: the unselected branch's nan derivative times 0 is nan, as in JAX;
    # eager `where` with a known condition is an `if` and gives the branch's derivative.
    assert math.isnan(jit(grad(lambda x: where(x > 1.0, x * x, -x)))(math.nan))

def test_side_effects_once_per_compilation_and_cache_keys():
    calls = []
    def f(x, p):
        calls.append(1)
        return x * p['w'] + p['b']
    jf = jit(f)
    for k in range(5): jf(float(k), {'w': 2.0, 'b': 1.0})
    assert len(calls) == 1
    jf(1.0, {'w': 2.0, 'b': 1.0, 'c': 0.0})                     # a new structure: a new compilation
    assert len(calls) == 2
    assert jf(3.0, {'w': 2.0, 'b': 1.0}) == 7.0 and jf(3, {'w': 2, 'b': 1}) == 7.0  # ints promoted, no retrace
    assert len(calls) == 2

def test_errors_name_the_function_and_leave_no_state():
    from microjax.core import trace_stack
    def branchy(x):
        if x > 0: return x
        return -x
    for fn, kind, fix in [(jit(branchy), TracerBoolConversionError, 'where'),
                          (make_jaxpr(branchy), TracerBoolConversionError, 'where'),
                          (jit(lambda x: float(x)), ConcretizationTypeError, 'microjax.sin(x)'),
                          (jit(lambda x: math.sin(x)), ConcretizationTypeError, 'microjax.sin(x)')]:
        try: fn(1.0)
        except kind as err: assert 'static_argnums' in str(err) and fix in str(err), str(err)
        else: raise AssertionError('no error')
        assert trace_stack() == ()
    assert grad(branchy)(-2.0) == -1.0                          # under grad alone, Python control flow still works

@pytest.mark.parametrize('out', ['loss', {'label': 'b'}, 1j, object()])
def test_non_number_outputs_raise_and_leave_no_state(out):
    for fn in (jit(lambda x: (x, out)), make_jaxpr(lambda x: (x, out))):
        with pytest.raises(TypeError, match=r'of `<lambda>` needs a function whose output is a number or a pytree of numbers'):
            fn(1.0)
        assert trace_stack() == ()

def test_pow_one_folds_exactly():
    "x ** 1.0 is folded to x when staged: the same float as eager for every x, and its derivatives too."
    assert make_jaxpr(lambda x: x ** 1.0)(2.0).eqns == []
    for x in (-0.0, 0.0, math.nan, math.inf, -math.inf, -2.5, 1e-310):
        same(jit(lambda x: x ** 1.0)(x), x ** 1.0, f'x ** 1.0 at {x}')
        same(jit(grad(lambda x: x ** 2))(x), grad(lambda x: x ** 2)(x), f'd/dx x ** 2 at {x}')
        same(jit(grad(lambda y: x ** y))(1.0), grad(lambda y: x ** y)(1.0), f'd/dy x ** y at {x}, y = 1')   # not folded: y is traced

def test_constant_outputs_keep_their_type():
    f = jit(lambda x: (x > 0.0, True, False, 2.0 * x))
    assert [type(o) for o in f(1.0)] == [bool, bool, bool, float] and f(-1.0) == (False, True, False, -2.0)
    assert jit(lambda x: None)(1.0) is None                     # an empty pytree, as in JAX

def test_escaped_staged_tracer_raises():
    leaked = []
    jit(lambda x: leaked.append(x) or x * 2.0)(1.0)
    try: leaked[0] * 2.0
    except Exception as err: assert 'after the transformation that made it had finished' in str(err)
    else: raise AssertionError('no error')

@pytest.mark.parametrize('use', [lambda t: t * 2.0, lambda t: 2.0 * t, lambda t: t * t, lambda t: t + t, lambda t: t + 1,
                                 lambda t: 1.0 - t, lambda t: t - t, lambda t: relu(t), lambda t: t / 2.0])
def test_escaped_tape_tracer_over_a_staged_primal_raises(use):
    "A tracer of jit(value_and_grad(f))'s tape level (its primal a staged tracer) that escaped: the + - * shortcuts refuse it too."
    leaked = []
    step = jit(value_and_grad(lambda x: leaked.append(x) or x * x))
    assert step(3.0) == (9.0, 6.0)
    assert type(leaked[0].primal).__name__ == 'JaxprTracer'
    with pytest.raises(UnexpectedTracerError, match='after the transformation that made it had finished'): use(leaked[0])
    assert trace_stack() == () and step(2.0) == (4.0, 4.0)

def test_large_program_compiles():
    "A chain of 30,000 operations (deep single-use nesting is capped) compiles and matches eager."
    def chain(x):
        for k in range(10_000): x = x * 1.0001 + 0.5 - relu(x - 100.0)
        return x
    assert jit(chain)(1.0) == chain(1.0)
    assert jit(grad(chain))(1.0) == grad(chain)(1.0)

def test_jitted_call_on_a_tape_is_one_node_per_output():
    "grad of a jitted call inside a larger function: the call is one node per output, with the eager derivatives."
    import torch
    from microjax import sin, exp
    from microjax.engine import trace
    calls = []
    def inner(a, b):
        calls.append(1)
        return {'p': a * b + sin(a), 'q': relu(a - b) * exp(b)}
    j = jit(inner)
    outer = lambda x, y: j(x, y)['p'] * 3.0 + j(y, x)['q'] * j(x, x)['p']
    jp = jit(lambda a, b: inner(a, b)['p'])
    for x, y in [(0.7, -0.4), (-1.2, 0.3), (2.0, 1.5)]:
        got = grad(outer, argnums=(0, 1))(x, y)
        X, Y = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (x, y))
        P = lambda a, b: a * b + torch.sin(a)
        Q = lambda a, b: torch.relu(a - b) * torch.exp(b)
        ref = torch.autograd.grad(P(X, Y) * 3.0 + Q(Y, X) * P(X, X), (X, Y))
        for g, r in zip(got, ref): assert_close(g, r.item(), rtol=1e-12, what=f'grad at {(x, y)}')
        v, g = value_and_grad(jp, argnums=(0, 1))(x, y)
        v_eager, g_eager = value_and_grad(lambda a, b: inner(a, b)['p'], argnums=(0, 1))(x, y)
        same([v, *g], [v_eager, *g_eager], f'value_and_grad(jit) at {(x, y)}')
    assert len(j._cache) == 1 and len(calls) == 1 + 1 + 3   # `inner` staged once by each jit; the eager reference, thrice
    _, _, main = trace(lambda x, y: j(x, y)['p'], 0.7, -0.4)
    assert len(main.tape) == 2 + 2                             # two inputs, and the call's two outputs (one node each)
    assert main.tape[2] is main.tape[3] and len(main.tape[2]) == 1   # several outputs: one pullback step for all
    _, _, main = trace(jp, 0.7, -0.4)
    assert main.tape[2] == (0, -0.4 + math.cos(0.7), 1, 0.7)   # one output: the partials of a*b + sin(a), as a node
    # a comparison among the outputs has no gradient: the call falls back to binding the primitives
    assert grad(lambda x: jit(lambda a: (a * a, a > 1.0))(x)[0])(3.0) == 6.0


def test_grad_of_a_boolean_output_is_refused_in_every_composition():
    "A comparison has no derivative: grad raises (as JAX does) instead of returning 0, staged or not, and leaves no trace."
    for name, make in [('grad', grad), ('value_and_grad', value_and_grad), ('jit(grad)', lambda f: jit(grad(f))),
                       ('grad(jit)', lambda f: grad(jit(f))), ('jit(value_and_grad)', lambda f: jit(value_and_grad(f)))]:
        for f in (lambda x: x > 0, lambda x: x * 2.0 == x, lambda x: where(x > 0, x, 0.0) <= 1.0):
            with pytest.raises(TypeError, match='a comparison has no derivative'): make(f)(1.5)
            assert trace_stack() == (), name
    assert grad(lambda x: 1)(2.0) == 0.0 and jit(grad(lambda x: where(x > 0, 1.0, 0.0)))(2.0) == 0.0   # an int, a float step
