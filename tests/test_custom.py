"""custom_jvp, custom_vjp and checkpoint against closed forms, finite differences and the plain code, in every mode."""
import math
import pytest
import microjax as mj
from microjax.core import trace_stack
from microjax.lax import while_loop


def softplus(x): return mj.log(1.0 + mj.exp(x))
safe = mj.custom_jvp(softplus)
safe.defjvps(lambda t, ans, x: t * mj.sigmoid(x))

@pytest.mark.parametrize('x', [-30.0, -1.0, 0.5, 100.0, 1000.0])
def test_custom_jvp_rule_in_every_mode(x):
    s = 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0
    assert math.isnan(mj.grad(softplus)(1000.0))
    for g in (mj.grad(safe), mj.jit(mj.grad(safe)), mj.grad(mj.jit(safe)),
              lambda x: mj.vmap(mj.grad(safe))([x])[0], lambda x: mj.jvp(safe, (x,), (1.0,))[1]):
        assert abs(g(x) - s) <= 1e-15, (g, g(x), s)
    assert abs(mj.hessian(safe)(x) - s * (1 - s)) <= 1e-12

def test_custom_jvp_with_defjvp_and_pytrees():
    @mj.custom_jvp
    def f(p): return {'v': p['a'] * mj.sin(p['b'])}
    @f.defjvp
    def f_jvp(primals, tangents):
        (p,), (t,) = primals, tangents
        return f(p), {'v': t['a'] * mj.sin(p['b']) + p['a'] * mj.cos(p['b']) * t['b']}
    p = {'a': 2.0, 'b': 0.3}
    assert mj.grad(lambda p: f(p)['v'])(p) == {'a': math.sin(0.3), 'b': 2.0 * math.cos(0.3)}

def test_implicit_rule_through_a_while_loop():
    def newton(a):
        step = lambda c: (0.5 * (c[0] + a / c[0]), c[0])
        return while_loop(lambda c: abs(c[0] - c[1]) > 1e-13 * c[0], step, (a, 0.0))[0]
    root = mj.custom_jvp(newton)
    root.defjvps(lambda t, r, a: t / (2.0 * r))
    for a in (0.01, 2.0, 1e8):
        for g in (mj.grad(root), mj.jit(mj.grad(root))):
            assert abs(g(a) - 0.5 / math.sqrt(a)) <= 1e-12 * 0.5 / math.sqrt(a)
    with pytest.raises(ValueError, match='Reverse-mode'):
        mj.grad(newton)(2.0)

def test_custom_vjp_and_its_errors():
    @mj.custom_vjp
    def clip_gradient(x): return x
    clip_gradient.defvjp(lambda x: (x, x), lambda res, ct: (mj.clip(ct, -res, res),))
    loss = lambda w: 10.0 * clip_gradient(w) ** 2
    for w in (3.0, 0.01, -5.0):
        want = max(-abs(w), min(abs(w), 20.0 * w))
        assert mj.grad(loss)(w) == want and mj.jit(mj.grad(loss))(w) == want
    assert mj.vmap(mj.grad(loss))([3.0, 0.01]) == [3.0, 0.01]
    with pytest.raises(TypeError, match="can't apply forward-mode"):
        mj.jvp(clip_gradient, (1.0,), (1.0,))
    with pytest.raises(AttributeError, match='No VJP defined'):
        mj.custom_vjp(lambda x: x)(1.0)
    assert trace_stack() == ()

def test_checkpoint_same_gradients_fewer_partials():
    def layer(w, h): return [mj.tanh(w * a + 0.1 * b) for a, b in zip(h, h[1:] + h[:1])]
    def net(w, remat):
        h, f = [0.1, 0.2, 0.3, 0.4], (mj.checkpoint(layer) if remat else layer)
        for _ in range(8): h = f(w, h)
        return sum(h)
    # one weight shared by the layers: its cotangents are summed per layer first, so up to rounding
    for w in (0.7, -1.1):
        for g in (mj.grad, lambda f: mj.jit(mj.grad(f))):
            a, b = g(lambda w: net(w, True))(w), g(lambda w: net(w, False))(w)
            assert abs(a - b) <= 1e-14 * abs(b), (a, b)
    kept = lambda remat: sum(len(n) // 2 for n in mj.engine.trace(lambda w: net(w, remat), 0.7)[2].tape
                             if len(n) != 1)
    assert kept(True) * 10 < kept(False)
