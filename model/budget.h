#pragma once
// What a config costs before anything is built: the memory of the model and of one recorded
// forward + backward at the longest sentences the config allows (max_len tokens on both sides),
// and the arithmetic of that run.  A config over the limits is refused, naming what it would
// need, so a hostile or mistaken file cannot exhaust the machine.

#include "model/config.h"

#include <string>

namespace attnviz {

struct Cost {
  double parameter_bytes = 0;   // values and gradients of every parameter
  double positional_bytes = 0;  // the (max_len, d_model) positional-encoding table
  double trace_bytes = 0;       // one trace: activations, gradients, shares and bookkeeping
  double flops = 0;             // one forward + backward
  double total_bytes() const { return parameter_bytes + positional_bytes + trace_bytes; }
};

// Upper estimates from the sizes alone; lengths default to max_len.
Cost estimate_cost(const Config& config, int T_src = 0, int T_tgt = 0);

// Training keeps Adam's two moments beside the model: two more copies of the parameters' values.
double training_bytes(const Cost& cost);

struct Limits {
  double memory_bytes = 2e9;           // a trace and the window
  double training_memory_bytes = 4e9;  // a model in training
  double flops = 2e11;                 // one forward + backward (about 4 s at 50 GFLOP/s)
};

// The limits in force in this process (the command line's --memory-limit sets them).
Limits& limits();

// Throws InputError "config: …: needs 5.9 GB …, over the 2 GB limit" when over a limit.
void check_cost(const Config& config);
void check_training_cost(const Config& config);

// "1.5 GB", "730 MB", "12 kB", "512 B": unit symbols, the same in every language.
std::string bytes_text(double bytes);

}  // namespace attnviz
