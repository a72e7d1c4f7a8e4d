"""The GPT chapter's micrograd-style draft (nbs/27_gpt.ipynb), taken from the notebook's own cells: the draft is
written once, in the chapter, and `make bench` and the tests run that code."""
import math, pathlib
from execnb.nbio import read_nb

CHAPTER = pathlib.Path(__file__).resolve().parents[1]/'nbs'/'27_gpt.ipynb'
ENGINE = ('class Value', 'def _unary', 'def backward')    # the draft engine's cells start so
MODEL = ('def softmax_value', 'def loss_value')           # the model on it, and its step

def draft_namespace(Value=None) -> dict:
    """The chapter's draft model and step (`value_step`) in a fresh namespace, on the chapter's own `Value`, or on
    the `Value` class given (which must have the same methods)."""
    starts = MODEL if Value else ENGINE + MODEL
    cells = [c.source for c in read_nb(CHAPTER).cells if c.cell_type == 'code' and c.source.startswith(starts)]
    assert len(cells) == len(starts), f'expected {len(starts)} cells of the draft in {CHAPTER.name}'
    ns = {'math': math} if Value is None else {'math': math, 'Value': Value}
    exec('from microjax.gpt import *', ns)
    exec('\n'.join(cells), ns)
    return ns
