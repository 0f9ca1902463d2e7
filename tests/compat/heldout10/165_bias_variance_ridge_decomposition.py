"""Bias-variance-noise decomposition by simulation: 100 training sets of 30 noisy samples of
sin(2 pi x), Gaussian RBF features, ridge regression solved in closed form with torch.linalg.solve
for a range of lambdas. bias^2 + variance + noise is checked against the expected test error
measured on fresh noisy targets; the U-shape picks the best lambda. All data from NumPy.
Measured (torch 2.13 CPU): float32 vs float64 max rel diff 1.5e-5 (bias2 at lambda=1e-3: rel 2e-4,
abs 2.2e-7, the worst-conditioned solve); one-ulp perturbation of the NumPy data max rel 9e-5
(variance at lambda=1e-3, abs 6.9e-6).
COMPARE: exact rtol=2e-4 atol=1e-6
"""
import json
import numpy as np
import torch

DTYPE = torch.float32
rng = np.random.default_rng(165)
n_sets, n_train, sigma = 100, 30, 0.3
centers = torch.linspace(0, 1, 15, dtype=DTYPE)
width = 0.1


def features(x):
    phi = torch.exp(-(x[:, None] - centers[None, :]) ** 2 / (2 * width ** 2))
    return torch.cat([torch.ones(len(x), 1, dtype=DTYPE), phi], dim=1)


def f_true(x):
    return torch.sin(2 * torch.pi * x)


x_sets = torch.tensor(rng.uniform(0, 1, (n_sets, n_train)), dtype=DTYPE)
noise = torch.tensor(rng.normal(0, sigma, (n_sets, n_train)), dtype=DTYPE)
y_sets = f_true(x_sets) + noise
x_test = torch.linspace(0, 1, 200, dtype=DTYPE)
Phi_test = features(x_test)
y_test_noisy = f_true(x_test) + torch.tensor(rng.normal(0, sigma, (n_sets, 200)), dtype=DTYPE)

lambdas = [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0]
results = {"lambdas": lambdas, "bias2": [], "variance": [], "test_mse": [], "sum_check": []}
for lam in lambdas:
    preds = []
    for s in range(n_sets):
        Phi = features(x_sets[s])
        A = Phi.T @ Phi + lam * torch.eye(Phi.shape[1], dtype=DTYPE)
        w = torch.linalg.solve(A, Phi.T @ y_sets[s])
        preds.append(Phi_test @ w)
    preds = torch.stack(preds)                       # (n_sets, n_test)
    mean_pred = preds.mean(0)
    bias2 = ((mean_pred - f_true(x_test)) ** 2).mean().item()
    variance = preds.var(0, unbiased=False).mean().item()
    test_mse = ((preds - y_test_noisy) ** 2).mean().item()
    results["bias2"].append(bias2)
    results["variance"].append(variance)
    results["test_mse"].append(test_mse)
    results["sum_check"].append(bias2 + variance + sigma ** 2)
    print(f"lambda {lam:8.3g}: bias^2 {bias2:.4f}  variance {variance:.4f}  "
          f"bias^2+var+noise {bias2 + variance + sigma ** 2:.4f}  test MSE {test_mse:.4f}")

best = int(np.argmin(results["test_mse"]))
results["best_lambda"] = lambdas[best]
results["noise_var"] = sigma ** 2
print(f"best lambda {lambdas[best]:g} (test MSE {results['test_mse'][best]:.4f}, irreducible {sigma ** 2:.3f})")
print("RESULT " + json.dumps(results))
