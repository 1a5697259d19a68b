#pragma once
// Eight doubles as one vector: one AVX-512 register, or two or four narrower ones where the CPU
// has no AVX-512 (the compiler splits the vector).  Loads and stores of whole and partial
// vectors, and an 8 × 8 block turned round in registers.

#include "model/tensor.h"

#include <cstring>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace attnviz::simd {

using Vec = Scalar __attribute__((vector_size(64)));
constexpr Eigen::Index lanes = 8;

inline Vec load(const Scalar* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(Scalar* p, Vec v) { std::memcpy(p, &v, sizeof v); }
inline Vec splat(Scalar s) { return Vec{s, s, s, s, s, s, s, s}; }

// The first `count` (1 to 8) lanes: read or written without touching p[count] and beyond.
#if defined(__AVX512F__)
using FirstLanes = __mmask8;
inline FirstLanes first_lanes(Eigen::Index count) { return static_cast<__mmask8>((1u << count) - 1); }
inline Vec load_first(const Scalar* p, FirstLanes mask) {
  return reinterpret_cast<Vec>(_mm512_maskz_loadu_pd(mask, p));
}
inline void store_first(Scalar* p, Vec v, FirstLanes mask) {
  _mm512_mask_storeu_pd(p, mask, reinterpret_cast<__m512d>(v));
}
#else
using FirstLanes = Eigen::Index;
inline FirstLanes first_lanes(Eigen::Index count) { return count; }
inline Vec load_first(const Scalar* p, FirstLanes count) {
  Vec v{};
  std::memcpy(&v, p, sizeof(Scalar) * static_cast<std::size_t>(count));
  return v;
}
inline void store_first(Scalar* p, Vec v, FirstLanes count) {
  std::memcpy(p, &v, sizeof(Scalar) * static_cast<std::size_t>(count));
}
#endif

// rows[e][r] ← rows[r][e]: an 8 × 8 block transposed in registers, in three rounds that each
// interleave pairs of vectors (1, then 2, then 4 lanes at a time).
[[gnu::always_inline]] inline void transpose8(Vec (&rows)[8]) {
  using Lanes = long __attribute__((vector_size(64)));
  const Lanes even1 = {0, 8, 2, 10, 4, 12, 6, 14}, odd1 = {1, 9, 3, 11, 5, 13, 7, 15};
  const Lanes even2 = {0, 1, 8, 9, 4, 5, 12, 13}, odd2 = {2, 3, 10, 11, 6, 7, 14, 15};
  const Lanes even4 = {0, 1, 2, 3, 8, 9, 10, 11}, odd4 = {4, 5, 6, 7, 12, 13, 14, 15};
  Vec a[8], b[8];
  for (int p = 0; p < 8; p += 2) {
    a[p] = __builtin_shuffle(rows[p], rows[p + 1], even1);
    a[p + 1] = __builtin_shuffle(rows[p], rows[p + 1], odd1);
  }
  for (int q = 0; q < 8; q += 4)
    for (int o = 0; o < 2; ++o) {
      b[q + o] = __builtin_shuffle(a[q + o], a[q + o + 2], even2);
      b[q + o + 2] = __builtin_shuffle(a[q + o], a[q + o + 2], odd2);
    }
  // b[0..3]: lanes {0,4}, {1,5}, {2,6}, {3,7} of rows 0–3; b[4..7]: the same of rows 4–7.
  for (int e = 0; e < 4; ++e) {
    rows[e] = __builtin_shuffle(b[e], b[e + 4], even4);
    rows[e + 4] = __builtin_shuffle(b[e], b[e + 4], odd4);
  }
}

}  // namespace attnviz::simd
