#pragma once
// Eight doubles as one vector: one AVX-512 register, or two or four narrower ones where the CPU
// has no AVX-512 (the compiler splits the vector).  Loads and stores of whole and partial
// vectors, and an 8 × 8 block turned round in registers.  With AVX2 but no AVX-512, partial
// vectors and the turn are written for the two 4-wide halves: left to the compiler, both went
// through memory a lane at a time.

#include "model/tensor.h"

#include <cstring>
#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace attnviz::simd {

using Vec = Scalar __attribute__((vector_size(64)));
constexpr Eigen::Index lanes = 8;
#if defined(__AVX512F__)
constexpr bool one_register = true;  // a Vec is one register: eight of them turned round stay in registers
#else
constexpr bool one_register = false;
#endif

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
#elif defined(__AVX2__)
using Half = __m256d;  // lanes 0–3 or 4–7 of a Vec
inline Half low_half(Vec v) { return __builtin_shufflevector(v, v, 0, 1, 2, 3); }
inline Half high_half(Vec v) { return __builtin_shufflevector(v, v, 4, 5, 6, 7); }
inline Vec join(Half low, Half high) { return __builtin_shufflevector(low, high, 0, 1, 2, 3, 4, 5, 6, 7); }

struct FirstLanes {
  __m256i low, high;  // all ones in a lane taken, zeros elsewhere
};
inline FirstLanes first_lanes(Eigen::Index count) {
  const __m256i n = _mm256_set1_epi64x(count);
  return {_mm256_cmpgt_epi64(n, _mm256_setr_epi64x(0, 1, 2, 3)), _mm256_cmpgt_epi64(n, _mm256_setr_epi64x(4, 5, 6, 7))};
}
inline Vec load_first(const Scalar* p, FirstLanes mask) {
  return join(_mm256_maskload_pd(p, mask.low), _mm256_maskload_pd(p + 4, mask.high));
}
inline void store_first(Scalar* p, Vec v, FirstLanes mask) {
  _mm256_maskstore_pd(p, mask.low, low_half(v));
  _mm256_maskstore_pd(p + 4, mask.high, high_half(v));
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

#if defined(__AVX2__) && !defined(__AVX512F__)
// a[e][r] ← a[r][e], a 4 × 4 block of halves: pairs interleaved a lane at a time within each
// 2-lane pair, then the pairs' 2-lane pieces exchanged.
[[gnu::always_inline]] inline void transpose4(Half& a0, Half& a1, Half& a2, Half& a3) {
  const Half t0 = _mm256_unpacklo_pd(a0, a1), t1 = _mm256_unpackhi_pd(a0, a1);  // a0₀ a1₀ a0₂ a1₂, a0₁ a1₁ a0₃ a1₃
  const Half t2 = _mm256_unpacklo_pd(a2, a3), t3 = _mm256_unpackhi_pd(a2, a3);
  a0 = _mm256_permute2f128_pd(t0, t2, 0x20);
  a1 = _mm256_permute2f128_pd(t1, t3, 0x20);
  a2 = _mm256_permute2f128_pd(t0, t2, 0x31);
  a3 = _mm256_permute2f128_pd(t1, t3, 0x31);
}

// rows[e][r] ← rows[r][e]: of the block [[A, B], [C, D]] (4 × 4 halves), [[Aᵀ, Cᵀ], [Bᵀ, Dᵀ]].
[[gnu::always_inline]] inline void transpose8(Vec (&rows)[8]) {
  Half lo[8], hi[8];
  for (int r = 0; r < 8; ++r) lo[r] = low_half(rows[r]), hi[r] = high_half(rows[r]);
  transpose4(lo[0], lo[1], lo[2], lo[3]);  // Aᵀ
  transpose4(hi[0], hi[1], hi[2], hi[3]);  // Bᵀ
  transpose4(lo[4], lo[5], lo[6], lo[7]);  // Cᵀ
  transpose4(hi[4], hi[5], hi[6], hi[7]);  // Dᵀ
  for (int e = 0; e < 4; ++e) {
    rows[e] = join(lo[e], lo[e + 4]);
    rows[e + 4] = join(hi[e], hi[e + 4]);
  }
}
#else
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
#endif

}  // namespace attnviz::simd
