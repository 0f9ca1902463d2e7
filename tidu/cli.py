"""The `tidu` command line."""
from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="tidu")
def main():
    """tidu (梯度): a deep-learning workbench on NumPy."""


@main.command()
@click.option("--epochs", default=30, show_default=True, help="Passes over the training set.")
@click.option("--seed", default=0, show_default=True, help="Random seed.")
def demo(epochs, seed):
    """Train a small MLP on scikit-learn's bundled digits and print the test accuracy."""
    from .demo import run_digits_mlp

    result = run_digits_mlp(epochs=epochs, seed=seed, log=click.echo)
    click.echo(f"test accuracy: {result['test_accuracy']:.4f} "
               f"({result['n_test']} held-out digits, {result['seconds']:.1f} s)")


if __name__ == "__main__":  # pragma: no cover
    main()
