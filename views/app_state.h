#pragma once
// Everything the panels draw from.  The app owns it; panels get it by const reference and ask
// for changes through Commands, applied between frames by apply_commands.

#include "model/lesson.h"
#include "model/reference.h"
#include "model/session.h"
#include "views/commands.h"
#include "views/lesson_loader.h"
#include "views/texture_cache.h"
#include "views/theme.h"
#include "views/trace_index.h"
#include "views/training_status.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace attnviz::views {

class PictureCanvas;

// A tour stop that opened another lesson (TourStop::lesson): where the tour is, to come back to.
struct TourAway {
  std::string home;         // the tour's own lesson file, reopened by Next or Previous
  int stop = 0, stops = 0;  // the stop's index in the tour, the tour's length
  TourStop where;           // the stop
  bool arrived = false;     // the stop's lesson is open (until then it is opening)
  int back_to = -1;         // while `home` reopens: the stop it lands on; −1: not going back
};

struct AppState {
  explicit AppState(Session s) : session(std::move(s)) { on_new_trace(); }

  Session session;
  TraceIndex index;                                                 // rebuilt with every run
  std::uint64_t generation = 0;                                     // +1 with every run: part of every texture key
  std::vector<std::string> src_words, tgt_in_words, tgt_out_words;  // of the current example

  Theme theme = Theme::light;
  float ui_scale = 1;
  bool playing = false;
  float play_speed = 4;   // steps per second
  double play_clock = 0;  // seconds since the last played step

  std::string sentence_message;  // why the last sentence edit was refused; empty if none
  std::string notice;            // one-line notice (a missing font, a corrupt settings file)

  int tour_stop = -1;                 // the lesson's tour stop shown last (−1: none)
  std::optional<TourAway> tour_away;  // the tour went on in another lesson
  Language language = Language::en;   // of the interface (views/i18n.h) and the tour's titles and notes
  bool presenter = false;             // presenter mode (F5): see Ui::presenter

  TrainingStatus training;                  // copied from the trainer between frames
  std::optional<Lesson> lesson;             // the lesson the session came from (none: a preset)
  std::string lesson_path;                  // its file
  std::optional<ReferenceCheck> reference;  // the lesson's reference (PyTorch's answer), checked on opening
  std::string file_message;                 // why the last file could not be opened or saved
  std::string file_message_english;         // the same in English, as the terminal says it
  std::vector<std::string> recent_files;    // newest first: lessons (.json) and weights
  std::unique_ptr<LessonLoader> opening;    // a lesson being opened; the session stays until it is ready
  bool stand_in = false;                    // the session only holds the place until `opening` is ready (at launch)

  TextureCache* textures = nullptr;
  std::optional<SavePicture> picture;  // the picture to draw this frame (set by the app; see figure.h)
  PictureCanvas* canvas = nullptr;     // where a figure draws it (the app's)

  // After the session ran: rebuild the index and the word lists, bump the generation.
  void on_new_trace();
  // The tour being walked: the lesson's, or while away the tour's lesson's (its one stop shown).
  int tour_length() const;
  const TourStop* shown_tour_stop() const;  // tour_stop's; null for none
};

}  // namespace attnviz::views
