// Forward + backward with the full trace, double precision, for each preset on one thread, and
// base on two.

#include "model/flops.h"
#include "model/parallel.h"
#include "model/presets.h"

#include <benchmark/benchmark.h>

namespace {

void forward_backward(benchmark::State& state, const char* preset_name, int threads) {
  using namespace attnviz;
  set_threads(threads);
  const Preset p = make_preset(preset_name);
  Transformer model(p.config, 0);
  const Example ex = make_example(p.config, p.src_vocab, p.tgt_vocab, p.src_text, p.tgt_text);
  Trace trace;
  run_forward(model, ex, trace);  // warm-up, untimed: the first run allocates the trace
  run_backward(trace);
  for (auto _ : state) {
    benchmark::DoNotOptimize(run_forward(model, ex, trace));
    run_backward(trace);
  }
  const double flops = static_cast<double>(count_flops(trace));
  state.counters["FLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["steps"] = trace.step_count();
}

BENCHMARK_CAPTURE(forward_backward, lesson, "lesson", 1)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(forward_backward, small, "small", 1)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(forward_backward, base, "base", 1)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK_CAPTURE(forward_backward, base_2_threads, "base", 2)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
