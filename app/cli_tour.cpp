// attnviz tour [--lesson FILE] [--lang en|ko] [--json]
//   the stops of a lesson's tour: index, title and where each goes, checked against the model

#include "app/commands.h"
#include "app/session_options.h"
#include "model/error.h"
#include "model/quote.h"
#include "model/tour.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace attnviz::app {

namespace {

using Json = nlohmann::ordered_json;

struct TourOptions {
  std::string lesson, lang = "en";
  bool json = false;
};

Json local_json(const LocalText& t) { return {{"en", t.en}, {"ko", t.ko.empty() ? t.en : t.ko}}; }

Json stop_json(const TourStop& s, std::size_t index) {
  Json j = {{"index", index + 1},
            {"title", local_json(s.title)},
            {"note", local_json(s.note)},
            {"where", tour_stop_where(s)}};
  if (!s.step.empty()) {
    j["step"] = s.step;
    j["phase"] = s.phase == Phase::backward ? "backward" : "forward";
  }
  if (!s.panel.empty()) j["panel"] = s.panel;
  if (s.select) j["select"] = {(*s.select)[0], (*s.select)[1]};
  if (s.text_size > 0) j["text_size"] = s.text_size;
  return j;
}

void run_tour(const TourOptions& o) {
  if (o.lang != "en" && o.lang != "ko") throw InputError("--lang " + o.lang + ": must be en or ko");
  const Language lang = o.lang == "ko" ? Language::ko : Language::en;
  SessionOptions session_options;
  session_options.lesson = o.lesson.empty() ? default_lesson_path() : o.lesson;
  const Lesson lesson = load_lesson(session_options.lesson);
  const Session session = make_session(session_options);
  try {
    check_tour(lesson.tour, session.trace());
  } catch (const InputError& e) {
    throw InputError(printable(session_options.lesson, 200) + ": " + e.what());
  }
  if (o.json) {
    Json stops = Json::array();
    for (std::size_t i = 0; i < lesson.tour.size(); ++i) stops.push_back(stop_json(lesson.tour[i], i));
    std::cout << Json{{"lesson", lesson.title.en}, {"stops", stops}}.dump() << "\n";
    return;
  }
  if (lesson.tour.empty()) {
    std::cout << lesson.title.in(lang) << ": no tour\n";
    return;
  }
  std::cout << lesson.title.in(lang) << ": a tour of " << lesson.tour.size() << " stops\n";
  for (std::size_t i = 0; i < lesson.tour.size(); ++i)
    std::cout << "  " << (i + 1) << ". " << lesson.tour[i].title.in(lang) << "\n      "
              << tour_stop_where(lesson.tour[i]) << "\n";
}

}  // namespace

void add_tour_command(CLI::App& cli) {
  auto o = std::make_shared<TourOptions>();
  CLI::App* cmd = cli.add_subcommand("tour", "List the stops of a lesson's tour, checked against its model");
  cmd->add_option("--lesson", o->lesson, "Lesson file (JSON); default: assets/lessons/word-order.json");
  cmd->add_option("--lang", o->lang, "Titles in en or ko")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print as JSON (titles and notes in both languages)");
  cmd->callback([o] { run_command([&] { run_tour(*o); }); });
}

}  // namespace attnviz::app
