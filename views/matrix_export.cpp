#include "views/matrix_export.h"

#include "views/figure.h"
#include "views/i18n.h"

#include <imgui.h>

#include <cmath>
#include <cstdio>

namespace attnviz::views {
namespace {

std::string csv_field(std::span<const std::string> labels, Eigen::Index i) {
  std::string text =
      i < static_cast<Eigen::Index>(labels.size()) ? labels[static_cast<std::size_t>(i)] : std::to_string(i);
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    quoted += c;
    if (c == '"') quoted += c;
  }
  quoted += '"';
  return quoted;
}

}  // namespace

std::string matrix_csv(const Mat& m, std::span<const std::string> row_labels, std::span<const std::string> col_labels) {
  std::string out;
  for (Eigen::Index c = 0; c < m.cols(); ++c) {
    out += ',';
    out += csv_field(col_labels, c);
  }
  out += "\n";
  char number[40];
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    out += csv_field(row_labels, r);
    for (Eigen::Index c = 0; c < m.cols(); ++c) {
      const double v = m(r, c);
      if (std::isinf(v))
        std::snprintf(number, sizeof number, v < 0 ? "-inf" : "inf");
      else
        std::snprintf(number, sizeof number, "%.17g", v);
      out += ",";
      out += number;
    }
    out += "\n";
  }
  return out;
}

bool matrix_context_menu(const char* id, const Mat& m, std::span<const std::string> row_labels,
                         std::span<const std::string> col_labels) {
  bool copied = false;
  if (ImGui::IsItemHovered() && ImGui::IsMouseReleased(ImGuiMouseButton_Right)) take_right_click();
  if (ImGui::BeginPopupContextItem(id)) {
    ImGui::Text(tr("%d × %d matrix"), static_cast<int>(m.rows()), static_cast<int>(m.cols()));
    if (ImGui::MenuItem(tr("Copy as CSV"))) {
      ImGui::SetClipboardText(matrix_csv(m, row_labels, col_labels).c_str());
      copied = true;
    }
    ImGui::EndPopup();
  }
  return copied;
}

}  // namespace attnviz::views
