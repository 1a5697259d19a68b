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

struct AppState {
  explicit AppState(Session s) : session(std::move(s)) { on_new_trace(); }

  Session session;
  TraceIndex index;                     // rebuilt with every run
  std::uint64_t generation = 0;         // +1 with every run: part of every texture key
  std::vector<std::string> src_words, tgt_in_words, tgt_out_words;  // of the current example

  Theme theme = Theme::light;
  float ui_scale = 1;
  bool playing = false;
  float play_speed = 4;                 // steps per second
  double play_clock = 0;                // seconds since the last played step

  std::string sentence_message;         // why the last sentence edit was refused; empty if none
  std::string notice;                   // one-line notice (a missing font, a corrupt settings file)

  int tour_stop = -1;                   // the lesson's tour stop shown last (−1: none)
  Language language = Language::en;     // of the interface (views/i18n.h) and the tour's titles and notes
  bool presenter = false;               // presenter mode (F5): see Ui::presenter

  TrainingStatus training;             // copied from the trainer between frames
  std::optional<Lesson> lesson;         // the lesson the session came from (none: a preset)
  std::string lesson_path;              // its file
  std::optional<ReferenceCheck> reference;  // the lesson's reference (PyTorch's answer), checked on opening
  std::string file_message;             // why the last file could not be opened or saved
  std::string file_message_english;     // the same in English, as the terminal says it
  std::vector<std::string> recent_files;  // newest first: lessons (.json) and weights
  std::unique_ptr<LessonLoader> opening;  // a lesson being opened; the session stays until it is ready
  bool stand_in = false;                // the session only holds the place until `opening` is ready (at launch)

  TextureCache* textures = nullptr;
  std::optional<SavePicture> picture;   // the picture to draw this frame (set by the app; see figure.h)
  PictureCanvas* canvas = nullptr;      // where a figure draws it (the app's)

  // After the session ran: rebuild the index and the word lists, bump the generation.
  void on_new_trace();
};

}  // namespace attnviz::views
