#pragma once
// "Why attention?": the lesson's models side by side (a lesson with a "compare" list, as
// assets/lessons/why-attention.json), each with its shipped weights.
//   - held-out token accuracy against source length, one line per model (analysis::measure):
//     Seq2Seq falls off as sentences grow, the models with attention do not;
//   - for the sentence pair in the sentence bar: Bahdanau's alignment α_ij beside the
//     Transformer's encoder–decoder attention (the last layer's heads averaged);
//   - ‖∂L/∂e_t‖ for every source position t of that pair: how much gradient reaches each source
//     word, through the recurrence or straight through attention, on the trained weights or on
//     the seed's initial ones (where training starts, and where Seq2Seq's first word gets ~10⁻⁴
//     of its last word's gradient).
// The accuracies are measured once per lesson (a second or so); the pair's runs follow the
// sentence bar.

#include "model/analysis/why_attention.h"
#include "views/panel.h"

#include <memory>
#include <string>
#include <vector>

namespace attnviz::views {

struct WhyAttentionPanel : Panel {
  void draw(const AppState& app, Selection& selection, Commands& commands) override;

  struct Model {
    Lesson lesson;  // with_model: its config and weights
    std::unique_ptr<Transformer> model;
    analysis::ModelFigures figures;        // on the held-out set
    Trace trace;                           // the sentence pair's run
    std::vector<double> token_grads;       // ‖∂L/∂e_t‖ per source position of the pair
    std::unique_ptr<Transformer> initial;  // the same model at its seed's initial weights
    std::vector<double> initial_grads;     // ‖∂L/∂e_t‖ there
    Mat attention;                         // (T_tgt, T_src) cross-attention of the pair
  };
  const std::vector<Model>& models() const { return models_; }
  const std::vector<int>& lengths() const { return lengths_; }

 private:
  void load(const AppState& app);      // the lesson's models and their accuracies
  void run_pair(const AppState& app);  // every model on the session's pair
  void accuracy_plot(const Palette& pal, float width, float height) const;
  void attention_maps(const AppState& app, Selection& selection, float width);
  void gradient_bars(const AppState& app, const Palette& pal, float width);

  bool initial_weights_ = false;  // the gradients shown: at the seed's initial weights, else trained
  std::string loaded_path_;
  std::uint64_t ran_generation_ = ~std::uint64_t{0};
  std::string message_;
  std::vector<int> lengths_;
  std::vector<Model> models_;
};

}  // namespace attnviz::views
