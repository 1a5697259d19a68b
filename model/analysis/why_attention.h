#pragma once
// The figures of the "Why attention?" lesson: held-out token accuracy against sentence length
// for each model, and the gradient that reaches the first source token.
//
//   accuracy(n)       = correct argmax predictions / target tokens, teacher-forced as in training,
//                       over the held-out pairs whose source has n words (Trainer's split)
//   first_token_grad  = ‖∂L/∂e_0‖, e_0 the embedding of the first source token, on one pair:
//                       through every encoder time step in Seq2Seq, one attention step away in
//                       Bahdanau's model and the Transformer
//   last_token_grad   = ‖∂L/∂e_{T−1}‖, the last source token's: first / last is how much of the
//                       gradient is left after crossing the sentence, whatever the loss

#include "model/lesson.h"
#include "model/transformer.h"

#include <string>
#include <vector>

namespace attnviz::analysis {

struct ModelFigures {
  std::string name;              // the architecture: "seq2seq", "bahdanau", "transformer"
  std::vector<double> accuracy;  // per length, in the order of LengthFigures::lengths
  std::vector<int> tokens;       // the target tokens counted at each length
  double first_token_grad = 0, last_token_grad = 0;
};

// The held-out pairs of the lesson's task (the split Trainer makes), and the source lengths among
// them, ascending.
std::vector<SentencePair> held_out_pairs(const Lesson& lesson);
std::vector<int> source_lengths(const std::vector<SentencePair>& pairs);

// `lesson` is the model's own (with_model for a compared one); `model` holds its weights.
ModelFigures measure(const Lesson& lesson, Transformer& model, const std::vector<SentencePair>& held,
                     const std::vector<int>& lengths, const SentencePair& probe);

// ‖∂L/∂e_t‖ of the run in `trace` (forward and backward recorded), t = 0 (first) or the last
// source token: a row of the gradient of the encoder's embedding lookup (one lookup per time
// step in a recurrent encoder, one for the sentence in the Transformer).
double source_token_gradient(const Trace& trace, bool last);

}  // namespace attnviz::analysis
