// Every matrix product shape the presets' forward + backward use (lesson, small, base), with the
// kernel this process chose for it and the rate of that kernel next to Eigen's, timed in turns
// (chosen, Eigen, chosen, …) so that load on the machine weighs on both alike; then the
// machine's GEMM peak on one thread: the best rate of either kernel at square products.
//
//   matmul_bench [--rounds N] [--preset NAME]
//
// Rates are medians over the rounds, on one thread, with the operands in cache.  The last two
// columns are what the choice measured on first use.

#include "model/matmul.h"
#include "model/parallel.h"
#include "model/presets.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace attnviz;
using Index = Eigen::Index;

std::string cpu_model() {
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

Mat random_mat(Index rows, Index cols, std::mt19937_64& random) {
  std::uniform_real_distribution<double> u(-1, 1);
  Mat m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m.data()[i] = u(random);
  return m;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Seconds per product of each kernel, one value per round; a round times the chosen kernel and
// Eigen's back to back (in either order), each repeating the product for at least 2 ms.
struct Timing {
  std::vector<double> chosen, eigen;
  double chosen_median() const { return median(chosen); }
  double eigen_median() const { return median(eigen); }
  double fastest() const {
    return std::min(*std::min_element(chosen.begin(), chosen.end()), *std::min_element(eigen.begin(), eigen.end()));
  }
  // Eigen's time over the chosen kernel's, round by round: the two ran under the same load.
  double ratio() const {
    std::vector<double> r;
    for (std::size_t i = 0; i < chosen.size(); ++i) r.push_back(eigen[i] / chosen[i]);
    return median(r);
  }
};

Timing time_shape(const KernelChoice& choice, int rounds, std::mt19937_64& random) {
  const ProductShape& s = choice.shape;
  const bool tn = s.product == Product::tn, nt = s.product == Product::nt;
  const Mat A = tn ? random_mat(s.depth, s.m, random) : random_mat(s.m, s.depth, random);
  const Mat B = nt ? random_mat(s.n, s.depth, random) : random_mat(s.depth, s.n, random);
  Mat C = random_mat(s.m, s.n, random);
  const auto seconds = [&](Kernel kernel, long repeats) {
    const auto start = std::chrono::steady_clock::now();
    for (long r = 0; r < repeats; ++r) matmul_with(kernel, s.product, C, A, B, s.accumulate, s.stream);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() /
           static_cast<double>(repeats);
  };
  const double first = std::min(seconds(choice.kernel, 1), seconds(Kernel::eigen, 1));
  const long repeats = std::clamp(static_cast<long>(2e-3 / std::max(first, 1e-9)), 1L, 1000000L);
  Timing t;
  for (int r = 0; r < rounds; ++r) {
    if (r % 2 == 0) t.chosen.push_back(seconds(choice.kernel, repeats));
    t.eigen.push_back(seconds(Kernel::eigen, repeats));
    if (r % 2 == 1) t.chosen.push_back(seconds(choice.kernel, repeats));
  }
  return t;
}

double gflops(const ProductShape& s, double seconds) {
  return 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.depth) / seconds / 1e9;
}

// Records one forward + backward of the preset, so that each of its product shapes is chosen for.
void run_preset(const std::string& name) {
  const Preset p = make_preset(name);
  Transformer model(p.config, 0);
  const Example ex = make_example(p.config, p.src_vocab, p.tgt_vocab, p.src_text, p.tgt_text);
  Trace trace;
  run_forward(model, ex, trace);
  run_backward(trace);
}

const char* write_name(const ProductShape& s) { return s.accumulate ? "+=" : s.stream ? "= (stream)" : "="; }

}  // namespace

int main(int argc, char** argv) {
  int rounds = 11;
  std::vector<std::string> presets = preset_names();
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string option = argv[i];
    if (option == "--rounds")
      rounds = std::max(1, std::atoi(argv[i + 1]));
    else if (option == "--preset")
      presets = {argv[i + 1]};
    else {
      std::fprintf(stderr, "usage: matmul_bench [--rounds N] [--preset NAME]\n");
      return 2;
    }
  }
  set_threads(1);
  double load[3] = {};
  getloadavg(load, 3);
  std::printf("%s, one thread; load average %.2f when started; medians of %d rounds\n\n", cpu_model().c_str(), load[0],
              rounds);
  std::printf("%-7s %-5s %-16s %-11s %-6s %9s %9s %7s   %s\n", "preset", "C =", "m × n × depth", "write", "kernel",
              "GFLOP/s", "Eigen", "ratio", "at first use: model, Eigen");
  std::mt19937_64 random(1);
  std::set<ProductShape> seen;
  double worst = 1e9;
  for (const std::string& name : presets) {
    run_preset(name);
    for (const KernelChoice& choice : kernel_choices()) {
      if (!seen.insert(choice.shape).second) continue;
      const ProductShape& s = choice.shape;
      const Timing t = time_shape(choice, rounds, random);
      const std::string dims = std::to_string(s.m) + " × " + std::to_string(s.n) + " × " + std::to_string(s.depth);
      std::printf("%-7s %-5s %-16s %-11s %-6s %9.1f %9.1f %7.2f   %.1f, %.1f\n", name.c_str(), to_string(s.product),
                  dims.c_str(), write_name(s), to_string(choice.kernel), gflops(s, t.chosen_median()),
                  gflops(s, t.eigen_median()), t.ratio(), gflops(s, choice.model_seconds),
                  gflops(s, choice.eigen_seconds));
      worst = std::min(worst, t.ratio());
    }
  }
  std::printf("\nratio: the chosen kernel's rate over Eigen's, the median of the rounds' ratios; lowest %.2f\n\n",
              worst);

  // The GEMM peak on one thread: square products, in cache or blocked by Eigen, the best round.
  double peak = 0;
  for (Index size : {256, 512, 1024}) {
    const KernelChoice square{{Product::nn, size, size, size, true, false}, Kernel::model, 0, 0};
    const Timing t = time_shape(square, rounds, random);
    peak = std::max(peak, gflops(square.shape, t.fastest()));
    std::printf("C += A B, %lld³: model %.1f, Eigen %.1f GFLOP/s (medians)\n", static_cast<long long>(size),
                gflops(square.shape, t.chosen_median()), gflops(square.shape, t.eigen_median()));
  }
  std::printf("GEMM peak on one thread (the best round of either kernel at these squares): %.1f GFLOP/s\n", peak);
  getloadavg(load, 3);
  std::printf("load average %.2f when done\n", load[0]);
  return 0;
}
