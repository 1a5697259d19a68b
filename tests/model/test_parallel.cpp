// run_pieces: every piece runs once, on the helpers too; an exception reaches the caller; a call
// from inside a piece, or from a second thread while a job runs, still runs every piece.

#include "model/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

namespace attnviz::testing {
namespace {

// Sets the thread count for one test and puts the default back after it.
class Threads : public ::testing::Test {
 protected:
  void TearDown() override { set_threads(available_cores()); }
};

TEST_F(Threads, EveryPieceRunsOnce) {
  for (int threads : {1, 2, 3}) {
    set_threads(threads);
    EXPECT_EQ(attnviz::threads(), threads);
    for (int count : {0, 1, 2, 7, 64, 1000}) {
      std::vector<std::atomic<int>> runs(static_cast<std::size_t>(count));
      run_pieces(count, [&](int i) { runs[static_cast<std::size_t>(i)].fetch_add(1); });
      for (int i = 0; i < count; ++i)
        EXPECT_EQ(runs[static_cast<std::size_t>(i)].load(), 1) << count << " pieces, " << threads;
    }
  }
}

TEST_F(Threads, HelpersTakePieces) {
  // Piece 0 waits until piece 1 has started: only a second thread can start it.
  set_threads(2);
  const long before = parallel_jobs();
  std::atomic<bool> second_started{false}, first_saw_it{false};
  run_pieces(2, [&](int i) {
    if (i == 1) {
      second_started = true;
      return;
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!second_started && std::chrono::steady_clock::now() < until) std::this_thread::yield();
    first_saw_it = second_started.load();
  });
  EXPECT_TRUE(first_saw_it);
  EXPECT_EQ(parallel_jobs(), before + 1);
}

TEST_F(Threads, OneThreadRunsEverythingOnTheCaller) {
  set_threads(1);
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> elsewhere{0};
  run_pieces(16, [&](int) { elsewhere += std::this_thread::get_id() != caller; });
  EXPECT_EQ(elsewhere.load(), 0);
}

TEST_F(Threads, AnExceptionReachesTheCaller) {
  set_threads(2);
  std::atomic<int> runs{0};
  EXPECT_THROW(run_pieces(8,
                          [&](int i) {
                            ++runs;
                            if (i == 5) throw std::runtime_error("piece 5");
                          }),
               std::runtime_error);
  EXPECT_EQ(runs.load(), 8);  // the other pieces still ran
  // The pool is usable after it.
  std::atomic<int> again{0};
  run_pieces(8, [&](int) { ++again; });
  EXPECT_EQ(again.load(), 8);
}

TEST_F(Threads, NestedAndConcurrentCallsRunEveryPiece) {
  set_threads(2);
  std::atomic<long> total{0};
  const auto job = [&] {
    for (int n = 0; n < 300; ++n) run_pieces(4, [&](int) { run_pieces(3, [&](int) { ++total; }); });
  };
  std::thread other(job);
  job();
  other.join();
  EXPECT_EQ(total.load(), 2L * 300 * 4 * 3);
}

}  // namespace
}  // namespace attnviz::testing
