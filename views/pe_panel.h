#pragma once
// Positional encoding:
//   - the model's PE (T_src, d_model) for the current sentence, token names on the rows, and
//     "embedding + positional encoding = input" as three heatmaps;
//   - an explorer with its own max length (≤ 512), d_model (even, ≤ 512) and base, in the
//     interleaved layout, the concatenated one, or both side by side (one texture each): click a
//     position for its vector as bars, a dimension for its wave across positions and wavelength
//     λ = 2π·base^(2i/d); the similarity PE·PEᵀ (positions × positions);
//   - the permutation experiment: swap two source words with PE off and on and compare the
//     encoder outputs row by row after undoing the swap.

#include "model/analysis/permutation.h"
#include "model/analysis/positional.h"
#include "views/panel.h"

#include <cstdint>
#include <optional>
#include <string>

namespace attnviz::views {

struct PePanel : Panel {
  enum class Layouts : std::uint8_t { interleaved, concatenated, side_by_side };

  void draw(const AppState& app, Selection& selection, Commands& commands) override;

  // The explorer's request; out-of-range edits are clamped or refused with a message.
  const analysis::EncodingRequest& request() const { return request_; }
  // Applies an edited request: clamps the length and d_model to 1…512 and 2…512, refuses an odd
  // d_model or a base ≤ 0 (keeping the previous request).  Returns the message shown, if any.
  std::string apply(int max_len, int d_model, double base);

  Layouts layouts = Layouts::side_by_side;
  int position = 1;    // explorer: the clicked position (row), −1 none
  int dimension = 10;  // explorer: the clicked dimension (column), −1 none

 private:
  void sentence_view(const AppState& app, Selection& selection);
  void explorer(const AppState& app, Selection& selection);
  void explorer_controls(const Palette& pal);
  void encoding_maps(const AppState& app, Selection& selection, float full);
  void position_vector(const Mat& encoding, float width, const Palette& pal);
  void dimension_wave(const Mat& encoding, float width, const Palette& pal);
  void similarity_view(const AppState& app, float full);
  void permutation_view(const AppState& app);
  void swap_controls(const AppState& app);
  void recompute();

  analysis::EncodingRequest request_{50, 128, 10000, Positional::interleaved};
  int edit_len_ = 50, edit_d_ = 128;
  double edit_base_ = 10000;
  std::string message_;
  bool dirty_ = true;
  std::uint64_t version_ = 0;                    // +1 whenever the explorer's matrices change
  Mat interleaved_, concatenated_, similarity_;  // (L,d), (L,d), (L,L)

  int swap_i_ = 0, swap_j_ = 1;
  struct Swaps {
    analysis::SwapResult pe_off, pe_on;  // the same swap with positional encoding off and on
  };
  std::optional<Swaps> swaps_;
  std::uint64_t swap_generation_ = 0;
  std::string swap_error_;
};

}  // namespace attnviz::views
