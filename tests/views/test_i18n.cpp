// The Korean interface: gettext finds the catalogue with only the C.UTF-8 locale, numbers keep
// their '.', a switch takes effect at once, IDs stay the English ones, and no panel drawn in
// Korean shows an English word outside formulas, names and the lesson's own words.

#include "headless_ui.h"
#include "model/budget.h"
#include "model/io/lesson_file.h"
#include "model/io/safetensors.h"
#include "model/quote.h"
#include "model/trainer.h"
#include "model/op_table.h"
#include "views/file_actions.h"
#include "views/i18n.h"
#include "views/panels.h"
#include "views/why_attention_panel.h"

#include <imgui_internal.h>

#include <cctype>
#include <chrono>
#include <clocale>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

namespace attnviz::views {
namespace {

// The window switched to Korean as View ▸ Language does; English again after each test (the
// language is the process's).
class Korean : public HeadlessUi {
 protected:
  using HeadlessUi::HeadlessUi;
  void SetUp() override {
    HeadlessUi::SetUp();
    ASSERT_TRUE(std::filesystem::exists(catalogue_file(Language::ko))) << catalogue_file(Language::ko);
    commands.push(SetLanguage{Language::ko});
    apply_commands(commands, app, selection);
    ASSERT_EQ(interface_language(), Language::ko);
  }
  void TearDown() override {
    set_interface_language(Language::en);
    HeadlessUi::TearDown();
  }
};

TEST(Translations, KoreanShowsWithTheCUtf8LocaleAndNumbersKeepTheirPoint) {
  init_translations();
  ASSERT_TRUE(set_interface_language(Language::ko)) << "no catalogue at " << catalogue_file(Language::ko);
  EXPECT_STREQ(tr("Step detail"), "단계 상세");
  EXPECT_EQ(tr(std::string_view("Softmax")), "소프트맥스");
  EXPECT_STREQ(trn("%lu row", "%lu rows", 3), "%lu행");
  EXPECT_STREQ(std::setlocale(LC_NUMERIC, nullptr), "C");
  EXPECT_NE(std::string(std::setlocale(LC_MESSAGES, nullptr)).rfind("C.", 0), std::string::npos);
  EXPECT_EQ(formatted(tr("Step %d of 0–%d  %s"), 3, 9, tr("forward")), "단계 3 / 0–9  순전파");
  EXPECT_EQ(formatted("%.2f", 1.5), "1.50");
  set_interface_language(Language::en);
  EXPECT_STREQ(tr("Step detail"), "Step detail");
  EXPECT_STREQ(trn("%lu row", "%lu rows", 3), "%lu rows");
  EXPECT_STREQ(std::setlocale(LC_MESSAGES, nullptr), "C") << "the system's messages in English again";
  set_interface_language(Language::ko);
  EXPECT_STREQ(tr("Step detail"), "단계 상세") << "a second switch";
  set_interface_language(Language::en);
}

TEST(Translations, LabelsKeepTheEnglishIdInEveryLanguage) {
  set_interface_language(Language::en);
  const std::string en = labelled("Step detail");
  set_interface_language(Language::ko);
  const std::string ko = labelled("Step detail");
  set_interface_language(Language::en);
  EXPECT_EQ(en, "Step detail###Step detail");
  EXPECT_EQ(ko, "단계 상세###Step detail");
  EXPECT_EQ(ImHashStr(en.c_str()), ImHashStr(ko.c_str()));
  EXPECT_EQ(ImHashStr(ko.c_str()), ImHashStr("###Step detail"));
}

TEST(Translations, TheCatalogueTextHoldsEveryTranslation) {
  const std::string text = catalogue_text(Language::ko);
  EXPECT_NE(text.find("단계 상세"), std::string::npos);
  EXPECT_NE(text.find("원문 토큰 %lu개"), std::string::npos);  // a plural form
  EXPECT_EQ(text.find('\0'), std::string::npos) << "the glyph builder stops at NUL";
  EXPECT_TRUE(catalogue_text(Language::en).empty());
}

TEST(Translations, LanguageCodes) {
  Language l = Language::en;
  EXPECT_TRUE(language_from_code("ko", l));
  EXPECT_EQ(l, Language::ko);
  EXPECT_FALSE(language_from_code("fr", l));
  EXPECT_EQ(l, Language::ko) << "an unknown code changes nothing";
  EXPECT_STREQ(language_code(Language::en), "en");
}

// The text drawn this frame, read back from the glyph quads of every draw list: each glyph's
// quad carries its UV rectangle in the font atlas, which names the character, and its place,
// which gives the pen position (the quad less the glyph's offset).  One string per run of glyphs
// on a line, a space where the pen moved on by more than half a space.  A glyph clipped at a
// panel's edge has other UVs and is not read.
std::vector<std::string> drawn_lines() {
  const ImFont* font = ImGui::GetFont();
  std::map<std::tuple<float, float, float, float>, const ImFontGlyph*> glyph_at;
  for (const ImFontGlyph& g : font->Glyphs) glyph_at[{g.U0, g.V0, g.U1, g.V1}] = &g;
  const float space = font->FindGlyph(' ')->AdvanceX;
  std::vector<std::string> lines;
  const ImDrawData* data = ImGui::GetDrawData();
  for (int l = 0; l < data->CmdListsCount; ++l) {
    const ImVector<ImDrawVert>& v = data->CmdLists[l]->VtxBuffer;
    std::string line;
    float pen_x = -1e9f, baseline = -1e9f;  // where the next glyph of the run would start
    for (int i = 0; i + 2 < v.Size; ++i) {
      const auto found = glyph_at.find({v[i].uv.x, v[i].uv.y, v[i + 2].uv.x, v[i + 2].uv.y});
      if (found == glyph_at.end() || v[i + 1].uv.y != v[i].uv.y) continue;
      const ImFontGlyph& g = *found->second;
      if (g.Codepoint < 33 || g.X1 <= g.X0 || g.Y1 <= g.Y0) continue;
      const float scale = (v[i + 2].pos.x - v[i].pos.x) / (g.X1 - g.X0);  // text size × window scale
      const float origin_x = v[i].pos.x - g.X0 * scale, top = v[i].pos.y - g.Y0 * scale;
      const bool same_line = std::abs(top - baseline) <= 1 && origin_x >= pen_x - 1;
      if (!same_line && !line.empty())
        lines.push_back(line), line.clear();
      else if (same_line && origin_x - pen_x > space * scale / 2)
        line += ' ';
      line += g.Codepoint < 128 ? static_cast<char>(g.Codepoint) : '?';
      pen_x = origin_x + g.AdvanceX * scale, baseline = top;
      i += 3;
    }
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> words_of(const std::string& line) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < line.size()) {
    const std::size_t end = std::min(line.find(' ', start), line.size());
    if (end > start) words.push_back(line.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

// Whether `run` is part of a formula's function, a key or a symbol above (a word cut at a panel's
// edge: "gmo" of "sigmoid").
bool in_a_formula(const std::string& run) {
  for (const char* word : {"softmax", "argmax", "sigmoid", "saliency", "LayerNorm", "PageDown", "PageUp", "English",
                           "attnviz", "true", "Shift", "Space", "Enter"})
    if (std::string(word).find(run) != std::string::npos) return true;
  return false;
}

// English left in a word: a run of three or more letters that is not a formula's function, a
// key, a symbol or a name (a word with '_', '.', '<', a digit), and not one of `names`.
std::string english_in(const std::string& word, const std::set<std::string>& names) {
  for (char c : word)
    if (c == '_' || c == '.' || c == '<' || std::isdigit(static_cast<unsigned char>(c))) return "";
  static const std::set<std::string> formulas = {
      "softmax",  "exp",   "log",     "ln",        "max",      "min",      "sin",      "cos",    "diag",
      "argmax",   "ReLU",  "GELU",    "LayerNorm", "FFN",      "CSV",      "PNG",      "Adam",   "nats",
      "sigmoid",  "tanh",  "Ctrl",    "Shift",     "Esc",      "Enter",    "PageDown", "PageUp", "Home",
      "End",      "Space", "English", "attnviz",   "post",     "pre",      "Post",     "Pre",    "norm",
      "saliency", "inf",   "nan",     "true",      "sublayer", "Sublayer", "GRU",      "RNN"};
  std::string letters;
  for (std::size_t i = 0; i <= word.size(); ++i) {
    const char c = i < word.size() ? word[i] : ' ';
    if (std::isalpha(static_cast<unsigned char>(c))) {
      letters += c;
      continue;
    }
    if (letters.size() >= 3 && !formulas.count(letters) && !names.count(letters)) return letters;
    letters.clear();
  }
  return "";
}

// Every panel alone and the overview, at a forward and a backward step, drawn in Korean.  Names
// are the lesson's words, the parts of the step and tensor names and the steps' formulas; a run
// cut at a panel's edge passes when it is part of one.
// The English words of the text drawn this frame, each with where it was drawn: runs of letters
// that are not in a formula, a key, or a name of this session (its words, steps, tensors,
// parameters and formulas).
class EnglishWords {
 public:
  explicit EnglishWords(const AppState& app) {
    for (const std::string& w : app.session.preset().src_vocab.words()) add_parts(w);
    for (const std::string& w : app.session.preset().tgt_vocab.words()) add_parts(w);
    const Trace& trace = app.session.trace();
    for (int i = 0; i < trace.step_count(); ++i) add_parts(trace.step(i).label);
    for (int i = 0; i < trace.tensor_count(); ++i) add_parts(trace.tensor(trace.activation(i)).name);
    for (const Tensor& p : app.session.model().params()) add_parts(p.name);
    for (int i = 0; i < trace.step_count(); ++i) add_parts(std::string(trace.step(i).formula));  // formulas stay
  }
  void read_frame(const std::string& where) {
    for (const std::string& line : drawn_lines())
      for (const std::string& word : words_of(line))
        if (const std::string english = english_in(word, names_);
            !english.empty() && !in_a_name(english) && !in_a_formula(english))
          found_.emplace(english, where + ": \"" + line + "\"");
  }
  const std::map<std::string, std::string>& found() const { return found_; }  // English word → where

 private:
  void add_parts(const std::string& name) {
    std::string part;
    for (char c : name + ".") {
      if (std::isalpha(static_cast<unsigned char>(c)))
        part += c;
      else if (!part.empty())
        names_.insert(part), part.clear();
    }
  }
  bool in_a_name(const std::string& run) const {
    for (const std::string& name : names_)
      if (name.find(run) != std::string::npos) return true;
    return false;
  }
  std::set<std::string> names_;
  std::map<std::string, std::string> found_;
};

TEST_F(Korean, NoPanelShowsEnglishWords) {
  EnglishWords english(app);
  const Trace& trace = app.session.trace();
  const int backward = trace.forward_count() + 3;
  for (const PanelInfo& panel : panel_table()) {
    for (int step : {trace.forward_count() / 2, backward}) {
      ui.view = panel.id;
      go_to_step(app, selection, step);
      frames(3);
      english.read_frame(std::string(panel.name) + " at step " + std::to_string(step));
    }
  }
  for (const auto& [word, where] : english.found()) ADD_FAILURE() << "English in the Korean window: " << where;
}

// The Korean window on a shipped lesson, assets/lessons/`file`.
class KoreanOnLesson : public Korean {
 protected:
  explicit KoreanOnLesson(const std::string& file)
      : KoreanOnLesson(io::read_lesson_file(path_of(file)), path_of(file)) {}

 private:
  static std::string path_of(const std::string& file) {
    return std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/" + file;
  }
  KoreanOnLesson(Lesson lesson, const std::string& path) : Korean(Session(to_preset(lesson))) {
    app.lesson = std::move(lesson);
    app.lesson_path = path;
  }
};

// The Korean window on the word-order lesson, whose sentences make a batch for the comparison of
// LayerNorm and BatchNorm.
class KoreanLesson : public KoreanOnLesson {
 protected:
  KoreanLesson() : KoreanOnLesson("word-order.json") {}
};

// The step detail at a forward LayerNorm step, with the comparison drawn under the matrices: a
// display tall enough that the whole panel is drawn without scrolling, its pictures' menus shut.
TEST_F(KoreanLesson, TheNormComparisonShowsNoEnglishWords) {
  EnglishWords english(app);
  for (const char* label : {"encoder.0.norm1.layer_norm", "decoder.0.norm2.layer_norm"}) {
    ImGui::GetIO().DisplaySize = ImVec2(1600, 9000);
    ui.view = PanelId::detail;
    go_to_step(app, selection, step_labelled(label, Phase::forward));
    frames(3);
    ASSERT_TRUE(ui.detail().norm_compare().comparison().has_value())
        << label << ": " << ui.detail().norm_compare().message();
    // The comparison is drawn at the end of the matrices' child window: all of it, when that
    // window has nothing to scroll to.
    const ImGuiWindow* detail = ImGui::FindWindowByName("###Step detail");
    ASSERT_NE(detail, nullptr);
    const ImGuiWindow* matrices = nullptr;
    for (const ImGuiWindow* child : detail->DC.ChildWindows)
      if (std::strstr(child->Name, "/matrices_")) matrices = child;
    ASSERT_NE(matrices, nullptr);
    EXPECT_EQ(matrices->ScrollMax.y, 0) << label << ": the comparison runs below the display, undrawn";
    english.read_frame(std::string("Step detail at ") + label);
  }
  for (const auto& [word, where] : english.found()) ADD_FAILURE() << "English in the Korean window: " << where;
}

// The Korean window on the why-attention lesson: a recurrent encoder–decoder with Bahdanau
// attention, and the page comparing it with Seq2Seq and a Transformer.
class KoreanWhyAttention : public KoreanOnLesson {
 protected:
  KoreanWhyAttention() : KoreanOnLesson("why-attention.json") {}
  // The first step of `op` in `phase`.
  int first_step_of(OpKind op, Phase phase) const {
    const Trace& trace = app.session.trace();
    for (int i = 0; i < trace.step_count(); ++i)
      if (trace.step(i).op == op && trace.step(i).phase == phase) return i;
    ADD_FAILURE() << "no step of " << op_info(op).name;
    return 0;
  }
};

// The page, the step list and the step detail and chain rule at a GRU step and at an
// additive-attention step, forward and backward, then the architecture, heads, attention and
// masking panels' notes on a recurrent model: a display tall enough that the page is drawn whole.
TEST_F(KoreanWhyAttention, ThePageAndTheRecurrentStepsShowNoEnglishWords) {
  EnglishWords english(app);
  ImGui::GetIO().DisplaySize = ImVec2(1600, 3000);
  ui.view = PanelId::why_attention;
  frames(3);
  ASSERT_EQ(ui.panel<WhyAttentionPanel>(PanelId::why_attention).models().size(), 3u);
  english.read_frame("Why attention?");
  for (const OpKind op : {OpKind::gru_cell, OpKind::additive_scores})
    for (const Phase phase : {Phase::forward, Phase::backward}) {
      const int step = first_step_of(op, phase);
      for (const PanelId view : {PanelId::steps, PanelId::detail, PanelId::chain_rule}) {
        ui.view = view;
        go_to_step(app, selection, step);
        frames(3);
        english.read_frame(std::string(panel_info(view).name) + " at " + app.session.trace().step(step).label);
      }
    }
  for (const PanelId view : {PanelId::architecture, PanelId::heads, PanelId::attention, PanelId::masking}) {
    ui.view = view;
    frames(3);
    english.read_frame(panel_info(view).name);
  }
  for (const auto& [word, where] : english.found()) ADD_FAILURE() << "English in the Korean window: " << where;
}

// A lesson's title and description, given in both languages by the lesson file, follow the
// language (the glyph reader reads Hangul as '?': the English is drawn in English only).
TEST_F(Korean, TheLessonLineIsInTheLessonsKorean) {
  app.lesson = io::read_lesson_file(std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/word-order.json");
  ASSERT_FALSE(app.lesson->title.ko.empty());
  ASSERT_FALSE(app.lesson->description.ko.empty());
  ui.view = PanelId::overview;
  const auto drawn = [](const std::string& text) {
    for (const std::string& line : drawn_lines())
      if (line.find(text) != std::string::npos) return true;
    return false;
  };
  const std::string title = app.lesson->title.en, description = app.lesson->description.en.substr(0, 24);
  for (const Language language : {Language::en, Language::ko}) {
    commands.push(SetLanguage{language});
    frames(3);
    EXPECT_EQ(drawn(title), language == Language::en) << title;
    EXPECT_EQ(drawn(description), language == Language::en) << description;
  }
}

// A refused sentence is said in Korean; the model's own message (the terminal's) stays English.
TEST_F(Korean, ARefusedSentenceIsSaidInKorean) {
  commands.push(SetSentences{"the dragonfly saved the princess", app.session.tgt_text()});
  apply_commands(commands, app, selection);
  EXPECT_EQ(app.sentence_message, "원문: 모르는 단어 'dragonfly'");
  try {
    app.session.set_sentences("", app.session.tgt_text(), 0);
    ADD_FAILURE() << "an empty source was accepted";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "source: the sentence is empty");
    EXPECT_EQ(error_in_words(e), "원문: 문장이 비어 있습니다");
  }
}

// The frame after View ▸ Language is drawn in the new language; the tabs take their new widths
// on the frame after that (ImGui lays a tab bar out from the last frame's labels).
TEST_F(Korean, ASwitchTakesEffectOnTheNextFrame) {
  frames(2);
  const ImGuiWindow* detail = ImGui::FindWindowByName("###Step detail");
  commands.push(SetLanguage{Language::en});
  frame();
  EXPECT_EQ(interface_language(), Language::en);
  EXPECT_EQ(app.language, Language::en) << "the tour notes follow the same setting";
  frame();
  const auto drawn = [] {
    std::string text;
    for (const std::string& line : drawn_lines()) text += line + " | ";
    return text;
  };
  EXPECT_NE(drawn().find("| Controls and sentences |"), std::string::npos) << drawn();
  EXPECT_EQ(ImGui::FindWindowByName("###Step detail"), detail) << "the same window, its layout kept";
  frame();
  bool heads_tab = false;
  for (const std::string& line : drawn_lines())
    for (const std::string& word : words_of(line)) heads_tab |= word == "Heads";
  EXPECT_TRUE(heads_tab) << drawn();
}

// A lesson file written into a folder of its own, removed with it.
class BadLessonFiles {
 public:
  BadLessonFiles()
      : folder_(std::filesystem::temp_directory_path() /
                ("attnviz-bad-lessons-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
                 std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()))) {
    std::filesystem::create_directories(folder_);
  }
  ~BadLessonFiles() { std::filesystem::remove_all(folder_); }
  std::string write(const std::string& name, const std::string& text) const {
    const std::string path = (folder_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::string path(const std::string& name) const { return (folder_ / name).string(); }

 private:
  std::filesystem::path folder_;
};

// File ▸ Open of `path` in the window, waited for; the File problem window's message.
std::string refusal_of_opening(const std::string& path, Commands& commands, AppState& app, Selection& selection) {
  commands.push(FileAction{FileAction::Kind::open_lesson, path});
  for (int i = 0; i < 6000; ++i) {
    apply_commands(commands, app, selection);
    if (!app.opening) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return app.file_message;
}

// The reason a lesson file is refused is said in Korean around the file's name, its field and
// the values it quotes; the English window (and the terminal: the exception's own message) keeps
// the English sentence word for word.
TEST_F(Korean, ARefusedLessonFileIsExplainedInKorean) {
  const BadLessonFiles files;
  const std::string untitled = files.write("untitled.json", R"({"format": "attnviz-lesson", "version": 1})");
  const std::string numbered =
      files.write("numbered.json", R"({"format": "attnviz-lesson", "version": 1, "title": 5})");
  const std::string half = files.write(
      "half.json", R"({"format": "attnviz-lesson", "version": 1, "title": "x", "example": {"src": "a b"}})");
  const std::string misspelt = files.write("misspelt.json", R"({"format": "attnviz-lesson", "titel": "x"})");
  const std::string none = files.path("none.json");
  const std::string twice = files.write("twice.json", R"({"format": "attnviz-lesson", "version": 1, "title": "x",
    "example": {"src": "a", "tgt": "a"}, "specials": {"pad": "<pad>", "bos": "<bos>", "eos": "<eos>"},
    "vocabulary": {"source": ["<pad>", "<bos>", "<eos>", "a", "a"], "target": ["<pad>", "<bos>", "<eos>", "a"]}})");
  const std::string lesson_path = app.lesson_path;
  const std::uint64_t generation = app.generation;

  EXPECT_EQ(refusal_of_opening(untitled, commands, app, selection), untitled + ": title: 빠져 있습니다");
  EXPECT_EQ(refusal_of_opening(numbered, commands, app, selection),
            numbered + ": title: 문자열 또는 {\"en\": …, \"ko\": …}여야 하는데 숫자입니다");
  EXPECT_EQ(refusal_of_opening(half, commands, app, selection), half + ": example.tgt: 빠져 있습니다");
  EXPECT_EQ(refusal_of_opening(misspelt, commands, app, selection), misspelt + ": titel: 모르는 키");
  EXPECT_EQ(
      refusal_of_opening(twice, commands, app, selection),
      twice +
          ": vocabulary.source[4] = 'a': 이미 id 3입니다 (순서대로 주어진 어휘에서는 단어의 id가 곧 그 위치입니다)");
  EXPECT_EQ(refusal_of_opening(none, commands, app, selection),
            none + ": 열 수 없습니다: 그런 파일이나 폴더가 없습니다");
  const std::string folder = files.path("");
  EXPECT_EQ(refusal_of_opening(folder, commands, app, selection), folder + ": 파일이 아니라 폴더입니다");
  EXPECT_EQ(app.generation, generation) << "a refused lesson changes nothing";
  EXPECT_EQ(app.lesson_path, lesson_path);

  try {
    io::read_lesson_file(numbered);
    ADD_FAILURE() << "a numbered title was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.what(), numbered + ": title: expected a string or {\"en\": …, \"ko\": …}, found a number");
  }
  try {
    io::read_lesson_file(none);
    ADD_FAILURE() << "a missing file was read";
  } catch (const InputError& e) {
    EXPECT_EQ(e.what(), none + ": cannot open: No such file or directory") << "the C library's reason stays English";
  }

  commands.push(SetLanguage{Language::en});
  apply_commands(commands, app, selection);
  ASSERT_EQ(interface_language(), Language::en);
  EXPECT_EQ(refusal_of_opening(untitled, commands, app, selection), untitled + ": title: missing");
  EXPECT_EQ(refusal_of_opening(numbered, commands, app, selection),
            numbered + ": title: expected a string or {\"en\": …, \"ko\": …}, found a number");
  EXPECT_EQ(refusal_of_opening(half, commands, app, selection), half + ": example.tgt: missing");
  EXPECT_EQ(refusal_of_opening(misspelt, commands, app, selection), misspelt + ": titel: unknown key");
  EXPECT_EQ(refusal_of_opening(twice, commands, app, selection),
            twice +
                ": vocabulary.source[4] = 'a': already id 3 (in a vocabulary given in its own order, a word's id is "
                "its position)");
  EXPECT_EQ(refusal_of_opening(none, commands, app, selection), none + ": cannot open: No such file or directory");
}

// Whether `text` holds a Hangul syllable (U+AC00…U+D7A3: UTF-8 lead bytes 0xEA…0xED).
bool has_hangul(const std::string& text) {
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b >= 0xEA && b <= 0xED) return true;
  }
  return false;
}

// The English words of a refusal said in Korean, outside its names: the file's path, quoted
// words ('x', "x"), command-line options (--memory-limit) and the `names` of fields and formats.
std::string english_outside_names(std::string message, const std::string& path, const std::set<std::string>& names) {
  for (std::size_t at; !path.empty() && (at = message.find(path)) != std::string::npos;) message.erase(at, path.size());
  for (const char mark : {'\'', '"'})
    for (std::size_t open; (open = message.find(mark)) != std::string::npos;) {
      const std::size_t close = message.find(mark, open + 1);
      message.erase(open, close == std::string::npos ? std::string::npos : close - open + 1);
    }
  std::string found;
  for (const std::string& word : words_of(message))
    if (word.rfind("--", 0) != 0)
      if (const std::string english = english_in(word, names); !english.empty()) found += english + " ";
  return found;
}

// The names a weights file's refusal quotes: its format and the fields of its header.
const std::set<std::string> weights_names = {"safetensors", "dtype", "shape", "JSON", "config"};

// A safetensors file: the 8-byte length of `header`, the header, the data.
std::string safetensors_bytes(const std::string& header, const std::string& data) {
  std::string bytes(8, '\0');
  const std::uint64_t n = header.size();
  std::memcpy(bytes.data(), &n, 8);
  return bytes + header + data;
}

// File ▸ Open weights of `path` in the window; the File problem window's message.
std::string refusal_of_weights(const std::string& path, Commands& commands, AppState& app, Selection& selection) {
  commands.push(FileAction{FileAction::Kind::open_weights, path});
  apply_commands(commands, app, selection);
  return app.file_message;
}

// The rarer reasons a weights file is refused, and several at once with their hints, are said in
// Korean around the file's name and the names it quotes; the terminal's English is the same
// sentence as before, word for word.
TEST_F(Korean, ARefusedWeightsFileIsExplainedInKorean) {
  const BadLessonFiles files;
  Parameters infinite = app.session.model().params();
  infinite[0].value(0, 0) = std::numeric_limits<double>::infinity();
  const std::string one_float(4, '\0');
  const struct {
    std::string name, bytes, english;  // the terminal's English after "<path>: "
  } cases[] = {
      {"short.safetensors", "abc", "only 3 bytes: too short for the 8-byte header length"},
      {"bf16.safetensors", safetensors_bytes(R"({"x":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}})", "\x01\x02"),
       "tensor 'x': unknown dtype 'BF16' (F32 and F64 are read)"},
      {"gap.safetensors",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", one_float + one_float),
       "tensor 'a': data_offsets begin at 4, not at 0: the offsets are not contiguous from 0"},
      {"list.safetensors", safetensors_bytes(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", one_float),
       "tensor 'a': shape [-1] is not a list of non-negative whole numbers"},
      {"tail.safetensors",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", one_float + "xyz"),
       "3 trailing bytes after the last tensor"},
      {"inf.safetensors", io::serialize_safetensors(infinite, io::DType::f64),
       "tensor " + quote(infinite[0].name) + ": element 0 is +inf: weights must be finite"},
  };
  const std::uint64_t generation = app.generation;
  for (const auto& c : cases) {
    const std::string path = files.write(c.name, c.bytes);
    const std::string shown = refusal_of_weights(path, commands, app, selection);
    EXPECT_TRUE(has_hangul(shown)) << shown;
    EXPECT_EQ(english_outside_names(shown, path, weights_names), "") << shown;
    EXPECT_EQ(app.file_message_english, path + ": " + c.english);
  }
  EXPECT_EQ(app.generation, generation) << "a refused weights file changes nothing";
}

// A file of another model: tensors that are not parameters, the parameters missing, and what
// might fix it, in one message whose every sentence is said in Korean.
TEST_F(Korean, SeveralProblemsOfAWeightsFileAndTheirHintsAreSaidInKorean) {
  const BadLessonFiles files;
  const std::string path = files.write(
      "other.safetensors",
      safetensors_bytes(R"({"encoder.layers.5.norm1.weight":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                        R"("pos_embedding":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})",
                        std::string(8, '\0')));
  const std::string shown = refusal_of_weights(path, commands, app, selection);
  EXPECT_TRUE(has_hangul(shown)) << shown;
  EXPECT_EQ(english_outside_names(shown, path, weights_names), "") << shown;
  EXPECT_NE(shown.find(" 외 "), std::string::npos) << "the list of missing parameters is cut: " << shown;
  EXPECT_NE(shown.find("도움말: "), std::string::npos) << shown;

  const std::string& english = app.file_message_english;
  const std::size_t missing = static_cast<std::size_t>(app.session.model().params().size());
  EXPECT_EQ(english.rfind(path +
                              ": 2 tensors are not parameters of this model: 'encoder.layers.5.norm1.weight', "
                              "'pos_embedding'; " +
                              std::to_string(missing) + " parameters are missing: '",
                          0),
            0u)
      << english;
  EXPECT_NE(
      english.find(" more. Hint: 'pos_embedding' looks like a positional table: attnviz computes the sinusoidal "
                   "encoding itself (config.positional), so leave it out of the file; a learned one attnviz cannot run"
                   ". Hint: the file has encoder layers up to layers.5, the config "),
      std::string::npos)
      << english;
  try {
    Parameters params = app.session.model().params();
    io::read_weights(path, params);
    ADD_FAILURE() << "a file of another model was read";
  } catch (const InputError& e) {
    EXPECT_EQ(e.what(), english) << "the terminal says what the exception says";
    EXPECT_EQ(error_in_words(e), shown);
  }
}

// `change` made to a lesson that passes validate(): the refusal, in English (the terminal's) and in
// the window's words.
struct Refusal {
  std::string english, shown;
};
Refusal refusal_of(Lesson lesson, const std::function<void(Lesson&)>& change) {
  change(lesson);
  try {
    validate(lesson);
  } catch (const InputError& e) {
    return {e.what(), error_in_words(e)};
  }
  return {"accepted", "accepted"};
}

// What a lesson's content is refused for (counts of nouns and verbs, vocabulary sizes, compared
// models, the fixed attention's shapes, a reference, the memory budget) is said in Korean.
TEST_F(Korean, ALessonRefusedForItsContentIsExplainedInKorean) {
  const std::string lessons = std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/";
  const Lesson words = io::read_lesson_file(lessons + "word-order.json");
  const Lesson by_hand = io::read_lesson_file(lessons + "self-attention-by-hand.json");
  ASSERT_FALSE(by_hand.attention.empty());
  const std::string src_vocab = std::to_string(words.config.src_vocab);
  const std::string lesson_model = to_string(words.config.architecture);
  const struct {
    const Lesson& lesson;
    std::function<void(Lesson&)> change;
    std::string english;
  } cases[] = {
      {words, [](Lesson& l) { l.task.nouns.resize(1); }, "task.nouns: 1 nouns, need at least 2"},
      {words, [](Lesson& l) { l.task.verbs.clear(); }, "task.verbs: need at least one verb"},
      {words, [](Lesson& l) { l.config.src_vocab += 1; },
       "config.src_vocab = " + std::to_string(words.config.src_vocab + 1) + ": the source vocabulary has " + src_vocab +
           " tokens"},
      {words,
       [](Lesson& l) {
         const SpecialWords specials{"<pad>", "<bos>", "<eos>", ""};
         l.src_vocab = Vocabulary::in_order({"<pad>", "<bos>", "<eos>", "a"}, specials);
         l.tgt_vocab = Vocabulary::in_order({"<bos>", "<pad>", "<eos>", "a"}, specials);
         l.config.src_vocab = l.config.tgt_vocab = 4;
       },
       "specials.pad: id 0 in the source vocabulary, 1 in the target: one padding id serves both"},
      {words,
       [](Lesson& l) {
         l.compare = {ComparedModel{l.config, l.training, ""}};
       },
       "compare[0].config.architecture = " + lesson_model + ": the lesson's own model is one already"},
      {words,
       [](Lesson& l) {
         l.weights.clear();
         l.reference = Reference{};
       },
       "reference: the lesson has no weights, and a reference is the answer of trained weights"},
      {words, [](Lesson& l) { l.config.d_model = 4096, l.config.d_ff = 16384; }, "config: this model needs "},
      {by_hand, [](Lesson& l) { l.attention.W_Q.conservativeResize(l.attention.W_Q.rows() + 1, Eigen::NoChange); },
       "attention.W_Q: (" + std::to_string(by_hand.attention.W_Q.rows() + 1) + ", " +
           std::to_string(by_hand.attention.W_Q.cols()) + ") needs " + std::to_string(by_hand.attention.X.cols()) +
           " rows, one per column of X"},
      {by_hand, [](Lesson& l) { l.attention.W_K.conservativeResize(Eigen::NoChange, l.attention.W_K.cols() + 1); },
       "attention.W_K: (" + std::to_string(by_hand.attention.W_K.rows()) + ", " +
           std::to_string(by_hand.attention.W_K.cols() + 1) + ") must have the shape of W_Q (" +
           std::to_string(by_hand.attention.W_Q.rows()) + ", " + std::to_string(by_hand.attention.W_Q.cols()) + ")"},
  };
  for (const auto& c : cases) {
    const Refusal r = refusal_of(c.lesson, c.change);
    EXPECT_EQ(r.english.rfind(c.english, 0), 0u) << r.english;
    EXPECT_TRUE(has_hangul(r.shown)) << r.shown;
    EXPECT_EQ(english_outside_names(r.shown, "", {"config", "reference", lesson_model}), "") << r.shown;
  }
  Lesson without_task = words;
  without_task.task = Task{};
  try {
    check_trainable(without_task, without_task.training);
    ADD_FAILURE() << "a lesson without a task was trainable";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("the lesson has no task: it shows a model without sentence pairs", 0), 0u);
    EXPECT_TRUE(has_hangul(error_in_words(e))) << error_in_words(e);
    EXPECT_EQ(english_outside_names(error_in_words(e), "", {}), "") << error_in_words(e);
  }
  Task no_pairs;
  try {
    make_pairs(no_pairs, 1);
    ADD_FAILURE() << "a task without pairs made pairs";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "task.pairs: no sentence pairs");
    EXPECT_EQ(error_in_words(e), "task.pairs: 문장 쌍이 없습니다");
  }
}

// The memory and arithmetic budgets, as the File problem window says them for a lesson too large
// to open and as the Training panel says them for a model too large to train.
TEST_F(Korean, AModelOverTheBudgetIsRefusedInKorean) {
  const BadLessonFiles files;
  std::ifstream copy(std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/copy.json");
  std::string text((std::istreambuf_iterator<char>(copy)), std::istreambuf_iterator<char>());
  text.replace(text.find("\"d_model\": 32"), 13, "\"d_model\": 4096");
  text.replace(text.find("\"d_ff\": 64"), 10, "\"d_ff\": 16384");
  const std::size_t weights = text.find("  \"weights\"");
  text.erase(weights, text.find('\n', weights) + 1 - weights);  // the file's weights are of the small model
  const std::string path = files.write("huge.json", text);
  const std::string shown = refusal_of_opening(path, commands, app, selection);
  EXPECT_EQ(shown.rfind(path + ": config: 이 모델에는 ", 0), 0u) << shown;
  EXPECT_EQ(english_outside_names(shown, path, {"config"}), "") << shown;

  const Limits kept = limits();
  Config small;
  limits().flops = 1;
  try {
    check_cost(small);
    ADD_FAILURE() << "one flop was enough";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(
                  "config: one forward + backward at max_len = " + std::to_string(small.max_len) + " tokens is ", 0),
              0u)
        << e.what();
    EXPECT_EQ(english_outside_names(error_in_words(e), "", {"config"}), "") << error_in_words(e);
  }
  limits() = kept;
  limits().training_memory_bytes = 1000;
  try {
    check_training_cost(small);
    ADD_FAILURE() << "one byte was enough to train";
  } catch (const InputError& e) {
    EXPECT_NE(
        std::string(e.what()).find(", over the 1.0 kB limit (the model, Adam's moments and a trace; --memory-limit "
                                   "raises the limit)"),
        std::string::npos)
        << e.what();
    EXPECT_TRUE(has_hangul(error_in_words(e)));
    EXPECT_EQ(english_outside_names(error_in_words(e), "", {"config"}), "") << error_in_words(e);
  }
  limits() = kept;
}

}  // namespace
}  // namespace attnviz::views
