#include "model/gradlab/depth_network.h"

#include "model/error.h"
#include "model/gradlab/seeded_uniform.h"

#include <Eigen/Eigenvalues>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>

namespace attnviz::gradlab {

namespace {

void require_in_range(const char* field, int value, int low, int high) {
  if (value >= low && value <= high) return;
  std::ostringstream message;
  message << field << " = " << value << " is outside " << low << "…" << high;
  throw InputError(message.str());
}

Vec activate_all(Activation f, const Vec& z) {
  Vec out(z.size());
  for (Eigen::Index i = 0; i < z.size(); ++i) out(i) = activate(f, z(i));
  return out;
}

Vec derivative_all(Activation f, const Vec& z) {
  Vec out(z.size());
  for (Eigen::Index i = 0; i < z.size(); ++i) out(i) = activate_derivative(f, z(i));
  return out;
}

// ‖J‖₂ = √λ_max(JᵀJ)
double spectral_norm(const Mat& J) {
  const Mat gram = J.transpose() * J;
  Eigen::SelfAdjointEigenSolver<Mat> solver(gram, Eigen::EigenvaluesOnly);
  return std::sqrt(std::max(0.0, solver.eigenvalues().maxCoeff()));
}

}  // namespace

void validate(const DepthConfig& config) {
  require_in_range("depth", config.depth, 1, max_depth_layers);
  require_in_range("width", config.width, 1, max_depth_width);
  if (!(config.scale > 0 && config.scale <= max_init_scale)) {
    std::ostringstream message;
    message << "scale = " << config.scale << " is outside (0, " << max_init_scale << "]";
    throw InputError(message.str());
  }
}

DepthWeights init_depth_weights(const DepthConfig& config) {
  validate(config);
  const int d = config.width;
  const double a = config.scale * std::sqrt(3.0 / d);
  SeededUniform uniform(config.seed);

  DepthWeights weights;
  for (int l = 0; l < config.depth; ++l) {
    Mat W(d, d);
    for (int r = 0; r < d; ++r)
      for (int c = 0; c < d; ++c) W(r, c) = uniform.next(-a, a);
    weights.W.push_back(std::move(W));
  }
  weights.h0.resize(d);
  for (int i = 0; i < d; ++i) weights.h0(i) = uniform.next(-1.0, 1.0);
  weights.readout.resize(d);
  for (int i = 0; i < d; ++i) weights.readout(i) = uniform.next(-1.0, 1.0);
  weights.readout /= weights.readout.norm();
  return weights;
}

DepthNetwork run_depth_network(const DepthWeights& weights, Activation f, bool residual) {
  const int L = static_cast<int>(weights.W.size());
  const Eigen::Index d = weights.h0.size();
  if (L < 1) throw InputError("depth = 0: the network needs at least one layer");
  for (const Mat& W : weights.W)
    if (W.rows() != d || W.cols() != d || weights.readout.size() != d)
      throw InputError("weights do not match the input width " + std::to_string(d));
  DepthNetwork net;
  net.residual = residual;
  net.h0 = weights.h0;
  net.layers.resize(L);

  // forward:  z_l = W_l h_{l−1};  h_l = f(z_l) (+ h_{l−1});  L = gᵀ h_L
  for (int l = 1; l <= L; ++l) {
    DepthLayer& layer = net.layers[l - 1];
    const Vec& h_prev = l == 1 ? net.h0 : net.layers[l - 2].h;
    layer.z = weights.W[l - 1] * h_prev;
    layer.h = activate_all(f, layer.z);
    if (residual) layer.h += h_prev;
  }
  net.loss = weights.readout.dot(net.layers[L - 1].h);

  // backward:  ∂L/∂h_L = g
  //            dz_l = ∂L/∂h_l ⊙ f'(z_l);  ∂L/∂W_l = dz_l h_{l−1}ᵀ;
  //            ∂L/∂h_{l−1} = W_lᵀ dz_l (+ ∂L/∂h_l)
  //            J_l = diag(f'(z_l)) W_l (+ I)
  net.layers[L - 1].grad_h = weights.readout;
  double bound = 1.0;
  for (int l = L; l >= 1; --l) {
    DepthLayer& layer = net.layers[l - 1];
    const Vec& h_prev = l == 1 ? net.h0 : net.layers[l - 2].h;
    const Mat& W = weights.W[l - 1];
    const Vec slope = derivative_all(f, layer.z);
    const Vec dz = layer.grad_h.cwiseProduct(slope);

    layer.grad_W = dz * h_prev.transpose();
    Vec grad_prev = W.transpose() * dz;
    if (residual) grad_prev += layer.grad_h;
    (l == 1 ? net.grad_h0 : net.layers[l - 2].grad_h) = grad_prev;

    Mat J = slope.asDiagonal() * W;
    if (residual) J += Mat::Identity(d, d);
    layer.jacobian_norm = spectral_norm(J);
    layer.grad_h_norm = layer.grad_h.norm();
    layer.grad_W_norm = layer.grad_W.norm();
    layer.grad_h_bound = bound;
    bound *= layer.jacobian_norm;
  }
  net.grad_h0_norm = net.grad_h0.norm();
  net.grad_h0_bound = bound;
  return net;
}

std::vector<double> DepthNetwork::grad_norm_curve() const {
  std::vector<double> curve{grad_h0_norm};
  for (const DepthLayer& layer : layers) curve.push_back(layer.grad_h_norm);
  return curve;
}

std::vector<double> DepthNetwork::bound_curve() const {
  std::vector<double> curve{grad_h0_bound};
  for (const DepthLayer& layer : layers) curve.push_back(layer.grad_h_bound);
  return curve;
}

DepthComparison compare_depth_networks(const DepthConfig& config) {
  DepthComparison result;
  result.config = config;
  result.weights = init_depth_weights(config);
  result.plain = run_depth_network(result.weights, config.activation, false);
  result.residual = run_depth_network(result.weights, config.activation, true);
  const double plain_w1 = result.plain.layers.front().grad_W_norm;
  const double residual_w1 = result.residual.layers.front().grad_W_norm;
  if (plain_w1 > 0)
    result.first_layer_ratio = residual_w1 / plain_w1;
  else
    result.first_layer_ratio =
        residual_w1 > 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  return result;
}

}  // namespace attnviz::gradlab
