#include "model/error.h"

namespace attnviz {

std::string fill_format(const std::string& format, const std::vector<std::string>& args) {
  std::string text;
  std::size_t next = 0;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      text += format[i];
      continue;
    }
    const char kind = format[++i];
    if (kind == 's' && next < args.size()) text += args[next++];
    else if (kind == '%') text += '%';
    else text += std::string("%") + kind;
  }
  return text;
}

InputError::InputError(const char* format_, std::vector<std::string> args_)
    : std::runtime_error(fill_format(format_, args_)), format(format_), args(std::move(args_)) {}

InputError within(const std::string& where, const InputError& inner, const char* separator) {
  InputError outer(where + separator + inner.what());
  outer.format = inner.format;
  outer.args = inner.args;
  outer.translated_args = inner.translated_args;
  outer.lead = where + separator + inner.lead;
  return outer;
}

}  // namespace attnviz
