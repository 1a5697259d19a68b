#pragma once
// Frames drawn off screen: an RGBA8 texture as the colour buffer of a framebuffer object, and
// reading pixels back top row first (OpenGL hands them bottom row first).

#include <vector>

namespace attnviz::app {

struct Image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgba;  // top row first
};

class GlFrame {
 public:
  // A width × height frame, left bound for drawing; throws std::runtime_error if the driver refuses it.
  GlFrame(int width, int height);
  ~GlFrame();
  GlFrame(const GlFrame&) = delete;
  GlFrame& operator=(const GlFrame&) = delete;

  void bind() const;

 private:
  unsigned int framebuffer_ = 0, colour_ = 0;
};

// The top-left width × height pixels of the bound frame, `frame_height` rows tall.
Image read_top_left(int width, int height, int frame_height);

}  // namespace attnviz::app
