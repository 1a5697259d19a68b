#pragma once
// The positional-encoding explorer: the sinusoidal encoding for any size, each dimension's
// wavelength, and the similarity of positions.
//
//   PE[p,2i] = sin(p·ωᵢ), PE[p,2i+1] = cos(p·ωᵢ)  (interleaved, the paper's layout)
//   PE[p,i]  = sin(p·ωᵢ), PE[p,d/2+i] = cos(p·ωᵢ) (concatenated: sines left, cosines right)
//   ωᵢ = base^(−2i/d),  wavelength λᵢ = 2π/ωᵢ = 2π·base^(2i/d)

#include "model/config.h"
#include "model/tensor.h"

namespace attnviz::analysis {

inline constexpr int max_explorer_len = 512;
inline constexpr int max_explorer_d_model = 512;

struct EncodingRequest {
  int max_len = 20;                             // positions, 1 … 512
  int d_model = 512;                            // even, 2 … 512
  Scalar base = 10000;                          // finite, > 0
  Positional layout = Positional::interleaved;  // interleaved or concatenated
};

// Throws InputError naming the first bad field and its value.
void validate(const EncodingRequest& request);

// PE (max_len, d_model), computed by the model's own ops::positional_encoding.
Mat encoding_matrix(const EncodingRequest& request);

// The frequency index i of column `column`: column/2 (interleaved) or column mod d/2
// (concatenated).  Throws InputError for a column outside [0, d_model).
int frequency_index(const EncodingRequest& request, int column);

// λ = 2π·base^(2i/d) of the column's frequency index i (sine and cosine columns share it).
Scalar wavelength(const EncodingRequest& request, int column);

// S = PE PEᵀ       PE:(T,d) → S:(T,T).  S[p,q] = Σᵢ cos((p−q)·ωᵢ): a function of p − q only.
Mat similarity(const Mat& PE);

}  // namespace attnviz::analysis
