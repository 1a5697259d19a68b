#pragma once
// The step list in the terminal: `attnviz trace --print`, and the walk-through printed while the
// window starts.

#include <iosfwd>
#include <string>

namespace attnviz {
class Session;
struct FixedAttention;
namespace app {

// One line per step: index, phase, label, formula, output shape and its first few values
// (the gradient share of the first input for a backward step).
void print_steps(std::ostream& out, const Session& session);

// A header naming the sentence pair and the keys, then every step with its plain explanation.
void print_walkthrough(std::ostream& out, const Session& session);

// A lesson's fixed one-head attention (self-attention by hand): every step with its whole
// output matrix, so each number can be checked on paper.
void print_fixed_attention(std::ostream& out, const std::string& title, const FixedAttention& attention);

}  // namespace app
}  // namespace attnviz
