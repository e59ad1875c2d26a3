"""``numpy.random.default_rng(seed)``'s stream for many seeds, in numba: the seed hashed by
``SeedSequence``, PCG64 seeded from it, standard normals and fair signs drawn as NumPy draws them.

The NTK model draws each instance's data and initialisation from its seeds. Done by NumPy
calls per instance (a ``default_rng`` costs 5 us to construct, as long as drawing a small
instance's data; a reused generator put in each seed's state saved that), the draws were
half of the model's set-up: 20 of 43 us an instance at (16, 4, 32). Here the seeds of a
whole group of instances are hashed at once and the draws are one compiled call (8 us an
instance with the row norms), bit for bit the numbers NumPy gives (the tests hold them equal
for many seeds and shapes):

- the hash is O'Neill's seed_seq as NumPy implements it (``numpy/random/bit_generator.pyx``:
  ``mix_entropy`` into a pool of four 32-bit words, then ``generate_state``), on arrays of seeds
  (:func:`seed_words`);
- PCG64 (O'Neill, "PCG: a family of simple fast space-efficient statistically good algorithms
  for random number generation", 2014), as ``numpy/random/src/pcg64/pcg64.h``: the 128-bit LCG
  with the XSL-RR output, seeded by ``pcg64_set_seed`` from the hash's four 64-bit words
  (:func:`seed`); 32-bit draws halve a 64-bit one, low half first, as ``pcg64_next32``;
- standard normals by NumPy's ziggurat (Marsaglia and Tsang, J. Stat. Softw. 5(8), 2000, with
  NumPy's 256-layer tables: ``random_standard_normal`` in ``distributions.c``; the tables are
  numba's copy of NumPy's, ``numba.np.random._constants``);
- ``integers(0, 2)`` by Lemire's bounded draw on a 32-bit word (``buffered_bounded_lemire_uint32``
  with range 1: the word's top bit, never rejected).

Should NumPy or numba change any of it, the first use finds out on two seeds
(:func:`agrees_with_numpy`) and the caller draws through NumPy instead.

Caching: numba keys a cached kernel on its own source file only, so a kernel of another file
that calls these (``ntk_two_layer_relu._draw_stack``) keeps its cached code when only this
file is edited: after editing it, clear the numba cache (the ``__pycache__`` folders, or
``NUMBA_CACHE_DIR``); an install or an upgrade rewrites every file.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from numba import njit

try:  # numba's copy of NumPy's ziggurat tables (a private module of numba's Generator support)
    from numba.np.random._constants import fi_double, ki_double, wi_double, ziggurat_nor_inv_r, ziggurat_nor_r
except ImportError:  # a numba without it: agrees_with_numpy() is False, and NumPy draws instead
    fi_double = ki_double = wi_double = ziggurat_nor_inv_r = ziggurat_nor_r = None

_MULT_HIGH = np.uint64(2549297995355413924)
_MULT_LOW = np.uint64(4865540595714422341)
_LOW32 = np.uint64(0xFFFFFFFF)
_U32, _U11, _U8, _U1, _U58, _U63, _U31 = (np.uint64(k) for k in (32, 11, 8, 1, 58, 63, 31))
_ZERO, _ONE = np.uint64(0), np.uint64(1)
_FRACTION = np.uint64(0x000FFFFFFFFFFFFF)
_BYTE = np.uint64(0xFF)
_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2^-53

_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01F9DD, 0x4973F715
_XSHIFT = 16
_POOL = 4
_MASK32 = 0xFFFFFFFF


def _hash_constants(start: int, multiplier: int, count: int) -> list[np.uint32]:
    """The successive hash constants: start * multiplier^k mod 2^32, k = 1..count."""
    out, value = [], start
    for _ in range(count):
        value = (value * multiplier) & _MASK32
        out.append(np.uint32(value))
    return out


# mix_entropy uses INIT_A times MULT_A^k for k = 1..16 (4 words, then 12 cross mixes); generate_state
# uses INIT_B times MULT_B^k for k = 0..7 (each word is xored with the constant before its update)
_MIX_CONSTANTS = [np.uint32(_INIT_A)] + _hash_constants(_INIT_A, _MULT_A, _POOL + _POOL * (_POOL - 1))
_STATE_CONSTANTS = [np.uint32(_INIT_B)] + _hash_constants(_INIT_B, _MULT_B, 8)


def _seed_sequence_words(seeds: np.ndarray) -> np.ndarray:
    """``SeedSequence(seed).generate_state(4, np.uint64)`` for each seed (< 2^32), as (B, 4) uint64."""
    constants = iter(zip(_MIX_CONSTANTS, _MIX_CONSTANTS[1:]))

    def hashmix(value: np.ndarray) -> np.ndarray:
        before, after = next(constants)  # value ^= hash_const; hash_const *= MULT_A; value *= hash_const
        value = (value ^ before) * after
        return value ^ (value >> np.uint32(_XSHIFT))

    def mix(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        result = np.uint32(_MIX_MULT_L) * x - np.uint32(_MIX_MULT_R) * y
        return result ^ (result >> np.uint32(_XSHIFT))

    zero = np.zeros_like(seeds)
    pool = [hashmix(seeds if i == 0 else zero) for i in range(_POOL)]
    for source in range(_POOL):
        for target in range(_POOL):
            if source != target:
                pool[target] = mix(pool[target], hashmix(pool[source]))
    words = []
    for k in range(8):
        value = (pool[k % _POOL] ^ _STATE_CONSTANTS[k]) * _STATE_CONSTANTS[k + 1]
        words.append(value ^ (value >> np.uint32(_XSHIFT)))
    low_high = np.stack(words, axis=1).astype(np.uint64)  # little-endian pairs make the 64-bit words
    return low_high[:, 0::2] | (low_high[:, 1::2] << np.uint64(32))


def seed_words(seeds: Sequence[int]) -> np.ndarray:
    """``SeedSequence(seed).generate_state(4, np.uint64)`` for each seed in [0, 2^32), as (B, 4)
    uint64: what PCG64 is seeded from (a seed of more than one 32-bit word gets a longer
    entropy pool: not here)."""
    array = np.asarray(seeds, dtype=np.int64)
    if array.size and (array.min() < 0 or array.max() > _MASK32):
        raise ValueError("a seed is one 32-bit word: seeds in [0, 2^32)")
    return _seed_sequence_words(array.astype(np.uint32))


#: a generator: [state high, state low, increment high, increment low, has a 32-bit half, the half]
STATE_WORDS = 6


@njit(cache=True, inline="always")
def _mul_high(a, b):
    """The high 64 bits of the 128-bit product of two uint64."""
    a0, a1, b0, b1 = a & _LOW32, a >> _U32, b & _LOW32, b >> _U32
    low_low, low_high, high_low = a0 * b0, a0 * b1, a1 * b0
    middle = (low_low >> _U32) + (low_high & _LOW32) + (high_low & _LOW32)
    return a1 * b1 + (low_high >> _U32) + (high_low >> _U32) + (middle >> _U32)


@njit(cache=True, inline="always")
def _step(g):
    """state = state * MULTIPLIER + increment (mod 2^128)."""
    high, low = g[0], g[1]
    product_high = high * _MULT_LOW + low * _MULT_HIGH + _mul_high(low, _MULT_LOW)
    product_low = low * _MULT_LOW
    new_low = product_low + g[3]
    carry = _ONE if new_low < product_low else _ZERO
    g[0], g[1] = product_high + g[2] + carry, new_low


@njit(cache=True)
def seed(g, words):
    """``pcg64_set_seed`` from ``SeedSequence(seed).generate_state(4, uint64)``: the initial
    state is words[0:2], the stream words[2:4]; increment = 2 * stream + 1; then state =
    increment, plus the initial state, one step."""
    g[2] = (words[2] << _U1) | (words[3] >> _U63)
    g[3] = (words[3] << _U1) | _ONE
    g[0], g[1] = _ZERO, _ZERO
    _step(g)
    low = g[1] + words[1]
    g[0] = g[0] + words[0] + (_ONE if low < g[1] else _ZERO)
    g[1] = low
    _step(g)
    g[4], g[5] = _ZERO, _ZERO


@njit(cache=True)
def next_uint64(g):
    """One 64-bit word: a step, then the XSL-RR output of the new state."""
    _step(g)
    value = g[0] ^ g[1]
    rotation = g[0] >> _U58
    return (value >> rotation) | (value << ((_ZERO - rotation) & _U63))


@njit(cache=True)
def next_uint32(g):
    """32 bits: the low half of a fresh 64-bit word, its high half kept for the next call."""
    if g[4] != _ZERO:
        g[4] = _ZERO
        return g[5]
    word = next_uint64(g)
    g[4], g[5] = _ONE, word >> _U32
    return word & _LOW32


@njit(cache=True)
def next_double(g):
    return np.float64(next_uint64(g) >> _U11) * _TO_DOUBLE


@njit(cache=True)
def standard_normal(g):
    """NumPy's ziggurat (``random_standard_normal``)."""
    while True:
        r = next_uint64(g)
        idx = np.intp(r & _BYTE)
        r = r >> _U8
        rabs = (r >> _U1) & _FRACTION
        x = np.float64(rabs) * wi_double[idx]
        if r & _ONE:
            x = -x
        if rabs < ki_double[idx]:
            return x
        if idx == 0:
            while True:
                xx = -ziggurat_nor_inv_r * np.log1p(-next_double(g))
                yy = -np.log1p(-next_double(g))
                if yy + yy > xx * xx:
                    return -(ziggurat_nor_r + xx) if (rabs >> _U8) & _ONE else ziggurat_nor_r + xx
        elif (fi_double[idx - 1] - fi_double[idx]) * next_double(g) + fi_double[idx] < np.exp(-0.5 * x * x):
            return x


@njit(cache=True)
def sign(g):
    """-1.0 or 1.0 as ``(-1.0, 1.0)[integers(0, 2)]``: Lemire's draw on range 1 is the word's top bit."""
    return 1.0 if next_uint32(g) >> _U31 else -1.0


@njit(cache=True)
def stream(words, normal_count, sign_count):
    """``rng.standard_normal(normal_count)``, then ``(-1.0, 1.0)[rng.integers(0, 2, sign_count)]``,
    for ``rng = default_rng(seed)``, the seed whose words these are (the first-use check, tests)."""
    g = np.zeros(STATE_WORDS, dtype=np.uint64)
    seed(g, words)
    normals, fair_signs = np.empty(normal_count), np.empty(sign_count)
    for k in range(normal_count):
        normals[k] = standard_normal(g)
    for k in range(sign_count):
        fair_signs[k] = sign(g)
    return normals, fair_signs


def numpy_stream(value: int, normal_count: int, sign_count: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`stream` drawn by NumPy."""
    rng = np.random.default_rng(value)
    return rng.standard_normal(normal_count), np.array([-1.0, 1.0])[rng.integers(0, 2, sign_count)]


@cache
def agrees_with_numpy() -> bool:
    """Whether these draws are NumPy's, on two seeds (normals, then signs)."""
    if ki_double is None:
        return False
    for value in (0, 2**32 - 1):
        ours, numpys = stream(seed_words([value])[0], 300, 65), numpy_stream(value, 300, 65)
        if not all(np.array_equal(a, b) for a, b in zip(ours, numpys)):
            return False
    return True
