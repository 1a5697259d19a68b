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

}  // namespace attnviz::io
