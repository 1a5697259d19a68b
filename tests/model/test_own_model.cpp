// A model trained elsewhere (PyTorch's nn.Transformer) described by a lesson: PyTorch's config
// names, final LayerNorms in post-norm, special tokens at the model's own ids, wrapped sources,
// a lesson without a task, nn.Transformer's tensor names in the weights file, every problem of
// a file named at once, and the trained model's own answer checked on load.

#include "model/error.h"
#include "model/io/lesson_file.h"
#include "model/io/safetensors.h"
#include "model/reference.h"
#include "model/session.h"
#include "model/trainer.h"
#include "helpers.h"

namespace attnviz::testing {
namespace {

// ---- config ----------------------------------------------------------------------------------

TEST(OwnModelConfig, PyTorchNamesSetTheSameKeys) {
  Config ours = tiny_config(), theirs = tiny_config();
  for (auto [key, value] : {std::pair{"heads", "4"},
                            {"encoder_layers", "3"},
                            {"decoder_layers", "1"},
                            {"d_ff", "20"},
                            {"norm", "pre"},
                            {"ln_eps", "1e-06"}})
    set_config_value(ours, key, value);
  for (auto [key, value] : {std::pair{"nhead", "4"},
                            {"num_encoder_layers", "3"},
                            {"num_decoder_layers", "1"},
                            {"dim_feedforward", "20"},
                            {"norm_first", "true"},
                            {"layer_norm_eps", "1e-06"}})
    set_config_value(theirs, key, value);
  EXPECT_EQ(theirs, ours);
  EXPECT_EQ(ours.ln_eps, 1e-6);
  set_config_value(theirs, "norm_first", "false");
  EXPECT_EQ(theirs.norm, NormPlacement::post);
  EXPECT_EQ(config_key("nhead"), "heads");
  EXPECT_EQ(config_key("d_model"), "d_model");
}

TEST(OwnModelConfig, DropoutIsAcceptedIgnoredAndNoted) {
  Config c = tiny_config();
  const std::string note = set_config_value(c, "dropout", "0.1");
  EXPECT_EQ(c, tiny_config());
  EXPECT_NE(note.find("dropout = 0.1 is ignored"), std::string::npos) << note;
  EXPECT_EQ(set_config_value(c, "heads", "4"), "");
  EXPECT_EQ(rejection([&] { set_config_value(c, "dropout", "1.5"); }),
            "config: dropout = '1.5': expected a probability in [0, 1)");
  EXPECT_EQ(rejection([&] { set_config_value(c, "activation", "swish"); }),
            "config: activation = 'swish': expected relu or gelu (exact, with erf: PyTorch's default GELU)");
}

// nn.Transformer closes each stack with a LayerNorm also in post-norm: final_norm adds it, as
// the last step of each stack; pre-norm has it either way.
TEST(OwnModelConfig, FinalNormClosesEachStackInPostNorm) {
  Config c = tiny_config();
  EXPECT_FALSE(Transformer(c).encoder_norm());
  c.final_norm = true;
  Transformer model(c, 1);
  ASSERT_TRUE(model.encoder_norm() && model.decoder_norm());
  EXPECT_TRUE(model.params().find("encoder.norm.weight") && model.params().find("decoder.norm.bias"));
  EXPECT_EQ(model.params()[model.encoder_norm()->weight].value, Mat::Ones(1, c.d_model));  // LayerNorm γ starts at 1
  Trace trace;
  run_forward(model, tiny_example(), trace);
  const Step& memory = trace.step(*trace.find_step("encoder.norm.layer_norm", Phase::forward));
  EXPECT_EQ(memory.where.sublayer, Sublayer::final_norm);
  EXPECT_EQ(memory.outputs.front(), encoder_output(trace));
  const Step& before_generator = trace.step(*trace.find_step("output.generator", Phase::forward) - 1);
  EXPECT_EQ(before_generator.label, "decoder.norm.layer_norm");
  // The norm changes the function: without it the same weights give another loss.
  Config plain = c;
  plain.final_norm = false;
  Transformer without(plain, 1);
  Trace other;
  EXPECT_NE(run_forward(without, tiny_example(), other), trace.loss());
}

// ---- special tokens and wrapped sources -------------------------------------------------------

const std::vector<std::string> torchtext_words = {"<unk>", "<pad>", "<bos>", "<eos>", "1", "2", "3"};
const SpecialWords torchtext_specials{"<pad>", "<bos>", "<eos>", "<unk>"};

TEST(OwnVocabulary, KeepsTheModelsOwnIds) {
  const Vocabulary v = Vocabulary::in_order(torchtext_words, torchtext_specials);
  EXPECT_EQ(v.words(), torchtext_words);
  EXPECT_EQ(v.specials(), (SpecialIds{.pad = 1, .bos = 2, .eos = 3, .unk = 0}));
  std::vector<std::string> unknown;
  EXPECT_EQ(v.encode("3 1 9", &unknown), (std::vector<int>{6, 4, 0}));
  EXPECT_EQ(unknown, std::vector<std::string>{"9"});
  EXPECT_TRUE(v.own_order());
  EXPECT_EQ(v.special_words(), torchtext_specials);
  const Vocabulary no_unk = Vocabulary::in_order({"<pad>", "<s>", "</s>", "a"}, {"<pad>", "<s>", "</s>", ""});
  EXPECT_EQ(no_unk.unk(), -1);
  EXPECT_FALSE(no_unk.contains("b"));
}

TEST(OwnVocabulary, RefusesWhatWouldShiftOrLoseAnId) {
  EXPECT_EQ(rejection([] {
              Vocabulary::in_order({"<pad>", "<bos>", "<eos>", "a", "a"}, {"<pad>", "<bos>", "<eos>", ""});
            }),
            "[4] = 'a': already id 3 (in a vocabulary given in its own order, a word's id is its position)");
  EXPECT_EQ(rejection([] {
              Vocabulary::in_order({"<pad>", "<bos>", "a"}, {"<pad>", "<bos>", "<eos>", ""});
            }),
            "the special token eos = '<eos>' is not in the list");
  EXPECT_EQ(rejection([] {
              Vocabulary::in_order({"<pad>", "<bos>", "a"}, {"<pad>", "<bos>", "<bos>", ""});
            }),
            "the special tokens pad, bos, eos and unk must be four different words");
}

TEST(OwnVocabulary, ExamplesUseTheIdsAndWrapTheSource) {
  Vocabulary src = Vocabulary::in_order(torchtext_words, torchtext_specials);
  const Vocabulary tgt = src;
  src.set_wraps(true);
  Config c = tiny_config();
  c.src_vocab = c.tgt_vocab = src.size();
  const Example ex = make_example(c, src, tgt, "3 1", "1 3");
  EXPECT_EQ(ex.src, (std::vector<int>{2, 6, 4, 3}));  // <bos> 3 1 <eos>
  EXPECT_EQ(ex.tgt_in, (std::vector<int>{2, 4, 6}));
  EXPECT_EQ(ex.tgt_out, (std::vector<int>{4, 6, 3}));
  EXPECT_EQ(ex.pad_id, 1);
  EXPECT_EQ(make_example(c, src, tgt, "3", "1", 2).src, (std::vector<int>{2, 6, 3, 1, 1}));
  // A token the example adds itself is not accepted twice.
  EXPECT_EQ(rejection([&] { make_example(c, src, tgt, "3 1", "1 3 <eos>"); }),
            "target: ends in '<eos>', which teacher forcing adds (decoder input <bos> + target, expected output "
            "target + <eos>): leave it out");
  EXPECT_EQ(rejection([&] { make_example(c, src, tgt, "<bos> 3 1", "1 3"); }),
            "source: starts with '<bos>', which this lesson adds to every source (wrap_source): leave it out");
  EXPECT_EQ(rejection([&] { make_example(c, src, tgt, "3 1 2 3 1 2 3 1 2", "1"); }),
            "source: 11 tokens (with <bos> and <eos>) is longer than max_len = 10");
}

// ---- lessons -----------------------------------------------------------------------------------

std::string own_lesson(const std::string& extra = "") {
  return R"({
  "title": "Reverse, from PyTorch",
  "config": {"d_model": 8, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 1, "dim_feedforward": 8,
             "max_len": 8, "norm_first": false, "final_norm": true, "layer_norm_eps": 1e-6, "dropout": 0.1},
  "vocabulary": {"source": ["<unk>", "<pad>", "<bos>", "<eos>", "1", "2", "3"],
                 "target": ["<unk>", "<pad>", "<bos>", "<eos>", "3", "2", "1"]},
  "specials": {"unk": "<unk>", "pad": "<pad>", "bos": "<bos>", "eos": "<eos>"},
  "wrap_source": true,
  "example": {"src": "1 2 3", "tgt": "3 2 1"})" +
         extra + "\n}";
}

TEST(OwnLesson, ViewOnlyLessonReadsAndWritesBack) {
  const Lesson l = io::parse_lesson(own_lesson(), "own.json");
  EXPECT_TRUE(l.task.empty());
  EXPECT_EQ(l.config.heads, 2);
  EXPECT_TRUE(l.config.final_norm);
  EXPECT_EQ(l.config.ln_eps, 1e-6);
  EXPECT_EQ(l.tgt_vocab.word(4), "3");
  EXPECT_EQ(l.tgt_vocab.pad(), 1);
  EXPECT_TRUE(l.src_vocab.wraps());
  ASSERT_EQ(l.notes.size(), 1u);
  EXPECT_NE(l.notes[0].find("dropout"), std::string::npos);
  const Lesson back = io::parse_lesson(io::lesson_json(l), "back.json");
  EXPECT_EQ(back.src_vocab, l.src_vocab);
  EXPECT_EQ(back.tgt_vocab, l.tgt_vocab);
  EXPECT_EQ(back.config, l.config);
  EXPECT_TRUE(back.task.empty());
  const Session session(to_preset(l));
  EXPECT_EQ(session.example().src, (std::vector<int>{2, 4, 5, 6, 3}));
  EXPECT_EQ(session.src_words().front(), "<bos>");
}

TEST(OwnLesson, TrainingSaysWhyThereIsNone) {
  const Lesson l = io::parse_lesson(own_lesson(), "own.json");
  const std::string why = rejection([&] { check_trainable(l, l.training); });
  EXPECT_EQ(why.substr(0, 69), "the lesson has no task: it shows a model without sentence pairs to tr");
  EXPECT_EQ(rejection([&] { Trainer(l, l.training); }), why);
}

TEST(OwnLesson, MalformedFieldsAreRefused) {
  const auto refused = [](const std::string& text) { return rejection([&] { io::parse_lesson(text, "own.json"); }); };
  EXPECT_EQ(refused(own_lesson(R"(, "weight_names": {"src_embed.weight": 3})")),
            "own.json: weight_names.'src_embed.weight': expected a string, found a number");
  EXPECT_EQ(refused(own_lesson(R"(, "reference": {"loss": 1, "logits": [[1]]})")),
            "own.json: reference: the lesson has no weights, and a reference is the answer of trained weights");
  std::string two_names = own_lesson();
  two_names.replace(two_names.find(R"("d_model": 8)"), 12, R"("d_model": 8, "heads": 2)");
  EXPECT_EQ(refused(two_names), "own.json: config.nhead: sets the same as config.heads: give one of them");
  std::string synthetic = own_lesson();
  synthetic.replace(synthetic.find(R"("vocabulary")"), 12, R"("vocabulary": {"synthetic": 9}, "unused")");
  EXPECT_EQ(refused(synthetic).substr(0, 34), "own.json: unused: unknown key");
  std::string specials_without_lists = own_lesson();
  specials_without_lists.replace(specials_without_lists.find(R"("vocabulary")"), 12, R"("vocabularyX")");
  EXPECT_NE(refused(specials_without_lists).find("unknown key"), std::string::npos);
  std::string unknown_special = own_lesson();
  unknown_special.replace(unknown_special.find(R"("eos": "<eos>")"), 14, R"("eos": "</s>")");
  EXPECT_EQ(refused(unknown_special), "own.json: vocabulary.source: the special token eos = '</s>' is not in the list");
  std::string eos_in_target = own_lesson();
  eos_in_target.replace(eos_in_target.find(R"("tgt": "3 2 1")"), 14, R"("tgt": "3 2 1 <eos>")");
  EXPECT_NE(refused(eos_in_target).find("own.json: example: target: ends in '<eos>'"), std::string::npos);
}

TEST(OwnLesson, TheBuiltInLessonsWriteNoNewKeys) {
  const Lesson l = io::read_lesson_file(std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/word-order.json");
  const std::string text = io::lesson_json(l);
  for (const char* key : {"specials", "wrap_source", "weight_names", "reference"})
    EXPECT_EQ(text.find(key), std::string::npos) << key;
}

// ---- nn.Transformer's names in a weights file -------------------------------------------------

// The model's parameters as a PyTorch tutorial model's state_dict would name and pack them,
// written out here by hand: q, k, v stacked into in_proj, out_proj, multihead_attn, linear1/2.
std::vector<io::FileTensor> pytorch_state(const Parameters& params, const std::string& prefix) {
  const auto tensor = [&](const std::string& name, const std::vector<const Tensor*>& parts) {
    io::FileTensor t;
    t.name = name;
    const std::vector<std::int64_t> one = io::pytorch_shape(*parts[0]);
    t.shape = one;
    t.shape[0] *= static_cast<std::int64_t>(parts.size());
    for (const Tensor* p : parts) t.values.insert(t.values.end(), p->value.data(), p->value.data() + p->value.size());
    return t;
  };
  const auto p = [&](const std::string& name) { return &params[*params.find(name)]; };
  std::vector<io::FileTensor> out;
  out.push_back(tensor("src_tok_emb.embedding.weight", {p("src_embed.weight")}));
  out.push_back(tensor("tgt_tok_emb.embedding.weight", {p("tgt_embed.weight")}));
  out.push_back(tensor("generator.weight", {p("generator.weight")}));
  out.push_back(tensor("generator.bias", {p("generator.bias")}));
  const auto attention = [&](const std::string& ours, const std::string& theirs) {
    for (const char* kind : {"weight", "bias"}) {
      const std::string k = kind;
      out.push_back(tensor(theirs + ".in_proj_" + k,
                           {p(ours + ".q_proj." + k), p(ours + ".k_proj." + k), p(ours + ".v_proj." + k)}));
      out.push_back(tensor(theirs + ".out_proj." + k, {p(ours + ".o_proj." + k)}));
    }
  };
  for (const char* stack : {"encoder", "decoder"}) {
    for (int i = 0; params.find(std::string(stack) + ".layers." + std::to_string(i) + ".norm1.weight"); ++i) {
      const std::string l = std::string(stack) + ".layers." + std::to_string(i);
      attention(l + ".self_attn", prefix + l + ".self_attn");
      if (std::string(stack) == "decoder") attention(l + ".cross_attn", prefix + l + ".multihead_attn");
      for (const char* part : {"linear1", "linear2"})
        for (const char* kind : {".weight", ".bias"})
          out.push_back(tensor(prefix + l + "." + part + kind, {p(l + ".ffn." + part + kind)}));
      for (const char* norm : {"norm1", "norm2", "norm3"})
        for (const char* kind : {".weight", ".bias"})
          if (params.find(l + "." + norm + kind))
            out.push_back(tensor(prefix + l + "." + norm + kind, {p(l + "." + norm + kind)}));
    }
    for (const char* kind : {".weight", ".bias"})
      out.push_back(tensor(prefix + stack + ".norm" + kind, {p(std::string(stack) + ".norm" + kind)}));
  }
  return out;
}

Config final_norm_config() {
  Config c = tiny_config();
  c.final_norm = true;
  return c;
}

const std::map<std::string, std::string> tutorial_names = {{"src_embed.weight", "src_tok_emb.embedding.weight"},
                                                           {"tgt_embed.weight", "tgt_tok_emb.embedding.weight"}};

TEST(OwnWeights, NnTransformerNamesUnderAnyPrefixLoadExactly) {
  const Transformer source(final_norm_config(), 5);
  for (const std::string prefix : {"transformer.", "model.core.", ""}) {
    Transformer target(final_norm_config(), 6);
    io::load_parameters(target.params(), pytorch_state(source.params(), prefix), "w", tutorial_names);
    for (int i = 0; i < source.params().size(); ++i)
      EXPECT_EQ(target.params()[i].value, source.params()[i].value) << prefix << source.params()[i].name;
  }
}

std::string load_rejection(const Config& config, const std::vector<io::FileTensor>& tensors,
                           const std::map<std::string, std::string>& names = tutorial_names) {
  Transformer target(config, 6);
  const Mat before = target.params()[0].value;
  const std::string message = rejection([&] { io::load_parameters(target.params(), tensors, "w.safetensors", names); });
  EXPECT_EQ(target.params()[0].value, before);
  return message;
}

TEST(OwnWeights, EveryProblemIsNamedAtOnce) {
  const Transformer source(final_norm_config(), 5);
  std::vector<io::FileTensor> state = pytorch_state(source.params(), "transformer.");
  const auto named = [&](const std::string& name) {
    return std::find_if(state.begin(), state.end(), [&](const io::FileTensor& t) { return t.name == name; });
  };
  state.erase(named("transformer.encoder.layers.1.norm2.bias"));
  state.erase(named("generator.bias"));
  named("transformer.decoder.layers.0.multihead_attn.in_proj_weight")->shape = {12, 16};
  state.push_back({"positional_encoding.pos_embedding", io::DType::f64, {10, 1, 8}, std::vector<double>(80, 0.0)});
  EXPECT_EQ(load_rejection(final_norm_config(), state),
            "w.safetensors: tensor 'transformer.decoder.layers.0.multihead_attn.in_proj_weight' has shape [12, 16], "
            "this model's config needs [24, 8]; tensor 'positional_encoding.pos_embedding' is not a parameter of this "
            "model; 2 parameters are missing: 'encoder.layers.1.norm2.bias', 'generator.bias'. Hint: "
            "'positional_encoding.pos_embedding' looks like a positional table: attnviz computes the sinusoidal "
            "encoding itself (config.positional), so leave it out of the file; a learned one attnviz cannot run");
}

TEST(OwnWeights, SuggestsTheLessonsNamesAndFinalNorms) {
  const Transformer source(final_norm_config(), 5);
  const std::string without_names =
      load_rejection(final_norm_config(), pytorch_state(source.params(), "transformer."), {});
  EXPECT_NE(
      without_names.find("Hint: name the tensors in the lesson: \"weight_names\": {\"src_embed.weight\": "
                         "\"src_tok_emb.embedding.weight\", \"tgt_embed.weight\": \"tgt_tok_emb.embedding.weight\"}"),
      std::string::npos)
      << without_names;
  const std::string post_norm = load_rejection(tiny_config(), pytorch_state(source.params(), "transformer."));
  EXPECT_NE(
      post_norm.find("Hint: the file closes each stack with a LayerNorm, as nn.Transformer always does: set config "
                     "\"final_norm\": true"),
      std::string::npos)
      << post_norm;
}

TEST(OwnWeights, NamesTheLessonGivesMustBeParameters) {
  const Transformer source(final_norm_config(), 5);
  std::map<std::string, std::string> names = tutorial_names;
  names["src_embedding.weight"] = "x";
  EXPECT_NE(load_rejection(final_norm_config(), pytorch_state(source.params(), "transformer."), names)
                .find("weight_names names 'src_embedding.weight', which is not a parameter of this model"),
            std::string::npos);
}

TEST(OwnWeights, LayersOfTwoModelsAreRefused) {
  const Transformer source(final_norm_config(), 5);
  std::vector<io::FileTensor> state = pytorch_state(source.params(), "a.");
  state.push_back(pytorch_state(source.params(), "b.")[4]);
  EXPECT_NE(load_rejection(final_norm_config(), state)
                .find("the file holds the layers of more than one model, under 'a.', 'b.': keep one"),
            std::string::npos);
}

// ---- the trained model's own answer ----------------------------------------------------------

TEST(OwnReference, AgreesWithItsOwnRunAndCatchesAChange) {
  Transformer model(tiny_config(), 2);
  Trace trace;
  run_forward(model, tiny_example(), trace);
  Reference r;
  r.loss = trace.loss();
  r.logits = trace.value(*trace.find(names::logits));
  r.by = "PyTorch";
  const ReferenceCheck same = check_reference(r, trace);
  EXPECT_TRUE(same.agrees);
  EXPECT_EQ(same.loss_error, 0);
  EXPECT_EQ(same.message.substr(0, 41), "agrees with PyTorch on the example: loss ");
  // A change of 2e-6 relative in one logit is over the tolerance; 5e-7 is not.
  Reference near = r;
  const double scale = r.logits.cwiseAbs().maxCoeff();
  near.logits(1, 2) += 5e-7 * scale;
  EXPECT_TRUE(check_reference(near, trace).agrees);
  near.logits(1, 2) += 1.5e-6 * scale;
  const ReferenceCheck off = check_reference(near, trace);
  EXPECT_FALSE(off.agrees);
  EXPECT_NEAR(off.logits_error, 2e-6, 1e-12);
  EXPECT_EQ(off.message.substr(0, 28), "disagrees with PyTorch on th");
  Reference loss = r;
  loss.loss *= 1 + 2e-6;
  EXPECT_FALSE(check_reference(loss, trace).agrees);
  Reference shape = r;
  shape.logits = Mat::Zero(2, 2);
  EXPECT_FALSE(check_reference(shape, trace).agrees);
}

}  // namespace
}  // namespace attnviz::testing
