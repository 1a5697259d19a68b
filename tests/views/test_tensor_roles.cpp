// The views name, colour and label a tensor by the role the recorder gave it, never by its name:
// a run whose tensors and steps are all renamed reads the same in every caption, colour scale,
// axis and attention lookup.

#include "model/fixed_attention.h"
#include "model/io/lesson_file.h"
#include "model/presets.h"
#include "views/app_state.h"
#include "views/chain_terms.h"
#include "views/head_focus.h"
#include "views/tensor_labels.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace attnviz::views {
namespace {

// Everything the views derive from one tensor, its name written as "<name>".
struct Labels {
  std::string caption, gradient_caption;
  ColourScale scale = ColourScale::diverging;
  const std::string* row_words = nullptr;  // the first word its rows are labelled with
  const std::string* col_words = nullptr;
  bool operator==(const Labels&) const = default;
};

std::string with_name_marked(std::string text, const std::string& name) {
  if (const std::size_t at = text.find(name); !name.empty() && at != std::string::npos)
    text.replace(at, name.size(), "<name>");
  return text;
}

Labels labels(const AppState& app, const Tensor& t) {
  const AxisLabels rows = axis_labels(app, t, t.rows), cols = axis_labels(app, t, t.cols);
  return {with_name_marked(tensor_caption(t, false), t.name), with_name_marked(tensor_caption(t, true), t.name),
          colour_scale(t, false), rows.words.empty() ? nullptr : rows.words.data(),
          cols.words.empty() ? nullptr : cols.words.data()};
}

std::vector<TensorId> every_tensor(const Trace& trace) {
  std::vector<TensorId> ids;
  for (int i = 0; i < trace.tensor_count(); ++i) ids.push_back(trace.activation(i));
  for (int i = 0; i < trace.params()->size(); ++i) ids.push_back({TensorId::parameter, i});
  return ids;
}

// The head steps of every head of the model, forward and backward.
std::vector<int> attention_steps(const Trace& trace, const Config& config) {
  std::vector<int> steps;
  for (auto kind :
       {analysis::AttentionKind::encoder_self, analysis::AttentionKind::decoder_self, analysis::AttentionKind::cross})
    for (const analysis::HeadRef& head : analysis::all_heads(config, kind))
      for (Phase phase : {Phase::forward, Phase::backward})
        steps.push_back(head_step(trace, head, Role::attention_weights, phase));
  return steps;
}

// "t12"
std::string numbered(char letter, int i) {
  std::string text(1, letter);
  text += std::to_string(i);
  return text;
}

// Renames every tensor and step of `trace`: "t0", "t1", …, "p0", …, "s0", ….
void rename_everything(Trace& trace) {
  for (int i = 0; i < trace.tensor_count(); ++i) trace.tensor(trace.activation(i)).name = numbered('t', i);
  for (int i = 0; i < trace.params()->size(); ++i) (*trace.params())[i].name = numbered('p', i);
  for (int i = 0; i < trace.step_count(); ++i) trace.step(i).label = numbered('s', i);
}

void expect_renaming_changes_nothing(const AppState& app, Trace& trace) {
  std::vector<Labels> before;
  for (TensorId id : every_tensor(trace)) before.push_back(labels(app, trace.tensor(id)));
  const std::vector<int> heads_before = attention_steps(trace, app.session.config());

  rename_everything(trace);
  const std::vector<TensorId> ids = every_tensor(trace);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const Tensor& t = trace.tensor(ids[i]);
    EXPECT_EQ(labels(app, t), before[i]) << before[i].caption << " renamed " << t.name;
    if (t.role == Role::masked_scores || t.role == Role::scaled_scores) {
      const std::string name = element_name(trace, Element{ids[i], 1, 2}, false);
      EXPECT_EQ(name, t.role == Role::masked_scores ? "masked_scores[1,2]" : "scaled_scores[1,2]") << t.name;
    }
  }
  EXPECT_EQ(attention_steps(trace, app.session.config()), heads_before);
}

TEST(TensorRoles, EveryTensorOfTheModelHasOne) {
  const AppState app{Session(make_preset("lesson"))};
  const Trace& trace = app.session.trace();
  const std::set<Role> parameter_roles{Role::weight, Role::bias, Role::norm_gain, Role::norm_shift,
                                       Role::embedding_table};
  for (TensorId id : every_tensor(trace)) {
    const Tensor& t = trace.tensor(id);
    EXPECT_NE(t.role, Role::other) << t.name;
    EXPECT_EQ(parameter_roles.count(t.role), id.kind == TensorId::parameter ? 1u : 0u) << t.name;
  }
}

TEST(TensorRoles, RenamingTheModelsTensorsChangesNoLabel) {
  for (NormPlacement norm : {NormPlacement::post, NormPlacement::pre}) {
    Preset preset = make_preset("lesson");
    preset.config.norm = norm;
    const AppState app{Session(preset)};
    Transformer model(app.session.config(), 5);
    Trace trace;
    run_forward(model, app.session.example(), trace);
    run_backward(trace);
    expect_renaming_changes_nothing(app, trace);
  }
}

TEST(TensorRoles, RenamingWorkedExampleAsTensorsChangesNoLabel) {
  const Lesson lesson =
      io::read_lesson_file(std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/self-attention-by-hand.json");
  const AppState app{Session(to_preset(lesson))};
  Parameters params = fixed_attention_parameters(lesson.attention);
  Trace trace;
  run_fixed_attention(lesson.attention, params, trace);
  expect_renaming_changes_nothing(app, trace);
}

// A few roles read in full: what each caption, colour and axis says.
TEST(TensorRoles, CaptionsColoursAndAxesSayWhatTheRoleIs) {
  const AppState app{Session(make_preset("lesson"))};
  const Trace& trace = app.session.trace();
  const auto at = [&](const char* name) -> const Tensor& { return trace.tensor(*trace.find(name)); };
  const Tensor& weights = at("encoder.0.self_attn.head2.softmax");
  EXPECT_EQ(tensor_caption(weights, false), "A (attention weights), head 2: 5 source tokens × 5 source tokens");
  EXPECT_EQ(tensor_caption(weights, true), "∂L/∂A (attention weights), head 2: 5 source tokens × 5 source tokens");
  EXPECT_EQ(colour_scale(weights, false), ColourScale::sequential);
  EXPECT_EQ(colour_scale(weights, true), ColourScale::diverging);
  EXPECT_EQ(tensor_caption(at("decoder.1.self_attn.q_proj"), true), "∂L/∂Q: 6 target tokens × 16 features");
  EXPECT_EQ(tensor_caption(at("decoder.0.ffn.linear1"), false), "FFN hidden X W₁ᵀ + b₁: 6 target tokens × 32 features");
  EXPECT_EQ(colour_scale(at("masks.cross"), false), ColourScale::sequential);
  EXPECT_EQ(colour_scale(at("decoder.0.cross_attn.head1.mask"), false), ColourScale::diverging);
  const Tensor& targets = at("output.targets");
  EXPECT_EQ(axis_labels(app, targets, targets.rows).words.data(), app.tgt_out_words.data());
  const Tensor& inputs = at("decoder.tokens");
  EXPECT_EQ(axis_labels(app, inputs, inputs.rows).words.data(), app.tgt_in_words.data());
  const Tensor& source_table = at("src_embed.weight");
  EXPECT_EQ(tensor_caption(source_table, false), "W_emb: src_embed.weight: 16 words × 16 features");
  EXPECT_EQ(axis_labels(app, source_table, source_table.rows).words.data(),
            app.session.preset().src_vocab.words().data());
  const Tensor& generator = at("generator.weight");
  EXPECT_EQ(axis_labels(app, generator, generator.rows).words.data(), app.session.preset().tgt_vocab.words().data());
  EXPECT_EQ(tensor_caption(at("decoder.layers.1.norm3.bias"), false),
            "β: decoder.layers.1.norm3.bias: 1 row × 16 features");
}

}  // namespace
}  // namespace attnviz::views
