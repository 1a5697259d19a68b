// Tours in lesson files: a good tour parses, round-trips through lesson_json, and is checked
// against the model's trace; every malformed field is refused with a message naming it; the
// built-in lessons' tours are valid, in both languages.

#include "model/error.h"
#include "model/io/lesson_file.h"
#include "model/session.h"
#include "model/tour.h"
#include "helpers.h"

namespace attnviz::testing {
namespace {

const std::string lessons_dir = std::string(ATTNVIZ_SOURCE_DIR) + "/assets/lessons/";

// A small valid lesson whose tour is `tour` (JSON text).
std::string with_tour(const std::string& tour) {
  return R"({
  "title": "Tiny",
  "config": {"d_model": 8, "heads": 2, "encoder_layers": 1, "decoder_layers": 1, "d_ff": 8, "max_len": 6},
  "task": {"pairs": [["a b", "x y"], ["b a", "y x"]], "held_out": 0},
  "example": {"src": "a b", "tgt": "x y"},
  "tour": )" +
         tour + "\n}";
}

const std::string good_tour = R"([
  {"title": {"en": "Scores", "ko": "점수"}, "note": {"en": "Q Kᵀ.", "ko": "Q Kᵀ입니다."},
   "step": "encoder.0.self_attn.head1.scores", "panel": "attention", "select": [1, 0], "text_size": 150},
  {"title": "Back", "step": "output.loss", "phase": "backward"},
  {"title": "Lab", "panel": "gradlab-transformer"},
  {"title": "Train", "panel": "training"},
  {"title": "Why", "lesson": "why-attention.json", "panel": "why-attention", "text_size": 125}
])";

std::string tour_rejection(const std::string& tour) {
  return rejection([&] { io::parse_lesson(with_tour(tour), "tiny.json"); });
}

Session session_of(const Lesson& l) { return Session(to_preset(l)); }

TEST(Tour, GoodTourParsesAndRoundTrips) {
  const Lesson l = io::parse_lesson(with_tour(good_tour), "tiny.json");
  ASSERT_EQ(l.tour.size(), 5u);
  EXPECT_EQ(l.tour[0].title.in(Language::ko), "점수");
  EXPECT_EQ(l.tour[1].title.in(Language::ko), "Back");  // no Korean: the English stands
  EXPECT_EQ(l.tour[0].select, (std::array<int, 2>{1, 0}));
  EXPECT_EQ(l.tour[0].text_size, 150);
  EXPECT_EQ(l.tour[1].phase, Phase::backward);
  EXPECT_EQ(l.tour[2].panel, "gradlab-transformer");
  EXPECT_EQ(tour_stop_where(l.tour[0]), "step encoder.0.self_attn.head1.scores, attention, select 1,0, text 150 %");
  EXPECT_EQ(l.tour[4].lesson, "why-attention.json");
  EXPECT_EQ(tour_stop_where(l.tour[4]), "opens why-attention.json, why-attention, text 125 %");
  const Lesson again = io::parse_lesson(io::lesson_json(l), "again.json");
  EXPECT_EQ(again.tour, l.tour);

  const Session s = session_of(l);
  check_tour(l.tour, s.trace());
  const std::optional<int> step = tour_step(l.tour[1], 1, s.trace());
  ASSERT_TRUE(step);
  EXPECT_EQ(s.trace().step(*step).label, "output.loss");
  EXPECT_EQ(s.trace().step(*step).phase, Phase::backward);
  EXPECT_FALSE(tour_step(l.tour[2], 2, s.trace()));
  EXPECT_FALSE(tour_step(l.tour[4], 4, s.trace()));  // its steps are the other lesson's
}

TEST(Tour, EveryMalformedFieldIsNamed) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"title": "x"})", "tour: expected a list of stops, found an object"},
      {R"([{"note": "x"}])", "tour[0].title: missing"},
      {R"([{"title": 3}])", "tour[0].title: expected a string or"},
      {R"([{"title": {"ko": "점수"}}])", "tour[0].title.en: missing"},
      {R"([{"title": {"en": "a", "fr": "b"}}])", "tour[0].title.fr: unknown key"},
      {R"([{"title": "a", "stop": 1}])", "tour[0].stop: unknown key"},
      {R"([{"title": "a", "step": "output.loss", "phase": "sideways"}])",
       "tour[0].phase = 'sideways': not one of forward, backward"},
      {R"([{"title": "a", "phase": "backward"}])", "tour[0].phase: only with a step"},
      {R"([{"title": "a", "step": "output.loss", "select": [1]}])", "tour[0].select: expected [row, column]"},
      {R"([{"title": "a", "select": [1, 2]}])", "tour[0].select: only with a step"},
      {R"([{"title": "a", "step": "output.loss", "select": [-1, 2]}])", "tour[0].select[0] = -1: must be in"},
      {R"([{"title": "a", "panel": 3}])", "tour[0].panel: expected a string"},
      {R"([{"title": "a", "text_size": 400}])", "tour[0].text_size = 400: out of range: at most 200"},
      {R"([{"title": "a"}, 7])", "tour[1]: expected an object, found a number"},
      {R"([{"title": "a", "lesson": 3}])", "tour[0].lesson: expected a string"},
      {R"([{"title": "a", "lesson": "lessons/why-attention.json"}])",
       "tour[0].lesson = 'lessons/why-attention.json': expected a lesson file name beside this one"},
      {R"([{"title": "a", "lesson": "../why-attention.json"}])",
       "tour[0].lesson = '../why-attention.json': expected a lesson file name"},
      {R"([{"title": "a", "lesson": "..json"}])", "tour[0].lesson = '..json': expected a lesson file name"},
      {R"([{"title": "a", "lesson": "why-attention.txt"}])",
       "tour[0].lesson = 'why-attention.txt': expected a lesson file name"},
      {R"([{"title": "a", "lesson": "why.json", "step": "output.loss"}])", "tour[0].step: only without lesson"},
      {R"([{"title": "a", "lesson": "why.json", "step": "output.loss", "select": [0, 0]}])",
       "tour[0].step: only without lesson"},
  };
  for (const auto& [tour, message] : cases) {
    SCOPED_TRACE(tour);
    const std::string got = tour_rejection(tour);
    EXPECT_NE(got.find("tiny.json: " + message), std::string::npos) << got;
  }
}

TEST(Tour, StepsAndSelectionsAreCheckedAgainstTheModel) {
  const Lesson l = io::parse_lesson(with_tour(R"([
    {"title": "ok", "step": "encoder.0.self_attn.head1.softmax"},
    {"title": "no such head", "step": "encoder.0.self_attn.head7.softmax"},
    {"title": "no backward twin", "step": "encoder.0.self_attn.head1.mask", "phase": "backward", "select": [0, 0]},
    {"title": "outside", "step": "encoder.0.self_attn.head1.softmax", "select": [2, 0]}
  ])"),
                                    "tiny.json");
  const Session s = session_of(l);
  EXPECT_TRUE(tour_step(l.tour[0], 0, s.trace()));
  EXPECT_EQ(rejection([&] { tour_step(l.tour[1], 1, s.trace()); }),
            "tour[1].step = 'encoder.0.self_attn.head7.softmax': no forward step of that label in this model");
  EXPECT_EQ(rejection([&] { tour_step(l.tour[3], 3, s.trace()); }),
            "tour[3].select = [2, 0]: outside the step's 2×2 matrix");
  EXPECT_EQ(rejection([&] { check_tour(l.tour, s.trace()); }),
            "tour[1].step = 'encoder.0.self_attn.head7.softmax': no forward step of that label in this model");
}

// The built-in tours: every stop valid on its lesson's model, titled and explained in English
// and Korean; the default lesson's walks at least 15 stops from the forward pass into backward
// and the gradient lab.
TEST(Tour, BuiltInToursAreValidInBothLanguages) {
  for (const char* name : {"word-order", "self-attention-by-hand"}) {
    SCOPED_TRACE(name);
    const Lesson l = io::read_lesson_file(lessons_dir + name + ".json");
    ASSERT_FALSE(l.tour.empty());
    const Session s = session_of(l);
    check_tour(l.tour, s.trace());
    for (const TourStop& stop : l.tour) {
      EXPECT_FALSE(stop.title.en.empty());
      EXPECT_FALSE(stop.title.ko.empty()) << stop.title.en;
      EXPECT_FALSE(stop.note.en.empty()) << stop.title.en;
      EXPECT_FALSE(stop.note.ko.empty()) << stop.title.en;
    }
  }
  const Lesson l = io::read_lesson_file(lessons_dir + "word-order.json");
  EXPECT_GE(l.tour.size(), 15u);
  for (const TourStop& stop : l.tour)  // a stop in another lesson names a lesson that opens
    if (!stop.lesson.empty()) {
      EXPECT_NO_THROW(io::read_lesson_file(lessons_dir + stop.lesson)) << stop.lesson;
    }
  EXPECT_EQ(l.tour[0].lesson, "why-attention.json");
  bool backward = false, lab = false;
  for (const TourStop& stop : l.tour) {
    backward |= stop.phase == Phase::backward;
    lab |= stop.panel.starts_with("gradlab-");
  }
  EXPECT_TRUE(backward);
  EXPECT_TRUE(lab);
}

}  // namespace
}  // namespace attnviz::testing
