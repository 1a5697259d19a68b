// attnviz: step through a Transformer's forward and backward pass.
//   attnviz                           the window on the default lesson (walk-through printed first)
//   attnviz screenshot …              one frame of the window written as a PNG
//   attnviz trace …                   forward + backward, written as JSON or printed
//   attnviz lab scalar | depth …      the gradient lab: plain versus residual networks
//   attnviz decode …                  greedy decoding and beam search, step by step
//   attnviz pe …                      the positional encoding explorer's numbers
//   attnviz train …                   trains a lesson's model headless and prints the curves
//   attnviz bench model | frames …    times forward + backward, or the window's frames

#include "app/commands.h"
#include "app/session_options.h"

#include <CLI/CLI.hpp>

#include <chrono>

#include <malloc.h>

namespace attnviz::app {
int run_window(const SessionOptions& options, int exit_after, const std::string& lang);
}

int main(int argc, char** argv) {
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // Matrices of 256 KB and more are mapped on their own and go back to the system when freed;
  // glibc would otherwise raise this threshold after the first such free and keep a closed
  // lesson's gigabytes in its heap.
  mallopt(M_MMAP_THRESHOLD, 256 * 1024);
  CLI::App cli{"attnviz: step through a Transformer's forward and backward pass"};
  cli.require_subcommand(0, 1);

  attnviz::app::SessionOptions window_options;
  attnviz::app::add_session_options(cli, window_options);
  int exit_after = 0;
  cli.add_option("--exit-after", exit_after, "Close the window after this many frames (for scripts)");
  std::string lang;
  cli.add_option("--lang", lang, "Interface language: en or ko (default: as last chosen in View ▸ Language)");
  attnviz::app::add_threads_option(cli);
  attnviz::app::add_trace_command(cli);
  attnviz::app::add_lab_command(cli);
  attnviz::app::add_decode_command(cli);
  attnviz::app::add_pe_command(cli);
  attnviz::app::add_tour_command(cli);
  attnviz::app::add_train_command(cli);
  attnviz::app::add_screenshot_command(cli);
  CLI::App* bench = cli.add_subcommand("bench", "Measure speed")->require_subcommand(1);
  attnviz::app::add_bench_model_command(*bench);
  attnviz::app::add_bench_frames_command(*bench, started);

  CLI11_PARSE(cli, argc, argv);
  if (cli.get_subcommands().empty()) return attnviz::app::run_window(window_options, exit_after, lang);
  return 0;
}
