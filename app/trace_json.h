#pragma once
// The whole trace as JSON (format in docs/trace-format.md).

#include <iosfwd>
#include <functional>
#include <string>

namespace attnviz {
class Session;
namespace app {

void write_trace_json(std::ostream& out, const Session& session);

// Writes `path` through a temporary file in the same folder, renamed into place, so a failure
// never leaves a half-written file.  Throws std::runtime_error with the reason.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace app
}  // namespace attnviz
