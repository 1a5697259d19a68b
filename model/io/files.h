#pragma once
// The only reads and writes of files that come from users: a read takes a regular file of a
// bounded size and nothing else (no folder, device, FIFO or socket); a write replaces a regular
// file, or creates one, atomically and durably, so a crash leaves the old file or the new one.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace attnviz::io {

// The whole file as bytes.  Throws InputError naming the path when it cannot be opened, is not a
// regular file, or is larger than `max_bytes` (checked before a byte is read).
std::string read_file(const std::string& path, std::uint64_t max_bytes);

// Throws InputError unless `path` can be written: its folder exists, and the path is absent or a
// regular file (not a folder, a device, a link or anything else).  Call it before long work
// whose result goes there.
void check_output_path(const std::string& path);

// Writes through a temporary file created exclusively beside `path` (a name no other save uses,
// never following a link), flushed to the disk, renamed over `path`, and the folder flushed.
// The temporary file is removed on every failure; temporary files that a killed save of the same
// path left behind are removed first.  Throws InputError naming the path.
void write_file_atomically(const std::string& path, std::string_view bytes);
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace attnviz::io
