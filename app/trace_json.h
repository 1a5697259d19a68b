#pragma once
// The whole trace as JSON (format in docs/trace-format.md).

#include <iosfwd>
#include <string>

namespace attnviz {
class Session;
namespace app {

void write_trace_json(std::ostream& out, const Session& session);

}  // namespace app
}  // namespace attnviz
