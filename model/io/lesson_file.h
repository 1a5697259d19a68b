#pragma once
// Lesson files (JSON; the format is described under "Lesson files" in README.md).

#include "model/lesson.h"

#include <string>
#include <string_view>

namespace attnviz::io {

// Parses and validates a lesson.  Every error is an InputError that starts with `origin` and
// names the field ("word-order.json: config.heads = 3: …"), or the line and column of a JSON
// syntax error.
Lesson parse_lesson(std::string_view text, const std::string& origin);

// Reads and parses a lesson file; a relative `weights` path is resolved against the file's
// folder.
Lesson read_lesson_file(const std::string& path);

// The lesson as lesson-file JSON (vocabularies written out, a synthetic one as {"synthetic": N}).
// `weights` is written as given.
std::string lesson_json(const Lesson& lesson);

// Writes the lesson through a temporary file and a rename; its weights path is written relative
// to the new file's folder.  Throws InputError naming the path on failure.
void write_lesson_file(const std::string& path, const Lesson& lesson);

}  // namespace attnviz::io
