// attnviz bench model [--preset NAME] [--threads N] [--json]: forward + backward with the full trace,
// timed.

#include "app/commands.h"
#include "app/session_options.h"

#include "model/flops.h"
#include "model/parallel.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <sys/resource.h>

namespace attnviz::app {

namespace {

struct BenchOptions {
  SessionOptions session;
  double seconds = 2.0;
  bool json = false;
};

double peak_memory_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

void bench(const BenchOptions& o) {
  Session session = make_session(o.session);
  Transformer& model = session.model();
  const Example example = session.example();
  Trace trace;
  using clock = std::chrono::steady_clock;
  run_forward(model, example, trace);  // warm-up: allocates the trace once
  run_backward(trace);
  std::vector<double> times;
  const auto start = clock::now();
  while (times.size() < 3 ||
         (std::chrono::duration<double>(clock::now() - start).count() < o.seconds && times.size() < 100000)) {
    const auto t0 = clock::now();
    run_forward(model, example, trace);
    run_backward(trace);
    times.push_back(std::chrono::duration<double, std::micro>(clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2], best = times.front();
  const double flops = static_cast<double>(count_flops(trace));
  const double gflops = flops / (median * 1e-6) / 1e9;
  if (o.json) {
    nlohmann::json j = {{"preset", session.preset().name},
                        {"runs", times.size()},
                        {"median_us", median},
                        {"min_us", best},
                        {"flops", flops},
                        {"gflop_per_s", gflops},
                        {"steps", trace.step_count()},
                        {"parameters", model.params().scalar_count()},
                        {"threads", threads()},
                        {"peak_memory_mb", peak_memory_mb()}};
    std::cout << j.dump(2) << "\n";
    return;
  }
  std::cout << session.preset().name << ": forward + backward with the full trace (" << trace.step_count() << " steps, "
            << model.params().scalar_count() << " parameters, " << threads()
            << (threads() == 1 ? " thread" : " threads") << ")\n"
            << "  median " << median << " µs, min " << best << " µs over " << times.size() << " runs\n"
            << "  " << flops / 1e6 << " MFLOP counted, " << gflops << " GFLOP/s\n"
            << "  peak memory " << peak_memory_mb() << " MB\n";
}

}  // namespace

void add_bench_model_command(CLI::App& bench_group) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* cmd = bench_group.add_subcommand("model", "Time forward + backward with the full trace");
  add_session_options(*cmd, options->session);
  add_threads_option(*cmd);
  cmd->add_option("--seconds", options->seconds, "How long to keep measuring")->capture_default_str();
  cmd->add_flag("--json", options->json, "Print the figures as JSON");
  cmd->callback([options] { run_command([&] { bench(*options); }); });
}

}  // namespace attnviz::app
