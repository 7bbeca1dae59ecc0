"""Average the weights of reader runs that share a starting point (a "model soup", Wortsman et al. 2022): the
mean of two fine-tunings of the same model is often better than either and costs nothing at answer time.

    python training/average_readers.py --runs v2-reports v3-reports --run soup
    python training/train_reader.py --run soup --export --output training/checkpoints/soup.npz
    python training/train_reader.py --score 200 --reader training/checkpoints/soup.npz

Writes training/checkpoints/<run>/latest.pt (weights only, no optimiser: it exports and scores like any run, it
does not resume training).
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints"


def average(states: list[dict[str, torch.Tensor]], weights: list[float]) -> dict[str, torch.Tensor]:
    """The weighted mean of each tensor the states share (all must hold the same names and shapes)."""
    names = set(states[0])
    if any(set(state) != names for state in states):
        raise ValueError("the runs do not hold the same weights: only runs of the same model can be averaged")
    total = sum(weights)
    return {
        name: sum(weight * state[name].float() for weight, state in zip(weights, states)).div(total).to(states[0][name].dtype)
        for name in states[0]
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", nargs="+", required=True, help="sub-folders of training/checkpoints/ to average")
    parser.add_argument("--weights", nargs="*", type=float, default=None, help="one weight per run (default: equal)")
    parser.add_argument("--run", required=True, help="sub-folder for the averaged weights")
    args = parser.parse_args()
    weights = args.weights or [1.0] * len(args.runs)
    if len(weights) != len(args.runs):
        parser.error("give one weight per run")
    loaded = [torch.load(CHECKPOINTS / run / "latest.pt", weights_only=True, map_location="cpu") for run in args.runs]
    target = CHECKPOINTS / args.run
    target.mkdir(parents=True, exist_ok=True)
    step = max(state["step"] for state in loaded)
    torch.save({"model": average([state["model"] for state in loaded], weights), "step": step, "averaged": args.runs}, target / "latest.pt")
    print(f"wrote {target / 'latest.pt'}: the mean of {', '.join(args.runs)} (weights {weights})")


if __name__ == "__main__":
    main()
