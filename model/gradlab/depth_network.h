#pragma once
// LESSONS.md example D made measurable: a stack of L square layers of width d, run twice from
// the same weights and input,
//
//   plain     h_l = f(W_l h_{l−1})              W_l:(d,d)  h_l:(d)  l = 1…L
//   residual  h_l = f(W_l h_{l−1}) + h_{l−1}
//   loss      L = gᵀ h_L                        g:(d), a fixed unit vector (a linear read-out)
//
// The read-out loss gives both networks the same ∂L/∂h_L = g (norm 1), so every difference in
// ‖∂L/∂h_l‖ further down comes from the layers' Jacobians and none from the loss:
//
//   J_l = ∂h_l/∂h_{l−1} = diag(f'(z_l)) W_l          (plain)
//                       = diag(f'(z_l)) W_l + I      (residual: the "+1" of the lesson)
//   ∂L/∂h_{l−1} = J_lᵀ ∂L/∂h_l,   so   ‖∂L/∂h_l‖ ≤ Π_{k=l+1…L} ‖J_k‖₂
//
// ‖J_l‖₂ is the spectral norm (largest singular value).  No biases.

#include "model/gradlab/activation.h"
#include "model/tensor.h"

#include <cstdint>
#include <vector>

namespace attnviz::gradlab {

using Vec = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

inline constexpr int max_depth_layers = 64;
inline constexpr int max_depth_width = 64;
inline constexpr double max_init_scale = 10.0;

struct DepthConfig {
  int depth = 20;  // L, 1…64
  int width = 16;  // d, 1…64
  Activation activation = Activation::sigmoid;
  double scale = 1.0;  // W_l entries ~ U(−a, a), a = scale·√(3/d): variance scale²/d (LeCun)
  std::uint64_t seed = 1;
};

// Throws InputError naming the first bad field and its value (scale must be in (0, 10]).
void validate(const DepthConfig& config);

// Drawn from SeededUniform(seed) in this order: W_1 … W_L row by row, h_0, then g.
struct DepthWeights {
  std::vector<Mat> W;  // W[l−1] is W_l, (d, d)
  Vec h0;              // (d), entries ~ U(−1, 1)
  Vec readout;         // g: (d), U(−1, 1) entries scaled to unit length
};
DepthWeights init_depth_weights(const DepthConfig& config);

struct DepthLayer {          // layer l
  Vec z;                     // W_l h_{l−1}           (d)
  Vec h;                     // h_l                   (d)
  Vec grad_h;                // ∂L/∂h_l               (d)
  Mat grad_W;                // ∂L/∂W_l = (∂L/∂h_l ⊙ f'(z_l)) h_{l−1}ᵀ    (d, d)
  double grad_h_norm = 0;    // ‖∂L/∂h_l‖₂
  double grad_W_norm = 0;    // ‖∂L/∂W_l‖_F
  double jacobian_norm = 0;  // ‖J_l‖₂
  double grad_h_bound = 0;   // Π_{k=l+1…L} ‖J_k‖₂ ≥ ‖∂L/∂h_l‖ (1 for l = L)
};

struct DepthNetwork {
  bool residual = false;
  double loss = 0;
  Vec h0, grad_h0;  // the input and ∂L/∂h_0
  double grad_h0_norm = 0;
  double grad_h0_bound = 0;        // Π_{k=1…L} ‖J_k‖₂
  std::vector<DepthLayer> layers;  // layers[l−1] is layer l

  // ‖∂L/∂h_l‖ for l = 0…L (L + 1 points), and the matching bounds: the curves to plot.
  std::vector<double> grad_norm_curve() const;
  std::vector<double> bound_curve() const;
};

// Forward, then backward, of one network on given weights (InputError if their shapes disagree).
DepthNetwork run_depth_network(const DepthWeights& weights, Activation activation, bool residual);

struct DepthComparison {
  DepthConfig config;
  DepthWeights weights;
  DepthNetwork plain, residual;
  double first_layer_ratio = 0;  // ‖∂L/∂W_1‖_F residual / plain: how much more the first
                                 // layer's weights learn with the skip (∞ when only plain's
                                 // is 0, NaN when both are)
};
DepthComparison compare_depth_networks(const DepthConfig& config);

}  // namespace attnviz::gradlab
