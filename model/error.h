#pragma once
#include <stdexcept>
#include <string>

namespace attnviz {

// Bad input from a user or a file: a configuration, a sentence, a token id.  The message names
// the field and the value; nothing has been changed when it is thrown.
struct InputError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace attnviz
