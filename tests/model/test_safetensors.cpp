// Safetensors weights: written and read back bit for bit, and every malformed file refused with
// a message naming the problem, leaving the parameters unchanged.

#include "model/error.h"
#include "model/io/json_text.h"
#include "model/io/safetensors.h"
#include "helpers.h"

#include <cstring>
#include <filesystem>
#include <limits>

namespace attnviz::testing {
namespace {

// A file: 8-byte header length, the header text, then `data`.
std::string file_bytes(const std::string& header, const std::string& data, std::uint64_t length) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &length, 8);
  return out + header + data;
}
std::string file_bytes(const std::string& header, const std::string& data = "") {
  return file_bytes(header, data, header.size());
}

std::string doubles(std::initializer_list<double> values) {
  std::string s;
  for (double v : values) s.append(reinterpret_cast<const char*>(&v), 8);
  return s;
}

std::string parse_rejection(const std::string& bytes) {
  return rejection([&] { io::parse_safetensors(bytes, "w.safetensors"); });
}

Transformer tiny_model(std::uint64_t seed = 3) { return Transformer(tiny_config(), seed); }

TEST(Safetensors, F64RoundTripIsBitIdentical) {
  const Transformer a = tiny_model(3);
  Transformer b = tiny_model(4);
  const std::string bytes = io::serialize_safetensors(a.params(), io::DType::f64);
  EXPECT_EQ((8 + bytes.size()) % 8, 0u);
  io::load_parameters(b.params(), io::parse_safetensors(bytes, "mem"), "mem");
  for (int i = 0; i < a.params().size(); ++i) {
    const Mat& x = a.params()[i].value;
    const Mat& y = b.params()[i].value;
    ASSERT_EQ(x.size(), y.size());
    EXPECT_EQ(std::memcmp(x.data(), y.data(), sizeof(double) * static_cast<std::size_t>(x.size())), 0)
        << a.params()[i].name;
  }
  EXPECT_EQ(io::serialize_safetensors(b.params(), io::DType::f64), bytes);
}

TEST(Safetensors, F32StoresRoundedValues) {
  const Transformer a = tiny_model(3);
  Transformer b = tiny_model(4);
  io::load_parameters(b.params(), io::parse_safetensors(io::serialize_safetensors(a.params(), io::DType::f32), "mem"),
                      "mem");
  for (int i = 0; i < a.params().size(); ++i)
    for (Eigen::Index k = 0; k < a.params()[i].value.size(); ++k)
      ASSERT_EQ(b.params()[i].value.data()[k], static_cast<double>(static_cast<float>(a.params()[i].value.data()[k])));
}

TEST(Safetensors, PyTorchNamesAndShapes) {
  const Transformer a = tiny_model();
  const std::string bytes = io::serialize_safetensors(a.params(), io::DType::f32);
  std::uint64_t n = 0;
  std::memcpy(&n, bytes.data(), 8);
  const io::Json header = io::parse_json(bytes.substr(8, n), "header");
  const int d = tiny_config().d_model, d_ff = tiny_config().d_ff;
  EXPECT_EQ(header["encoder.layers.0.self_attn.q_proj.weight"]["shape"], io::Json::array({d, d}));
  EXPECT_EQ(header["encoder.layers.0.self_attn.q_proj.bias"]["shape"], io::Json::array({d}));
  EXPECT_EQ(header["encoder.layers.0.norm1.weight"]["shape"], io::Json::array({d}));
  EXPECT_EQ(header["decoder.layers.0.ffn.linear1.weight"]["shape"], io::Json::array({d_ff, d}));
  EXPECT_EQ(header["src_embed.weight"]["shape"], io::Json::array({tiny_config().src_vocab, d}));
  EXPECT_EQ(header["generator.bias"]["dtype"], "F32");
}

TEST(Safetensors, WriteGoesThroughATemporaryFile) {
  const Transformer a = tiny_model(3);
  Transformer b = tiny_model(4);
  const std::string path = (std::filesystem::temp_directory_path() / "attnviz_test_weights.safetensors").string();
  io::write_weights(path, a.params(), io::DType::f64);
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    EXPECT_FALSE(entry.path().filename().string().starts_with(".attnviz_test_weights.safetensors.")) << entry.path();
  io::read_weights(path, b.params());
  EXPECT_EQ(b.params()[0].value, a.params()[0].value);
  std::filesystem::remove(path);
  EXPECT_NE(rejection([&] {
              io::write_weights("/nonexistent-folder/w.safetensors", a.params(), io::DType::f64);
            }).find("/nonexistent-folder/w.safetensors: the folder /nonexistent-folder does not exist"),
            std::string::npos);
  EXPECT_NE(rejection([&] { io::read_weights(path, b.params()); }).find(": cannot open"), std::string::npos);
}

TEST(Safetensors, MetadataIsAccepted) {
  const auto t = io::parse_safetensors(
      file_bytes(R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}})",
                 doubles({1, 2})),
      "m");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].values, (std::vector<double>{1, 2}));
}

TEST(Safetensors, MalformedFilesAreRefused) {
  const std::string one = R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}})";
  EXPECT_EQ(parse_rejection("abc"), "w.safetensors: only 3 bytes: too short for the 8-byte header length");
  EXPECT_EQ(parse_rejection(file_bytes(one, doubles({1}), 100'000'001)),
            "w.safetensors: not a safetensors file: its first 8 bytes give a header longer than 100 MB");
  EXPECT_EQ(
      parse_rejection(file_bytes(one, "", 1000)),
      "w.safetensors: not a safetensors file, or cut short: its first 8 bytes give a header longer than the file (" +
          std::to_string(8 + one.size()) + " bytes)");
  EXPECT_EQ(parse_rejection(file_bytes(" " + one, doubles({1}))), "w.safetensors: the header does not start with '{'");
  EXPECT_EQ(parse_rejection(file_bytes("[1, 2, 3]")), "w.safetensors: the header does not start with '{'");
  EXPECT_NE(parse_rejection(file_bytes("{\"a\xff\":1}")).find("w.safetensors: header: line 1, column"),
            std::string::npos);
  EXPECT_NE(parse_rejection(file_bytes("{\"a\":")).find("not valid JSON"), std::string::npos);
  EXPECT_EQ(parse_rejection(file_bytes(R"({"a":{"dtype":"BF16","shape":[1],"data_offsets":[0,2]}})", "xx")),
            "w.safetensors: tensor 'a': unknown dtype 'BF16' (F32 and F64 are read)");
  EXPECT_EQ(parse_rejection(file_bytes(R"({"a":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}})",
                                       doubles({1}))),
            "w.safetensors: tensor 'a': shape [4294967296,4294967296] overflows its byte size");
  EXPECT_EQ(parse_rejection(file_bytes(R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,8]}})", doubles({1}))),
            "w.safetensors: tensor 'a': shape [2] of F64 needs 16 bytes, data_offsets give 8");
  EXPECT_EQ(parse_rejection(file_bytes(R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}})", doubles({1, 2}))),
            "w.safetensors: tensor 'a': data_offsets begin at 8, not at 0: the offsets are not contiguous from 0");
  EXPECT_EQ(
      parse_rejection(file_bytes(
          R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"b":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}})",
          doubles({1, 2}))),
      "w.safetensors: tensor 'b': data_offsets [8, 16] overlap the tensor before it (which ends at 16)");
  EXPECT_EQ(
      parse_rejection(file_bytes(
          R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"b":{"dtype":"F64","shape":[1],"data_offsets":[16,24]}})",
          doubles({1, 2, 3}))),
      "w.safetensors: tensor 'b': data_offsets begin at 16, not at 8: the offsets are not contiguous from 0");
  EXPECT_EQ(parse_rejection(file_bytes(one, doubles({1, 2}))), "w.safetensors: 8 trailing bytes after the last tensor");
  EXPECT_EQ(parse_rejection(file_bytes(one, "")), "w.safetensors: the tensors need 8 bytes of data, the file has 0");
  EXPECT_EQ(
      parse_rejection(file_bytes(
          R"({"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F64","shape":[1],"data_offsets":[8,16]}})",
          doubles({1, 2}))),
      "w.safetensors: header: duplicate key 'a'");
  EXPECT_EQ(parse_rejection(file_bytes(R"({"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}})",
                                       doubles({1, std::numeric_limits<double>::quiet_NaN()}))),
            "w.safetensors: tensor 'a': element 1 is NaN: weights must be finite");
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(parse_rejection(file_bytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                                       std::string(reinterpret_cast<const char*>(&inf), 4))),
            "w.safetensors: tensor 'a': element 0 is +inf: weights must be finite");
  EXPECT_EQ(parse_rejection(file_bytes(R"({"a":{"dtype":"F64","shape":[-1],"data_offsets":[0,8]}})", doubles({1}))),
            "w.safetensors: tensor 'a': shape [-1] is not a list of non-negative whole numbers");
  EXPECT_EQ(parse_rejection(file_bytes(R"({"a":{"dtype":"F64","shape":[1]}})", doubles({1}))),
            "w.safetensors: tensor 'a': data_offsets must be [begin, end], two non-negative whole numbers");
}

// The file's tensors against the model's parameters: named, all or nothing.
TEST(Safetensors, WrongParametersAreRefusedAndNothingChanges) {
  const Transformer source = tiny_model(3);
  Transformer target = tiny_model(4);
  const Mat before = target.params()[0].value;
  const std::vector<io::FileTensor> good =
      io::parse_safetensors(io::serialize_safetensors(source.params(), io::DType::f64), "w");
  const auto load = [&](const std::vector<io::FileTensor>& tensors) {
    return rejection([&] { io::load_parameters(target.params(), tensors, "w.safetensors"); });
  };
  std::vector<io::FileTensor> missing = good;
  missing.erase(missing.begin() + 5);
  EXPECT_EQ(load(missing), "w.safetensors: parameter '" + source.params()[5].name + "' is missing");
  std::vector<io::FileTensor> extra = good;
  extra.push_back({"decoder.layers.9.norm1.weight", io::DType::f64, {4}, {1, 1, 1, 1}});
  EXPECT_EQ(load(extra),
            "w.safetensors: tensor 'decoder.layers.9.norm1.weight' is not a parameter of this model. "
            "Hint: the file has decoder layers up to layers.9, the config 2 (config.decoder_layers)");
  std::vector<io::FileTensor> wrong = good;
  wrong[2].shape = {1, wrong[2].shape[0] * wrong[2].shape[1]};
  EXPECT_EQ(load(wrong), "w.safetensors: parameter '" + source.params()[2].name + "' has shape " + "[1, " +
                             std::to_string(source.params()[2].value.size()) + "], this model's config needs [" +
                             std::to_string(source.params()[2].value.rows()) + ", " +
                             std::to_string(source.params()[2].value.cols()) + "]");
  EXPECT_EQ(target.params()[0].value, before);
  Config other = tiny_config();
  other.d_ff *= 2;
  Transformer bigger(other, 1);
  EXPECT_NE(
      rejection([&] { io::load_parameters(bigger.params(), good, "w"); })
          .find(
              "w: 12 tensors have another shape than this model's config needs: "
              "'encoder.layers.0.ffn.linear1.weight' [12, 8] (needs [24, 8]), 'encoder.layers.0.ffn.linear1.bias' [12] "
              "(needs [24])"),
      std::string::npos);
}

}  // namespace
}  // namespace attnviz::testing

namespace attnviz::testing {
namespace {

// Every truncation and many seeded byte changes of a valid file: parsed, or refused with an
// InputError; never a crash or another exception.
template <class Parse>
void survives_damage(const std::string& good, Parse parse) {
  int refused = 0, parsed = 0;
  const auto attempt = [&](const std::string& bytes) {
    try {
      parse(bytes);
      ++parsed;
    } catch (const InputError&) {
      ++refused;
    }
  };
  for (std::size_t n = 0; n < good.size(); n += 1 + n / 64) attempt(good.substr(0, n));
  Random random(11);
  for (int i = 0; i < 400; ++i) {
    std::string bytes = good;
    const int changes = 1 + static_cast<int>(random.uniform() * 3);
    for (int k = 0; k < changes; ++k) {
      const std::size_t at =
          std::min(bytes.size() - 1, static_cast<std::size_t>(random.uniform() * static_cast<double>(bytes.size())));
      bytes[at] = static_cast<char>(static_cast<int>(random.uniform() * 256));
    }
    attempt(bytes);
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(parsed + refused, 400);
}

TEST(Safetensors, DamagedFilesAreRefusedNotCrashedOn) {
  Config c = tiny_config();
  c.encoder_layers = c.decoder_layers = 1;
  Transformer model(c, 1);
  const std::string good = io::serialize_safetensors(model.params(), io::DType::f32);
  survives_damage(good, [&](const std::string& bytes) {
    Transformer target(c, 2);
    io::load_parameters(target.params(), io::parse_safetensors(bytes, "w"), "w");
  });
}

}  // namespace
}  // namespace attnviz::testing
