"""Augmentations: flip, crop with padding, rotation (against np.rot90 and scipy.ndimage),
Gaussian noise; seeded, reproducible, composable, layout-checked."""
import numpy as np
import pytest
from scipy import ndimage

import tidu
from tidu.data import (Compose, GaussianNoise, RandomCrop, RandomHorizontalFlip,
                       RandomRotation, rotate)
from tidu.errors import ShapeError


def _images(n=6, c=2, h=5, w=7, seed=0):
    return np.random.default_rng(seed).standard_normal((n, c, h, w)).astype(np.float32)


def test_flip_twice_is_identity_and_p_selects_images():
    x = _images()
    flip = RandomHorizontalFlip(p=1.0, seed=0)
    once = flip(x)
    np.testing.assert_array_equal(once, x[..., ::-1])
    np.testing.assert_array_equal(flip(once), x)
    np.testing.assert_array_equal(RandomHorizontalFlip(p=0.0, seed=0)(x), x)
    many = _images(n=2000, c=1, h=1, w=3)
    out = RandomHorizontalFlip(p=0.3, seed=1)(many)
    flipped = np.all(out == many[..., ::-1], axis=(1, 2, 3))
    kept = np.all(out == many, axis=(1, 2, 3))
    assert np.all(flipped | kept)
    assert 0.25 < flipped.mean() < 0.35


def test_crop_with_padding_keeps_shape_and_cuts_a_window_of_the_padded_image():
    x = _images(n=40, c=3, h=6, w=6)
    crop = RandomCrop(6, padding=2, seed=3)
    out = crop(x)
    assert out.shape == x.shape and out.dtype == x.dtype
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    offsets = set()
    for n in range(len(x)):  # brute-force search of each image's window (test only)
        hits = [(i, j) for i in range(5) for j in range(5)
                if np.array_equal(out[n], padded[n, :, i:i + 6, j:j + 6])]
        assert hits, f"image {n} is not a window of the padded image"
        offsets.add(hits[0])
    assert len(offsets) > 5  # offsets vary from image to image
    np.testing.assert_array_equal(RandomCrop((6, 6), seed=0)(x), x)  # no padding, full size
    small = RandomCrop((3, 4), seed=0)(x[:, 0])  # (N, H, W) layout
    assert small.shape == (40, 3, 4)


def test_rotation_by_zero_and_multiples_of_90():
    x = _images(h=6, w=6)
    np.testing.assert_array_equal(rotate(x, 0.0), x)
    np.testing.assert_array_equal(rotate(x, 90.0), np.rot90(x, 1, axes=(2, 3)))
    np.testing.assert_array_equal(rotate(x, -90.0), np.rot90(x, -1, axes=(2, 3)))
    rect = _images(h=5, w=8)
    np.testing.assert_array_equal(rotate(rect, 180.0), rect[..., ::-1, ::-1])
    np.testing.assert_array_equal(RandomRotation((90, 90), seed=0)(x), np.rot90(x, 1, axes=(2, 3)))
    np.testing.assert_array_equal(RandomRotation(0, seed=0)(x), x)


def test_rotation_equals_scipy_bilinear_per_image_angles():
    x = _images(n=5, c=2, h=7, w=9).astype(np.float64)
    angles = np.array([3.0, -12.5, 30.0, 47.0, -8.0])
    out = rotate(x, angles)
    for n in range(len(x)):
        for c in range(2):
            ref = ndimage.rotate(x[n, c], angles[n], reshape=False, order=1,
                                 mode="grid-constant", cval=0.0)
            np.testing.assert_allclose(out[n, c], ref, rtol=1e-10, atol=1e-12)
    filled = rotate(np.ones((1, 9, 9)), [45.0], fill=2.0)  # corners come from outside
    assert filled[0, 4, 4] == 1.0 and filled[0, 0, 0] == 2.0


def test_random_rotation_angles_vary_within_the_range():
    x = np.zeros((300, 1, 9, 9))
    x[:, 0, 4, :] = 1.0  # a horizontal bar through the centre
    out = RandomRotation(10, seed=0)(x)
    # the bar's end pixel moves up or down with the angle's sign; both signs occur
    left_up, left_down = out[:, 0, 3, 0], out[:, 0, 5, 0]
    assert (left_up > 0.05).any() and (left_down > 0.05).any()
    big = RandomRotation((80, 100), seed=0)(x)
    assert big[:, 0, 4, 0].max() < 0.01  # near vertical: the bar left the centre row's ends


def test_gaussian_noise_statistics_and_dtype():
    x = np.full((400, 1, 10, 10), 3.0, dtype=np.float32)
    out = GaussianNoise(std=0.5, seed=0)(x)
    assert out.dtype == np.float32 and out.shape == x.shape
    noise = out - x
    assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.5) < 0.01
    shifted = GaussianNoise(std=0.1, mean=1.0, seed=0)(np.zeros((1000, 5)))
    assert abs(shifted.mean() - 1.0) < 0.01
    np.testing.assert_array_equal(GaussianNoise(0.0, seed=0)(x), x)


def test_reproducible_with_a_seed_and_with_manual_seed():
    x = _images(n=20)
    def pipeline(seed):
        return Compose([RandomCrop(5, padding=1, seed=seed), RandomHorizontalFlip(seed=seed),
                        RandomRotation(15, seed=seed), GaussianNoise(0.05, seed=seed)])
    np.testing.assert_array_equal(pipeline(7)(x), pipeline(7)(x))
    assert not np.array_equal(pipeline(7)(x), pipeline(8)(x))
    tidu.manual_seed(3)
    a = RandomRotation(20)(x)
    tidu.manual_seed(3)
    np.testing.assert_array_equal(RandomRotation(20)(x), a)


def test_compose_state_dict_resumes_the_random_stream():
    x = _images(n=8)
    pipe = Compose([RandomCrop(5, padding=1, seed=1), GaussianNoise(0.1, seed=2)])
    pipe(x)
    state = pipe.state_dict()
    expected = pipe(x)
    other = Compose([RandomCrop(5, padding=1, seed=10), GaussianNoise(0.1, seed=20)])
    other.load_state_dict(state)
    np.testing.assert_array_equal(other(x), expected)


def test_tensor_in_tensor_out_and_layout_errors():
    t = tidu.Tensor(_images())
    out = RandomHorizontalFlip(p=1.0, seed=0)(t)
    assert isinstance(out, tidu.Tensor)
    np.testing.assert_array_equal(out._data, t._data[..., ::-1])
    with pytest.raises(ShapeError,
                       match=r"RandomCrop: expected a batch of images .* got shape \(4, 5\)"):
        RandomCrop(2)(np.zeros((4, 5)))
    with pytest.raises(ShapeError, match="larger than the padded image"):
        RandomCrop(9, padding=1)(np.zeros((1, 5, 5)))
    with pytest.raises(ValueError, match="p must be in"):
        RandomHorizontalFlip(p=1.5)
    with pytest.raises(ValueError, match="std must be"):
        GaussianNoise(-1.0)
