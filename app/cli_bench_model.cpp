// attnviz bench model [--preset NAME] [--threads N] [--versus-threads M] [--json]: forward + backward
// with the full trace, timed.

#include "app/commands.h"
#include "app/session_options.h"

#include "model/flops.h"
#include "model/parallel.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <memory>
#include <sys/resource.h>

namespace attnviz::app {

namespace {

struct BenchOptions {
  SessionOptions session;
  double seconds = 2.0;
  int versus_threads = 0;  // 0: none
  bool json = false;
};

double peak_memory_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// The times of one thread count, in µs, sorted; and the same runs in steps of the reference
// loop (reference_step_ns), sorted.
struct Times {
  int threads = 0;
  std::vector<double> us;
  std::vector<double> steps;
  double median() const { return us[us.size() / 2]; }
  double best() const { return us.front(); }
  double median_steps() const { return steps[steps.size() / 2]; }
};

// The time of one step of a chain of dependent integer adds (one CPU cycle each on x86-64), in
// ns: what the CPU's clock gives now.  A run's time in these steps leaves out the clock's
// changes (a shared machine's speed moves with the host's load), though not other work's hold
// on the caches and memory.
double reference_step_ns() {
  constexpr int adds = 4096;
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t x = 0;
  for (int i = 0; i < adds; ++i) {
    x += static_cast<std::uint64_t>(i);
    asm volatile("" : "+r"(x));  // each add waits for the last
  }
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count() / adds;
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Runs forward + backward for `seconds` (3 runs at least); with `versus`, runs alternate
// between the two thread counts, so that both see the same moments of a shared machine, and
// `ratios` holds each pair's versus time over the other.
std::vector<Times> measure(Transformer& model, const Example& example, Trace& trace, double seconds, int versus,
                           std::vector<double>& ratios) {
  using clock = std::chrono::steady_clock;
  std::vector<Times> times{{threads(), {}, {}}};
  if (versus > 0) times.push_back({versus, {}, {}});
  const auto start = clock::now();
  while (times[0].us.size() < 3 ||
         (std::chrono::duration<double>(clock::now() - start).count() < seconds && times[0].us.size() < 100000)) {
    for (Times& t : times) {
      if (versus > 0) {
        set_threads(t.threads);
        run_pieces(t.threads, [](int) {});  // starts the helpers before the clock does
      }
      const double step_before = reference_step_ns();
      const auto t0 = clock::now();
      run_forward(model, example, trace);
      run_backward(trace);
      const double us = std::chrono::duration<double, std::micro>(clock::now() - t0).count();
      t.us.push_back(us);
      t.steps.push_back(us * 1e3 / std::min(step_before, reference_step_ns()));
    }
    if (versus > 0) ratios.push_back(times[1].us.back() / times[0].us.back());
  }
  if (versus > 0) set_threads(times[0].threads);
  for (Times& t : times) {
    std::sort(t.us.begin(), t.us.end());
    std::sort(t.steps.begin(), t.steps.end());
  }
  return times;
}

void bench(const BenchOptions& o) {
  Session session = make_session(o.session);
  Transformer& model = session.model();
  const Example example = session.example();
  Trace trace;
  run_forward(model, example, trace);  // warm-up: allocates the trace once
  run_backward(trace);
  std::vector<double> ratios;
  const std::vector<Times> times = measure(model, example, trace, o.seconds, o.versus_threads, ratios);
  const Times& main = times[0];
  const double flops = static_cast<double>(count_flops(trace));
  const double gflops = flops / (main.median() * 1e-6) / 1e9;
  if (o.json) {
    nlohmann::json j = {{"preset", session.preset().name},
                        {"runs", main.us.size()},
                        {"median_us", main.median()},
                        {"min_us", main.best()},
                        {"median_reference_steps", main.median_steps()},
                        {"flops", flops},
                        {"gflop_per_s", gflops},
                        {"steps", trace.step_count()},
                        {"parameters", model.params().scalar_count()},
                        {"threads", main.threads},
                        {"peak_memory_mb", peak_memory_mb()}};
    if (o.versus_threads > 0)
      j["versus"] = {{"threads", times[1].threads},
                     {"median_us", times[1].median()},
                     {"min_us", times[1].best()},
                     {"median_reference_steps", times[1].median_steps()},
                     {"median_ratio_of_pairs", median_of(ratios)}};
    std::cout << j.dump(2) << "\n";
    return;
  }
  const auto thread_word = [](int n) { return n == 1 ? " thread" : " threads"; };
  std::cout << session.preset().name << ": forward + backward with the full trace (" << trace.step_count() << " steps, "
            << model.params().scalar_count() << " parameters, " << main.threads << thread_word(main.threads) << ")\n"
            << "  median " << main.median() << " µs, min " << main.best() << " µs over " << main.us.size() << " runs\n"
            << "  median " << main.median_steps() / 1e3
            << " thousand steps of a chain of dependent adds, timed before and after each run\n"
            << "  " << flops / 1e6 << " MFLOP counted, " << gflops << " GFLOP/s\n"
            << "  peak memory " << peak_memory_mb() << " MB\n";
  if (o.versus_threads > 0)
    std::cout << "  versus " << times[1].threads << thread_word(times[1].threads) << ", in turn: median "
              << times[1].median() << " µs, min " << times[1].best() << " µs; each pair's time there over here, median "
              << median_of(ratios) << "\n";
}

}  // namespace

void add_bench_model_command(CLI::App& bench_group) {
  auto options = std::make_shared<BenchOptions>();
  CLI::App* cmd = bench_group.add_subcommand("model", "Time forward + backward with the full trace");
  add_session_options(*cmd, options->session);
  add_threads_option(*cmd);
  cmd->add_option("--seconds", options->seconds, "How long to keep measuring")->capture_default_str();
  cmd->add_option("--versus-threads", options->versus_threads,
                  "Alternate each run with one on this many threads, and compare the pairs")
      ->check(CLI::Range(1, 64));
  cmd->add_flag("--json", options->json, "Print the figures as JSON");
  cmd->callback([options] { run_command([&] { bench(*options); }); });
}

}  // namespace attnviz::app
