// The model's matrix products against Eigen's general product, at the presets' shapes:
// lesson (T 5, d 16, d_k 4, d_ff 32), small (T 10, d 64, d_k 16, d_ff 256) and base
// (T 32, d 512, d_k 64, d_ff 2048).

#include "model/matmul.h"

#include <benchmark/benchmark.h>

#include <array>

namespace {

using attnviz::Mat;

enum Kind { nt, nn, tn };

// C = A Bᵀ, A B or Aᵀ B for C:(m,n) summed over `depth`.
void product(benchmark::State& state, Kind kind, bool eigen) {
  const auto m = state.range(0), n = state.range(1), depth = state.range(2);
  const Mat A = kind == tn ? Mat::Random(depth, m) : Mat::Random(m, depth);
  const Mat B = kind == nt ? Mat::Random(n, depth) : Mat::Random(depth, n);
  Mat C = Mat::Zero(m, n);
  for (auto _ : state) {
    if (eigen) {
      switch (kind) {
        case nt: C.noalias() += A * B.transpose(); break;
        case nn: C.noalias() += A * B; break;
        case tn: C.noalias() += A.transpose() * B; break;
      }
    } else {
      switch (kind) {
        case nt: attnviz::matmul_nt(C, A, B, true); break;
        case nn: attnviz::matmul_nn(C, A, B, true); break;
        case tn: attnviz::matmul_tn(C, A, B, true); break;
      }
    }
    benchmark::DoNotOptimize(C.data());
  }
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * m * n * depth, benchmark::Counter::kIsIterationInvariantRate);
}

void shapes(benchmark::internal::Benchmark* b) {
  for (const auto& [T, d, d_k, d_ff] : {std::array<long, 4>{5, 16, 4, 32}, {10, 64, 16, 256}, {32, 512, 64, 2048}}) {
    b->Args({T, d, d});     // linear d → d
    b->Args({T, d_ff, d});  // linear1
    b->Args({T, d, d_ff});  // linear2
    b->Args({T, T, d_k});   // one head
    b->Args({d, d, T});     // a weight gradient
  }
}

BENCHMARK_CAPTURE(product, nt_model, nt, false)->Apply(shapes);
BENCHMARK_CAPTURE(product, nt_eigen, nt, true)->Apply(shapes);
BENCHMARK_CAPTURE(product, nn_model, nn, false)->Apply(shapes);
BENCHMARK_CAPTURE(product, nn_eigen, nn, true)->Apply(shapes);
BENCHMARK_CAPTURE(product, tn_model, tn, false)->Apply(shapes);
BENCHMARK_CAPTURE(product, tn_eigen, tn, true)->Apply(shapes);

}  // namespace

BENCHMARK_MAIN();
