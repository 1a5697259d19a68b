#include "app/gl_textures.h"

#include <GL/gl.h>

#include <cstdint>

namespace attnviz::app {
namespace {

ImTextureID as_id(unsigned int name) { return reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(name)); }

}  // namespace

GlTextureCache::~GlTextureCache() { clear(); }

void GlTextureCache::clear() {
  for (auto& [key, entry] : textures_) glDeleteTextures(1, &entry.name);
  textures_.clear();
}

ImTextureID GlTextureCache::find(std::uint64_t key) {
  const auto it = textures_.find(key);
  if (it == textures_.end()) return nullptr;
  it->second.last_used = frame_;
  return as_id(it->second.name);
}

ImTextureID GlTextureCache::upload(std::uint64_t key, int width, int height, const ImU32* pixels) {
  Entry& entry = textures_[key];
  if (entry.name == 0) glGenTextures(1, &entry.name);
  entry.last_used = frame_;
  GLint previous = 0;
  glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
  glBindTexture(GL_TEXTURE_2D, entry.name);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels);
  glBindTexture(GL_TEXTURE_2D, static_cast<GLuint>(previous));
  return as_id(entry.name);
}

void GlTextureCache::end_frame(int keep_frames) {
  ++frame_;
  for (auto it = textures_.begin(); it != textures_.end();) {
    if (frame_ - it->second.last_used > static_cast<std::uint64_t>(keep_frames)) {
      glDeleteTextures(1, &it->second.name);
      it = textures_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace attnviz::app
