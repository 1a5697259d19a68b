// attnviz: step through a Transformer's forward and backward pass.
//   attnviz                           the default lesson, step by step (the walk-through)
//   attnviz trace …                   forward + backward, written as JSON or printed
//   attnviz lab scalar | depth …      the gradient lab: plain versus residual networks
//   attnviz decode …                  greedy decoding and beam search, step by step
//   attnviz pe …                      the positional encoding explorer's numbers
//   attnviz train …                   trains a lesson's model headless and prints the curves
//   attnviz bench model …             times forward + backward with the full trace

#include "app/commands.h"
#include "app/session_options.h"
#include "app/trace_print.h"
#include "model/session.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
  CLI::App cli{"attnviz: step through a Transformer's forward and backward pass"};
  cli.require_subcommand(0, 1);

  attnviz::app::add_trace_command(cli);
  attnviz::app::add_lab_command(cli);
  attnviz::app::add_decode_command(cli);
  attnviz::app::add_pe_command(cli);
  attnviz::app::add_train_command(cli);
  CLI::App* bench = cli.add_subcommand("bench", "Measure speed")->require_subcommand(1);
  attnviz::app::add_bench_model_command(*bench);

  attnviz::app::SessionOptions walkthrough;
  attnviz::app::add_session_options(cli, walkthrough);

  CLI11_PARSE(cli, argc, argv);
  if (cli.get_subcommands().empty()) {
    try {
      attnviz::app::run_command([&] {
        if (walkthrough.preset.empty()) {
          const attnviz::Lesson lesson = attnviz::app::load_lesson(walkthrough.lesson);
          if (!lesson.attention.empty()) {
            attnviz::app::print_fixed_attention(std::cout, lesson.title, lesson.attention);
            return;
          }
        }
        const attnviz::Session session = attnviz::app::make_session(walkthrough);
        attnviz::app::print_walkthrough(std::cout, session);
      });
    } catch (const CLI::RuntimeError& e) {
      return e.get_exit_code();
    }
  }
  return 0;
}
