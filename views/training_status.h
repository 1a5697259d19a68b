#pragma once
// What the training panel draws: a copy of the trainer's state, refreshed by the app between
// frames (the panel never reads the trainer itself, which lives on another thread).

#include "model/trainer.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace attnviz::views {

struct TrainingStatus {
  bool available = false;        // the lesson can be trained
  std::string message;           // why not, or the last problem
  bool running = false;
  int steps_done = 0;
  int planned_steps = 0;         // the lesson's training.steps (where the shipped weights stop)
  double learning_rate = 0;
  std::vector<CurvePoint> curve;
  std::uint64_t shown_version = 0;  // the runner version whose weights the session holds

  // The positional-encoding experiment: the lesson trained with and without it.
  bool experiment_running = false;
  std::optional<PositionalExperiment> experiment;
  std::uint64_t experiment_version = 0;
  std::vector<std::string> position_names;  // the lesson's names of target positions
};

}  // namespace attnviz::views
