// The "Why attention?" lesson: its three models with their shipped weights show what the lesson
// claims, measured here on the held-out pairs (nothing typed in): Seq2Seq falls off as sentences
// grow, Bahdanau's attention does not; and its "compare" list is read and checked.

#include "model/analysis/why_attention.h"
#include "model/io/lesson_file.h"
#include "helpers.h"

#include <map>

namespace attnviz::testing {
namespace {

const std::string lesson_path = std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/why-attention.json";

std::map<std::string, analysis::ModelFigures> shipped_figures(std::vector<int>& lengths) {
  const Lesson lesson = io::read_lesson_file(lesson_path);
  const std::vector<SentencePair> held = analysis::held_out_pairs(lesson);
  lengths = analysis::source_lengths(held);
  std::vector<Lesson> models{lesson};
  for (const ComparedModel& m : lesson.compare) models.push_back(with_model(lesson, m));
  std::map<std::string, analysis::ModelFigures> figures;
  for (const Lesson& m : models) {
    Transformer model(m.config, m.training.seed);
    io::read_lesson_weights(lesson_path, m, model.params());
    analysis::ModelFigures f = analysis::measure(m, model, held, lengths, lesson.example);
    figures[f.name] = f;
  }
  return figures;
}

TEST(WhyAttention, ShippedWeightsShowTheBottleneck) {
  std::vector<int> lengths;
  const auto f = shipped_figures(lengths);
  ASSERT_EQ(f.size(), 3u);
  ASSERT_EQ(lengths.front(), 3);
  ASSERT_EQ(lengths.back(), 20);
  ASSERT_EQ(lengths.size(), 18u);  // every length 3 … 20 is held out
  const analysis::ModelFigures &seq2seq = f.at("seq2seq"), &bahdanau = f.at("bahdanau"),
                               &transformer = f.at("transformer");
  for (const auto* m : {&seq2seq, &bahdanau, &transformer})
    for (int tokens : m->tokens) EXPECT_GE(tokens, 100) << m->name;  // enough to measure each length
  const double longest = bahdanau.accuracy.back(), shortest = bahdanau.accuracy.front();
  // Seq2Seq at 20 words at least 30 points below Bahdanau's, which stays within 5 points of its
  // accuracy on 3 words; short sentences are no problem for either.
  EXPECT_LE(seq2seq.accuracy.back(), longest - 0.30) << seq2seq.accuracy.back() << " vs " << longest;
  EXPECT_GE(longest, shortest - 0.05) << longest << " vs " << shortest;
  EXPECT_GE(seq2seq.accuracy.front(), 0.95);
  EXPECT_GE(transformer.accuracy.back(), 0.8);
  for (const auto* m : {&seq2seq, &bahdanau, &transformer}) EXPECT_GT(m->first_token_grad, 0) << m->name;
}

TEST(WhyAttention, ComparedModelsAreReadWithTheirOwnConfigAndWeights) {
  const Lesson lesson = io::read_lesson_file(lesson_path);
  EXPECT_EQ(lesson.config.architecture, Architecture::bahdanau);
  ASSERT_EQ(lesson.compare.size(), 2u);
  EXPECT_EQ(lesson.compare[0].config.architecture, Architecture::seq2seq);
  EXPECT_EQ(lesson.compare[1].config.architecture, Architecture::transformer);
  EXPECT_EQ(lesson.compare[1].config.heads, 4);
  EXPECT_EQ(lesson.compare[0].config.d_model, lesson.config.d_model);  // the lesson's, where not set
  EXPECT_TRUE(lesson.compare[0].weights.ends_with("why-attention-seq2seq.safetensors"));
  // Written and read back: the same models.
  const std::string copy = ::testing::TempDir() + "why-attention-copy.json";
  io::write_lesson_file(copy, lesson);
  const Lesson again = io::read_lesson_file(copy);
  ASSERT_EQ(again.compare.size(), 2u);
  EXPECT_EQ(again.compare[1].config, lesson.compare[1].config);
  EXPECT_EQ(again.compare[0].training.steps, lesson.compare[0].training.steps);
}

TEST(WhyAttention, ABadComparedModelIsRefusedNamingItsField) {
  const auto refused = [](const std::string& compare) {
    const std::string text = R"({"title": "t", "example": {"src": "1 2", "tgt": "2 1"},
                                 "config": {"architecture": "bahdanau", "heads": 1}, "compare": )" +
                             compare + "}";
    try {
      io::parse_lesson(text, "lesson.json");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  const std::string lstm = refused(R"([{"config": {"architecture": "lstm"}}])");
  EXPECT_NE(lstm.find("compare[0]: config: architecture = 'lstm': expected transformer, seq2seq or bahdanau"),
            std::string::npos)
      << lstm;
  EXPECT_NE(refused(R"([{"config": {"architecture": "bahdanau"}}])").find("the lesson's own model is one already"),
            std::string::npos);
  EXPECT_NE(refused(R"([{"config": {"architecture": "seq2seq"}}, {"config": {"architecture": "seq2seq"}}])")
                .find("compare[1].config.architecture = seq2seq: compare[0] is one already"),
            std::string::npos);
  EXPECT_NE(refused(R"([{"weights": "x.safetensors"}])").find("compare[0].config: missing"), std::string::npos);
  EXPECT_NE(refused(R"([{"config": {"architecture": "seq2seq"}, "colour": 1}])").find("compare[0].colour: unknown key"),
            std::string::npos);
}

}  // namespace
}  // namespace attnviz::testing
