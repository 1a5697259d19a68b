// Forward + backward with the full trace, one thread, double precision, for each preset.

#include "model/flops.h"
#include "model/presets.h"

#include <benchmark/benchmark.h>

namespace {

void forward_backward(benchmark::State& state, const char* preset_name) {
  using namespace attnviz;
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

BENCHMARK_CAPTURE(forward_backward, lesson, "lesson")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(forward_backward, small, "small")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(forward_backward, base, "base")->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
