#pragma once
// The views' TextureCache in OpenGL: one RGBA texture per heatmap, nearest-neighbour sampled.
// A texture not drawn for `keep_frames` frames is deleted.

#include "views/texture_cache.h"

#include <cstdint>
#include <unordered_map>

namespace attnviz::app {

class GlTextureCache final : public views::TextureCache {
 public:
  GlTextureCache() = default;
  GlTextureCache(const GlTextureCache&) = delete;
  GlTextureCache& operator=(const GlTextureCache&) = delete;
  ~GlTextureCache() override;

  ImTextureID find(std::uint64_t key) override;
  ImTextureID upload(std::uint64_t key, int width, int height, const ImU32* pixels) override;
  // Ages every texture by one frame and deletes the stale ones.
  void end_frame(int keep_frames = 120);
  void clear();

 private:
  struct Entry {
    unsigned int name = 0;
    std::uint64_t last_used = 0;
  };
  std::unordered_map<std::uint64_t, Entry> textures_;
  std::uint64_t frame_ = 0;
};

}  // namespace attnviz::app
