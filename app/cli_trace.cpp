// attnviz trace --out FILE.json | --print  [session options]

#include "app/commands.h"
#include "app/session_options.h"
#include "app/trace_json.h"
#include "app/trace_print.h"

#include "model/io/files.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace attnviz::app {

namespace {
struct TraceOptions {
  SessionOptions session;
  std::string out;
  bool print = false;
};
}  // namespace

void add_trace_command(CLI::App& cli) {
  auto options = std::make_shared<TraceOptions>();
  CLI::App* cmd = cli.add_subcommand("trace", "Run forward + backward and write the whole trace");
  add_session_options(*cmd, options->session);
  cmd->add_option("--out", options->out, "Write the trace as JSON to this file");
  cmd->add_flag("--print", options->print, "Print the step list with shapes and a few values");
  cmd->callback([options] {
    if (options->out.empty() && !options->print) {
      std::cerr << "attnviz trace: give --out FILE.json, --print, or both\n";
      throw CLI::RuntimeError(2);
    }
    run_command([&] {
      if (!options->out.empty()) io::check_output_path(options->out);
      if (options->print && options->session.preset.empty()) {
        const Lesson lesson = load_lesson(options->session.lesson);
        if (!lesson.attention.empty()) print_fixed_attention(std::cout, lesson.title.en, lesson.attention);
      }
      const Session session = make_session(options->session);
      if (options->print) print_steps(std::cout, session);
      if (!options->out.empty())
        io::write_file_atomically(options->out, [&](std::ostream& out) { write_trace_json(out, session); });
    });
  });
}

}  // namespace attnviz::app
