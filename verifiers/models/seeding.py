"""The generator ``numpy.random.default_rng(seed)`` for many seeds at once, without its cost.

An instance's data are drawn from ``default_rng(seed)``; constructing it hashes the seed
through a ``SeedSequence`` (about 5 us, as long as drawing a small instance's data). The
hash is O'Neill's seed_seq as NumPy implements it (``numpy/random/bit_generator.pyx``:
``mix_entropy`` into a pool of four 32-bit words, then ``generate_state``), and PCG64 is
seeded from its four 64-bit words as ``pcg64_set_seed`` does (``pcg64.h``: the 128-bit state
and increment, two steps of the LCG). Both are written out here on arrays of seeds, and the
state is set on one reused generator: the stream is the one ``default_rng(seed)`` draws, bit
for bit (the tests compare the states and the draws for many seeds). Should a NumPy release
seed otherwise, the first call finds out on two seeds and asks NumPy for every state from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

_INIT_A, _MULT_A = 0x43B0D7E5, 0x931E8875
_INIT_B, _MULT_B = 0x8B51F9DD, 0x58F38DED
_MIX_MULT_L, _MIX_MULT_R = 0xCA01F9DD, 0x4973F715
_XSHIFT = 16
_POOL = 4
_MASK32 = 0xFFFFFFFF
_MASK128 = (1 << 128) - 1
_PCG_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341


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
    uint64: what PCG64 is seeded from (:mod:`~boundcheck.verifiers.models.pcg64` draws from them)."""
    return _seed_sequence_words(_one_word_seeds(seeds).astype(np.uint32))


def _one_word_seeds(seeds: Sequence[int]) -> np.ndarray:
    array = np.asarray(seeds, dtype=np.int64)
    if array.size and (array.min() < 0 or array.max() > _MASK32):
        raise ValueError("a seed is one 32-bit word: seeds in [0, 2^32)")
    return array


def pcg64_states(seeds: Sequence[int]) -> list[dict[str, Any]]:
    """The ``bit_generator.state`` that ``np.random.default_rng(seed)`` starts in, for each seed
    in [0, 2^32) (a seed of more than one 32-bit word gets a longer entropy pool: not here)."""
    array = _one_word_seeds(seeds)
    if not _agrees_with_numpy():
        return [np.random.default_rng(int(seed)).bit_generator.state for seed in array]
    return _written_out(array)


@lru_cache(maxsize=1)
def _agrees_with_numpy() -> bool:
    """Whether this NumPy's ``default_rng`` starts where :func:`_written_out` says (two seeds)."""
    seeds = [0, 2**32 - 1]
    return _written_out(np.array(seeds)) == [np.random.default_rng(s).bit_generator.state for s in seeds]


def _written_out(array: np.ndarray) -> list[dict[str, Any]]:
    out = []
    for w0, w1, w2, w3 in _seed_sequence_words(array.astype(np.uint32)).tolist():
        initial, sequence = (w0 << 64) | w1, (w2 << 64) | w3  # pcg64_set_seed: PCG_128BIT_CONSTANT(high, low)
        increment = ((sequence << 1) | 1) & _MASK128
        state = increment  # state = 0, one step
        state = (((state + initial) & _MASK128) * _PCG_MULTIPLIER + increment) & _MASK128
        out.append({"bit_generator": "PCG64", "state": {"state": state, "inc": increment},
                    "has_uint32": 0, "uinteger": 0})
    return out


def generator_at(generator: np.random.Generator, state: dict[str, Any]) -> np.random.Generator:
    """``generator`` (a PCG64 ``Generator``, reused) put in ``state``: one of :func:`pcg64_states`."""
    generator.bit_generator.state = state
    return generator
