#pragma once
// As many doubles as one vector register holds: 8 with AVX-512, 4 with AVX, 2 with SSE2.  Loads
// and stores of whole and partial vectors, and a lanes × lanes block turned round in registers.
// The vector is the register's own width: a wider one, which the compiler splits, went through
// memory a lane at a time in shuffles, partial loads and tiles of accumulators.

#include "model/tensor.h"

#include <cstring>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace attnviz::simd {

#if defined(__AVX512F__)
constexpr Eigen::Index lanes = 8;
#elif defined(__AVX__)
constexpr Eigen::Index lanes = 4;
#else
constexpr Eigen::Index lanes = 2;
#endif
using Vec = Scalar __attribute__((vector_size(lanes * sizeof(Scalar))));

inline Vec load(const Scalar* p) {
  Vec v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(Scalar* p, Vec v) { std::memcpy(p, &v, sizeof v); }
inline Vec splat(Scalar s) {
  Vec v;
  for (Eigen::Index e = 0; e < lanes; ++e) v[e] = s;
  return v;
}

// The first `count` (1 to lanes) lanes: read or written without touching p[count] and beyond.
#if defined(__AVX512F__)
using FirstLanes = __mmask8;
inline FirstLanes first_lanes(Eigen::Index count) { return static_cast<__mmask8>((1u << count) - 1); }
inline Vec load_first(const Scalar* p, FirstLanes mask) {
  return reinterpret_cast<Vec>(_mm512_maskz_loadu_pd(mask, p));
}
inline void store_first(Scalar* p, Vec v, FirstLanes mask) {
  _mm512_mask_storeu_pd(p, mask, reinterpret_cast<__m512d>(v));
}
#elif defined(__AVX2__)
using FirstLanes = __m256i;  // all ones in a lane taken, zeros elsewhere
inline FirstLanes first_lanes(Eigen::Index count) {
  return _mm256_cmpgt_epi64(_mm256_set1_epi64x(count), _mm256_setr_epi64x(0, 1, 2, 3));
}
inline Vec load_first(const Scalar* p, FirstLanes mask) { return _mm256_maskload_pd(p, mask); }
inline void store_first(Scalar* p, Vec v, FirstLanes mask) { _mm256_maskstore_pd(p, mask, v); }
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

// rows[e][r] ← rows[r][e]: a lanes × lanes block transposed in registers, in rounds that each
// interleave pairs of vectors (1 lane at a time, then 2, then 4).
[[gnu::always_inline]] inline void transpose(Vec (&rows)[lanes]) {
  using Lanes = long __attribute__((vector_size(sizeof(Vec))));
#if defined(__AVX512F__)
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
#elif defined(__AVX__)
  const Lanes even1 = {0, 4, 2, 6}, odd1 = {1, 5, 3, 7}, even2 = {0, 1, 4, 5}, odd2 = {2, 3, 6, 7};
  const Vec a0 = __builtin_shuffle(rows[0], rows[1], even1), a1 = __builtin_shuffle(rows[0], rows[1], odd1);
  const Vec a2 = __builtin_shuffle(rows[2], rows[3], even1), a3 = __builtin_shuffle(rows[2], rows[3], odd1);
  rows[0] = __builtin_shuffle(a0, a2, even2);
  rows[1] = __builtin_shuffle(a1, a3, even2);
  rows[2] = __builtin_shuffle(a0, a2, odd2);
  rows[3] = __builtin_shuffle(a1, a3, odd2);
#else
  const Lanes even1 = {0, 2}, odd1 = {1, 3};
  const Vec a0 = __builtin_shuffle(rows[0], rows[1], even1);
  rows[1] = __builtin_shuffle(rows[0], rows[1], odd1);
  rows[0] = a0;
#endif
}

}  // namespace attnviz::simd
