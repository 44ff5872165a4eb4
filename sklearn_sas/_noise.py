"""Standard normal noise of the mean-field passes, drawn fast.

Plain NumPy; nothing of scikit-learn.
"""

import numpy as np


def new_generator(seed):
    """The generator training draws from: NumPy's SFC64, which yields raw bits
    fastest of its bit generators here (the noise needs many)."""
    return np.random.Generator(np.random.SFC64(seed))


# float dtype -> (unsigned int of the same width, mantissa bits, bits of 1.0)
_UNIFORM_BITS = {
    np.dtype(np.float32): (np.uint32, 23, 0x3F800000),
    np.dtype(np.float64): (np.uint64, 52, 0x3FF0000000000000),
}


class NormalNoise:
    """Standard normal noise ``eps`` drawn into given buffers.

    Box-Muller on uniform draws made from the generator's raw 64-bit words:
    the top mantissa-many bits of a word, under the exponent of 1.0, are a
    float uniform in [1, 2), two floats for one float32 draw. Exact normals,
    drawn faster than by NumPy's ``random`` followed by Box-Muller or by its
    ziggurat ``standard_normal``, which matters because every minibatch
    needs ``batch * sum(N_{l+1})`` of them.
    The radius uniform has 2**23 values for float32 (2**52 for float64),
    which caps ``|eps|`` at 5.65 (8.49); the normal law puts 1.6e-8 beyond.

    Parameters
    ----------
    rng : numpy.random.Generator
    draw_dtype : dtype, default=None
        Make the draws in this dtype and convert them to the output's;
        None makes them in the output's dtype. Training draws in float32
        whatever its dtype, so that a network trained in float64 sees the
        noise of the same network trained in float32, rounded differently
        (as ``MLPClassifier`` fits float32 and float64 input alike).
    """

    def __init__(self, rng, draw_dtype=None):
        self.rng = rng
        self.draw_dtype = None if draw_dtype is None else np.dtype(draw_dtype)
        self._scratch = np.empty(0)
        self._draws = np.empty(0, dtype=self.draw_dtype)

    def _uniforms_1_2(self, out):
        """Fill ``out`` (contiguous, float32 or float64) with uniforms in [1, 2)."""
        uint, mantissa, one = _UNIFORM_BITS[out.dtype]
        n_words = -(-out.size * out.itemsize // 8)
        words = self.rng.bit_generator.random_raw(n_words).view(uint)[: out.size]
        bits = out.view(uint)
        np.right_shift(words, uint(8 * out.itemsize - mantissa), out=bits)
        np.bitwise_or(bits, uint(one), out=bits)
        return out

    def fill(self, out):
        if self.draw_dtype is not None and out.dtype != self.draw_dtype:
            if self._draws.size < out.size:
                self._draws = np.empty(out.size, dtype=self.draw_dtype)
            draws = self._draws[: out.size]
            self.fill(draws.reshape(out.shape))
            out[...] = draws.reshape(out.shape)
            return out
        flat = out.reshape(-1)
        half = flat.size // 2
        if self._scratch.size < half or self._scratch.dtype != flat.dtype:
            self._scratch = np.empty(half, dtype=flat.dtype)
        pairs = self._uniforms_1_2(flat[: 2 * half])
        radius, angle, cosine = pairs[:half], pairs[half:], self._scratch[:half]
        # 2 - u lies in (0, 1], where the log is finite
        np.subtract(2, radius, out=radius)
        np.log(radius, out=radius)
        radius *= -2
        np.sqrt(radius, out=radius)
        # u in [1, 2) makes 2 pi u a uniform angle over a whole turn
        angle *= 2 * np.pi
        np.cos(angle, out=cosine)
        np.sin(angle, out=angle)
        angle *= radius
        radius *= cosine
        if flat.size % 2:
            flat[-1] = self.rng.standard_normal()
        return out
