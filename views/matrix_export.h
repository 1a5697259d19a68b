#pragma once
// Matrices out of the app: as CSV text (token names in the first row and column when known),
// copied to the clipboard from a right-click menu.

#include "model/tensor.h"

#include <span>
#include <string>

namespace attnviz::views {

// "," then the column labels on the first line; each row: its label, then the values with
// 17 significant digits ("-inf" for −∞).  Empty label spans: indices.
std::string matrix_csv(const Mat& m, std::span<const std::string> row_labels, std::span<const std::string> col_labels);

// The right-click menu of the last item: "Copy as CSV" (one head of the heads' grid; figures
// have figure.h's menu).  Returns true when it copied.
bool matrix_context_menu(const char* id, const Mat& m, std::span<const std::string> row_labels,
                         std::span<const std::string> col_labels);

}  // namespace attnviz::views
