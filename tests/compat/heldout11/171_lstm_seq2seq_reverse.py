"""LSTM encoder-decoder that learns to reverse a sequence, with teacher forcing.

Classic seq2seq tutorial: the encoder LSTM reads 6 random tokens, the decoder LSTM starts
from the encoder state and emits the reversed sequence.  Training uses teacher forcing;
evaluation compares teacher-forced token accuracy with free-running greedy decoding
(exposure bias) and reports the exact-sequence accuracy.
Measured (SEED 0..4): teacher-forced token acc 0.9955-0.9983 (spread 0.0028), greedy token
acc 0.9917-0.9972 (0.0055), sequence acc 0.973-0.990 (0.017), test loss 0.011-0.019,
final train loss 0.014-0.024.
COMPARE: metric tf_token_acc abs=0.006; greedy_token_acc abs=0.012; seq_acc abs=0.035; test_loss abs=0.017; final_train_loss abs=0.02
"""
import json
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 0
torch.manual_seed(SEED)
VOCAB, LEN, SOS = 8, 6, 8  # tokens 0..7, start symbol 8


class Seq2Seq(nn.Module):
    def __init__(self, hidden=64, emb=16):
        super().__init__()
        self.src_emb = nn.Embedding(VOCAB, emb)
        self.tgt_emb = nn.Embedding(VOCAB + 1, emb)
        self.encoder = nn.LSTM(emb, hidden, batch_first=True)
        self.decoder = nn.LSTM(emb, hidden, batch_first=True)
        self.out = nn.Linear(hidden, VOCAB)

    def forward(self, src, tgt):
        _, state = self.encoder(self.src_emb(src))
        sos = torch.full((src.size(0), 1), SOS, dtype=torch.long)
        dec_in = torch.cat([sos, tgt[:, :-1]], dim=1)  # teacher forcing: shift right
        dec_out, _ = self.decoder(self.tgt_emb(dec_in), state)
        return self.out(dec_out)

    @torch.no_grad()
    def greedy(self, src):
        _, state = self.encoder(self.src_emb(src))
        tok = torch.full((src.size(0), 1), SOS, dtype=torch.long)
        outs = []
        for _ in range(LEN):
            o, state = self.decoder(self.tgt_emb(tok), state)
            tok = self.out(o).argmax(-1)
            outs.append(tok)
        return torch.cat(outs, dim=1)


def batch(n):
    src = torch.randint(0, VOCAB, (n, LEN))
    return src, src.flip(1)


model = Seq2Seq()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
history = []
for step in range(400):
    src, tgt = batch(64)
    logits = model(src, tgt)
    loss = F.cross_entropy(logits.reshape(-1, VOCAB), tgt.reshape(-1))
    opt.zero_grad()
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    history.append(loss.item())
    if step % 100 == 0:
        print(f"step {step:3d} loss {loss.item():.4f}")

src, tgt = batch(1000)
model.eval()
with torch.no_grad():
    tf_pred = model(src, tgt).argmax(-1)
    test_loss = F.cross_entropy(model(src, tgt).reshape(-1, VOCAB), tgt.reshape(-1)).item()
gr_pred = model.greedy(src)
tf_acc = (tf_pred == tgt).float().mean().item()
gr_acc = (gr_pred == tgt).float().mean().item()
seq_acc = (gr_pred == tgt).all(1).float().mean().item()
per_pos = (gr_pred == tgt).float().mean(0)
print(f"teacher-forced token acc {tf_acc:.4f}  greedy token acc {gr_acc:.4f}  sequence acc {seq_acc:.4f}")
print("greedy accuracy by output position:", [round(v, 3) for v in per_pos.tolist()])
print("RESULT " + json.dumps({
    "final_train_loss": sum(history[-20:]) / 20, "test_loss": test_loss,
    "tf_token_acc": tf_acc, "greedy_token_acc": gr_acc, "seq_acc": seq_acc,
}))
