"""The GPT of the book's last two chapters (microjax.gpt) written for PyTorch, vectorised: one matrix product per
layer, all positions at once. The tests compare microjax's loss and gradients with it in float64; `make bench` times
its step as context."""
import torch
import torch.nn.functional as F
from microjax.gpt import N_EMBD, N_HEAD, HEAD

def rmsnorm(x): return x * (x.pow(2).mean(-1, keepdim=True) + 1e-5) ** -0.5

def torch_gpt_loss(P, tokens):
    "The mean cross-entropy of `tokens` (a list of ints) under the parameters `P` (a dict of 2-d tensors)."
    n = len(tokens) - 1
    inputs, targets = torch.tensor(tokens[:-1]), torch.tensor(tokens[1:])
    x = rmsnorm(P['wte'][inputs] + P['wpe'][:n])
    residual, x = x, rmsnorm(x)
    heads = lambda m: (x @ P[m].T).view(n, N_HEAD, HEAD).transpose(0, 1)   # (heads, n, HEAD)
    q, k, v = heads('attn_wq'), heads('attn_wk'), heads('attn_wv')
    scores = q @ k.transpose(1, 2) / HEAD ** 0.5
    scores = scores.masked_fill(torch.ones(n, n, dtype=torch.bool).triu(1), float('-inf'))
    x = (scores.softmax(-1) @ v).transpose(0, 1).reshape(n, N_EMBD)
    x = x @ P['attn_wo'].T + residual
    residual, x = x, rmsnorm(x)
    x = torch.relu(x @ P['mlp_fc1'].T) ** 2 @ P['mlp_fc2'].T + residual
    return F.cross_entropy(x @ P['lm_head'].T, targets)

def torch_params(params):
    "microjax's parameter dict as float64 tensors that require gradients."
    return {k: torch.tensor(m, dtype=torch.float64, requires_grad=True) for k, m in params.items()}
