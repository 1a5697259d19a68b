#pragma once
// What the training panel draws: a copy of the trainer's state, refreshed by the app between
// frames (the panel never reads the trainer itself, which lives on another thread).

#include "model/error.h"
#include "model/trainer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnviz::views {

struct TrainingStatus {
  bool available = false;  // the lesson can be trained
  std::string message;     // why not, or the last problem
  bool running = false;
  int steps_done = 0;
  int planned_steps = 0;  // the lesson's training.steps (where the shipped weights stop)
  double learning_rate = 0;
  std::vector<CurvePoint> curve;
  std::uint64_t shown_version = 0;      // the runner version whose weights the session holds
  bool busy = false;                    // a step (or an evaluation) is being computed
  int busy_done = 0, busy_total = 0;    // examples of its mini-batch done, of
  std::string start_words;              // what the trainer started from ("seed 1's initial weights")
  std::string lesson_words;             // the lesson's weights, for Reset
  std::string seed_words;               // the seed's initial weights, for Reset
  int train_pairs = 0, held_pairs = 0;  // sizes of the two sets (held_pairs 0: evaluated on training)

  // The positional-encoding experiment: the lesson trained with and without it.
  bool experiment_running = false;
  int experiment_done = 0, experiment_total = 0;  // steps of the first run
  InputError experiment_problem{""};              // refused, failed or cancelled (empty: none)
  std::optional<PositionalExperiment> experiment;
  std::uint64_t experiment_version = 0;
  std::vector<std::string> position_names;  // the lesson's names of target positions
};

}  // namespace attnviz::views
