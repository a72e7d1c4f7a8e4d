"""No silent wrong answers: each case here returned a wrong number without a word before (issue 7), or is one of the
calling conventions JAX users expect. The edges of domains (items 5 to 7) are checked against PyTorch in
test_ops_torch.py (IEEE)."""
import collections, copy, gc, math, pickle, signal, subprocess, sys, threading, tracemalloc
import numpy as np
import pytest
import microjax as mj
from microjax import grad, value_and_grad, vjp, jvp, jacfwd, jacrev, hessian, check_grads, relu, sin, exp, sqrt
from microjax.core import MainTrace, new_main, trace_stack, bind, mul_p
from microjax.tree_util import tree_flatten, tree_unflatten, tree_map

def close(a, b, rel=1e-12): return math.isclose(a, b, rel_tol=rel, abs_tol=1e-12)
closure = lambda x: x * grad(lambda y: x * y)(2.0)          # d/dx x * x = 2x: 2.0 at 1.0

# 1. Threads and greenlets ------------------------------------------------------------------------------------------

def test_threads_reproducer_from_the_issue():
    "Thread A waits inside grad; B enters its outer grad; A finishes; B's inner grad must still be a new level."
    a_inside, b_outer, a_done, out = threading.Event(), threading.Event(), threading.Event(), {}
    def fa(x):
        a_inside.set(); b_outer.wait(5)
        return x * x
    def outer(x):
        b_outer.set(); a_done.wait(5)
        return x * grad(lambda y: x * y)(2.0)
    def thread_a():
        out['a'] = grad(fa)(3.0); a_done.set()
    def thread_b():
        a_inside.wait(5)
        out['b'] = grad(outer)(1.0)
    ts = [threading.Thread(target=thread_a), threading.Thread(target=thread_b)]
    for t in ts: t.start()
    for t in ts: t.join(10)
    assert out == {'a': 6.0, 'b': 2.0}

def test_threads_stress_nested_grads():
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    results = []
    def worker():
        for _ in range(250): results.append(grad(closure)(1.0))
    try:
        ts = [threading.Thread(target=worker) for _ in range(8)]
        for t in ts: t.start()
        for t in ts: t.join()
    finally: sys.setswitchinterval(switch)
    assert len(results) == 2000 and set(results) == {2.0}

def test_greenlets_nested_grads():
    from greenlet import greenlet
    import random
    rng, results, hub = random.Random(0), [], greenlet.getcurrent()
    def maybe_switch():                                    # to another greenlet at random points of a trace
        if rng.random() < 0.5: hub.switch()
    def body():
        for _ in range(100):
            def inner(y):
                maybe_switch()
                return x_[0] * y
            def f(x):
                maybe_switch(); x_[0] = x
                g = grad(inner)(2.0)
                maybe_switch()
                return x * g
            x_ = [None]
            results.append(grad(f)(1.0))
            maybe_switch()
    gs = [greenlet(body) for _ in range(8)]
    while any(not g.dead for g in gs):
        for g in rng.sample(gs, len(gs)):
            if not g.dead: g.switch()
    assert len(results) == 800 and set(results) == {2.0}

def test_keyboard_interrupt_inside_new_main_leaves_no_level():
    "A signal handler raising KeyboardInterrupt at random points of many grad calls never leaves a level behind."
    armed, leaks, interrupted = [False], [], 0
    def handler(signum, frame):
        if armed[0]: armed[0] = False; raise KeyboardInterrupt       # only inside the `try` below
    f = lambda x: leaks.append(x) or x * grad(lambda y: leaks.append(y) or x * y)(2.0)
    old = signal.signal(signal.SIGALRM, handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 3e-5, 3e-5)
        for _ in range(20000):
            try:
                armed[0] = True
                grad(f)(1.0)
                armed[0] = False
            except KeyboardInterrupt: interrupted += 1
            assert trace_stack() == ()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert interrupted > 100 and trace_stack() == ()
    assert not any(t.main.active for t in leaks)                       # no trace left marked active
    assert grad(closure)(1.0) == 2.0

def test_levels_strictly_increase_within_a_nest():
    with new_main() as a:
        t = threading.Thread(target=lambda: [new_main().__enter__() for _ in range(3)])   # another thread's levels
        t.start(); t.join()
        with new_main() as b, new_main() as c: assert (a.level, b.level, c.level) == (0, 1, 2)

# 2. float() and math.* on a traced value ---------------------------------------------------------------------------

@pytest.mark.parametrize('f', [lambda x: math.sin(x) * x, lambda x: math.exp(x) + x, lambda x: float(x) * x,
                               lambda x: np.float64(x) * x, lambda x: complex(x)])
def test_float_of_a_tracer_raises(f):
    with pytest.raises(mj.ConcretizationTypeError, match=r"float\(\) was called on the traced value") as e: grad(f)(1.0)
    assert "microjax's own functions" in str(e.value) and 'stop_gradient' in str(e.value)
    assert trace_stack() == ()

def test_float_error_is_a_type_error_and_the_fix_works():
    assert issubclass(mj.ConcretizationTypeError, TypeError)
    assert close(grad(lambda x: sin(x) * x)(1.0), math.sin(1.0) + math.cos(1.0))
    assert grad(lambda x: int(x) * x)(3.7) == 3.0 and grad(lambda x: x * x if x > 0 else -x)(2.0) == 4.0

# 3. Escaped tracers ------------------------------------------------------------------------------------------------

USES = [lambda t: t * 2.0, lambda t: 2.0 * t, lambda t: t + t, lambda t: t - 1, lambda t: t / 2, lambda t: t ** 2,
        lambda t: -t, lambda t: abs(t), lambda t: relu(t), lambda t: sin(t), lambda t: t % 2.0, lambda t: round(t),
        lambda t: t > 0, lambda t: bool(t), lambda t: int(t), lambda t: bind(mul_p, t, 2.0), lambda t: mj.stop_gradient(t)]

@pytest.mark.parametrize('use', USES)
def test_escaped_tracer_raises_on_every_use(use):
    leak = []
    grad(lambda x: leak.append(x) or x * x)(1.5)
    with pytest.raises(mj.UnexpectedTracerError, match='was used after the transformation that made it had finished'):
        use(leak[0])
    with pytest.raises(mj.UnexpectedTracerError): value_and_grad(lambda z: use(leak[0]) * z)(1.0)
    assert trace_stack() == ()

def test_escaped_tracer_does_not_grow_the_dead_tape():
    leak = []
    grad(lambda x: leak.append(x) or x * x)(1.5)
    tape = leak[0].main.tape
    for _ in range(100):
        with pytest.raises(mj.UnexpectedTracerError): leak[0] * 2.0
    assert leak[0].main.tape is tape and len(tape) == 2

def test_escaped_jvp_tracer_raises():
    leak = []
    jvp(lambda x: leak.append(x) or x, (1.0,), (1.0,))
    with pytest.raises(mj.UnexpectedTracerError): leak[0] * 2.0

# 4. copy.deepcopy and pickle ---------------------------------------------------------------------------------------

def test_deepcopy_of_a_tracer_is_the_tracer():
    assert grad(lambda x: x * copy.deepcopy(x))(3.0) == 6.0
    assert grad(lambda x: x * copy.copy(x))(3.0) == 6.0
    model = mj.nn.MLP.init(2, [3, 1], seed=0)
    loss = lambda m: mj.nn.svm_loss(copy.deepcopy(m), [[1.0, -0.5], [0.3, 0.8]], [1.0, -1.0])
    g1, g2 = grad(loss)(model), grad(lambda m: mj.nn.svm_loss(m, [[1.0, -0.5], [0.3, 0.8]], [1.0, -1.0]))(model)
    assert tree_flatten(g1)[0] == tree_flatten(g2)[0] and any(v != 0.0 for v in tree_flatten(g1)[0])

def test_pickling_a_tracer_is_an_error():
    with pytest.raises(TypeError, match='A traced value cannot be pickled'): grad(lambda x: pickle.dumps(x) and x)(1.0)
    assert trace_stack() == ()

# 5-7 and the IEEE policy: see test_ops_torch.py::test_ieee_edges_all_orders. Here, what torch cannot check --------

def test_pow_never_returns_complex_and_agrees_with_sqrt():
    v, g = value_and_grad(lambda x: x ** 0.5)(-4.0)
    assert type(v) is float and math.isnan(v) and math.isnan(g)
    assert math.isnan(sqrt(-4.0)) and math.isnan(grad(sqrt)(-4.0))
    assert grad(lambda x: x ** 0.5)(0.0) == grad(sqrt)(0.0) == math.inf

def test_nan_propagates():
    assert math.isnan(relu(math.nan)) and math.isnan(grad(relu)(math.nan)) and math.isnan(grad(abs)(math.nan))
    assert math.isnan(grad(sqrt)(math.nan)) and math.isnan(grad(lambda x: relu(x) * 2.0)(math.nan))

def test_floordiv_mod_round_closed_forms():
    for x, y in [(7.3, 2.0), (-7.3, 2.0), (7.3, -2.0), (0.5, 0.25)]:
        gx, gy = grad(lambda x, y: x % y)(x, y)
        assert (gx, gy) == (1.0, -math.floor(x / y)) and close(value_and_grad(lambda x, y: x % y)(x, y)[0], x % y)
        assert grad(lambda x, y: x // y)(x, y) == [0.0, 0.0] and value_and_grad(lambda x, y: x // y)(x, y)[0] == x // y
    assert value_and_grad(lambda x: round(x))(2.5) == (2.0, 0.0)
    assert value_and_grad(lambda x: round(x * x, 2))(1.234) == (round(1.234 ** 2, 2), 0.0)
    assert jvp(lambda x: x % 2.0, (3.5,), (1.0,)) == (1.5, 1.0)
    assert math.isnan(value_and_grad(lambda x: x % 0.0)(1.0)[0]) and value_and_grad(lambda x: x // 0.0)(1.0)[0] == math.inf

# Unclear or inconsistent errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize('ct,contains', [('a', "str 'a'"), (1j, 'complex 1j'), (np.array([1.0, 2.0]), 'ndarray'),
                                         (None, 'structure of the output'), ([1.0], 'structure of the output')])
def test_vjp_checks_its_cotangent(ct, contains):
    _, f_vjp = vjp(lambda x: x * x, 3.0)
    with pytest.raises((TypeError, ValueError)) as e: f_vjp(ct)
    assert contains in str(e.value)
    assert f_vjp(np.float64(2.0)) == (12.0,) and f_vjp(np.array(1.0)) == (6.0,) and f_vjp(1) == (6.0,)

# JAX's calling conventions -----------------------------------------------------------------------------------------

def test_keyword_arguments_pass_through_undifferentiated():
    f = lambda x, scale=1.0: scale * x * x
    assert grad(f)(3.0, scale=2.0) == 12.0
    assert value_and_grad(f)(3.0, scale=2.0) == (18.0, 12.0)
    assert jacfwd(f)(3.0, scale=2.0) == 12.0 and jacrev(f)(3.0, scale=2.0) == 12.0 and hessian(f)(3.0, scale=2.0) == 4.0
    assert grad(f, has_aux=False, argnums=0)(3.0, scale=0.5) == 3.0

@pytest.mark.parametrize('argnums,expected', [([0, 2], (2.0, 12.0)), (range(2), (2.0, 10.0)), ((1,), (10.0,)), (1, 10.0)])
def test_argnums_any_sequence_of_ints(argnums, expected):
    assert grad(lambda x, y, z: x * y + y * z ** 2, argnums=argnums)(1.0, 2.0, 3.0) == expected

@pytest.mark.parametrize('argnums', ['0', 1.0, [0.0], {0: 1}])
def test_bad_argnums(argnums):
    with pytest.raises(TypeError, match='argnums must be an int, a sequence of ints'): grad(lambda x: x, argnums=argnums)(1.0)

State = collections.namedtuple('State', ['count', 'mu'])

def test_namedtuple_ordereddict_defaultdict_are_pytrees():
    g = grad(lambda s: s.mu[0] * s.mu[1] * s.count)(State(2.0, [3.0, 4.0]))
    assert type(g) is State and g == State(12.0, [8.0, 6.0])
    od = collections.OrderedDict([('z', 1.0), ('a', 2.0)])
    g = grad(lambda d: d['z'] * 10 + d['a'])(od)
    assert type(g) is collections.OrderedDict and list(g.items()) == [('z', 10.0), ('a', 1.0)]
    dd = collections.defaultdict(float, {'w': 2.0})
    g = grad(lambda d: d['w'] ** 2)(dd)
    assert type(g) is collections.defaultdict and g.default_factory is float and g == {'w': 4.0}
    leaves, d = tree_flatten(mj.optimizers.adam(0.1).init({'w': 1.0}))      # the optimizers' states, as in optax
    assert len(leaves) == 3 and tree_unflatten(d, leaves) == mj.optimizers.adam(0.1).init({'w': 1.0})

def test_check_grads_takes_pytrees_and_zero_d_arrays():
    check_grads(lambda p, x: p['w'] * sin(x) + p['b'][0] ** 2, ({'w': 1.5, 'b': [0.5]}, 0.3), order=2)
    with pytest.raises(AssertionError, match='central differences'):
        check_grads(lambda p: p['w'] ** 3, ({'w': 1.0},), eps=0.5, rtol=0, atol=0)
    check_grads(lambda x: x ** 3, (np.array(1.2),), order=2)
    assert grad(lambda x: x * x)(np.array(3.0)) == 6.0 and type(grad(lambda x: x * x)(np.array(3.0))) is float
    assert grad(lambda x: x * np.array(2.0))(1.0) == 2.0

def test_the_whole_api_from_the_package():
    names = ['grad', 'value_and_grad', 'jvp', 'vjp', 'jacfwd', 'jacrev', 'hessian', 'stop_gradient', 'check_grads',
             'relu', 'log', 'exp', 'sin', 'cos', 'tanh', 'sigmoid', 'sqrt', 'tree_util', 'nn', 'optimizers']
    assert all(hasattr(mj, n) for n in names)
    code = ('import microjax as mj; from microjax.engine import grad, value_and_grad, relu; '
            'from microjax.primitives import *; print(abs(-3), type(abs(-3)).__name__, mj.grad(abs)(-2.0), '
            'grad(relu)(1.0), mj.tree_util.tree_leaves({"a": 1}))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ['3', 'int', '-1.0', '1.0', '[1]']

# Design faults -----------------------------------------------------------------------------------------------------

def test_a_maintrace_subclass_sees_every_operation():
    class Counting(MainTrace):
        def process(self, prim, args):
            self.names = getattr(self, 'names', []) + [prim.name]
            return super().process(prim, args)
    with new_main(Counting) as m:
        x = m.new_input(2.0)
        y = abs(-(x * 3.0 + 1.0) / x) ** 2 - relu(x) % 1.5 // 0.5
    assert m.names == ['mul', 'add', 'neg', 'div', 'abs', 'pow', 'relu', 'mod', 'floordiv', 'sub']

def test_no_reference_cycles():
    model = mj.nn.MLP.init(2, [4, 4, 1], seed=0)
    X, y = [[0.5, -1.0], [1.0, 0.3], [-0.2, 0.7]], [1.0, -1.0, 1.0]
    gc.collect(); gc.disable()
    try:
        value_and_grad(lambda m: mj.nn.svm_loss(m, X, y))(model)
        grad(grad(lambda x: x * grad(lambda y: x * y * y)(x)))(1.5)
        jacrev(lambda p: [p['a'] * p['b'], p['a']])({'a': 1.0, 'b': 2.0}); hessian(lambda x: sin(x) * x)(0.3)
        found = gc.collect()
    finally: gc.enable()
    assert found == 0

def test_finished_tape_is_freed_when_grad_returns():
    def chain(x):
        for _ in range(200_000): x = x * 1.000001
        return x
    gc.collect(); gc.disable()
    try:
        tracemalloc.start()
        grad(chain)(1.0)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally: gc.enable()
    assert peak > 10 * 2**20 and current < 2**20, (current, peak)

def test_partials_reuse_the_output():
    "exp is evaluated once however deep the nesting: its partial is its output, as in JAX's rules."
    calls, impl = [], mj.primitives.exp_p.impl
    mj.primitives.exp_p.impl = lambda x: calls.append(x) or impl(x)
    try:
        f = exp
        for _ in range(6): f = grad(f)
        assert close(f(0.5), math.exp(0.5))
    finally: mj.primitives.exp_p.impl = impl
    assert len(calls) == 1
