// attnviz: step through a Transformer's forward and backward pass.
//   attnviz [--lesson FILE]           the window, on the default lesson
//   attnviz trace …                   forward + backward, written as JSON or printed
//   attnviz bench model …             times forward + backward with the full trace

#include "app/commands.h"

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App cli{"attnviz: step through a Transformer's forward and backward pass"};
  cli.require_subcommand(0, 1);

  attnviz::app::add_trace_command(cli);
  attnviz::app::add_lab_command(cli);
  CLI::App* bench = cli.add_subcommand("bench", "Measure speed")->require_subcommand(1);
  attnviz::app::add_bench_model_command(*bench);

  CLI11_PARSE(cli, argc, argv);
  return 0;
}
