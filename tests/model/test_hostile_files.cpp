// Hostile files (tests/hostile/): each is refused before anything large is allocated, with one
// short line that names the file and the field and holds no raw control character.  The model
// tests also run under AddressSanitizer and UBSan, so these files are read there too.

#include "model/budget.h"
#include "model/io/files.h"
#include "model/io/lesson_file.h"
#include "model/io/safetensors.h"
#include "model/quote.h"
#include "helpers.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace attnviz::testing {
namespace {

namespace fs = std::filesystem;

const std::string hostile_dir = std::string(ATTNVIZ_SOURCE_DIR) + "/tests/hostile/";

// What each file's refusal must say, after "<path>: ".
struct Case {
  const char* file;
  const char* says;
};

const Case lesson_cases[] = {
    {"number-overflow.json", "not valid JSON: number overflow parsing '1e309'"},
    {"long-token.json", "not valid JSON: number overflow parsing '1111"},
    {"deep-nesting.json", "nested more than 32 levels deep"},
    {"nul-byte.json", "line 1, column 15: a NUL byte: not JSON text"},
    {"terminal-escape.json", "'\\u{1b}]0;pwned\\u{7}\\u{1b}[2J': unknown key"},
    {"control-word.json", "vocabulary.target = 'am\\u{1b}[2J': control characters and malformed UTF-8 are not allowed"},
    {"integer-out-of-range.json", "config: heads = '9223372036854775808': out of range: at most 2147483647"},
    {"huge-model.json",
     "config: this model needs 25 TB, over the 2.0 GB limit (parameters 5.8 GB, positional table 3.1 GB"},
    {"huge-trace.json",
     "config: this model needs 108 GB, over the 2.0 GB limit (parameters 5.8 GB, positional table "
     "155 MB, a trace at max_len = 5000 tokens 102 GB"},
    {"long-example.json", "config: this model needs 243 GB, over the 2.0 GB limit"},
    {"layers-overflow.json", "config: layers = 2147483648: at most 64 layers in all"},
    {"many-heads.json", "config: heads = 1024: must be at most 64"},
    {"weights-outside.json",
     "weights = '../../../../../../../../../../etc/passwd': must name a file in the lesson's "
     "folder or below it"},
    {"weights-device.json",
     "weights = '../../../../../../../../../../dev/zero': must name a file in the lesson's "
     "folder or below it"},
};

const Case weights_cases[] = {
    {"number-overflow.safetensors", "header: not valid JSON: number overflow parsing '1e309'"},
    {"deep-nesting.safetensors", "header: nested more than 32 levels deep"},
    {"long-shape.safetensors",
     "parameter 'src_embed.weight' has shape [0, 0, 0, 0, 0, 0, 0, 0, … (100000 dimensions)]"},
};

// The message holds the file's path, then `says`; the rest is short and has no control byte.
void expect_refusal(const std::string& message, const std::string& path, const std::string& says) {
  EXPECT_TRUE(message.starts_with(path + ": ")) << message;
  EXPECT_NE(message.find(says), std::string::npos) << message;
  EXPECT_LE(message.size(), path.size() + 300) << message;
  for (char c : message) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20 || c == 0x7f) << message;
}

TEST(HostileFiles, LessonsAreRefusedWithAShortMessage) {
  for (const Case& c : lesson_cases) {
    const std::string path = hostile_dir + c.file;
    expect_refusal(rejection([&] { io::read_lesson_file(path); }), path, c.says);
  }
}

TEST(HostileFiles, WeightsAreRefusedWithAShortMessage) {
  for (const Case& c : weights_cases) {
    const std::string path = hostile_dir + c.file;
    Transformer model(tiny_config());
    const Mat before = model.params()[0].value;
    expect_refusal(rejection([&] { io::read_weights(path, model.params()); }), path, c.says);
    EXPECT_EQ(model.params()[0].value, before);
  }
}

// A lesson's weights that cannot be read name the lesson, its field and the weights file.
TEST(HostileFiles, LessonWeightsErrorsNameTheLesson) {
  const std::string path = hostile_dir + "weights-malformed.json";
  const Lesson lesson = io::read_lesson_file(path);
  Transformer model(lesson.config);
  expect_refusal(
      rejection([&] { io::read_lesson_weights(path, lesson, model.params()); }), path,
      "weights: " + fs::canonical(hostile_dir + "number-overflow.safetensors").string() + ": header: not valid JSON");
}

// A link inside the lesson's folder that leads outside it is refused like "../".
TEST(HostileFiles, WeightsThroughALinkOutsideTheFolderAreRefused) {
  const fs::path folder = fs::temp_directory_path() / "attnviz_hostile_link";
  fs::remove_all(folder);
  fs::create_directories(folder);
  fs::create_symlink("/etc/passwd", folder / "w.safetensors");
  std::string text = io::read_file(hostile_dir + "weights-outside.json", io::max_lesson_bytes);
  const std::string outside = "../../../../../../../../../../etc/passwd";
  text.replace(text.find(outside), outside.size(), "w.safetensors");
  std::ofstream(folder / "lesson.json") << text;
  const std::string path = (folder / "lesson.json").string();
  expect_refusal(rejection([&] { io::read_lesson_file(path); }), path,
                 "weights = 'w.safetensors': must name a file in the lesson's folder or below it");
  fs::remove_all(folder);
}

TEST(HostileFiles, OnlyRegularFilesAreRead) {
  EXPECT_EQ(rejection([] { io::read_file("/dev/zero", 100); }), "/dev/zero: is a device, not a file");
  const fs::path fifo = fs::temp_directory_path() / "attnviz_hostile_fifo";
  fs::remove(fifo);
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(rejection([&] { io::read_file(fifo.string(), 100); }), fifo.string() + ": is a pipe, not a file");
  fs::remove(fifo);
  EXPECT_EQ(rejection([] { io::read_file(hostile_dir + "deep-nesting.json", 1000); }),
            hostile_dir + "deep-nesting.json: is 200 kB, more than the 1.0 kB such a file may have");
}

TEST(HostileFiles, MessagesEscapeAndShortenFileText) {
  EXPECT_EQ(quote("a\x1b]0;x\x07\n\t\xff\xc3"), "'a\\u{1b}]0;x\\u{7}\\n\\t\\xff\\xc3'");
  EXPECT_EQ(quote("\xc2\x9b"
                  "2J \u202e"),
            "'\\u{9b}2J \\u{202e}'");  // C1 CSI and a bidi override
  EXPECT_EQ(quote("왕자 는"), "'왕자 는'");
  EXPECT_EQ(quote(std::string(1000, 'x'), 5), "'xxxxx…' (1000 bytes)");
  EXPECT_EQ(key_text("d_model"), "d_model");
  EXPECT_EQ(key_text("a b"), "'a b'");
}

// --- Saving --------------------------------------------------------------------------------

struct Folder {
  fs::path path;  // a folder of its own, so runs side by side do not meet
  Folder() {
    std::string name = (fs::temp_directory_path() / "attnviz_hostile_save_XXXXXX").string();
    if (!::mkdtemp(name.data())) throw std::runtime_error("mkdtemp failed");
    path = name;
  }
  ~Folder() { fs::remove_all(path); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
};

std::string contents(const fs::path& p) { return io::read_file(p.string(), 1 << 20); }

// A link planted where a temporary file might be is never followed: the save goes to its own
// new file, and the link and its target are left alone.
TEST(HostileFiles, SavingIgnoresPlantedLinks) {
  Folder f;
  std::ofstream(f.path / "target") << "keep";
  for (const char* name : {"out.tmp", ".out.tmp"}) fs::create_symlink(f.path / "target", f.path / name);
  io::write_file_atomically((f.path / "out").string(), "new");
  EXPECT_EQ(contents(f.path / "out"), "new");
  EXPECT_EQ(contents(f.path / "target"), "keep");
  EXPECT_FALSE(fs::is_symlink(f.path / "out"));
  EXPECT_EQ(f.names(), (std::vector<std::string>{".out.tmp", "out", "out.tmp", "target"}));
}

TEST(HostileFiles, SavingReplacesOnlyARegularFile) {
  Folder f;
  fs::create_directory(f.path / "folder");
  fs::create_symlink(f.path / "folder", f.path / "link");
  const std::string folder = (f.path / "folder").string(), link = (f.path / "link").string();
  EXPECT_EQ(rejection([&] { io::write_file_atomically(folder, "x"); }),
            folder + ": is a folder, not a file: only a regular file is replaced");
  EXPECT_EQ(rejection([&] { io::write_file_atomically(link, "x"); }),
            link + ": is a symbolic link: only a regular file is replaced");
  EXPECT_EQ(rejection([] { io::check_output_path("/dev/null"); }),
            "/dev/null: is a device, not a file: only a regular file is replaced");
  EXPECT_EQ(rejection([] { io::check_output_path("/no/such/folder/w.safetensors"); }),
            "/no/such/folder/w.safetensors: the folder /no/such/folder does not exist");
  EXPECT_EQ(f.names(), (std::vector<std::string>{"folder", "link"}));
}

// A save that fails part-way (here: the writer throws) leaves the old file and no temporary.
TEST(HostileFiles, AFailedSaveLeavesTheOldFile) {
  Folder f;
  const std::string out = (f.path / "out").string();
  io::write_file_atomically(out, "old");
  EXPECT_THROW(io::write_file_atomically(out,
                                         [](std::ostream& s) {
                                           s << std::string(1 << 20, 'x');
                                           throw std::bad_alloc();
                                         }),
               std::bad_alloc);
  EXPECT_EQ(contents(out), "old");
  EXPECT_EQ(f.names(), std::vector<std::string>{"out"});
}

// The temporary file of a save killed part-way (its process gone) is removed by the next save
// of the same file; a live process's is not.
TEST(HostileFiles, ATemporaryFileLeftByAKilledSaveIsRemoved) {
  Folder f;
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  int status = 0;
  ::waitpid(child, &status, 0);  // `child` has ended: its pid names no process (reused at most later)
  const std::string dead = ".out." + std::to_string(child) + ".123.tmp";
  const std::string live = ".out." + std::to_string(::getpid()) + ".456.tmp";
  for (const std::string& name : {dead, live}) std::ofstream(f.path / name) << "partial";
  io::write_file_atomically((f.path / "out").string(), "new");
  EXPECT_EQ(f.names(), (std::vector<std::string>{live, "out"}));
}

}  // namespace
}  // namespace attnviz::testing
