#pragma once
// Lesson files (JSON; the format is described under "Lesson files" in README.md).

#include "model/lesson.h"

#include "model/parameters.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace attnviz::io {

// Parses and validates a lesson.  Every error is an InputError that starts with `origin` and
// names the field ("word-order.json: config.heads = 3: …"), or the line and column of a JSON
// syntax error.
Lesson parse_lesson(std::string_view text, const std::string& origin);

inline constexpr std::uint64_t max_lesson_bytes = 32'000'000;

// Reads and parses a lesson file of at most max_lesson_bytes.  Its `weights` path is resolved
// against the file's folder and must stay inside it (see lesson_weights_path).
Lesson read_lesson_file(const std::string& path);

// `weights` resolved against the folder of the lesson file, links followed.  Throws InputError
// naming the lesson and its weights field when the result lies outside that folder: a lesson
// from anywhere cannot make attnviz read a file it was not given.
std::string lesson_weights_path(const std::string& lesson_path, const std::string& weights);

// Reads the lesson's weights (read_weights); an error names the lesson file, its weights field
// and the weights file.
void read_lesson_weights(const std::string& lesson_path, const Lesson& lesson, Parameters& params);

// The lesson as lesson-file JSON (vocabularies written out, a synthetic one as {"synthetic": N}).
// `weights` is written as given.
std::string lesson_json(const Lesson& lesson);

// Writes the lesson through a temporary file and a rename; its weights path is written relative
// to the new file's folder.  Weights outside that folder (which a lesson may not name) are copied
// beside the lesson as <name>.safetensors first.  Throws InputError naming the path on failure.
void write_lesson_file(const std::string& path, const Lesson& lesson);

}  // namespace attnviz::io
