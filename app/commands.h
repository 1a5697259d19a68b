#pragma once
// Each command group registers its subcommand on the CLI11 app; main() only parses.
// A command that fails prints its message to stderr and throws CLI::RuntimeError(status).

#include <chrono>

namespace CLI { class App; }

namespace attnviz::app {

void add_trace_command(CLI::App& app);        // attnviz trace …
void add_bench_model_command(CLI::App& bench);  // attnviz bench model …
void add_lab_command(CLI::App& app);          // attnviz lab scalar | depth | transformer …
void add_lab_transformer_command(CLI::App& lab);  // attnviz lab transformer …
void add_screenshot_command(CLI::App& app);   // attnviz screenshot --out FILE.png …
// attnviz bench frames …; `started` is when the process started (launch to first frame).
void add_bench_frames_command(CLI::App& bench, std::chrono::steady_clock::time_point started);

}  // namespace attnviz::app
