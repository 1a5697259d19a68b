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
  struct Part;
  std::vector<Part> then;  // sentences said after this one, in order (followed())
};

// A sentence after the one before it: its separator ("; ", ". Hint: ", marked N_() and
// translated; "" for none) and the sentence, with its own format and words.
struct InputError::Part {
  std::string separator;
  InputError sentence;
};

// One message of several sentences: `first`, then each part after its separator.  Its English is
// the sentences' English joined; the window says each sentence, and each separator, translated.
InputError followed(const InputError& first, const std::vector<InputError::Part>& parts);

// `inner` named by where it happened: where + separator + its message, its format and words kept.
InputError within(const std::string& where, const InputError& inner, const char* separator = ": ");

// `format` with each "%s" replaced by the next of `args` ("%%" is '%').
std::string fill_format(const std::string& format, const std::vector<std::string>& args);

}  // namespace attnviz
