#pragma once
// Gradient flow inside the Transformer (gradlab::gradient_flow_variants): ‖∂L/∂x‖ at the input of
// every sublayer and ‖∂L/∂W‖ of every parameter group as grouped bars on a log scale, one bar per
// variant (residual on/off × post-norm/pre-norm), all built from the session's config and example
// on the session's current weights — or, with 6 or 12 layers each side, where those weights do
// not fit, on fresh weights from the session's seed.
// The variants run on a thread of their own (6.8 s on the paper's base model) from copies of the
// session's config, sentence pair and weights, with a progress line and Cancel; the last figures
// stay on screen meanwhile.
// Clicking a sublayer's bar moves the step cursor to that sublayer's backward step in the
// session's trace (a GoToStep command), so the step list, navigator and chain rule follow.

#include "model/gradlab/transformer_flow.h"
#include "views/panel.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <string>
#include <vector>

namespace attnviz::views {

// The four variants computed on a thread of its own from copies of what they need.
class FlowJob {
 public:
  // `weights`: values only (no gradients), or none for the seed's fresh weights.
  FlowJob(Config config, Example example, std::uint64_t seed, std::optional<Parameters> weights);
  ~FlowJob();  // cancels and waits
  FlowJob(const FlowJob&) = delete;
  FlowJob& operator=(const FlowJob&) = delete;

  bool done() const { return done_.load(); }
  int variants_done() const { return variants_done_.load(); }
  void cancel() { cancel_ = true; }
  bool cancelled() const { return cancel_.load(); }
  // Once done(): the variants (empty when cancelled), or rethrows what the run threw.
  std::vector<gradlab::FlowVariant> take();

 private:
  std::atomic<bool> done_{false}, cancel_{false};
  std::atomic<int> variants_done_{0};
  std::vector<gradlab::FlowVariant> result_;
  std::exception_ptr error_;
  std::thread thread_;
};

struct GradLabTransformerPanel : Panel {
  int layers = 0;        // encoder and decoder layers: 0 for the session's own, or 6 or 12
  bool threaded = true;  // false: variants() computes on the caller's thread (tests)

  void draw(const AppState& app, Selection& selection, Commands& commands) override;

  // The four variants for the current session and `layers`, as far as computed: the last ones
  // while new ones are computed (started only when either changed).
  const std::vector<gradlab::FlowVariant>& variants(const AppState& app);
  int recomputations() const { return recomputations_; }
  bool computing() const { return job_ != nullptr; }
  // Variants finished of the four being computed now.
  int variants_done() const { return job_ ? job_->variants_done() : 0; }
  void cancel();  // keeps the last figures; Compute (or new inputs) starts again
  // Which weights the variants ran on, in words (after variants()).
  const std::string& weights_words() const { return weights_words_; }

 private:
  struct Key {
    std::uint64_t generation = 0;
    const void* session = nullptr;
    int layers = -1;
    bool operator==(const Key& o) const {
      return generation == o.generation && session == o.session && layers == o.layers;
    }
  };
  void start(const AppState& app, const Key& key);
  void install(const AppState& app, std::vector<gradlab::FlowVariant> variants);
  void progress_line(const AppState& app);
  void depth_choice(const Config& own);
  void sublayer_plot(const AppState& app, const std::vector<gradlab::FlowVariant>& vs, const Selection& selection,
                     Commands& commands);
  void sublayer_tooltip(const AppState& app, const std::vector<gradlab::FlowVariant>& vs, int bar, int step,
                        bool current_figures);
  void group_plot(const std::vector<gradlab::FlowVariant>& vs, const Palette& pal);

  std::vector<gradlab::FlowVariant> variants_;
  Key computed_, job_key_;
  std::optional<Key> cancelled_;  // inputs whose run was cancelled: not started again by itself
  std::unique_ptr<FlowJob> job_;
  bool job_own_weights_ = false;
  std::string job_words_;
  int recomputations_ = 0;
  std::string message_;
  bool own_weights_ = false;   // the variants run on the session's weights (same layer count)
  std::string weights_words_;  // which weights, in words
  // Per sublayer (forward order): its short label, full label, the four norms (variant-major),
  // and the session trace's backward step it links to (−1: not in the session's model).
  std::vector<std::string> sub_short_, sub_title_;
  std::vector<std::vector<double>> sub_norms_;
  std::vector<int> sub_step_;
  // Per parameter group (union over the variants, in parameter order): labels and norms (0: absent).
  std::vector<std::string> group_short_, group_title_;
  std::vector<std::vector<double>> group_norms_;
};

// The session trace's backward step for a sublayer of a flow computed on a (possibly different)
// config: the flow's own step when the session's trace has the same sublayer there, otherwise
// the backward twin of the first forward step of that stack, layer and sublayer; −1 when the
// session's model has no such sublayer.
int session_backward_step(const Trace& trace, const gradlab::SublayerGradient& sublayer);

}  // namespace attnviz::views
