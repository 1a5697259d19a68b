#include "app/window.h"

#define GL_GLEXT_PROTOTYPES
#include <GL/gl.h>
#include <GL/glext.h>
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace attnviz::app {
namespace {

std::string glfw_error() {
  const char* text = nullptr;
  glfwGetError(&text);
  return text ? text : "unknown error";
}

}  // namespace

std::optional<std::string> Window::display_problem() {
  const char* x11 = std::getenv("DISPLAY");
  const char* wayland = std::getenv("WAYLAND_DISPLAY");
  if ((x11 && *x11) || (wayland && *wayland)) return std::nullopt;
  return "attnviz: no display (DISPLAY is not set). Run it on a desktop, or without a screen as\n"
         "  xvfb-run -a attnviz …\n"
         "(attnviz trace --print shows the steps in the terminal.)";
}

Window::Window(const WindowOptions& o) : width_(o.width), height_(o.height), offscreen_(o.offscreen) {
  if (!glfwInit()) throw std::runtime_error("cannot open a window: " + glfw_error());
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  glfwWindowHint(GLFW_VISIBLE, o.offscreen ? GLFW_FALSE : GLFW_TRUE);
  int width = o.width, height = o.height;
  if (!o.offscreen) {
    int x = 0, y = 0, work_w = 0, work_h = 0;
    if (GLFWmonitor* monitor = glfwGetPrimaryMonitor()) glfwGetMonitorWorkarea(monitor, &x, &y, &work_w, &work_h);
    if (work_w > 0 && work_h > 0) {
      width = std::min(width, work_w * 95 / 100);
      height = std::min(height, work_h * 90 / 100);
    }
  }
  window_ = glfwCreateWindow(width, height, o.title.c_str(), nullptr, nullptr);
  if (!window_) {
    const std::string why = glfw_error();
    glfwTerminate();
    throw std::runtime_error("cannot open a window: " + why);
  }
  glfwMakeContextCurrent(window_);
  glfwSwapInterval(o.offscreen ? 0 : 1);

  if (offscreen_) frame_ = std::make_unique<GlFrame>(width_, height_);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGui::GetIO().IniFilename = nullptr;  // the app saves the layout itself (atomically)
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 130");
}

Window::~Window() {
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  frame_.reset();
  glfwDestroyWindow(window_);
  glfwTerminate();
}

bool Window::should_close() const { return glfwWindowShouldClose(window_); }
void Window::request_close() { glfwSetWindowShouldClose(window_, GLFW_TRUE); }
void Window::set_title(const std::string& title) { glfwSetWindowTitle(window_, title.c_str()); }
void Window::set_full_screen(bool full) {
  if (offscreen_) return;
  GLFWmonitor* monitor = glfwGetPrimaryMonitor();
  const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
  if (full && mode) {
    glfwGetWindowPos(window_, &windowed_[0], &windowed_[1]);
    glfwGetWindowSize(window_, &windowed_[2], &windowed_[3]);
    glfwSetWindowMonitor(window_, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
  } else if (!full && glfwGetWindowMonitor(window_)) {
    glfwSetWindowMonitor(window_, nullptr, windowed_[0], windowed_[1], windowed_[2], windowed_[3], GLFW_DONT_CARE);
  }
}

void Window::poll_events() { glfwPollEvents(); }
void Window::wait_events(double timeout) { glfwWaitEventsTimeout(timeout); }

void Window::new_frame() {
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  if (offscreen_) {
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(static_cast<float>(width_), static_cast<float>(height_));
    io.DisplayFramebufferScale = ImVec2(1, 1);
  }
  ImGui::NewFrame();
}

void Window::render(const float background[4]) {
  ImGui::Render();
  int w = width_, h = height_;
  if (offscreen_) {
    frame_->bind();
  } else {
    glfwGetFramebufferSize(window_, &w, &h);
  }
  glViewport(0, 0, w, h);
  glClearColor(background[0], background[1], background[2], background[3]);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

// An offscreen window's own buffers are never drawn to: presenting them would only copy pixels.
void Window::swap() {
  if (offscreen_)
    glFlush();
  else
    glfwSwapBuffers(window_);
}
void Window::finish() { glFinish(); }

Image Window::read_pixels() const {
  int w = width_, h = height_;
  if (offscreen_) {
    frame_->bind();
  } else {
    glfwGetFramebufferSize(window_, &w, &h);
    glReadBuffer(GL_BACK);
  }
  return read_top_left(w, h, h);
}

void Window::reload_font_texture() {
  ImGui_ImplOpenGL3_DestroyFontsTexture();
  ImGui_ImplOpenGL3_CreateFontsTexture();
}

}  // namespace attnviz::app
