// Lesson files: the built-in lessons load and say what they teach; every malformed field is
// refused with a message naming it; the word-order grammar; the self-attention-by-hand lesson
// reproduces worked example A inside a recorded trace.

#include "model/error.h"
#include "model/explain.h"
#include "model/fixed_attention.h"
#include "model/io/files.h"
#include "model/io/json_text.h"
#include "model/io/lesson_file.h"
#include "model/io/safetensors.h"
#include "model/session.h"
#include "helpers.h"

#include <filesystem>
#include <set>

namespace attnviz::testing {
namespace {

const std::string lessons_dir = std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/";

// A small valid lesson, as text, with `replace` applied (first occurrence of .first → .second).
std::string lesson_text(std::pair<std::string, std::string> replace = {}) {
  std::string text = R"({
  "title": "Tiny",
  "config": {"d_model": 8, "heads": 2, "encoder_layers": 1, "decoder_layers": 1, "d_ff": 8, "max_len": 6},
  "task": {"pairs": [["a b", "x y"], ["b a", "y x"]], "held_out": 0},
  "example": {"src": "a b", "tgt": "x y"},
  "open": {"panel": "attention", "step": 3}
})";
  if (!replace.first.empty()) {
    const std::size_t at = text.find(replace.first);
    EXPECT_NE(at, std::string::npos) << replace.first;
    if (at != std::string::npos) text.replace(at, replace.first.size(), replace.second);
  }
  return text;
}

std::string lesson_rejection(std::pair<std::string, std::string> replace) {
  return rejection([&] { io::parse_lesson(lesson_text(replace), "tiny.json"); });
}

TEST(Tokenizer, SpecialTokensFirstThenWordsInOrderOfFirstAppearance) {
  const Vocabulary v = target_vocabulary({{"je suis étudiant", "i am a student"}, {"merci", "thanks"}});
  EXPECT_EQ(v.words(),
            (std::vector<std::string>{"<pad>", "<bos>", "<eos>", "<unk>", "i", "am", "a", "student", "thanks"}));
  std::vector<std::string> unknown;
  EXPECT_EQ(v.encode("i am  a\tstudent", &unknown), (std::vector<int>{4, 5, 6, 7}));
  EXPECT_TRUE(unknown.empty());
  EXPECT_EQ(v.specials(), (SpecialIds{.pad = 0, .bos = 1, .eos = 2, .unk = 3}));
  EXPECT_EQ(v.encode("i am happy", &unknown), (std::vector<int>{4, 5, 3}));
  EXPECT_EQ(unknown, std::vector<std::string>{"happy"});
  EXPECT_EQ(v.decode({1, 4, 8, 2}), "<bos> i thanks <eos>");
}

TEST(Lessons, ValidLessonParses) {
  const Lesson l = io::parse_lesson(lesson_text(), "tiny.json");
  EXPECT_EQ(l.title.en, "Tiny");
  EXPECT_EQ(l.config.d_model, 8);
  EXPECT_EQ(l.config.src_vocab, 6);  // 4 special tokens + a, b
  EXPECT_EQ(l.panel, "attention");
  EXPECT_EQ(l.step, 3);
  EXPECT_TRUE(l.weights.empty());
}

TEST(Lessons, SyntaxErrorNamesLineAndColumn) {
  const std::string message = lesson_rejection({"\"d_model\": 8,", "\"d_model\": 8,,"});
  EXPECT_NE(message.find("tiny.json: line 3, column "), std::string::npos) << message;
}

TEST(Lessons, EveryFieldIsChecked) {
  const std::vector<std::pair<std::pair<std::string, std::string>, std::string>> cases = {
      {{"\"title\": \"Tiny\",", ""}, "tiny.json: title: missing"},
      {{"\"title\": \"Tiny\"", "\"title\": 7"},
       "tiny.json: title: expected a string or {\"en\": …, \"ko\": …}, found a number"},
      {{"\"title\": \"Tiny\"", "\"title\": {\"ko\": \"작은\"}"}, "tiny.json: title.en: missing"},
      {{"\"title\": \"Tiny\"", "\"title\": {\"en\": \"Tiny\", \"fr\": \"Petit\"}"}, "tiny.json: title.fr: unknown key"},
      {{"\"title\"", "\"titel\""}, "tiny.json: titel: unknown key"},
      {{"\"heads\": 2", "\"heads\": 3"}, "tiny.json: config: d_model = 8: must be divisible by heads = 3"},
      {{"\"heads\": 2", "\"heads\": \"two\""}, "tiny.json: config: heads = 'two': expected a whole number"},
      {{"\"d_ff\": 8", "\"dff\": 8"}, "tiny.json: config: unknown key 'dff'"},
      {{"\"d_ff\": 8", "\"d_ff\": [8]"},
       "tiny.json: config.d_ff: expected a number, true/false or a string, found a list"},
      {{"\"example\": {\"src\": \"a b\"",
        "\"vocabulary\": {\"source\": [\"a\", \"b\"], \"target\": [\"x\", \"y\"]}, \"example\": {\"src\": \"a c\""},
       "tiny.json: example.src: 'c' is not in the vocabulary (\"a c\")"},
      {{"\"max_len\": 6", "\"max_len\": 2"},
       "tiny.json: example.tgt: 3 tokens with <bos> is longer than config.max_len = 2"},
      {{"\"panel\": \"attention\"", "\"panel\": \"side\\u001bways\""},
       "tiny.json: open.panel = 'side\\u{1b}ways': control characters and malformed UTF-8 are not allowed"},
      {{"\"step\": 3", "\"step\": -1"}, "tiny.json: open.step = -1: must be in 0…100000000"},
      {{"\"held_out\": 0", "\"held_out\": 1.5"}, "tiny.json: task.held_out = 1.500000: must be in [0, 1)"},
      {{"\"pairs\"", "\"generator\": \"shuffle\", \"pairs\""},
       "tiny.json: task.pairs: give either a generator or pairs, not both"},
      {{"\"pairs\": [[\"a b\", \"x y\"], [\"b a\", \"y x\"]]", "\"generator\": \"shuffle\""},
       "tiny.json: task.generator = 'shuffle': not one of word_order, reverse, copy"},
      {{"[\"b a\", \"y x\"]", "[\"b a\"]"}, "tiny.json: task.pairs[1]: expected [source, target]"},
      {{"\"example\": {\"src\": \"a b\", \"tgt\": \"x y\"}", "\"example\": {\"src\": \"a b\"}"},
       "tiny.json: example.tgt: missing"},
      {{"\"open\"", "\"weights\": \"/abs/w.safetensors\", \"open\""},
       "tiny.json: weights = '/abs/w.safetensors': must be a relative path"},
      {{"\"title\": \"Tiny\",", "\"title\": \"Tiny\", \"title\": \"Again\","}, "tiny.json: duplicate key 'title'"},
      {{"\"open\"", "\"training\": {\"batch_size\": 0}, \"open\""},
       "tiny.json: training.batch_size = 0: must be in 1…100000"},
      {{"\"open\"", "\"training\": {\"learning_rate\": -1}, \"open\""},
       "tiny.json: training.learning_rate = -1.000000: must be a positive number"},
      {{"\"open\"", "\"vocabulary\": {\"source\": [\"a\", \"b\"], \"target\": [\"x\"]}, \"open\""},
       "tiny.json: example.tgt: 'y' is not in the vocabulary (\"x y\")"},
      {{"\"open\"", "\"format\": \"attnviz-trace\", \"open\""},
       "tiny.json: format = 'attnviz-trace': expected attnviz-lesson"},
  };
  for (const auto& [replace, expected] : cases) EXPECT_EQ(lesson_rejection(replace), expected) << replace.second;
}

TEST(Lessons, NotAnObjectOrNotAFile) {
  EXPECT_EQ(rejection([] { io::parse_lesson("[1, 2]", "list.json"); }),
            "list.json: lesson: expected a JSON object, found a list");
  EXPECT_NE(
      rejection([] { io::read_lesson_file("/nonexistent/lesson.json"); }).find("/nonexistent/lesson.json: cannot open"),
      std::string::npos);
  EXPECT_EQ(rejection([] { io::read_lesson_file(lessons_dir); }), lessons_dir + ": is a folder, not a file");
  EXPECT_NE(rejection([] { io::parse_lesson("{\"title\": \"\xff\"}", "bad.json"); }).find("bad.json: line 1"),
            std::string::npos);
}

TEST(Lessons, EveryBuiltInLessonLoads) {
  std::set<std::string> titles;
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(lessons_dir)) {
    if (entry.path().extension() != ".json") continue;
    const Lesson l = io::read_lesson_file(entry.path().string());
    titles.insert(l.title.en);
    ++count;
    if (!l.weights.empty()) {
      EXPECT_TRUE(l.weights.ends_with(".safetensors")) << l.weights;
    }
    if (l.config.d_model <= 64) {  // a session on the paper's base model is the benchmarks' job
      const Session session(to_preset(l), l.training.seed);
      EXPECT_GT(session.trace().loss(), 0) << l.title.en;
    }
  }
  EXPECT_EQ(count, 7);
  EXPECT_EQ(titles, (std::set<std::string>{"Word order", "Reverse digits", "Copy digits", "Tiny translation",
                                           "Self-attention by hand", "Paper base", "Why attention?"}));
}

TEST(Lessons, PaperBaseHasThePaperSizes) {
  const Lesson l = io::read_lesson_file(lessons_dir + "paper-base.json");
  EXPECT_EQ(l.config.d_model, 512);
  EXPECT_EQ(l.config.heads, 8);
  EXPECT_EQ(l.config.d_k(), 64);
  EXPECT_EQ(l.config.encoder_layers, 6);
  EXPECT_EQ(l.config.decoder_layers, 6);
  EXPECT_EQ(l.config.d_ff, 2048);
  EXPECT_TRUE(l.weights.empty());
}

TEST(Lessons, WordOrderGrammar) {
  const Lesson l = io::read_lesson_file(lessons_dir + "word-order.json");
  EXPECT_EQ(l.example, (SentencePair{"the prince saved the princess", "왕자 는 공주 를 구했다"}));
  const std::vector<SentencePair> pairs = make_pairs(l.task, l.task.seed);
  EXPECT_EQ(pairs.size(), 6u * 5u * 5u);
  auto has = [&](const SentencePair& p) { return std::find(pairs.begin(), pairs.end(), p) != pairs.end(); };
  EXPECT_TRUE(has(l.example));
  EXPECT_TRUE(has({"the king chased the dragon", "왕 은 용 을 쫓았다"}));  // final consonants: 은, 을
  EXPECT_TRUE(has({"the knight helped the queen", "기사 는 여왕 을 도왔다"}));
  EXPECT_FALSE(has({"the king saw the king", "왕 은 왕 을 봤다"}));  // subject ≠ object
  EXPECT_TRUE(l.weights.ends_with("assets/lessons/weights/word-order.safetensors")) << l.weights;
}

TEST(Lessons, HeldOutSplitKeepsMirrorImagesTogether) {
  const Lesson l = io::read_lesson_file(lessons_dir + "word-order.json");
  std::vector<SentencePair> train, held;
  split_pairs(make_pairs(l.task, l.task.seed), l.task.held_out, l.task.seed, train, held);
  EXPECT_EQ(train.size() + held.size(), 150u);
  EXPECT_EQ(held.size(), 30u);
  const auto mirror = [](const std::string& s) {  // "the A V the B" → "the B V the A"
    const std::vector<std::string> w = split_words(s);
    return w[0] + " " + w[4] + " " + w[2] + " " + w[3] + " " + w[1];
  };
  for (const SentencePair& h : held)
    for (const SentencePair& t : train) EXPECT_NE(t.src, mirror(h.src)) << h.src;
  std::vector<SentencePair> train2, held2;
  split_pairs(make_pairs(l.task, l.task.seed), l.task.held_out, l.task.seed, train2, held2);
  EXPECT_EQ(held, held2);
}

TEST(Lessons, DigitTasks) {
  Task reverse;
  reverse.generator = "reverse";
  reverse.count = 50;
  reverse.min_length = 2;
  reverse.max_length = 4;
  const std::vector<SentencePair> pairs = make_pairs(reverse, 7);
  ASSERT_EQ(pairs.size(), 50u);
  for (const SentencePair& p : pairs) {
    std::vector<std::string> src = split_words(p.src);
    const std::vector<std::string> tgt = split_words(p.tgt);
    EXPECT_GE(src.size(), 2u);
    EXPECT_LE(src.size(), 4u);
    std::reverse(src.begin(), src.end());
    EXPECT_EQ(src, tgt);
  }
  EXPECT_EQ(make_pairs(reverse, 7), pairs);
  EXPECT_NE(make_pairs(reverse, 8), pairs);
  reverse.max_length = 1;
  EXPECT_EQ(rejection([&] { make_pairs(reverse, 7); }), "task.max_length = 1: must be in min_length…1000");
}

// Worked example A, run as recorded steps from the lesson file's own matrices.
TEST(Lessons, SelfAttentionByHandRecordsExampleA) {
  const Lesson l = io::read_lesson_file(lessons_dir + "self-attention-by-hand.json");
  ASSERT_FALSE(l.attention.empty());
  Parameters params = fixed_attention_parameters(l.attention);
  Trace trace;
  run_fixed_attention(l.attention, params, trace);
  const auto value = [&](const char* name) {
    const std::optional<TensorId> id = trace.find(name);
    EXPECT_TRUE(id.has_value()) << name;
    return id ? trace.value(*id) : Mat();
  };
  Mat Q(3, 3), K(3, 3), V(3, 3), S(3, 3), A(3, 3), O(3, 3);
  Q << 1, 0, 2, 2, 2, 2, 2, 1, 3;
  K << 0, 1, 1, 4, 4, 0, 2, 3, 1;
  V << 1, 2, 3, 2, 8, 0, 2, 6, 3;
  S << 2, 4, 4, 4, 16, 12, 4, 12, 10;
  A << 0.1361258, 0.4319371, 0.4319371, 0.0008904474, 0.9088426, 0.09026691, 0.007444892, 0.7547076, 0.2378475;
  O << 1.863874, 6.319371, 1.704189, 1.999110, 7.814124, 0.273472, 1.992555, 7.479636, 0.735877;
  EXPECT_EQ(value("encoder.0.self_attn.q_proj"), Q);
  EXPECT_EQ(value("encoder.0.self_attn.k_proj"), K);
  EXPECT_EQ(value("encoder.0.self_attn.v_proj"), V);
  EXPECT_EQ(value("encoder.0.self_attn.head0.scores"), S);
  EXPECT_LT((value("encoder.0.self_attn.head0.softmax") - A).cwiseAbs().maxCoeff(), 5e-8);
  EXPECT_LT((value("encoder.0.self_attn.head0.weighted_sum") - O).cwiseAbs().maxCoeff(), 5e-6);
  EXPECT_EQ(trace.forward_count(), 8);  // q, k, v, scores, ÷√3, softmax, A V, and the loss Σ O
}

// The lesson's session holds example A itself (not a Transformer), and opens on the step that makes
// O, whose inputs and outputs and the example's grids show QKᵀ, the softmax and O.
TEST(Lessons, SelfAttentionByHandSessionIsExampleA) {
  const Lesson l = io::read_lesson_file(lessons_dir + "self-attention-by-hand.json");
  const Session session(to_preset(l));
  ASSERT_TRUE(session.fixed_attention());
  const Trace& t = session.trace();
  ASSERT_LT(l.step, t.step_count());
  const Step& open = t.step(l.step);
  EXPECT_EQ(open.phase, Phase::forward);
  EXPECT_EQ(open.op, OpKind::weighted_sum);
  Mat S_row2(1, 3), A_row1(1, 3), O_row1(1, 3);  // the notes' rounded figures
  S_row2 << 4, 16, 12;
  A_row1 << 0.1361, 0.4319, 0.4319;
  O_row1 << 1.8639, 6.3194, 1.7042;
  EXPECT_EQ(t.value(*t.find("encoder.0.self_attn.head0.scores")).row(1), S_row2);
  EXPECT_LT((t.value(open.inputs[0]).row(0) - A_row1).cwiseAbs().maxCoeff(), 5e-5);
  EXPECT_LT((t.value(open.outputs[0]).row(0) - O_row1).cwiseAbs().maxCoeff(), 5e-5);
  // L = Σ O of the notes' output
  EXPECT_NEAR(t.loss(),
              1.863874 + 6.319371 + 1.704189 + 1.999110 + 7.814124 + 0.273472 + 1.992555 + 7.479636 + 0.735877, 1e-5);
  EXPECT_EQ(rejection([&] { Session(session.preset()).set_sentences("x1 x2", "x1 x2", 0); }),
            "this lesson is worked example A: X, W_Q, W_K and W_V are fixed, and a sentence does not change them");
}

// Back from L = Σ O: ∂L/∂O = 1, and ∂L/∂W_Q, ∂L/∂W_K, ∂L/∂W_V as the trace holds them match
// central differences of L over the notes' W (the trace holds Wᵀ).
TEST(Lessons, SelfAttentionByHandGradientsMatchFiniteDifferences) {
  const Lesson l = io::read_lesson_file(lessons_dir + "self-attention-by-hand.json");
  Parameters params = fixed_attention_parameters(l.attention);
  Trace trace;
  run_fixed_attention(l.attention, params, trace);
  ASSERT_TRUE(trace.has_backward());
  EXPECT_EQ(trace.grad(*trace.find("encoder.0.self_attn.head0.weighted_sum")), Mat::Ones(3, 3));
  const auto loss_with = [&](FixedAttention a) {
    Parameters p = fixed_attention_parameters(a);
    Trace t;
    run_fixed_attention(a, p, t);
    return t.loss();
  };
  const std::pair<Mat FixedAttention::*, const char*> weights[] = {
      {&FixedAttention::W_Q, "encoder.layers.0.self_attn.q_proj.weight"},
      {&FixedAttention::W_K, "encoder.layers.0.self_attn.k_proj.weight"},
      {&FixedAttention::W_V, "encoder.layers.0.self_attn.v_proj.weight"}};
  for (const auto& [member, name] : weights) {
    const Mat& stored = trace.grad(*trace.find(name));  // ∂L/∂Wᵀ
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 3; ++j) {
        FixedAttention up = l.attention, down = l.attention;
        (up.*member)(i, j) += fd_eps;
        (down.*member)(i, j) -= fd_eps;
        const double numeric = (loss_with(up) - loss_with(down)) / (2 * fd_eps);
        EXPECT_TRUE(gradients_agree(stored(j, i), numeric))
            << name << " [" << i << "," << j << "] " << stored(j, i) << " vs " << numeric;
      }
  }
  // Every chain-rule sum equals the stored gradient.
  for (int s = trace.forward_count(); s < trace.step_count(); ++s) {
    const Step& b = trace.step(s);
    for (std::size_t i = 0; i < b.inputs.size(); ++i) {
      if (!trace.tensor(b.inputs[i]).requires_grad) continue;
      const Mat& share = trace.share(b, i);
      for (int r = 0; r < share.rows(); ++r)
        for (int c = 0; c < share.cols(); ++c) {
          const Explanation e = explain(trace, s, static_cast<int>(i), r, c);
          EXPECT_NEAR(e.sum, e.stored, 1e-12) << b.label << " input " << i;
        }
    }
  }
}

TEST(Lessons, FixedAttentionShapesAreChecked) {
  Lesson l = io::read_lesson_file(lessons_dir + "self-attention-by-hand.json");
  l.attention.W_K = Mat::Zero(4, 2);
  EXPECT_EQ(rejection([&] { validate(l); }), "attention.W_K: (4, 2) must have the shape of W_Q (4, 3)");
}

}  // namespace
}  // namespace attnviz::testing

namespace attnviz::testing {
namespace {

TEST(Lessons, DamagedLessonFilesAreRefusedNotCrashedOn) {
  const std::string good = io::read_file(lessons_dir + "tiny-translation.json", io::max_lesson_bytes);
  int refused = 0;
  for (std::size_t n = 0; n < good.size(); n += 7) {
    try {
      io::parse_lesson(good.substr(0, n), "cut.json");
    } catch (const InputError&) {
      ++refused;
    }
  }
  Random random(5);
  for (int i = 0; i < 300; ++i) {
    std::string bytes = good;
    const std::size_t at =
        std::min(bytes.size() - 1, static_cast<std::size_t>(random.uniform() * static_cast<double>(bytes.size())));
    const std::string alphabet = "{}[]\",:0-9ae \xff";
    bytes[at] = alphabet[std::min(alphabet.size() - 1,
                                  static_cast<std::size_t>(random.uniform() * static_cast<double>(alphabet.size())))];
    try {
      io::parse_lesson(bytes, "changed.json");
    } catch (const InputError&) {
      ++refused;
    }
  }
  EXPECT_GT(refused, 50);
}

TEST(Lessons, HugeGeneratedTasksAreRefused) {
  Task t;
  t.generator = "copy";
  t.count = 100000;
  t.min_length = 1;
  t.max_length = 1000;
  EXPECT_EQ(rejection([&] { make_pairs(t, 1); }), "task.count = 100000: count × max_length must be at most 1000000");
}

}  // namespace
}  // namespace attnviz::testing

namespace attnviz::testing {
namespace {

// Written and read back, every built-in lesson is the same lesson; its weights, outside the new
// folder, are copied beside it byte for byte.
TEST(Lessons, WrittenAndReadBackUnchanged) {
  const std::filesystem::path folder = std::filesystem::temp_directory_path() / "attnviz_lesson_test";
  std::filesystem::create_directories(folder);
  for (const auto& entry : std::filesystem::directory_iterator(lessons_dir)) {
    if (entry.path().extension() != ".json") continue;
    const Lesson a = io::read_lesson_file(entry.path().string());
    const std::string path = (folder / entry.path().filename()).string();
    io::write_lesson_file(path, a);
    const Lesson b = io::read_lesson_file(path);
    Lesson a_text = a, b_text = b;
    a_text.weights = b_text.weights = "";  // resolved against different folders
    for (Lesson* l : {&a_text, &b_text})
      for (ComparedModel& m : l->compare) m.weights.clear();
    EXPECT_EQ(io::lesson_json(b_text), io::lesson_json(a_text)) << path;
    EXPECT_EQ(config_entries(b.config), config_entries(a.config));
    EXPECT_EQ(b.src_vocab.words(), a.src_vocab.words());
    EXPECT_EQ(b.tgt_vocab.words(), a.tgt_vocab.words());
    EXPECT_EQ(make_pairs(b.task, b.task.seed), make_pairs(a.task, a.task.seed));
    EXPECT_EQ(b.example, a.example);
    EXPECT_EQ(b.attention.X, a.attention.X);
    if (!a.weights.empty()) {
      EXPECT_EQ(std::filesystem::path(b.weights).parent_path(), std::filesystem::canonical(folder));
      EXPECT_EQ(io::read_file(b.weights, io::max_weights_bytes), io::read_file(a.weights, io::max_weights_bytes));
    }
  }
  std::filesystem::remove_all(folder);
}

}  // namespace
}  // namespace attnviz::testing
