#include "app/picture_canvas.h"

#define GL_GLEXT_PROTOTYPES
#include <GL/gl.h>
#include <GL/glext.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace attnviz::app {

GlPictureCanvas::GlPictureCanvas(const Fonts& fonts, float pixels, views::Theme theme, float ui_scale)
    : fonts_(fonts), theme_(theme) {
  ImGuiContext* window_context = ImGui::GetCurrentContext();
  context_ = ImGui::CreateContext();
  ImGui::SetCurrentContext(context_);
  ImGui::GetIO().IniFilename = nullptr;
  fonts_.build(pixels * views::picture_scale);
  views::apply_style(theme, ui_scale * views::picture_scale);
  ImGui_ImplOpenGL3_Init("#version 130");
  ImGui::SetCurrentContext(window_context);
}

GlPictureCanvas::~GlPictureCanvas() {
  ImGuiContext* window_context = ImGui::GetCurrentContext();
  ImGui::SetCurrentContext(context_);
  ImGui_ImplOpenGL3_Shutdown();
  ImGui::DestroyContext(context_);
  ImGui::SetCurrentContext(window_context);
}

void GlPictureCanvas::begin(ImVec2 display) {
  window_context_ = ImGui::GetCurrentContext();
  ImGui::SetCurrentContext(context_);
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(std::ceil(display.x), std::ceil(display.y));
  io.DisplayFramebufferScale = ImVec2(1, 1);
  io.DeltaTime = 1.0f / 60;
  ImGui_ImplOpenGL3_NewFrame();
  ImGui::NewFrame();
}

// Renders the frame into a framebuffer object as large as the display, on the panels' colour,
// and keeps the top-left `picture` rectangle (rows read bottom-up, stored top row first).
void GlPictureCanvas::end(ImVec2 picture) {
  ImGui::Render();
  const ImVec2 display = ImGui::GetIO().DisplaySize;
  const int w = static_cast<int>(display.x), h = static_cast<int>(display.y);
  GLint window_framebuffer = 0;
  glGetIntegerv(GL_FRAMEBUFFER_BINDING, &window_framebuffer);
  GLuint colour = 0, framebuffer = 0;
  glGenTextures(1, &colour);
  glBindTexture(GL_TEXTURE_2D, colour);
  glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  glGenFramebuffers(1, &framebuffer);
  glBindFramebuffer(GL_FRAMEBUFFER, framebuffer);
  glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, colour, 0);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) == GL_FRAMEBUFFER_COMPLETE) {
    glViewport(0, 0, w, h);
    const ImVec4 bg = ImGui::ColorConvertU32ToFloat4(views::palette(theme_).panel);
    glClearColor(bg.x, bg.y, bg.z, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    image_.width = std::clamp(static_cast<int>(std::lround(picture.x)), 1, w);
    image_.height = std::clamp(static_cast<int>(std::lround(picture.y)), 1, h);
    const std::size_t row = static_cast<std::size_t>(image_.width) * 4;
    std::vector<unsigned char> bottom_up(row * static_cast<std::size_t>(image_.height));
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, h - image_.height, image_.width, image_.height, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
    image_.rgba.resize(bottom_up.size());
    for (int y = 0; y < image_.height; ++y)
      std::memcpy(&image_.rgba[row * static_cast<std::size_t>(y)],
                  &bottom_up[row * static_cast<std::size_t>(image_.height - 1 - y)], row);
  }
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(window_framebuffer));
  glDeleteFramebuffers(1, &framebuffer);
  glDeleteTextures(1, &colour);
  ImGui::SetCurrentContext(window_context_);
}

}  // namespace attnviz::app
