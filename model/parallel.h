#pragma once
// The threads a large matrix product is split over: the calling thread and threads() − 1
// helpers, which wait for work and spin briefly after each job (products come back to back).
//
// Work is cut into pieces by the caller, from the sizes alone, and each piece is computed as a
// whole by one thread: which thread takes which piece changes nothing in the result, so a run
// on N threads gives the same bits as on one.

#include <type_traits>

namespace attnviz {

// A callable taking a piece index, by reference (it must outlive the call that gets it).
class PieceFunction {
 public:
  template <class F, class = std::enable_if_t<!std::is_same_v<std::decay_t<F>, PieceFunction>>>
  PieceFunction(F&& f)
      : object_(const_cast<void*>(static_cast<const void*>(&f))),
        call_([](void* o, int i) { (*static_cast<std::remove_reference_t<F>*>(o))(i); }) {}
  void operator()(int i) const { call_(object_, i); }

 private:
  void* object_;
  void (*call_)(void*, int);
};

// The CPUs this process may run on (its affinity mask), at least 1.
int available_cores();

// The threads products use (1: only the caller's).  The default is available_cores().
int threads();
// Sets it (clamped to [1, 64]); waits for a running job to end.
void set_threads(int count);

// Calls piece(i) once for every i in [0, count) and returns when all have returned.  The caller
// takes pieces too.  While another thread's pieces run (or from inside a piece), every piece
// runs on the calling thread.  Every piece runs even when one throws; the first exception is
// then rethrown here.  Without `wake_helpers` (work of a few µs, less than waking a thread
// costs), the pieces run on the calling thread when every helper sleeps.
void run_pieces(int count, PieceFunction piece, bool wake_helpers = true);

// run_pieces, returning once pieces [0, needed) have returned: the others may still be running
// on the helpers ("trailing") until this thread finishes them, in finish_trailing_pieces() or
// before its next job that wakes helpers.  Until then the callable `piece` refers to and what
// its pieces read and write must stay as they are, and this thread's jobs that do not wake
// helpers run on it alone.  An exception of a trailing piece is rethrown where they finish.
void run_pieces_leaving_trailing(int count, int needed, PieceFunction piece);

// Computes (with the helpers) the pieces this thread left trailing and waits for them; rethrows
// the first exception of their job.  Does nothing when none is left.
void finish_trailing_pieces();

// Jobs that ran on more than one thread since the process started (for tests).
long parallel_jobs();

}  // namespace attnviz
