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
    if (kind == 's' && next < args.size())
      text += args[next++];
    else if (kind == '%')
      text += '%';
    else
      text += std::string("%") + kind;
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
  outer.then = inner.then;
  return outer;
}

InputError followed(const InputError& first, const std::vector<InputError::Part>& parts) {
  std::string message = first.what();
  for (const InputError::Part& part : parts) message += part.separator + part.sentence.what();
  InputError joined(message);
  if (first.format.empty() && first.then.empty()) {  // a sentence with no format: said as it is
    joined.then.push_back({"", first});
  } else {
    joined.format = first.format;
    joined.args = first.args;
    joined.translated_args = first.translated_args;
    joined.lead = first.lead;
    joined.then = first.then;
  }
  joined.then.insert(joined.then.end(), parts.begin(), parts.end());
  return joined;
}

}  // namespace attnviz
