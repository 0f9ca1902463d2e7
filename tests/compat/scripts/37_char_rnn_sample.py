"""A character-level RNN (nn.GRU + Linear) trained on a short repeated text with weights from
a NumPy RNG (exact training path), then used to generate text with torch.multinomial on a
temperature-scaled softmax.  Sampling uses each library's RNG, so the generated string is
compared only through its length, its alphabet and the share of its bigrams that occur in
the training text (over torch seeds 0..4 it was 0.99..1.0, spread 0.01; tolerance 0.06).  The
training losses are deterministic and compared tightly.

COMPARE: metric first_loss abs=1e-4; final_loss abs=1e-3; sample_len abs=0; sample_in_vocab abs=0; bigram_ok abs=0.06
"""
import json

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

text = ("to be or not to be that is the question whether tis nobler in the mind to suffer "
        "the slings and arrows of outrageous fortune or to take arms against a sea of troubles ") * 4
chars = sorted(set(text))
stoi = {ch: i for i, ch in enumerate(chars)}
itos = {i: ch for ch, i in stoi.items()}
data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
vocab_size, hidden_size, seq_len = len(chars), 48, 32


class CharRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, 16)
        self.gru = nn.GRU(16, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, h=None):
        out, h = self.gru(self.embed(x), h)
        return self.head(out), h


rng = np.random.default_rng(37)
model = CharRNN()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.from_numpy(rng.uniform(-0.15, 0.15, size=tuple(p.shape)).astype("float32")))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)

losses = []
for step in range(120):
    starts = torch.from_numpy(rng.integers(0, len(data) - seq_len - 1, size=16))
    xb = torch.stack([data[s:s + seq_len] for s in starts])
    yb = torch.stack([data[s + 1:s + seq_len + 1] for s in starts])
    logits, _ = model(xb)
    loss = F.cross_entropy(logits.view(-1, vocab_size), yb.view(-1))
    optimizer.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    losses.append(loss.item())
    if step % 40 == 0:
        print(f"step {step}: loss {loss.item():.4f}")


@torch.no_grad()
def sample(prompt, length, temperature=0.8):
    model.eval()
    idx = torch.tensor([[stoi[c] for c in prompt]])
    logits, h = model(idx)
    out = list(prompt)
    for _ in range(length):
        probs = F.softmax(logits[:, -1, :] / temperature, dim=-1)
        nxt = torch.multinomial(probs, num_samples=1)
        out.append(itos[nxt.item()])
        logits, h = model(nxt, h)
    return "".join(out)


torch.manual_seed(0)
generated = sample("to be ", 200)
print(generated)
train_bigrams = {text[i:i + 2] for i in range(len(text) - 1)}
gen_bigrams = [generated[i:i + 2] for i in range(len(generated) - 1)]
print("RESULT " + json.dumps({
    "first_loss": losses[0], "final_loss": float(np.mean(losses[-10:])),
    "sample_len": len(generated), "sample_in_vocab": all(c in stoi for c in generated),
    "bigram_ok": sum(b in train_bigrams for b in gen_bigrams) / len(gen_bigrams)}))
