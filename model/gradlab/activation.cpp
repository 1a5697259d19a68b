#include "model/gradlab/activation.h"

#include "model/error.h"

#include <cmath>
#include <string>

namespace attnviz::gradlab {

double activate(Activation f, double z) {
  switch (f) {
    case Activation::sigmoid: return 1.0 / (1.0 + std::exp(-z));
    case Activation::tanh: return std::tanh(z);
    case Activation::relu: return z > 0 ? z : 0.0;
  }
  return 0;
}

double activate_derivative(Activation f, double z) {
  switch (f) {
    case Activation::sigmoid: {
      const double s = activate(f, z);
      return s * (1.0 - s);
    }
    case Activation::tanh: {
      const double t = std::tanh(z);
      return 1.0 - t * t;
    }
    case Activation::relu: return z > 0 ? 1.0 : 0.0;
  }
  return 0;
}

const char* to_string(Activation f) {
  switch (f) {
    case Activation::sigmoid: return "sigmoid";
    case Activation::tanh: return "tanh";
    case Activation::relu: return "relu";
  }
  return "?";
}

const char* symbol(Activation f) { return f == Activation::sigmoid ? "σ" : to_string(f); }

Activation parse_activation(std::string_view text) {
  for (Activation f : {Activation::sigmoid, Activation::tanh, Activation::relu})
    if (text == to_string(f)) return f;
  throw InputError("activation '" + std::string(text) + "' is not one of sigmoid, tanh, relu");
}

}  // namespace attnviz::gradlab
