#include "model/matmul.h"

#include "model/matmul_kernel.h"
#include "model/parallel.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <optional>

namespace attnviz {

namespace {

using Index = Eigen::Index;
using kernel::Part;
using kernel::Write;

// Products of at least this many FLOPs (40 µs or so) are cut into parts for the threads; below
// it, waking a helper that sleeps (tens of µs) costs about as much as it saves.
constexpr double parallel_flops = 4e6;
// About this much arithmetic per part, so that each thread takes several and one that starts
// late takes fewer.
constexpr double part_flops = 2e6;
constexpr int max_parts = 64;
// Parts begin at multiples of the kernel's strip width (24 or 12 columns) and tile height (8 or 4
// rows).
constexpr Index part_align = 24;
// Eigen's product is chosen only when its fastest run takes less than this share of the model's
// kernel's fastest: a near tie would otherwise flip from one process to the next.
constexpr double eigen_margin = 0.95;

double flops(const ProductShape& s) { return 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * s.depth; }

// C cut along its longer side: its columns for A Bᵀ and A B at the model's shapes (each part
// reads its own rows or columns of the weight matrix), its rows for a square Aᵀ B (each part
// writes its own rows of the weight gradient).  Of n ≥ 3 parts wanted, the last two are cut in
// halves, so that a thread done with its parts waits for less of the other's last one: n + 2
// parts in all.
struct Cut {
  bool along_rows;
  Index length;
  int parts;
  int halves_from;  // the first half part, or `parts`

  Part part(int p) const {
    // Where part q starts, in half parts.
    const auto start = [&](int q) { return q <= halves_from ? 2 * q : halves_from + q; };
    const int total = start(parts);
    const auto edge = [&](int q) { return q == parts ? length : length * start(q) / total / part_align * part_align; };
    return {along_rows, edge(p), edge(p + 1)};
  }
};

Cut cut_of(const ProductShape& s) {
  const bool along_rows = s.m > s.n || (s.m == s.n && s.product == Product::tn);
  const Index length = along_rows ? s.m : s.n;
  if (flops(s) < parallel_flops) return {along_rows, length, 1, 1};
  const double wanted = std::min<double>(max_parts, flops(s) / part_flops);
  const int whole =
      static_cast<int>(std::max<Index>(1, std::min<Index>(static_cast<Index>(wanted), length / part_align)));
  if (whole < 3 || length / part_align < whole + 2) return {along_rows, length, whole, whole};
  return {along_rows, length, whole + 2, whole - 2};
}

Write write_of(const ProductShape& s) {
  if (s.accumulate) return Write::add;
  return s.stream ? Write::stream : Write::assign;
}

template <class Dst, class Expr>
void write(Dst&& C, const Expr& product, bool accumulate) {
  if (accumulate)
    C.noalias() += product;
  else
    C.noalias() = product;
}

// Eigen's product for one part of C.
void eigen_part(Product product, Mat& C, const Mat& A, const Mat& B, bool accumulate, Part part) {
  const Index at = part.begin, size = part.end - part.begin;
  switch (product) {
    case Product::nt:
      if (part.along_rows)
        write(C.middleRows(at, size), A.middleRows(at, size) * B.transpose(), accumulate);
      else
        write(C.middleCols(at, size), A * B.middleRows(at, size).transpose(), accumulate);
      break;
    case Product::nn:
      if (part.along_rows)
        write(C.middleRows(at, size), A.middleRows(at, size) * B, accumulate);
      else
        write(C.middleCols(at, size), A * B.middleCols(at, size), accumulate);
      break;
    case Product::tn:
      if (part.along_rows)
        write(C.middleRows(at, size), A.middleCols(at, size).transpose() * B, accumulate);
      else
        write(C.middleCols(at, size), A.transpose() * B.middleCols(at, size), accumulate);
      break;
  }
}

// One product, C already shaped, ready to be computed part by part (the parts of its shape).
// The model's kernel for A Bᵀ transposes into a buffer of this thread's: one such product at a
// time.
class ProductParts {
 public:
  ProductParts(Kernel kernel, const ProductShape& s, Mat& C, const Mat& A, const Mat& B)
      : s_(s), cut_(cut_of(s)), C_(C), A_(A), B_(B) {
    if (kernel == Kernel::model) model_.emplace(s.product, C, A, B, write_of(s));
  }
  int count() const { return cut_.parts; }
  void compute(int p) const {
    if (model_)
      model_->compute(cut_.part(p));
    else
      eigen_part(s_.product, C_, A_, B_, s_.accumulate, cut_.part(p));
  }

 private:
  ProductShape s_;
  Cut cut_;
  Mat& C_;
  const Mat &A_, &B_;
  std::optional<kernel::ModelProduct> model_;
};

// The product, C already shaped, in the parts of its shape: on the threads, or all on this one.
void compute(Kernel kernel, const ProductShape& s, Mat& C, const Mat& A, const Mat& B, bool threaded) {
  if (flops(s) < parallel_flops) {  // one part (cut_of)
    if (kernel == Kernel::model)
      kernel::ModelProduct(s.product, C, A, B, write_of(s)).compute_all();
    else
      eigen_part(s.product, C, A, B, s.accumulate, Part{false, 0, s.n});
    return;
  }
  const ProductParts parts(kernel, s, C, A, B);
  if (parts.count() > 1 && threaded)
    run_pieces(parts.count(), [&](int p) { parts.compute(p); });
  else
    for (int p = 0; p < parts.count(); ++p) parts.compute(p);
}

// Times both kernels on the product's own operands, into a scratch C, in rounds of one run of
// each back to back (a run repeats the product for at least 20 µs): five rounds, three for a
// product of over 100 µs.  Each kernel's fastest run decides, so that a burst of other work on
// the machine during a run or two does not (it only slows a run down).
KernelChoice measure(const ProductShape& s, const Mat& A, const Mat& B) {
  using clock = std::chrono::steady_clock;
  Mat scratch = Mat::Zero(s.m, s.n);
  const auto seconds = [&](Kernel kernel, long repeats) {
    const auto start = clock::now();
    for (long r = 0; r < repeats; ++r) compute(kernel, s, scratch, A, B, false);
    return std::chrono::duration<double>(clock::now() - start).count() / static_cast<double>(repeats);
  };
  // Untimed but for the repeat count: pages the scratch in, warms the caches.
  const double first = std::min(seconds(Kernel::model, 1), seconds(Kernel::eigen, 1));
  const long repeats = std::clamp(static_cast<long>(20e-6 / std::max(first, 1e-9)), 1L, 100000L);
  const int rounds = first > 100e-6 ? 3 : 5;
  double fastest[2] = {std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
  for (int round = 0; round < rounds; ++round)
    for (int i = 0; i < 2; ++i) {
      const Kernel kernel = (round + i) % 2 == 0 ? Kernel::model : Kernel::eigen;
      double& best = fastest[static_cast<int>(kernel)];
      best = std::min(best, seconds(kernel, repeats));
    }
  const double model = fastest[0], eigen = fastest[1];
  return {s, eigen < eigen_margin * model ? Kernel::eigen : Kernel::model, model, eigen};
}

struct Choices {
  std::mutex mutex;
  std::map<ProductShape, KernelChoice> by_shape;  // by the sums' shape; the choice holds the first use's
};

Choices& choices() {
  static Choices c;
  return c;
}

// What fixes the sums: the product and its sizes, not how C is written.  A product written over
// C and the same product added to zeros must give the same bits (a fresh gradient is the first
// share added to nothing), so both take the kernel chosen for their sums.
ProductShape sums_of(const ProductShape& s) { return {s.product, s.m, s.n, s.depth}; }

// The sums' shape in one word (0 where a size does not fit in 20 bits), for a cache of this
// thread.
std::uint64_t key_of(const ProductShape& s) {
  constexpr Index limit = Index{1} << 20;
  if (s.m >= limit || s.n >= limit || s.depth >= limit) return 0;
  const auto u = [](auto v) { return static_cast<std::uint64_t>(v); };
  return (u(s.product) + 1) << 60 | u(s.m) << 40 | u(s.n) << 20 | u(s.depth);
}

// The choice for the shape from the process's table, measured now if it has none.
[[gnu::noinline]] Kernel chosen(const ProductShape& s, const Mat& A, const Mat& B) {
  Choices& c = choices();
  std::lock_guard lock(c.mutex);
  auto it = c.by_shape.find(sums_of(s));
  if (it == c.by_shape.end()) it = c.by_shape.emplace(sums_of(s), measure(s, A, B)).first;
  return it->second.kernel;
}

// The choices this thread has looked up, by key: open addressing, up to four slots from the
// key's hash (enough for the few dozen shapes of a model; an entry pushed out is looked up
// again).
class RecentChoices {
 public:
  Kernel get(const ProductShape& s, const Mat& A, const Mat& B) {
    const std::uint64_t key = key_of(s);
    if (key == 0) return chosen(s, A, B);
    const std::size_t home = static_cast<std::size_t>((key * 0x9e3779b97f4a7c15u) >> 56);
    for (std::size_t probe = 0; probe < 4; ++probe) {
      const Entry& e = entries_[(home + probe) % entries_.size()];
      if (e.key == key) return e.kernel;
      if (e.key == 0) break;
    }
    const Kernel kernel = chosen(s, A, B);
    std::size_t slot = home;
    for (std::size_t probe = 0; probe < 4; ++probe)
      if (entries_[(home + probe) % entries_.size()].key == 0) {
        slot = (home + probe) % entries_.size();
        break;
      }
    entries_[slot] = {key, kernel};
    return kernel;
  }

 private:
  struct Entry {
    std::uint64_t key = 0;
    Kernel kernel = Kernel::model;
  };
  std::array<Entry, 256> entries_{};
};

Kernel kernel_for(const ProductShape& s, const Mat& A, const Mat& B) {
  thread_local RecentChoices recent;
  return recent.get(s, A, B);
}

std::atomic<int> forced_kernel{-1};  // a Kernel, or −1: none

// The shape of C (=|+=) the product, C shaped for it.
ProductShape shape_of(Product p, Mat& C, const Mat& A, const Mat& B, bool accumulate, bool stream) {
  const bool tn = p == Product::tn, nt = p == Product::nt;
  const ProductShape s{p,          tn ? A.cols() : A.rows(), nt ? B.rows() : B.cols(), tn ? A.rows() : A.cols(),
                       accumulate, stream && !accumulate};
  if (!accumulate) reshape(C, s.m, s.n);
  return s;
}

Kernel kernel_of(const ProductShape& s, const Mat& A, const Mat& B, const Kernel* forced) {
  const int everywhere = forced_kernel.load(std::memory_order_relaxed);
  return forced ? *forced : everywhere >= 0 ? static_cast<Kernel>(everywhere) : kernel_for(s, A, B);
}

void product(Product p, Mat& C, const Mat& A, const Mat& B, bool accumulate, bool stream, const Kernel* forced) {
  const ProductShape s = shape_of(p, C, A, B, accumulate, stream);
  if (s.m == 0 || s.n == 0) return;
  compute(kernel_of(s, A, B, forced), s, C, A, B, true);
}

}  // namespace

void matmul_nt(Mat& C, const Mat& A, const Mat& B, bool accumulate) {
  product(Product::nt, C, A, B, accumulate, false, nullptr);
}
void matmul_nn(Mat& C, const Mat& A, const Mat& B, bool accumulate) {
  product(Product::nn, C, A, B, accumulate, false, nullptr);
}
void matmul_tn(Mat& C, const Mat& A, const Mat& B, bool accumulate, bool stream) {
  product(Product::tn, C, A, B, accumulate, stream, nullptr);
}

namespace {

// The two products of matmul_nn_and_tn, as one job's pieces: the first's parts, then the
// second's.
struct TwoProducts {
  std::optional<ProductParts> first, second;
  void operator()(int p) const { p < first->count() ? first->compute(p) : second->compute(p - first->count()); }
};

// The products of this thread's matmul_nn_then_tn, kept while parts of the second may still run.
TwoProducts& trailing_products() {
  thread_local TwoProducts products;
  return products;
}

void nn_and_tn(Mat& C1, const Mat& A1, const Mat& B1, bool accumulate1, Mat& C2, const Mat& A2, const Mat& B2,
               bool accumulate2, bool stream2, bool leave_trailing) {
  if (leave_trailing) finish_trailing_pieces();  // the parts of the last such pair may still run
  const ProductShape s1 = shape_of(Product::nn, C1, A1, B1, accumulate1, false);
  const ProductShape s2 = shape_of(Product::tn, C2, A2, B2, accumulate2, stream2);
  if (cut_of(s1).parts == 1 || cut_of(s2).parts == 1 || s1.m == 0 || s1.n == 0 || s2.m == 0 || s2.n == 0) {
    product(Product::nn, C1, A1, B1, accumulate1, false, nullptr);
    product(Product::tn, C2, A2, B2, accumulate2, stream2, nullptr);
    return;
  }
  TwoProducts here;
  TwoProducts& job = leave_trailing ? trailing_products() : here;
  job.first.emplace(kernel_of(s1, A1, B1, nullptr), s1, C1, A1, B1);
  job.second.emplace(kernel_of(s2, A2, B2, nullptr), s2, C2, A2, B2);
  const int count = job.first->count() + job.second->count();
  if (leave_trailing)
    run_pieces_leaving_trailing(count, job.first->count(), job);
  else
    run_pieces(count, job);
}

}  // namespace

void matmul_nn_and_tn(Mat& C1, const Mat& A1, const Mat& B1, bool accumulate1, Mat& C2, const Mat& A2, const Mat& B2,
                      bool accumulate2, bool stream2) {
  nn_and_tn(C1, A1, B1, accumulate1, C2, A2, B2, accumulate2, stream2, false);
}

void matmul_nn_then_tn(Mat& C1, const Mat& A1, const Mat& B1, bool accumulate1, Mat& C2, const Mat& A2, const Mat& B2,
                       bool accumulate2, bool stream2) {
  nn_and_tn(C1, A1, B1, accumulate1, C2, A2, B2, accumulate2, stream2, true);
}

void matmul_with(Kernel kernel, Product p, Mat& C, const Mat& A, const Mat& B, bool accumulate, bool stream) {
  product(p, C, A, B, accumulate, stream, &kernel);
}

void force_kernel(std::optional<Kernel> kernel) { forced_kernel = kernel ? static_cast<int>(*kernel) : -1; }

const char* to_string(Product p) {
  switch (p) {
    case Product::nt: return "A Bᵀ";
    case Product::nn: return "A B";
    case Product::tn: return "Aᵀ B";
  }
  return "?";
}

const char* to_string(Kernel k) { return k == Kernel::model ? "model" : "Eigen"; }

std::vector<KernelChoice> kernel_choices() {
  Choices& c = choices();
  std::lock_guard lock(c.mutex);
  std::vector<KernelChoice> out;
  for (const auto& [shape, choice] : c.by_shape) out.push_back(choice);
  return out;
}

int product_parts(const ProductShape& shape) { return cut_of(shape).parts; }

}  // namespace attnviz
