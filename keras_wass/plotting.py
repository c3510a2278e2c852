"""Figures for the training job and the notebooks (matplotlib, optional)."""

import numpy as np


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "Plots need matplotlib: `pip install matplotlib` (or "
            "`pip install keras-wass[cli]`)."
        ) from None
    return plt


def save_image_grid(images, path, columns=8, title=None):
    """Saves a grid of images in ``[-1, 1]`` (``(n, h, w)`` or ``(n, h, w, 1)``).

    Args:
        images: the images.
        path: PNG file to write.
        columns: images per row. Defaults to 8.
        title: optional title. Defaults to None.
    """
    plt = _pyplot()
    images = np.asarray(images)
    if images.ndim == 4:
        images = images[..., 0]
    rows = int(np.ceil(len(images) / columns))
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 0.9, rows * 0.9 + (0.4 if title else 0)))
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, image in zip(np.ravel(axes), images):
        ax.imshow(image, cmap="gray_r", vmin=-1, vmax=1, interpolation="nearest")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def save_training_curves(history, path, quality=None):
    """Saves the per-epoch WGAN logs (and optional quality metrics) as PNG.

    Args:
        history: dict of lists, e.g. ``History.history`` of a WGANGP fit.
        path: PNG file to write.
        quality: optional dict of per-epoch lists (e.g. Frechet distance to
            held-out data), drawn in a second panel. Defaults to None.
    """
    plt = _pyplot()
    panels = 2 if quality else 1
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 4))
    axes = np.atleast_1d(axes)
    epochs = np.arange(1, len(next(iter(history.values()))) + 1)
    for name, values in history.items():
        axes[0].plot(epochs, values, label=name)
    axes[0].set_xlabel("epoch")
    axes[0].set_title("training logs (epoch means)")
    axes[0].axhline(0.0, color="0.8", lw=0.8)
    axes[0].legend()
    if quality:
        for name, values in quality.items():
            axes[1].plot(epochs[: len(values)], values, marker="o", ms=3, label=name)
        axes[1].set_xlabel("epoch")
        axes[1].set_yscale("log")
        axes[1].set_title("generated vs held-out real data")
        axes[1].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
