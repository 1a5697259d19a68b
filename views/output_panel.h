#pragma once
// Output and decoding:
//   - per target position P = softmax(Z / T) over the vocabulary as bars (the top 12 when the
//     vocabulary is larger), the expected word marked, the loss −ln P[expected] there;
//   - a temperature slider (T < 1 sharpens, T > 1 flattens);
//   - greedy decoding and beam search (beam 2), run on demand and kept until the model, the
//     sentence or the temperature changes: every step, every hypothesis with its score, the kept
//     ones marked;
//   - saliency ‖∂L/∂e_t‖ as a bar under each source token.

#include "model/analysis/decoding.h"
#include "views/panel.h"

#include <cstdint>
#include <optional>
#include <string>

namespace attnviz::views {

struct OutputPanel : Panel {
  void draw(const AppState& app, Selection& selection, Commands& commands) override;
  // Runs greedy decoding and beam search now (the button does the same).
  void decode(const AppState& app);
  const std::optional<analysis::GreedyResult>& greedy() const { return greedy_; }
  const std::optional<analysis::BeamResult>& beam() const { return beam_; }

  float temperature = 1;
  int position = 0;   // the target position whose bars are shown
  int beam_step = 1;  // the beam search step shown, from 1

 private:
  void distribution_view(const AppState& app, Selection& selection);
  void decoding_view(const AppState& app);
  void beam_view(const Vocabulary& vocab, const Palette& pal);
  void saliency_view(const AppState& app, Selection& selection);

  std::optional<analysis::GreedyResult> greedy_;
  std::optional<analysis::BeamResult> beam_;
  std::uint64_t decoded_generation_ = 0;
  float decoded_temperature_ = 1;
  std::string decode_error_;
};

}  // namespace attnviz::views
