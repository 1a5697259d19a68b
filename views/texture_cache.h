#pragma once
// Textures through an interface the app implements with OpenGL, so views run under ImGui's
// headless context in tests.  Big heatmaps are one texture each: one quad per frame, uploaded
// only when the data behind `key` changes (the key hashes the trace generation and the tensor).

#include <imgui.h>

#include <cstdint>

namespace attnviz::views {

class TextureCache {
 public:
  virtual ~TextureCache() = default;
  // The texture stored under `key`, or nullptr.  Marks it as used this frame.
  virtual ImTextureID find(std::uint64_t key) = 0;
  // Stores width × height RGBA pixels (IM_COL32 order, top row first) under `key`, drawn with
  // nearest-neighbour sampling so every cell stays a sharp square.
  virtual ImTextureID upload(std::uint64_t key, int width, int height, const ImU32* pixels) = 0;
};

// Keeps nothing on the GPU: hands out distinct ids.  For tests and headless drawing.
class HeadlessTextureCache final : public TextureCache {
 public:
  ImTextureID find(std::uint64_t key) override;
  ImTextureID upload(std::uint64_t key, int width, int height, const ImU32* pixels) override;
  int uploads() const { return uploads_; }

 private:
  static constexpr int slots_ = 64;
  std::uint64_t keys_[slots_] = {};
  int used_ = 0;
  int uploads_ = 0;
};

}  // namespace attnviz::views
