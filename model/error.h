#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace attnviz {

// Bad input from a user or a file: a configuration, a sentence, a token id.  The message names
// the field and the value; nothing has been changed when it is thrown.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
  // The message made from `format` (marked N_(), model/translatable.h) with each "%s" replaced
  // by the next of `args`; the window shows it translated (views/i18n.h, error_in_words).
  InputError(const char* format, std::vector<std::string> args);

  std::string format;             // empty: the message was built another way
  std::vector<std::string> args;  // the words it names: a quoted word, a count
  unsigned translated_args = 0;   // bit i set: args[i] is itself marked N_() ("a number"), translated too
  std::string lead;               // words before the message in every language: "lessons/x.json: "
};

// `inner` named by where it happened: where + separator + its message, its format and words kept.
InputError within(const std::string& where, const InputError& inner, const char* separator = ": ");

// `format` with each "%s" replaced by the next of `args` ("%%" is '%').
std::string fill_format(const std::string& format, const std::vector<std::string>& args);

}  // namespace attnviz
