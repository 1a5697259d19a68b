#pragma once
// A lesson's tour: an ordered list of stops a teacher walks through in class.  A stop names where
// the window goes (a step, a panel — a centre tab, a gradient-lab page, the training panel —, a
// selected element, the text size) and what it says there: a title and a note, in English and
// Korean.  The panel is kept as text: the window checks its name (views/panels.h).
// The format is described under "Tours" in README.md.

#include "model/trace.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace attnviz {

enum class Language : std::uint8_t { en, ko };

// Text in both languages the window speaks; `ko` empty: the English stands for both.
struct LocalText {
  std::string en, ko;
  const std::string& in(Language language) const { return language == Language::ko && !ko.empty() ? ko : en; }
  bool operator==(const LocalText&) const = default;
};

struct TourStop {
  LocalText title, note;
  std::string step;                          // a step label; empty: the step stays
  Phase phase = Phase::forward;              // of `step`
  std::string panel;                         // a panel name as in a lesson's "open"; empty: stays
  std::optional<std::array<int, 2>> select;  // row, column of the step's output or gradient
  int text_size = 0;                         // percent, 100–200; 0: stays
  std::string lesson;                        // a lesson file beside the tour's ("why-attention.json"); empty: stays
  bool operator==(const TourStop&) const = default;
};

// The trace step a stop goes to, if it names one.  Throws InputError ("tour[3].step = …: no such
// step in this model") when the trace has no step of that label and phase, or the selected
// element lies outside the step's output.
std::optional<int> tour_step(const TourStop& stop, std::size_t index, const Trace& trace);

// Every stop checked against the trace (tour_step); the first problem is thrown.
void check_tour(const std::vector<TourStop>& tour, const Trace& trace);

// "step encoder.0.self_attn.head0.softmax (backward), attention, select 2,3" or "opens
// why-attention.json, why-attention": where a stop goes.
std::string tour_stop_where(const TourStop& stop);

}  // namespace attnviz
