#pragma once
// The element-wise non-linearities of the gradient lab, each with its derivative.
//   sigmoid: f(z) = 1 / (1 + e^−z)   f'(z) = f(z)·(1 − f(z))   (at most 1/4)
//   tanh:    f(z) = tanh z           f'(z) = 1 − f(z)²          (at most 1)
//   relu:    f(z) = max(0, z)        f'(z) = 1 if z > 0, else 0

#include <cstdint>
#include <string_view>

namespace attnviz::gradlab {

enum class Activation : std::uint8_t { sigmoid, tanh, relu };

double activate(Activation f, double z);
double activate_derivative(Activation f, double z);  // df/dz at z

const char* to_string(Activation f);  // "sigmoid", "tanh", "relu"
const char* symbol(Activation f);     // "σ", "tanh", "relu": as written in a formula

// "sigmoid" | "tanh" | "relu"; anything else throws InputError naming the text.
Activation parse_activation(std::string_view text);

}  // namespace attnviz::gradlab
