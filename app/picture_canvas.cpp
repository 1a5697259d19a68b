#include "app/picture_canvas.h"

#define GL_GLEXT_PROTOTYPES
#include <GL/gl.h>
#include <GL/glext.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>
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
  try {
    const GlFrame frame(w, h);
    glViewport(0, 0, w, h);
    const ImVec4 bg = ImGui::ColorConvertU32ToFloat4(views::palette(theme_).panel);
    glClearColor(bg.x, bg.y, bg.z, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    image_ = read_top_left(std::clamp(static_cast<int>(std::lround(picture.x)), 1, w),
                           std::clamp(static_cast<int>(std::lround(picture.y)), 1, h), h);
  } catch (const std::runtime_error&) {
    image_ = Image{};  // the driver refused a frame this large: no picture
  }
  glBindFramebuffer(GL_FRAMEBUFFER, static_cast<GLuint>(window_framebuffer));
  ImGui::SetCurrentContext(window_context_);
}

}  // namespace attnviz::app
