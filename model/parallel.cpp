#include "model/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include <sched.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace attnviz {

namespace {

void relax() {
#if defined(__x86_64__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

// How long a helper keeps looking for the next job before it sleeps: the gap between two large
// products of one forward or backward is shorter.
constexpr std::chrono::microseconds helper_spin{200};

thread_local bool in_piece = false;
// This thread posted the current job and left pieces of it trailing (it holds Pool::busy_).
thread_local bool trailing_here = false;

// A job's state in one word, so that a piece is claimed only from the job it was posted for:
// generation (32 bits) | next piece (16) | pieces (16).
constexpr std::uint64_t pack(std::uint32_t generation, int next, int count) {
  return std::uint64_t{generation} << 32 | static_cast<std::uint64_t>(next) << 16 | static_cast<std::uint64_t>(count);
}
constexpr std::uint32_t generation_of(std::uint64_t w) { return static_cast<std::uint32_t>(w >> 32); }
constexpr int next_of(std::uint64_t w) { return static_cast<int>(w >> 16 & 0xffff); }
constexpr int count_of(std::uint64_t w) { return static_cast<int>(w & 0xffff); }
constexpr int max_pieces = 0xffff;

class Pool {
 public:
  ~Pool() { stop_helpers(); }

  int threads() const { return threads_.load(std::memory_order_relaxed); }

  void set_threads(int count) {
    count = std::clamp(count, 1, 64);
    finish_trailing();
    std::lock_guard lock(busy_);
    if (count == threads()) return;
    stop_helpers();
    threads_.store(count, std::memory_order_relaxed);
  }

  void run(int count, PieceFunction piece, bool wake_helpers, int needed) {
    if (in_piece) {  // a piece's own job, even one of the trailing pieces this thread finishes
      run_inline(count, piece);
      return;
    }
    if (trailing_here) {
      if (!wake_helpers && remaining_.load(std::memory_order_acquire) != 0) {
        run_inline(count, piece);  // the helpers are busy with the trailing pieces
        return;
      }
      finish_trailing();
    }
    std::unique_lock lock(busy_, std::defer_lock);
    const bool helpers_asleep = awake_.load(std::memory_order_relaxed) == 0;  // or not started
    if (count <= 1 || count > max_pieces || (!wake_helpers && helpers_asleep) || !lock.try_lock() || threads() <= 1) {
      lock = {};
      run_inline(count, piece);
      return;
    }
    start_helpers();
    piece_.emplace(piece);
    error_ = nullptr;
    needed_ = std::clamp(needed, 1, count);
    helped_.store(false, std::memory_order_relaxed);
    remaining_.store(count, std::memory_order_relaxed);
    needed_remaining_.store(needed_, std::memory_order_relaxed);
    const std::uint32_t generation = posted_.load(std::memory_order_relaxed) + 1;
    claim_.store(pack(generation, 0, count), std::memory_order_release);
    posted_.store(generation, std::memory_order_release);
    posted_.notify_all();
    work(generation, false, needed_);
    wait_for_zero(needed_remaining_);
    lock.release();  // busy_ stays held until finish_trailing()
    trailing_here = true;
    // A whole job is finished here: the last piece may have returned but not yet be counted
    // in remaining_, and a thread that ended with its job trailing would hold busy_ for ever.
    if (needed_ == count || remaining_.load(std::memory_order_acquire) == 0 || failed()) finish_trailing();
  }

  // The trailing pieces of this thread's job, computed with the helpers; waits for the last.
  // From inside one of them, nothing: the call that runs it finishes them.
  void finish_trailing() {
    if (!trailing_here || in_piece) return;
    work(posted_.load(std::memory_order_relaxed), false, max_pieces);
    wait_for_zero(remaining_);
    trailing_here = false;
    if (helped_.load(std::memory_order_relaxed)) jobs_.fetch_add(1, std::memory_order_relaxed);
    std::exception_ptr error = std::exchange(error_, nullptr);
    busy_.unlock();
    if (error) std::rethrow_exception(error);
  }

  long jobs() const { return jobs_.load(std::memory_order_relaxed); }

 private:
  // Every piece on this thread, each even after one has thrown, as when they are spread.
  static void run_inline(int count, PieceFunction piece) {
    std::exception_ptr error;
    for (int i = 0; i < count; ++i) {
      try {
        piece(i);
      } catch (...) {
        if (!error) error = std::current_exception();
      }
    }
    if (error) std::rethrow_exception(error);
  }

  // Claims and computes pieces of job `generation` below `limit` until none is left.
  void work(std::uint32_t generation, bool helper, int limit) {
    for (;;) {
      std::uint64_t w = claim_.load(std::memory_order_acquire);
      do {
        if (generation_of(w) != generation || next_of(w) >= std::min(count_of(w), limit)) return;
      } while (!claim_.compare_exchange_weak(w, w + (1u << 16), std::memory_order_acq_rel, std::memory_order_acquire));
      // The piece is ours, so the job is still running: piece_ stays valid until it is done.
      const int index = next_of(w);
      if (helper) helped_.store(true, std::memory_order_relaxed);
      in_piece = true;
      try {
        (*piece_)(index);
      } catch (...) {
        std::lock_guard lock(error_mutex_);
        if (!error_) error_ = std::current_exception();
      }
      in_piece = false;
      if (index < needed_) needed_remaining_.fetch_sub(1, std::memory_order_release);
      remaining_.fetch_sub(1, std::memory_order_release);
    }
  }

  // Waits until `count` (of pieces not yet done) is 0.
  static void wait_for_zero(const std::atomic<int>& count) {
    for (int spins = 0; count.load(std::memory_order_acquire) != 0; ++spins) {
      if (spins < 4096)
        relax();
      else
        std::this_thread::yield();  // a helper was descheduled in the middle of a piece
    }
  }

  // A piece of the running job has thrown.
  bool failed() {
    std::lock_guard lock(error_mutex_);
    return error_ != nullptr;
  }

  void helper_loop(std::uint32_t seen) {
    for (;;) {
      const auto until = std::chrono::steady_clock::now() + helper_spin;
      std::uint32_t posted = posted_.load(std::memory_order_acquire);
      for (int spins = 1; posted == seen; ++spins) {
        if (spins % 256 == 0 && std::chrono::steady_clock::now() > until) {
          awake_.fetch_sub(1, std::memory_order_relaxed);
          posted_.wait(seen, std::memory_order_acquire);
          awake_.fetch_add(1, std::memory_order_relaxed);
        } else {
          relax();
        }
        posted = posted_.load(std::memory_order_acquire);
      }
      seen = posted;
      if (stop_.load(std::memory_order_acquire)) return;
      work(posted, true, max_pieces);
    }
  }

  void start_helpers() {
    if (!helpers_.empty()) return;
    const std::uint32_t seen = posted_.load(std::memory_order_relaxed);
    awake_.store(threads() - 1, std::memory_order_relaxed);
    for (int i = 1; i < threads(); ++i) helpers_.emplace_back([this, seen] { helper_loop(seen); });
  }

  void stop_helpers() {
    if (helpers_.empty()) return;
    stop_.store(true, std::memory_order_release);
    posted_.fetch_add(1, std::memory_order_release);
    posted_.notify_all();
    for (std::thread& t : helpers_) t.join();
    helpers_.clear();
    awake_.store(0, std::memory_order_relaxed);
    stop_.store(false, std::memory_order_relaxed);
  }

  std::mutex busy_;  // held by the thread whose job the helpers serve
  std::atomic<int> threads_{available_cores()};
  std::vector<std::thread> helpers_;
  std::atomic<std::uint32_t> posted_{0};  // the last job's generation; helpers wait on it
  std::atomic<std::uint64_t> claim_{0};
  std::atomic<int> remaining_{0};         // pieces of the current job not yet done
  std::atomic<int> needed_remaining_{0};  // of them, pieces below needed_
  int needed_ = 0;                        // the pieces the poster waits for before it returns
  std::atomic<int> awake_{0};             // helpers not asleep in posted_.wait
  std::atomic<bool> stop_{false}, helped_{false};
  std::atomic<long> jobs_{0};
  std::optional<PieceFunction> piece_;
  std::mutex error_mutex_;
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

int available_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

int threads() { return pool().threads(); }
void set_threads(int count) { pool().set_threads(count); }
void run_pieces(int count, PieceFunction piece, bool wake_helpers) { pool().run(count, piece, wake_helpers, count); }
void run_pieces_leaving_trailing(int count, int needed, PieceFunction piece) { pool().run(count, piece, true, needed); }
void finish_trailing_pieces() { pool().finish_trailing(); }
long parallel_jobs() { return pool().jobs(); }

}  // namespace attnviz
