"""The GPT of the last two chapters against a vectorised PyTorch version in float64, the padded loss against the
plain one, the jitted step against the eager one, and the data helpers' errors."""
import math, pathlib, random, sys
import pytest
import torch
import names
from microjax.engine import value_and_grad
from microjax.compiler import jit
from microjax.batching import vmap
from microjax.tree_util import tree_leaves
from microjax.gpt import (BOS, BLOCK, VOCAB, read_census, encode, decode, init_params, embed, gpt,
                          gpt_loss, pad, masked_loss, sample)
sys.path.insert(0, str(pathlib.Path(__file__).parents[1] / 'tools'))
from torch_gpt import torch_gpt_loss, torch_params
from gpt_draft import draft_namespace
from microgpt_value import Value as LeanValue

NAMES = ['al', 'emma', 'mignon', 'christopher', 'abcdefghijklmno']     # 2 to 15 letters
PARAMS = init_params(seed=3)

def close(got, want, rel):
    "Every leaf of `got` within `rel` of `want`, relative to the largest entry of `want`."
    got, want = tree_leaves(got), tree_leaves(want)
    scale = max(abs(w) for w in want)
    assert len(got) == len(want)
    assert max(abs(g - w) for g, w in zip(got, want)) <= rel * scale

@pytest.mark.parametrize('name', NAMES)
def test_loss_and_gradients_match_pytorch(name):
    tokens = encode(name)
    loss, grads = value_and_grad(gpt_loss, argnums=0)(PARAMS, tokens)
    P = torch_params(PARAMS)
    want = torch_gpt_loss(P, tokens)
    want.backward()
    assert abs(loss - want.item()) <= 1e-12 * want.item()
    close(grads, {k: P[k].grad.tolist() for k in PARAMS}, 1e-10)

@pytest.mark.parametrize('engine', [None, LeanValue], ids=['micrograd-style', 'microgpt'])
def test_the_chapters_value_draft_computes_the_same_floats(engine):
    "The GPT chapter's draft model, on its micrograd-style Value and on microgpt's: the loss bit for bit."
    value_step = draft_namespace(engine)['value_step']
    for name in NAMES[:3]:
        loss, grads = value_and_grad(gpt_loss, argnums=0)(PARAMS, encode(name))
        loss_v, grads_v = value_step(PARAMS, encode(name))
        assert loss_v == loss
        close(grads_v, grads, 1e-12)

@pytest.mark.parametrize('name', NAMES)
def test_padded_loss_is_the_same_float(name):
    loss, grads = value_and_grad(gpt_loss, argnums=0)(PARAMS, encode(name))
    loss_p, grads_p = value_and_grad(masked_loss, argnums=0)(PARAMS, *pad(encode(name)))
    assert loss_p == loss
    close(grads_p, grads, 1e-14)

def test_one_compiled_program_serves_every_name():
    step = jit(value_and_grad(masked_loss, argnums=0))
    for name in NAMES:
        loss, grads = step(PARAMS, *pad(encode(name)))
        want_loss, want = value_and_grad(gpt_loss, argnums=0)(PARAMS, encode(name))
        assert abs(loss - want_loss) <= 1e-13 * want_loss
        close(grads, want, 1e-12)
    assert len(step._cache) == 1

def test_embedding_by_one_hot_selects_the_row():
    table = PARAMS['wte']
    for token in (0, 7, BOS):
        assert embed(table, float(token)) == table[token]
        assert jit(embed)(table, float(token)) == table[token]
    rows = vmap(embed, in_axes=(None, 0))(table, [1.0, 2.0])
    assert [list(r) for r in zip(*rows)] == [table[1], table[2]]

def test_attention_is_causal():
    tokens = encode('emma')[:-1]
    logits, weights = gpt(PARAMS, tokens)
    assert len(logits) == len(tokens) and all(len(l) == VOCAB for l in logits)
    for pos, heads in enumerate(weights):
        for w in heads:
            assert len(w) == pos + 1 and abs(sum(w) - 1.0) <= 1e-12
    # a later token changes nothing before it
    changed, _ = gpt(PARAMS, tokens[:-1] + [5])
    assert changed[:-1] == logits[:-1] and changed[-1] != logits[-1]

def test_encode_decode_and_their_errors():
    assert encode('ab') == [BOS, 0, 1, BOS] and decode(encode('zoe')) == 'zoe'
    with pytest.raises(ValueError, match="'A'.*lowercase"): encode('Anna')
    with pytest.raises(ValueError, match='at most 15 letters'): pad(encode('a' * 16))
    with pytest.raises(ValueError, match='2 to 17 tokens'): pad([BOS])
    inputs, targets, mask = pad(encode('abc'))
    assert len(inputs) == len(targets) == len(mask) == BLOCK and sum(mask) == 4.0

def test_read_census(tmp_path):
    (tmp_path / 'a').write_text('MARY 2.6 2.6 1\nANNA 1.0 3.6 2\n\n')
    (tmp_path / 'b').write_text('JAMES 3.3 3.3 1\nANNA 0.1 3.4 2\n')
    assert read_census(tmp_path / 'a', tmp_path / 'b') == ['mary', 'anna', 'james']
    docs = read_census(names.FILES['first:female'], names.FILES['first:male'])
    assert len(docs) == len(set(docs)) > 5000 and max(map(len, docs)) < BLOCK

def test_sampling_is_seeded_and_spells_names():
    a = [sample(PARAMS, random.Random(i)) for i in range(3)]
    assert a == [sample(PARAMS, random.Random(i)) for i in range(3)]
    assert all(set(n) <= set('abcdefghijklmnopqrstuvwxyz') and len(n) <= BLOCK for n in a)
    # temperature near zero: the most likely token each time, whatever the generator
    assert sample(PARAMS, random.Random(0), 1e-3) == sample(PARAMS, random.Random(1), 1e-3)
