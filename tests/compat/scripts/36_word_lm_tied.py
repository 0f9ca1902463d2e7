"""A word-level language model in the style of pytorch/examples word_language_model:
batchify() into (seq, batch) columns, get_batch() with bptt, an RNNModel of nn.Embedding,
nn.Dropout, a 2-layer nn.LSTM and a Linear decoder whose weight is tied to the embedding,
repackage_hidden() detaching the state between chunks, clip_grad_norm_, the manual update
``p.data.add_(p.grad, alpha=-lr)``, lr annealing by 4 when val loss stalls, perplexity.

The corpus comes from a tiny stochastic grammar drawn with NumPy, but init and dropout use
each library's RNG (torch.manual_seed), so only metrics are compared.  Over torch seeds 0..4
the final val perplexity was 2.96..3.68 (spread 0.72) and the train perplexity 3.36..4.66
(spread 1.3): six epochs are far from convergence; tolerances are ~2x the spread.  Vocabulary and batch shapes are exact.

COMPARE: metric vocab abs=0; train_shape abs=0; tied abs=0; val_ppl abs=1.5; train_ppl abs=2.6
"""
import json
import math

import numpy as np
import torch
import torch.nn as nn

rng = np.random.default_rng(36)
subjects = ["the cat", "a dog", "the bird", "my friend", "the teacher"]
verbs = ["sees", "likes", "chases", "finds", "hears"]
objects = ["the ball", "a tree", "the house", "some food", "the river"]
words = []
for _ in range(1500):
    s = f"{subjects[rng.integers(5)]} {verbs[rng.integers(5)]} {objects[rng.integers(5)]}"
    if rng.random() < 0.3:
        s += " and " + verbs[rng.integers(5)] + " " + objects[rng.integers(5)]
    words += s.split() + ["<eos>"]


class Dictionary:
    def __init__(self):
        self.word2idx, self.idx2word = {}, []

    def add_word(self, word):
        if word not in self.word2idx:
            self.idx2word.append(word)
            self.word2idx[word] = len(self.idx2word) - 1
        return self.word2idx[word]

    def __len__(self):
        return len(self.idx2word)


dictionary = Dictionary()
ids = torch.tensor([dictionary.add_word(w) for w in words], dtype=torch.int64)
n_train = int(0.9 * len(ids))
train_ids, val_ids = ids[:n_train], ids[n_train:]


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous()


def get_batch(source, i, bptt=12):
    seq_len = min(bptt, len(source) - 1 - i)
    return source[i:i + seq_len], source[i + 1:i + 1 + seq_len].reshape(-1)


def repackage_hidden(h):
    if isinstance(h, torch.Tensor):
        return h.detach()
    return tuple(repackage_hidden(v) for v in h)


class RNNModel(nn.Module):
    def __init__(self, ntoken, ninp, nhid, nlayers, dropout=0.2, tie_weights=True):
        super().__init__()
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        if tie_weights:
            self.decoder.weight = self.encoder.weight
        self.nlayers, self.nhid = nlayers, nhid
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.decoder.out_features)
        return nn.functional.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        return (weight.new_zeros(self.nlayers, bsz, self.nhid),
                weight.new_zeros(self.nlayers, bsz, self.nhid))


torch.manual_seed(0)
train_data = batchify(train_ids, 16)
val_data = batchify(val_ids, 8)
ntokens = len(dictionary)
model = RNNModel(ntokens, 24, 24, 2, dropout=0.2)
criterion = nn.NLLLoss()
lr, clip, bptt = 2.0, 0.25, 12


def evaluate(data_source, bsz):
    model.eval()
    total_loss = 0.0
    hidden = model.init_hidden(bsz)
    with torch.no_grad():
        for i in range(0, data_source.size(0) - 1, bptt):
            data, targets = get_batch(data_source, i, bptt)
            output, hidden = model(data, hidden)
            hidden = repackage_hidden(hidden)
            total_loss += len(data) * criterion(output, targets).item()
    return total_loss / (len(data_source) - 1)


best_val = None
for epoch in range(1, 7):
    model.train()
    total_loss, n_tokens = 0.0, 0
    hidden = model.init_hidden(16)
    for i in range(0, train_data.size(0) - 1, bptt):
        data, targets = get_batch(train_data, i, bptt)
        model.zero_grad()
        hidden = repackage_hidden(hidden)
        output, hidden = model(data, hidden)
        loss = criterion(output, targets)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)
        total_loss += loss.item() * targets.numel()
        n_tokens += targets.numel()
    val_loss = evaluate(val_data, 8)
    print(f"epoch {epoch}: train ppl {math.exp(total_loss / n_tokens):.2f} "
          f"val ppl {math.exp(val_loss):.2f} lr {lr}")
    if best_val is None or val_loss < best_val:
        best_val = val_loss
    else:
        lr /= 4.0

print("RESULT " + json.dumps({"vocab": ntokens, "train_shape": list(train_data.shape),
                              "tied": model.decoder.weight is model.encoder.weight,
                              "val_ppl": math.exp(best_val),
                              "train_ppl": math.exp(total_loss / n_tokens)}))
