"""A TextCNN (Kim 2014, as in sentiment-analysis tutorials) on a synthetic sentiment corpus:
a vocabulary built with collections.Counter, sentences encoded and padded to the batch max with
a collate_fn, nn.Embedding(padding_idx=0), parallel nn.Conv1d filters of widths 2, 3, 4 in an
nn.ModuleList over the permuted (batch, emb, seq) tensor, max-over-time pooling with
F.max_pool1d(..., kernel_size=conv.shape[2]).squeeze(2), torch.cat, dropout 0, a Linear
head with BCEWithLogitsLoss; a predict_sentiment(sentence) helper.  Weights from a NumPy RNG,
no shuffling.

COMPARE: exact rtol=1e-3 atol=1e-5; test_acc abs=0.01
"""
import json
from collections import Counter

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader

rng = np.random.default_rng(59)
pos_words = ["good", "great", "excellent", "fun", "loved", "superb"]
neg_words = ["bad", "boring", "awful", "dull", "hated", "poor"]
filler = ["the", "movie", "was", "plot", "actors", "really", "quite", "and", "a", "story", "not"]


def make_sentence(label):
    n = rng.integers(5, 14)
    words = list(rng.choice(filler, size=n))
    k = rng.integers(1, 3)
    strong = pos_words if label == 1 else neg_words
    weak = neg_words if label == 1 else pos_words
    for _ in range(k):
        words.insert(rng.integers(0, len(words) + 1), str(rng.choice(strong)))
    if rng.random() < 0.3:
        words.insert(rng.integers(0, len(words) + 1), str(rng.choice(weak)))
    return " ".join(words)


labels = rng.integers(0, 2, size=600)
sentences = [make_sentence(l) for l in labels]
counter = Counter(w for s in sentences[:500] for w in s.split())
itos = ["<pad>", "<unk>"] + [w for w, _ in counter.most_common()]
stoi = {w: i for i, w in enumerate(itos)}


def encode(s):
    return [stoi.get(w, 1) for w in s.split()]


data = [(encode(s), l) for s, l in zip(sentences, labels)]


def collate_batch(batch):
    max_len = max(4, max(len(t) for t, _ in batch))
    text = torch.zeros(len(batch), max_len, dtype=torch.long)
    for i, (t, _) in enumerate(batch):
        text[i, :len(t)] = torch.tensor(t)
    label = torch.tensor([l for _, l in batch], dtype=torch.float)
    return text, label


class TextCNN(nn.Module):
    def __init__(self, vocab_size, embedding_dim, n_filters, filter_sizes, output_dim, dropout, pad_idx):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.convs = nn.ModuleList([nn.Conv1d(embedding_dim, n_filters, fs) for fs in filter_sizes])
        self.fc = nn.Linear(len(filter_sizes) * n_filters, output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, text):
        embedded = self.embedding(text).permute(0, 2, 1)
        conved = [F.relu(conv(embedded)) for conv in self.convs]
        pooled = [F.max_pool1d(c, c.shape[2]).squeeze(2) for c in conved]
        cat = self.dropout(torch.cat(pooled, dim=1))
        return self.fc(cat)


model = TextCNN(len(itos), 16, 8, [2, 3, 4], 1, 0.0, stoi["<pad>"])
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.tensor(rng.normal(0, 0.2, p.shape)))
    model.embedding.weight[0].fill_(0)

train_loader = DataLoader(data[:500], batch_size=25, shuffle=False, collate_fn=collate_batch)
test_loader = DataLoader(data[500:], batch_size=100, collate_fn=collate_batch)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.BCEWithLogitsLoss()


def binary_accuracy(preds, y):
    return (torch.round(torch.sigmoid(preds)) == y).float().mean()


losses = []
for epoch in range(6):
    model.train()
    epoch_loss = 0
    for text, label in train_loader:
        optimizer.zero_grad()
        predictions = model(text).squeeze(1)
        loss = criterion(predictions, label)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
    losses.append(epoch_loss / len(train_loader))

model.eval()
with torch.no_grad():
    accs = [binary_accuracy(model(t).squeeze(1), l).item() for t, l in test_loader]


def predict_sentiment(model, sentence):
    model.eval()
    tensor = torch.LongTensor(encode(sentence) + [0] * max(0, 4 - len(sentence.split()))).unsqueeze(0)
    return torch.sigmoid(model(tensor)).item()


print("RESULT " + json.dumps({"vocab": len(itos), "losses": losses, "test_acc": sum(accs) / len(accs),
                              "pos": predict_sentiment(model, "a great and fun movie"),
                              "neg": predict_sentiment(model, "the plot was dull and boring"),
                              "pad_row_zero": model.embedding.weight[0].abs().sum().item()}))
