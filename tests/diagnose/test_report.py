"""The diagnosis report page: self-contained (no external asset, no script), the findings
most important first with their evidence and remedies, the verified remedies' table and the
evidence plots."""
import html
import re
from dataclasses import dataclass

import numpy as np
import pytest

import tidu
from tidu import nn
from tidu.diagnose import Diagnosis, checkup
from tidu.diagnose.report import report_figures, write_report


@dataclass
class Measured:
    """A stand-in with the fields of `tidu.diagnose.verify.VerifiedRemedy` the page shows."""

    key: str
    name: str
    delta_loss: float
    delta_loss_ci: tuple
    delta_accuracy: float | None
    delta_accuracy_ci: tuple | None
    improved: bool
    fork_epoch: int | None = None
    seeds: list = (0, 1, 2)


@pytest.fixture(scope="module")
def diagnosis():
    """A deep sigmoid MLP with tiny weights: vanishing gradients (and underfitting)."""
    tidu.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((160, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    layers, d = [], 4
    for _ in range(5):
        lin = nn.Linear(d, 16)
        nn.init.normal_(lin.weight, 0.0, 0.01)
        layers += [lin, nn.Sigmoid()]
        d = 16
    model = nn.Sequential(*layers, nn.Linear(16, 2))
    return checkup(model, nn.CrossEntropyLoss(), tidu.optim.SGD(model.parameters(), lr=0.1),
                   (X[:120], y[:120]), (X[120:], y[120:]), epochs=3, batch_size=30)


VERIFIED = [Measured("relu", "Use ReLU", -0.41, (-0.52, -0.3), 0.25, (0.2, 0.3), True),
            Measured("clipping", "Gradient clipping", 0.002, (-0.01, 0.014), None, None,
                     False, fork_epoch=1),
            Measured("he_init", "He init", float("inf"), (float("nan"), float("nan")), 0.0,
                     (float("nan"), float("nan")), False, seeds=[0])]


@pytest.fixture(scope="module")
def pages(diagnosis, tmp_path_factory):
    """(path, page) unverified and (path, page) with `VERIFIED`."""
    out = []
    for verified in ([], VERIFIED):
        diagnosis.verified = list(verified)
        path = write_report(diagnosis, tmp_path_factory.mktemp("report"))
        out.append((path, path.read_text(encoding="utf-8")))
    diagnosis.verified = []
    return out


def test_page_is_self_contained(diagnosis, pages):
    path, page = pages[0]
    assert path.name == "diagnosis.html"
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "<script" not in page.lower() and "<link" not in page.lower()
    assert "url(" not in page  # no CSS asset either
    images = re.findall(r'<img alt="([^"]+)" src="([^"]+)"', page)
    captions = [alt for alt, _ in images]
    assert [c.split()[0] for c in captions] == ["Loss", "Gradient", "Update/weight",
                                                 "Sharpness", "Activations"]
    assert all(src.startswith("data:image/png;base64,") and len(src) > 5000
               for _, src in images)


def test_report_figures_are_figures(diagnosis):
    figures = report_figures(diagnosis)
    assert len(figures) == 5 and all(hasattr(fig, "savefig") for _, fig in figures)


def test_findings_in_order_with_evidence_and_remedies(diagnosis, pages):
    assert diagnosis.kinds[0] == "vanishing_gradients"
    _, page = pages[0]
    positions = [page.index(f"{i}. {html.escape(f.title)}</h3>")
                 for i, f in enumerate(diagnosis.findings, 1)]
    assert positions == sorted(positions)  # most important first
    top = diagnosis.top
    for name in top.evidence:
        assert f"<th>{html.escape(name)}</th>" in page
    names = [page.index(html.escape(r.name)) for r in top.remedies]
    assert names == sorted(names)  # ranked as the finding ranks them
    assert "Not verified" in page


def test_verified_table(pages):
    _, page = pages[1]
    table = page[page.index('<table class="verified">'):]
    table = table[:table.index("</table>")]
    rows = table.split("<tr>")[2:]
    assert len(rows) == 3 and "Use ReLU" in rows[0] and "Gradient clipping" in rows[1]
    assert "<td>+inf</td><td>+0</td>" in rows[2]  # no interval over one seed
    assert "-0.41 [-0.52, -0.3]" in rows[0] and "+0.25 [+0.2, +0.3]" in rows[0]
    assert "<td>+0.002 [-0.01, +0.014]</td><td>—</td>" in rows[1]  # no accuracy measured
    assert '<td class="yes">yes</td>' in rows[0] and '<td class="no">no</td>' in rows[1]
    assert "from scratch" in rows[0] and "epoch 1" in rows[1]
    assert "Not verified" not in page


def test_healthy_run_and_history_only(tmp_path):
    healthy = Diagnosis(findings=[], stats=None, thresholds={},
                        history={"loss": [1.0, 0.6, 0.4], "val_loss": [1.1, 0.7, 0.5]})
    path = write_report(healthy, tmp_path / "sub" / "page.html", title="my <run>")
    page = path.read_text(encoding="utf-8")
    assert path.name == "page.html"
    assert "<title>my &lt;run&gt;</title>" in page and "No problem found." in page
    assert len(re.findall("<img ", page)) == 1  # the loss curves: no monitor, no sharpness


def test_rejects_what_is_not_a_diagnosis(tmp_path):
    with pytest.raises(TypeError, match="write_report: diagnosis must be a tidu.diagnose."
                                        "Diagnosis, got dict"):
        write_report({}, tmp_path)
