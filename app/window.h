#pragma once
// The GLFW window with an OpenGL 3 context and Dear ImGui's GLFW and OpenGL 3 backends.
// Offscreen windows are hidden and draw into a framebuffer object of the requested size, so a
// screenshot or a benchmark does not depend on the screen (xvfb-run's is 1280×1024).

#include "app/gl_frame.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

struct GLFWwindow;

namespace attnviz::app {

struct WindowOptions {
  int width = 1600, height = 900;  // a visible window shrinks to fit the monitor's work area
  bool offscreen = false;
  std::string title = "attnviz";
};

class Window {
 public:
  // Why no window can be opened here ("no display: …"), or nothing when one can.
  static std::optional<std::string> display_problem();

  // Creates the window and ImGui's context; throws std::runtime_error naming what failed.
  explicit Window(const WindowOptions& options);
  ~Window();
  Window(const Window&) = delete;
  Window& operator=(const Window&) = delete;

  bool should_close() const;
  void request_close();
  void set_title(const std::string& title);
  // Full screen on the primary monitor, or back to the window it was (not offscreen).
  void set_full_screen(bool full);
  void poll_events();  // waits up to `timeout` seconds when > 0
  void wait_events(double timeout);
  void new_frame();  // backends + ImGui::NewFrame
  // ImGui::Render, clear to `background` (RGBA 0–1), draw into the back buffer (or the offscreen frame).
  void render(const float background[4]);
  void swap();
  void finish();               // waits until the GPU has drawn everything (for timing)
  Image read_pixels() const;   // of what render() drew; call before swap()
  void reload_font_texture();  // after io.Fonts was rebuilt

 private:
  GLFWwindow* window_ = nullptr;
  int width_, height_;
  bool offscreen_;
  std::unique_ptr<GlFrame> frame_;  // offscreen windows only
  int windowed_[4] = {0, 0, 0, 0};  // x, y, width, height before full screen
};

}  // namespace attnviz::app
