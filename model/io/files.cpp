#include "model/io/files.h"

#include "model/error.h"
#include "model/budget.h"
#include "model/quote.h"
#include "model/translatable.h"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <ostream>
#include <random>
#include <streambuf>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace attnviz::io {
namespace {

namespace fs = std::filesystem;

// Refuses the file: `format` (marked N_(), its first "%s" the file) filled with the file and `words`.
[[noreturn]] void fail(const std::string& path, const char* format, std::vector<std::string> words = {}) {
  words.insert(words.begin(), printable(path, 200));
  throw InputError(format, std::move(words));
}

// errno's reason in the C library's English words (strerror would give its translation once the
// window speaks Korean); the common ones are marked N_() for the window to translate.
const char* reason_of(int code) {
  switch (code) {
    case ENOENT: return N_("No such file or directory");
    case EACCES: return N_("Permission denied");
    case ENOTDIR: return N_("Not a directory");
    case ENOSPC: return N_("No space left on device");
    case EROFS: return N_("Read-only file system");
    default: {
      const char* description = strerrordesc_np(code);
      return description ? description : "Unknown error";
    }
  }
}

// "path: cannot open: No such file or directory": `format`'s second "%s" is errno's reason, said
// in the window's language where the catalogue has it.
[[noreturn]] void fail_because(const std::string& path, const char* format) {
  const char* reason = reason_of(errno);
  InputError error(format, {printable(path, 200), reason});
  error.translated_args = 1u << 1;
  throw error;
}

// Closes a file descriptor when it leaves scope.
struct Descriptor {
  int fd = -1;
  explicit Descriptor(int f) : fd(f) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
  int release() { return std::exchange(fd, -1); }
};

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return N_("a folder, not a file");
  if (S_ISLNK(mode)) return N_("a symbolic link");
  if (S_ISCHR(mode) || S_ISBLK(mode)) return N_("a device, not a file");
  if (S_ISFIFO(mode)) return N_("a pipe, not a file");
  if (S_ISSOCK(mode)) return N_("a socket, not a file");
  return N_("not a regular file");
}

// "path: is a folder, not a file", said of the file at `path` that is not a regular file.
[[noreturn]] void fail_not_regular(const std::string& path, mode_t mode) {
  if (S_ISDIR(mode)) fail(path, N_("%s: is a folder, not a file"));
  if (S_ISLNK(mode)) fail(path, N_("%s: is a symbolic link"));
  if (S_ISCHR(mode) || S_ISBLK(mode)) fail(path, N_("%s: is a device, not a file"));
  if (S_ISFIFO(mode)) fail(path, N_("%s: is a pipe, not a file"));
  if (S_ISSOCK(mode)) fail(path, N_("%s: is a socket, not a file"));
  fail(path, N_("%s: is not a regular file"));
}

fs::path folder_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

// A stream buffer writing straight to a file descriptor, so the temporary file is written
// through the descriptor created exclusively (never reopened by name).
class DescriptorBuffer : public std::streambuf {
 public:
  explicit DescriptorBuffer(int fd) : fd_(fd) { setp(buffer_, buffer_ + sizeof buffer_); }
  bool failed() const { return failed_; }
  int error() const { return error_; }

 protected:
  int overflow(int c) override {
    if (!flush()) return traits_type::eof();
    if (c != traits_type::eof()) {
      *pptr() = static_cast<char>(c);
      pbump(1);
    }
    return traits_type::not_eof(c);
  }
  int sync() override { return flush() ? 0 : -1; }

 private:
  bool flush() {
    for (const char* p = pbase(); p < pptr();) {
      const ssize_t n = ::write(fd_, p, static_cast<std::size_t>(pptr() - p));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failed_ = true;
        error_ = errno;
        return false;
      }
      p += n;
    }
    setp(buffer_, buffer_ + sizeof buffer_);
    return true;
  }
  int fd_;
  bool failed_ = false;
  int error_ = 0;
  char buffer_[1 << 16];
};

// Temporary files of `path` are named ".<name>.<pid>.<random>.tmp".  Those whose process has
// ended were left by a killed save: removed.
std::string temporary_prefix(const std::string& path) {
  std::string prefix = ".";
  prefix += fs::path(path).filename().string();
  prefix += '.';
  return prefix;
}

void remove_stale_temporaries(const std::string& path) {
  const std::string prefix = temporary_prefix(path);
  std::error_code ec;
  for (fs::directory_iterator it(folder_of(path), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0 || !name.ends_with(".tmp") || !it->is_regular_file(ec)) continue;
    const long pid = std::strtol(name.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) fs::remove(it->path(), ec);
  }
}

// Creates a new temporary file beside `path`; returns its descriptor and name.
int create_temporary(const std::string& path, std::string& name) {
  std::random_device entropy;
  for (int attempt = 0; attempt < 100; ++attempt) {
    name = (folder_of(path) /
            (temporary_prefix(path) + std::to_string(::getpid()) + "." + std::to_string(entropy()) + ".tmp"))
               .string();
    const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST) fail_because(path, N_("%s: cannot create a file in its folder: %s"));
  }
  fail(path, N_("%s: cannot create a temporary file in its folder"));
}

void sync_folder(const std::string& path) {
  Descriptor folder(::open(folder_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (folder.fd >= 0) ::fsync(folder.fd);
}

}  // namespace

std::string read_file(const std::string& path, std::uint64_t max_bytes) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) fail_because(path, N_("%s: cannot open: %s"));
  if (!S_ISREG(info.st_mode)) fail_not_regular(path, info.st_mode);
  Descriptor file(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (file.fd < 0) fail_because(path, N_("%s: cannot open: %s"));
  if (::fstat(file.fd, &info) != 0 || !S_ISREG(info.st_mode)) fail(path, N_("%s: is not a regular file"));
  const auto size = static_cast<std::uint64_t>(info.st_size);
  if (size > max_bytes)
    fail(path, N_("%s: is %s, more than the %s such a file may have"),
         {bytes_text(double(size)), bytes_text(double(max_bytes))});
  std::string bytes(static_cast<std::size_t>(size), '\0');
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::read(file.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_because(path, N_("%s: read error: %s"));
    if (n == 0) fail(path, N_("%s: the file became shorter while it was read"));
    done += static_cast<std::size_t>(n);
  }
  return bytes;
}

void check_output_path(const std::string& path) {
  if (path.empty()) throw InputError(N_("no file name given"), {});
  struct stat info {};
  const fs::path folder = folder_of(path);
  if (::stat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode))
    fail(path, N_("%s: the folder %s does not exist"), {printable(folder.string(), 200)});
  if (::access(folder.c_str(), W_OK) != 0) fail_because(path, N_("%s: cannot write in its folder: %s"));
  if (::lstat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
    InputError error(N_("%s: is %s: only a regular file is replaced"), {printable(path, 200), kind_of(info.st_mode)});
    error.translated_args = 1u << 1;
    throw error;
  }
}

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  check_output_path(path);
  remove_stale_temporaries(path);
  std::string temporary;
  Descriptor file(create_temporary(path, temporary));
  try {
    DescriptorBuffer buffer(file.fd);
    std::ostream out(&buffer);
    write(out);
    out.flush();
    if (buffer.failed() || !out) {
      errno = buffer.error();
      fail_because(path, N_("%s: write error: %s"));
    }
    if (::fsync(file.fd) != 0) fail_because(path, N_("%s: cannot flush to the disk: %s"));
    if (::close(file.release()) != 0) fail_because(path, N_("%s: write error: %s"));
    if (::rename(temporary.c_str(), path.c_str()) != 0) fail_because(path, N_("%s: cannot replace the file: %s"));
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  sync_folder(path);
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
  write_file_atomically(
      path, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

}  // namespace attnviz::io
