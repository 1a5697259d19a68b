#include "model/io/lesson_file.h"

#include "model/error.h"
#include "model/io/files.h"
#include "model/io/json_text.h"
#include "model/io/safetensors.h"
#include "model/quote.h"
#include "model/translatable.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

namespace attnviz::io {

namespace {

// Refuses the lesson: `format` (marked N_(), its first "%s" the field) filled with the field and `words`.
[[noreturn]] void fail(const std::string& field, const char* format, std::vector<std::string> words = {}) {
  words.insert(words.begin(), field);
  throw InputError(format, std::move(words));
}

const char* kind_of(const Json& j) {
  if (j.is_null()) return N_("null");
  if (j.is_boolean()) return N_("true/false");
  if (j.is_number()) return N_("a number");
  if (j.is_string()) return N_("a string");
  if (j.is_array()) return N_("a list");
  return N_("an object");
}

// "field: expected …, found a number": `format`'s second "%s" is the kind of `j`, translated with it.
[[noreturn]] void fail_found(const std::string& field, const char* format, const Json& j) {
  InputError error(format, {field, kind_of(j)});
  error.translated_args = 1u << 1;
  throw error;
}

// Refuses keys other than `known` (a misspelt key would otherwise be ignored silently).
void only_keys(const Json& object, const std::string& field, std::initializer_list<const char*> known) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool found = false;
    for (const char* k : known) found |= it.key() == k;
    if (!found) fail(field.empty() ? key_text(it.key()) : field + "." + key_text(it.key()), N_("%s: unknown key"));
  }
}

const Json& object_at(const Json& parent, const char* key, const std::string& field) {
  const Json& j = parent.at(key);
  if (!j.is_object()) fail_found(field, N_("%s: expected an object, found %s"), j);
  return j;
}

std::string string_at(const Json& j, const std::string& field) {
  if (!j.is_string()) fail_found(field, N_("%s: expected a string, found %s"), j);
  return j.get<std::string>();
}

long long integer_at(const Json& j, const std::string& field, long long lo, long long hi) {
  if (!j.is_number()) fail_found(field, N_("%s: expected a whole number, found %s"), j);
  if (!j.is_number_integer() && !j.is_number_unsigned())
    fail(field, N_("%s: expected a whole number, found %s"), {printable(j.dump(), 40)});
  if (j.is_number_unsigned() && j.get<unsigned long long>() > static_cast<unsigned long long>(hi))
    fail(field + " = " + printable(j.dump(), 40), N_("%s: out of range: at most %s"), {std::to_string(hi)});
  const long long v = j.get<long long>();
  if (v < lo || v > hi)
    fail(field + " = " + std::to_string(v), N_("%s: must be in %s…%s"), {std::to_string(lo), std::to_string(hi)});
  return v;
}

double number_at(const Json& j, const std::string& field) {
  if (!j.is_number()) fail_found(field, N_("%s: expected a number, found %s"), j);
  const double v = j.get<double>();
  if (!std::isfinite(v)) fail(field, N_("%s: must be finite"));
  return v;
}

std::vector<std::string> strings_at(const Json& j, const std::string& field) {
  if (!j.is_array()) fail_found(field, N_("%s: expected a list of strings, found %s"), j);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < j.size(); ++i) out.push_back(string_at(j[i], field + "[" + std::to_string(i) + "]"));
  return out;
}

// ["english", "한국어"] pairs.
std::vector<std::pair<std::string, std::string>> word_pairs_at(const Json& j, const std::string& field) {
  if (!j.is_array()) fail_found(field, N_("%s: expected a list of [source, target] pairs, found %s"), j);
  std::vector<std::pair<std::string, std::string>> out;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string f = field + "[" + std::to_string(i) + "]";
    if (!j[i].is_array() || j[i].size() != 2) fail(f, N_("%s: expected [source, target]"));
    out.emplace_back(string_at(j[i][0], f + "[0]"), string_at(j[i][1], f + "[1]"));
    if (split_words(out.back().first).size() != 1 || split_words(out.back().second).size() != 1)
      fail(f, N_("%s: each side must be one word"));
  }
  return out;
}

SentencePair sentence_pair_at(const Json& j, const std::string& field) {
  if (j.is_array()) {
    if (j.size() != 2) fail(field, N_("%s: expected [source, target]"));
    return {string_at(j[0], field + "[0]"), string_at(j[1], field + "[1]")};
  }
  if (!j.is_object()) fail_found(field, N_("%s: expected {\"src\": …, \"tgt\": …} or [source, target], found %s"), j);
  only_keys(j, field, {"src", "tgt"});
  if (!j.contains("src")) fail(field + ".src", N_("%s: missing"));
  if (!j.contains("tgt")) fail(field + ".tgt", N_("%s: missing"));
  return {string_at(j["src"], field + ".src"), string_at(j["tgt"], field + ".tgt")};
}

Mat matrix_at(const Json& j, const std::string& field, std::size_t most = 256) {
  if (!j.is_array() || j.empty()) fail(field, N_("%s: expected a non-empty list of rows"));
  const std::size_t cols = j[0].is_array() ? j[0].size() : 0;
  if (cols == 0) fail(field + "[0]", N_("%s: expected a non-empty list of numbers"));
  if (j.size() > most || cols > most) fail(field, N_("%s: at most %s rows and columns"), {std::to_string(most)});
  Mat m(static_cast<Eigen::Index>(j.size()), static_cast<Eigen::Index>(cols));
  for (std::size_t r = 0; r < j.size(); ++r) {
    const std::string fr = field + "[" + std::to_string(r) + "]";
    if (!j[r].is_array() || j[r].size() != cols)
      fail(fr, N_("%s: expected a list of %s numbers, like row 0"), {std::to_string(cols)});
    for (std::size_t c = 0; c < cols; ++c)
      m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) =
          number_at(j[r][c], fr + "[" + std::to_string(c) + "]");
  }
  return m;
}

// A config value as the text set_config_value parses.
std::string config_text(const Json& j, const std::string& field) {
  if (j.is_boolean()) return j.get<bool>() ? "true" : "false";
  if (j.is_number_integer() || j.is_number_unsigned()) return j.dump();
  if (j.is_number_float()) return j.dump();
  if (j.is_string()) return j.get<std::string>();
  fail_found(field, N_("%s: expected a number, true/false or a string, found %s"), j);
}

Task task_at(const Json& j) {
  if (!j.is_object()) fail_found("task", N_("%s: expected an object, found %s"), j);
  only_keys(j, "task",
            {"generator", "pairs", "nouns", "verbs", "count", "min_length", "max_length", "held_out", "seed",
             "position_names"});
  Task t;
  if (j.contains("generator")) t.generator = string_at(j["generator"], "task.generator");
  if (j.contains("pairs")) {
    if (!t.generator.empty()) fail("task.pairs", N_("%s: give either a generator or pairs, not both"));
    const Json& pairs = j["pairs"];
    if (!pairs.is_array())
      fail_found("task.pairs", N_("%s: expected a list of [source, target] pairs, found %s"), pairs);
    for (std::size_t i = 0; i < pairs.size(); ++i)
      t.pairs.push_back(sentence_pair_at(pairs[i], "task.pairs[" + std::to_string(i) + "]"));
  } else if (t.generator.empty()) {
    fail("task", N_("%s: needs a generator or pairs"));
  }
  if (!t.generator.empty()) {
    const std::vector<std::string> known = task_generators();
    if (std::find(known.begin(), known.end(), t.generator) == known.end())
      fail("task.generator = " + quote(t.generator), N_("%s: not one of word_order, reverse, copy"));
  }
  const bool words = t.generator == "word_order", digits = t.generator == "reverse" || t.generator == "copy";
  for (const char* key : {"nouns", "verbs"})
    if (j.contains(key) && !words) fail(std::string("task.") + key, N_("%s: only for the word_order generator"));
  for (const char* key : {"count", "min_length", "max_length"})
    if (j.contains(key) && !digits)
      fail(std::string("task.") + key, N_("%s: only for the reverse and copy generators"));
  if (words) {
    if (!j.contains("nouns")) fail("task.nouns", N_("%s: missing"));
    if (!j.contains("verbs")) fail("task.verbs", N_("%s: missing"));
    t.nouns = word_pairs_at(j["nouns"], "task.nouns");
    t.verbs = word_pairs_at(j["verbs"], "task.verbs");
  }
  if (digits) {
    for (const char* key : {"count", "min_length", "max_length"})
      if (!j.contains(key)) fail(std::string("task.") + key, N_("%s: missing"));
    t.count = static_cast<int>(integer_at(j["count"], "task.count", 1, 100000));
    t.min_length = static_cast<int>(integer_at(j["min_length"], "task.min_length", 1, 1000));
    t.max_length = static_cast<int>(integer_at(j["max_length"], "task.max_length", 1, 1000));
    if (t.max_length < t.min_length)
      fail("task.max_length = " + std::to_string(t.max_length), N_("%s: less than min_length = %s"),
           {std::to_string(t.min_length)});
  }
  if (j.contains("held_out")) t.held_out = number_at(j["held_out"], "task.held_out");
  if (j.contains("seed")) t.seed = static_cast<std::uint64_t>(integer_at(j["seed"], "task.seed", 0, 1LL << 53));
  if (j.contains("position_names")) t.position_names = strings_at(j["position_names"], "task.position_names");
  return t;
}

bool bool_at(const Json& j, const std::string& field) {
  if (!j.is_boolean()) fail_found(field, N_("%s: expected true or false, found %s"), j);
  return j.get<bool>();
}

// {"pad": "<pad>", "bos": "<bos>", "eos": "<eos>", "unk": "<unk>"}: unk may be left out.
SpecialWords specials_at(const Json& j) {
  if (!j.is_object()) fail_found("specials", N_("%s: expected an object, found %s"), j);
  only_keys(j, "specials", {"pad", "bos", "eos", "unk"});
  SpecialWords s;
  for (const char* role : {"pad", "bos", "eos"})
    if (!j.contains(role)) fail(std::string("specials.") + role, N_("%s: missing (the word that plays this role)"));
  s.pad = string_at(j["pad"], "specials.pad");
  s.bos = string_at(j["bos"], "specials.bos");
  s.eos = string_at(j["eos"], "specials.eos");
  s.unk = j.contains("unk") ? string_at(j["unk"], "specials.unk") : "";
  return s;
}

Vocabulary in_order(const std::vector<std::string>& words, const SpecialWords& specials, const std::string& field) {
  try {
    return Vocabulary::in_order(words, specials);
  } catch (const InputError& e) {
    throw within(field, e, std::string_view(e.what()).starts_with("[") ? "" : ": ");
  }
}

// {"parameter name": "name in the weights file", …}
std::map<std::string, std::string> weight_names_at(const Json& j) {
  if (!j.is_object()) fail_found("weight_names", N_("%s: expected an object, found %s"), j);
  std::map<std::string, std::string> names;
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string field = "weight_names." + key_text(it.key());
    const std::string name = string_at(it.value(), field);
    if (it.key().empty() || name.empty()) fail(field, N_("%s: empty name"));
    if (!is_plain_text(it.key()) || !is_plain_text(name))
      fail(field, N_("%s: control characters and malformed UTF-8 are not allowed"));
    names.emplace(it.key(), name);
  }
  return names;
}

// {"loss": L, "logits": [[…], …], "by": "PyTorch 2.1.0, float64"}
Reference reference_at(const Json& j) {
  if (!j.is_object()) fail_found("reference", N_("%s: expected an object, found %s"), j);
  only_keys(j, "reference", {"loss", "logits", "by"});
  if (!j.contains("loss")) fail("reference.loss", N_("%s: missing"));
  if (!j.contains("logits")) fail("reference.logits", N_("%s: missing"));
  Reference r;
  r.loss = number_at(j["loss"], "reference.loss");
  r.logits = matrix_at(j["logits"], "reference.logits", 100000);
  if (j.contains("by")) {
    r.by = string_at(j["by"], "reference.by");
    if (!is_plain_text(r.by)) fail("reference.by", N_("%s: control characters and malformed UTF-8 are not allowed"));
  }
  return r;
}

TrainingSettings training_at(const Json& j) {
  if (!j.is_object()) fail_found("training", N_("%s: expected an object, found %s"), j);
  only_keys(j, "training", {"steps", "batch_size", "learning_rate", "warmup", "seed", "eval_every", "target_accuracy"});
  TrainingSettings t;
  if (j.contains("steps")) t.steps = static_cast<int>(integer_at(j["steps"], "training.steps", 0, 10000000));
  if (j.contains("batch_size"))
    t.batch_size = static_cast<int>(integer_at(j["batch_size"], "training.batch_size", 1, 100000));
  if (j.contains("learning_rate")) t.learning_rate = number_at(j["learning_rate"], "training.learning_rate");
  if (j.contains("warmup")) t.warmup = static_cast<int>(integer_at(j["warmup"], "training.warmup", 0, 10000000));
  if (j.contains("seed")) t.seed = static_cast<std::uint64_t>(integer_at(j["seed"], "training.seed", 0, 1LL << 53));
  if (j.contains("eval_every"))
    t.eval_every = static_cast<int>(integer_at(j["eval_every"], "training.eval_every", 1, 10000000));
  if (j.contains("target_accuracy")) t.target_accuracy = number_at(j["target_accuracy"], "training.target_accuracy");
  return t;
}

// "text" (both languages) or {"en": "…", "ko": "…"} (English required).
LocalText local_text_at(const Json& j, const std::string& field) {
  if (j.is_string()) return {j.get<std::string>(), ""};
  if (!j.is_object()) fail_found(field, N_("%s: expected a string or {\"en\": …, \"ko\": …}, found %s"), j);
  only_keys(j, field, {"en", "ko"});
  if (!j.contains("en")) fail(field + ".en", N_("%s: missing"));
  LocalText t{string_at(j["en"], field + ".en"), ""};
  if (j.contains("ko")) t.ko = string_at(j["ko"], field + ".ko");
  return t;
}

// A plain file name ending in .json: no folder, no "..", nothing outside the lesson's own folder.
bool is_sibling_lesson(const std::string& name) {
  const std::string ext = ".json";
  return name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0 &&
         name.find_first_of("/\\") == std::string::npos && name.find("..") == std::string::npos && is_plain_text(name);
}

TourStop tour_stop_at(const Json& j, const std::string& f) {
  if (!j.is_object()) fail_found(f, N_("%s: expected an object, found %s"), j);
  only_keys(j, f, {"title", "note", "step", "phase", "panel", "select", "text_size", "lesson"});
  TourStop s;
  if (!j.contains("title")) fail(f + ".title", N_("%s: missing"));
  s.title = local_text_at(j["title"], f + ".title");
  if (j.contains("note")) s.note = local_text_at(j["note"], f + ".note");
  if (j.contains("step")) s.step = string_at(j["step"], f + ".step");
  if (j.contains("phase")) {
    const std::string phase = string_at(j["phase"], f + ".phase");
    if (phase != "forward" && phase != "backward")
      fail(f + ".phase = " + quote(phase), N_("%s: not one of forward, backward"));
    if (s.step.empty()) fail(f + ".phase", N_("%s: only with a step"));
    s.phase = phase == "backward" ? Phase::backward : Phase::forward;
  }
  if (j.contains("panel")) s.panel = string_at(j["panel"], f + ".panel");
  if (j.contains("select")) {
    const Json& sel = j["select"];
    if (!sel.is_array() || sel.size() != 2) fail(f + ".select", N_("%s: expected [row, column]"));
    if (s.step.empty()) fail(f + ".select", N_("%s: only with a step"));
    s.select = {{static_cast<int>(integer_at(sel[0], f + ".select[0]", 0, 1000000)),
                 static_cast<int>(integer_at(sel[1], f + ".select[1]", 0, 1000000))}};
  }
  if (j.contains("text_size")) s.text_size = static_cast<int>(integer_at(j["text_size"], f + ".text_size", 100, 200));
  if (j.contains("lesson")) {
    s.lesson = string_at(j["lesson"], f + ".lesson");
    if (!is_sibling_lesson(s.lesson))
      fail(f + ".lesson = " + quote(s.lesson),
           N_("%s: expected a lesson file name beside this one, such as \"why-attention.json\""));
    for (const char* key : {"step", "phase", "select"})
      if (j.contains(key)) fail(f + "." + key, N_("%s: only without lesson"));
  }
  return s;
}

std::vector<TourStop> tour_at(const Json& j) {
  if (!j.is_array()) fail_found("tour", N_("%s: expected a list of stops, found %s"), j);
  if (j.size() > 1000) fail("tour", N_("%s: at most 1000 stops"));
  std::vector<TourStop> tour;
  for (std::size_t i = 0; i < j.size(); ++i) tour.push_back(tour_stop_at(j[i], "tour[" + std::to_string(i) + "]"));
  return tour;
}

// "compare": [{"config": {"architecture": "seq2seq", …}, "training": {…}, "weights": "…"}, …]:
// each config is the lesson's with these keys set; training is the lesson's unless given.
std::vector<ComparedModel> compared_at(const Json& j, const Lesson& lesson) {
  if (!j.is_array()) fail_found("compare", N_("%s: expected a list of models, found %s"), j);
  if (j.size() > 8) fail("compare", N_("%s: at most 8 models"));
  std::vector<ComparedModel> models;
  for (std::size_t i = 0; i < j.size(); ++i) {
    const std::string f = "compare[" + std::to_string(i) + "]";
    if (!j[i].is_object()) fail_found(f, N_("%s: expected an object, found %s"), j[i]);
    only_keys(j[i], f, {"config", "training", "weights"});
    if (!j[i].contains("config")) fail(f + ".config", N_("%s: missing (at least its architecture)"));
    ComparedModel m{lesson.config, lesson.training, ""};
    const Json& c = object_at(j[i], "config", f + ".config");
    for (auto it = c.begin(); it != c.end(); ++it) {
      const std::string field = f + ".config." + key_text(it.key());
      try {
        set_config_value(m.config, it.key(), config_text(it.value(), field));
      } catch (const InputError& e) {
        throw within(f, e);
      }
    }
    if (j[i].contains("training")) {
      try {
        m.training = training_at(j[i]["training"]);
      } catch (const InputError& e) {
        throw within(f, e);
      }
    }
    if (j[i].contains("weights")) {
      m.weights = string_at(j[i]["weights"], f + ".weights");
      if (m.weights.empty() || std::filesystem::path(m.weights).is_absolute())
        fail(f + ".weights = " + quote(m.weights), N_("%s: must be a relative path"));
    }
    models.push_back(std::move(m));
  }
  return models;
}

// Vocabulary: given (in the built-in order, or in the model's own with its special tokens),
// synthetic, or every word of the task and the example.
void vocabularies_at(const Json& root, Lesson& l) {
  if (root.contains("specials") &&
      !(root.contains("vocabulary") && root["vocabulary"].is_object() && root["vocabulary"].contains("source")))
    fail("specials",
         N_("%s: needs vocabulary.source and vocabulary.target: the words in the model's own order, ids = positions"));
  if (!root.contains("vocabulary")) {
    std::vector<SentencePair> pairs = l.task.empty() ? std::vector<SentencePair>{} : make_pairs(l.task, l.task.seed);
    pairs.insert(pairs.begin(), l.example);
    l.src_vocab = source_vocabulary(pairs);
    l.tgt_vocab = target_vocabulary(pairs);
    return;
  }
  const Json& v = object_at(root, "vocabulary", "vocabulary");
  only_keys(v, "vocabulary", {"source", "target", "synthetic"});
  if (v.contains("synthetic")) {
    if (v.contains("source") || v.contains("target"))
      fail("vocabulary.synthetic", N_("%s: give either synthetic or source and target"));
    const int n = static_cast<int>(integer_at(v["synthetic"], "vocabulary.synthetic", 5, 100000));
    l.src_vocab = Vocabulary::synthetic(n);
    l.tgt_vocab = Vocabulary::synthetic(n);
    return;
  }
  if (!v.contains("source")) fail("vocabulary.source", N_("%s: missing"));
  if (!v.contains("target")) fail("vocabulary.target", N_("%s: missing"));
  const std::vector<std::string> source = strings_at(v["source"], "vocabulary.source");
  const std::vector<std::string> target = strings_at(v["target"], "vocabulary.target");
  if (root.contains("specials")) {
    const SpecialWords specials = specials_at(root["specials"]);
    l.src_vocab = in_order(source, specials, "vocabulary.source");
    l.tgt_vocab = in_order(target, specials, "vocabulary.target");
  } else {
    l.src_vocab = Vocabulary(source);
    l.tgt_vocab = Vocabulary(target);
  }
}

// Config: any key of set_config_value (PyTorch's names too, each key once); the vocabulary
// sizes follow the vocabularies.
void config_at(const Json& root, Lesson& l) {
  l.config.src_vocab = l.src_vocab.size();
  l.config.tgt_vocab = l.tgt_vocab.size();
  if (!root.contains("config")) return;
  const Json& c = object_at(root, "config", "config");
  std::map<std::string, std::string> given;  // config key → the name that set it
  for (auto it = c.begin(); it != c.end(); ++it) {
    const std::string field = "config." + key_text(it.key());
    const auto [at, added] = given.emplace(config_key(it.key()), it.key());
    if (!added) fail(field, N_("%s: sets the same as config.%s: give one of them"), {key_text(at->second)});
    std::string note = set_config_value(l.config, it.key(), config_text(it.value(), field));
    if (!note.empty()) l.notes.push_back(std::move(note));
  }
}

// weights, weight_names and reference: the trained model the lesson brings.
void trained_model_at(const Json& root, Lesson& l) {
  if (root.contains("weights")) {
    l.weights = string_at(root["weights"], "weights");
    if (l.weights.empty()) fail("weights", N_("%s: empty path (leave the key out for an untrained model)"));
    if (std::filesystem::path(l.weights).is_absolute())
      fail("weights = " + quote(l.weights), N_("%s: must be a relative path"));
  }
  if (root.contains("weight_names")) l.weight_names = weight_names_at(root["weight_names"]);
  if (root.contains("reference")) l.reference = reference_at(root["reference"]);
}

void open_at(const Json& root, Lesson& l) {
  const Json& o = object_at(root, "open", "open");
  only_keys(o, "open", {"panel", "step"});
  if (o.contains("panel")) l.panel = string_at(o["panel"], "open.panel");
  if (o.contains("step")) l.step = static_cast<int>(integer_at(o["step"], "open.step", 0, 100000000));
}

FixedAttention attention_at(const Json& root) {
  const Json& a = object_at(root, "attention", "attention");
  only_keys(a, "attention", {"X", "W_Q", "W_K", "W_V"});
  for (const char* key : {"X", "W_Q", "W_K", "W_V"})
    if (!a.contains(key)) fail(std::string("attention.") + key, N_("%s: missing"));
  FixedAttention attention;
  attention.X = matrix_at(a["X"], "attention.X");
  attention.W_Q = matrix_at(a["W_Q"], "attention.W_Q");
  attention.W_K = matrix_at(a["W_K"], "attention.W_K");
  attention.W_V = matrix_at(a["W_V"], "attention.W_V");
  return attention;
}

Lesson lesson_from(const Json& root) {
  if (!root.is_object()) fail_found("lesson", N_("%s: expected a JSON object, found %s"), root);
  only_keys(root, "",
            {"format", "version", "title", "description", "config", "task", "vocabulary", "specials", "wrap_source",
             "example", "weights", "weight_names", "reference", "open", "training", "attention", "tour", "compare"});
  if (root.contains("format") && string_at(root["format"], "format") != "attnviz-lesson")
    fail("format = " + quote(root["format"].get<std::string>()), N_("%s: expected attnviz-lesson"));
  if (root.contains("version") && integer_at(root["version"], "version", 1, 1000) != 1)
    fail("version = " + printable(root["version"].dump(), 40), N_("%s: this attnviz reads version 1"));
  Lesson l;
  if (!root.contains("title")) fail("title", N_("%s: missing"));
  l.title = local_text_at(root["title"], "title");
  if (root.contains("description")) l.description = local_text_at(root["description"], "description");
  if (root.contains("task")) l.task = task_at(root["task"]);
  if (!root.contains("example")) fail("example", N_("%s: missing"));
  l.example = sentence_pair_at(root["example"], "example");
  if (root.contains("training")) l.training = training_at(root["training"]);
  vocabularies_at(root, l);
  if (root.contains("wrap_source")) l.src_vocab.set_wraps(bool_at(root["wrap_source"], "wrap_source"));
  config_at(root, l);
  trained_model_at(root, l);
  if (root.contains("open")) open_at(root, l);
  if (root.contains("attention")) l.attention = attention_at(root);
  if (root.contains("tour")) l.tour = tour_at(root["tour"]);
  if (root.contains("compare")) l.compare = compared_at(root["compare"], l);
  validate(l);
  return l;
}

}  // namespace

Lesson parse_lesson(std::string_view text, const std::string& origin) {
  const std::string what = printable(origin, 200);
  const Json root = parse_json(text, what);
  try {
    return lesson_from(root);
  } catch (const InputError& e) {
    throw within(what, e);
  }
}

namespace {

Json matrix_json(const Mat& m) {
  Json rows = Json::array();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    Json row = Json::array();
    for (Eigen::Index c = 0; c < m.cols(); ++c) row.push_back(m(r, c));
    rows.push_back(row);
  }
  return rows;
}

Json config_json(const Config& c) {
  Json j = Json::object();
  for (const auto& [key, value] : config_entries(c)) {
    if (key == "src_vocab" || key == "tgt_vocab") continue;  // follow the vocabularies
    if (key == "architecture" && !c.recurrent()) continue;   // a Transformer's file stays as it was
    if (key == "cell" && !c.recurrent()) continue;
    if (value == "true" || value == "false")
      j[key] = value == "true";
    else if (key == "norm" || key == "positional" || key == "activation" || key == "architecture" || key == "cell")
      j[key] = value;
    else if (key == "ln_eps")
      j[key] = c.ln_eps;
    else
      j[key] = std::stoi(value);
  }
  return j;
}

Json words_json(const Vocabulary& v) {
  if (v.own_order()) return Json(v.words());
  return Json(std::vector<std::string>(v.words().begin() + 4, v.words().end()));  // after the 4 special tokens
}

Json local_text_json(const LocalText& t) {
  if (t.ko.empty()) return t.en;
  return {{"en", t.en}, {"ko", t.ko}};
}

Json tour_json(const std::vector<TourStop>& tour) {
  Json stops = Json::array();
  for (const TourStop& s : tour) {
    Json j = {{"title", local_text_json(s.title)}};
    if (!s.note.en.empty() || !s.note.ko.empty()) j["note"] = local_text_json(s.note);
    if (!s.step.empty()) j["step"] = s.step;
    if (s.phase == Phase::backward) j["phase"] = "backward";
    if (!s.panel.empty()) j["panel"] = s.panel;
    if (s.select) j["select"] = {(*s.select)[0], (*s.select)[1]};
    if (s.text_size > 0) j["text_size"] = s.text_size;
    if (!s.lesson.empty()) j["lesson"] = s.lesson;
    stops.push_back(j);
  }
  return stops;
}

Json specials_json(const SpecialWords& s) {
  Json j = {{"pad", s.pad}, {"bos", s.bos}, {"eos", s.eos}};
  if (!s.unk.empty()) j["unk"] = s.unk;
  return j;
}

bool is_synthetic(const Vocabulary& v) {
  return !v.own_order() && v.size() > 4 && v.words() == Vocabulary::synthetic(v.size()).words();
}

Json task_json(const Task& t) {
  Json task = Json::object();
  if (t.generator.empty()) {
    task["pairs"] = Json::array();
    for (const SentencePair& p : t.pairs) task["pairs"].push_back({p.src, p.tgt});
  } else {
    task["generator"] = t.generator;
    if (t.generator == "word_order") {
      task["nouns"] = Json::array();
      for (const auto& [en, ko] : t.nouns) task["nouns"].push_back({en, ko});
      task["verbs"] = Json::array();
      for (const auto& [en, ko] : t.verbs) task["verbs"].push_back({en, ko});
    } else {
      task["count"] = t.count;
      task["min_length"] = t.min_length;
      task["max_length"] = t.max_length;
    }
  }
  task["held_out"] = t.held_out;
  task["seed"] = t.seed;
  if (!t.position_names.empty()) task["position_names"] = t.position_names;
  return task;
}

}  // namespace

std::string lesson_json(const Lesson& l) {
  Json j = {{"format", "attnviz-lesson"}, {"version", 1}, {"title", local_text_json(l.title)}};
  if (!l.description.en.empty()) j["description"] = local_text_json(l.description);
  j["config"] = config_json(l.config);
  if (is_synthetic(l.src_vocab) && l.src_vocab.words() == l.tgt_vocab.words())
    j["vocabulary"] = {{"synthetic", l.src_vocab.size()}};
  else
    j["vocabulary"] = {{"source", words_json(l.src_vocab)}, {"target", words_json(l.tgt_vocab)}};
  if (l.src_vocab.own_order()) j["specials"] = specials_json(l.src_vocab.special_words());
  if (l.src_vocab.wraps()) j["wrap_source"] = true;
  if (!l.task.empty()) j["task"] = task_json(l.task);
  j["example"] = {{"src", l.example.src}, {"tgt", l.example.tgt}};
  if (!l.weights.empty()) j["weights"] = l.weights;
  if (!l.weight_names.empty()) j["weight_names"] = l.weight_names;
  if (l.reference) {
    j["reference"] = {{"loss", l.reference->loss}, {"logits", matrix_json(l.reference->logits)}};
    if (!l.reference->by.empty()) j["reference"]["by"] = l.reference->by;
  }
  j["open"] = {{"panel", l.panel}, {"step", l.step}};
  const TrainingSettings& s = l.training;
  j["training"] = {
      {"steps", s.steps}, {"batch_size", s.batch_size}, {"learning_rate", s.learning_rate},    {"warmup", s.warmup},
      {"seed", s.seed},   {"eval_every", s.eval_every}, {"target_accuracy", s.target_accuracy}};
  if (!l.attention.empty())
    j["attention"] = {{"X", matrix_json(l.attention.X)},
                      {"W_Q", matrix_json(l.attention.W_Q)},
                      {"W_K", matrix_json(l.attention.W_K)},
                      {"W_V", matrix_json(l.attention.W_V)}};
  if (!l.tour.empty()) j["tour"] = tour_json(l.tour);
  for (const ComparedModel& m : l.compare) {
    Json config = config_json(m.config);
    config["architecture"] = to_string(m.config.architecture);  // a compared Transformer's too
    Json model = {{"config", config},
                  {"training",
                   {{"steps", m.training.steps},
                    {"batch_size", m.training.batch_size},
                    {"learning_rate", m.training.learning_rate},
                    {"warmup", m.training.warmup},
                    {"seed", m.training.seed},
                    {"eval_every", m.training.eval_every},
                    {"target_accuracy", m.training.target_accuracy}}}};
    if (!m.weights.empty()) model["weights"] = m.weights;
    j["compare"].push_back(model);
  }
  return j.dump(2) + "\n";
}

void write_lesson_file(const std::string& path, const Lesson& lesson) {
  namespace fs = std::filesystem;
  Lesson copy = lesson;
  const fs::path folder = fs::weakly_canonical(fs::absolute(fs::path(path)).parent_path());
  // A weights path relative to the new lesson's folder; a file outside it is copied in as `name`.
  const auto relative = [&](std::string& file, const std::string& name) {
    if (file.empty()) return;
    const fs::path weights = fs::weakly_canonical(fs::path(file));
    file = weights.lexically_relative(folder).string();
    if (file.empty() || file.starts_with("..")) {  // the lesson's folder must hold its weights
      file = name;
      write_file_atomically((folder / file).string(), read_file(weights.string(), max_weights_bytes));
    }
  };
  const std::string stem = fs::path(path).stem().string();
  relative(copy.weights, stem + ".safetensors");
  for (ComparedModel& m : copy.compare) relative(m.weights, stem + "-" + m.name() + ".safetensors");
  write_file_atomically(path, lesson_json(copy));
}

std::string lesson_weights_path(const std::string& lesson_path, const std::string& weights) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path folder = fs::weakly_canonical(fs::absolute(fs::path(lesson_path)).parent_path(), ec);
  const fs::path target = ec ? fs::path() : fs::weakly_canonical(folder / weights, ec);
  const fs::path inside = ec ? fs::path() : target.lexically_relative(folder);
  if (inside.empty() || *inside.begin() == "..")
    throw InputError(N_("%s: must name a file in the lesson's folder or below it"),
                     {printable(lesson_path, 200) + ": weights = " + quote(weights)});
  return target.string();
}

Lesson read_lesson_file(const std::string& path) {
  Lesson l = parse_lesson(read_file(path, max_lesson_bytes), path);
  if (!l.weights.empty()) l.weights = lesson_weights_path(path, l.weights);
  for (ComparedModel& m : l.compare)
    if (!m.weights.empty()) m.weights = lesson_weights_path(path, m.weights);
  return l;
}

void read_lesson_weights(const std::string& lesson_path, const Lesson& lesson, Parameters& params) {
  try {
    read_weights(lesson.weights, params, lesson.weight_names);
  } catch (const InputError& e) {
    throw within(printable(lesson_path, 200) + ": weights", e);
  }
}

}  // namespace attnviz::io
