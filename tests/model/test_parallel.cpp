// run_pieces: every piece runs once, on the helpers too; an exception reaches the caller; a call
// from inside a piece, or from a second thread while a job runs, still runs every piece.
// run_pieces_leaving_trailing: returns with the needed pieces done, and the trailing ones are
// done once finish_trailing_pieces() (or the next job that wakes helpers) returns.

#include "model/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
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

// A job of 8 pieces runs each once.
void expect_every_piece_runs() {
  std::atomic<int> runs{0};
  run_pieces(8, [&](int) { ++runs; });
  EXPECT_EQ(runs.load(), 8);
}

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
  expect_every_piece_runs();  // the pool is usable after it
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

// Waits (up to 20 s) until `flag` is set; whether it was.
bool wait_for(const std::atomic<bool>& flag) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!flag && std::chrono::steady_clock::now() < until) std::this_thread::yield();
  return flag;
}

// A thread that ran whole jobs and ended leaves the pool free: run_pieces left nothing of its
// job trailing, not even when the helper's last piece had returned but was not yet counted
// done.  (It had, and the thread ended holding the pool: set_threads then waited for ever.)
TEST_F(Threads, AThreadThatRanJobsLeavesThePoolFree) {
  set_threads(2);
  for (int round = 0; round < 2000; ++round) {
    // Piece 1, on the helper once it is awake, ends a little after piece 0, on the poster.
    std::thread poster([] {
      for (int n = 0; n < 20; ++n)
        run_pieces(2, [](int i) {
          const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(i == 1 ? 5 : 2);
          while (std::chrono::steady_clock::now() < until) {}
        });
    });
    poster.join();
    // Shared, so that a setter left waiting past the test still has its flag.
    const auto set = std::make_shared<std::atomic<bool>>(false);
    std::thread setter([set] {
      set_threads(2);
      *set = true;
    });
    if (!wait_for(*set)) {
      setter.detach();
      FAIL() << "set_threads did not return after round " << round;
    }
    setter.join();
  }
}

TEST_F(Threads, TrailingPiecesRunAfterTheCallReturns) {
  // Piece 2 (trailing) waits until the caller has returned: it can finish only after the return.
  set_threads(2);
  std::atomic<bool> returned{false}, trailing_saw_return{false};
  std::vector<std::atomic<int>> runs(3);
  const auto piece = [&](int i) {
    runs[static_cast<std::size_t>(i)].fetch_add(1);
    if (i == 2) trailing_saw_return = wait_for(returned);
  };
  run_pieces_leaving_trailing(3, 2, piece);
  EXPECT_EQ(runs[0].load(), 1);
  EXPECT_EQ(runs[1].load(), 1);
  returned = true;
  finish_trailing_pieces();
  EXPECT_EQ(runs[2].load(), 1);
  EXPECT_TRUE(trailing_saw_return);
  finish_trailing_pieces();  // nothing left: returns at once
}

TEST_F(Threads, AJobWithoutHelpersRunsOnTheCallerWhileAPieceTrails) {
  set_threads(2);
  std::atomic<bool> release{false}, trailing_started{false};
  const auto held = [&](int i) {  // outlives the trailing piece, as it must
    if (i != 1) return;
    trailing_started = true;
    wait_for(release);
  };
  run_pieces_leaving_trailing(2, 1, held);
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> here{0};
  ASSERT_TRUE(wait_for(trailing_started));  // on the helper: the caller takes no trailing piece
  run_pieces(
      8, [&](int) { here += std::this_thread::get_id() == caller; }, /*wake_helpers=*/false);
  EXPECT_EQ(here.load(), 8);  // the helper is held by the trailing piece
  release = true;
  finish_trailing_pieces();
  // A job that wakes helpers finishes the trailing pieces first, then runs every piece.
  std::atomic<int> runs{0};
  const auto count = [&](int) { ++runs; };
  run_pieces_leaving_trailing(4, 2, count);
  run_pieces(5, count);
  EXPECT_EQ(runs.load(), 9);
}

TEST_F(Threads, ATrailingPiecesExceptionReachesTheCallerWhereTheyFinish) {
  set_threads(2);
  std::atomic<int> runs{0};
  std::atomic<bool> release{false};
  const auto last_throws = [&](int i) {
    ++runs;
    if (i == 5) {
      wait_for(release);  // still trailing when the call returns
      throw std::runtime_error("piece 5");
    }
  };
  run_pieces_leaving_trailing(6, 3, last_throws);
  release = true;
  EXPECT_THROW(finish_trailing_pieces(), std::runtime_error);
  EXPECT_EQ(runs.load(), 6);
  // A needed piece's exception is thrown by the call itself, once the trailing ones are done too.
  runs = 0;
  EXPECT_THROW(run_pieces_leaving_trailing(6, 3,
                                           [&](int i) {
                                             ++runs;
                                             if (i == 0) throw std::runtime_error("piece 0");
                                           }),
               std::runtime_error);
  EXPECT_EQ(runs.load(), 6);
  expect_every_piece_runs();
}

TEST_F(Threads, TrailingPiecesMayRunJobsOfTheirOwn) {
  // The caller finishes most trailing pieces itself, from inside which it posts again.
  set_threads(2);
  std::atomic<long> inner{0};
  const auto nested = [&](int) {
    run_pieces(3, [&](int) { ++inner; });
    finish_trailing_pieces();
  };
  for (int n = 0; n < 50; ++n) {
    run_pieces_leaving_trailing(64, 1, nested);
    finish_trailing_pieces();
  }
  EXPECT_EQ(inner.load(), 50L * 64 * 3);
}

TEST_F(Threads, SetThreadsFinishesTheTrailingPieces) {
  set_threads(2);
  std::atomic<int> runs{0};
  const auto count = [&](int) { ++runs; };
  run_pieces_leaving_trailing(10, 1, count);
  set_threads(1);
  EXPECT_EQ(runs.load(), 10);
  run_pieces_leaving_trailing(10, 1, count);  // one thread: all on the caller
  EXPECT_EQ(runs.load(), 20);
}

}  // namespace
}  // namespace attnviz::testing
