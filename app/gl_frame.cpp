#include "app/gl_frame.h"

#define GL_GLEXT_PROTOTYPES
#include <GL/gl.h>
#include <GL/glext.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace attnviz::app {

GlFrame::GlFrame(int width, int height) {
  glGenTextures(1, &colour_);
  glBindTexture(GL_TEXTURE_2D, colour_);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glGenFramebuffers(1, &framebuffer_);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, colour_, 0);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
    glDeleteFramebuffers(1, &framebuffer_);
    glDeleteTextures(1, &colour_);
    throw std::runtime_error("cannot create an offscreen frame of that size");
  }
}

GlFrame::~GlFrame() {
  glDeleteFramebuffers(1, &framebuffer_);
  glDeleteTextures(1, &colour_);
}

void GlFrame::bind() const { glBindFramebuffer(GL_FRAMEBUFFER, framebuffer_); }

Image read_top_left(int width, int height, int frame_height) {
  Image image;
  image.width = width;
  image.height = height;
  const std::size_t row = static_cast<std::size_t>(width) * 4;
  std::vector<unsigned char> bottom_up(row * static_cast<std::size_t>(height));
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, frame_height - height, width, height, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
  image.rgba.resize(bottom_up.size());
  for (int y = 0; y < height; ++y)
    std::memcpy(&image.rgba[row * static_cast<std::size_t>(y)],
                &bottom_up[row * static_cast<std::size_t>(height - 1 - y)], row);
  return image;
}

}  // namespace attnviz::app
