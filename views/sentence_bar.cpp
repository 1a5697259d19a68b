#include "views/sentence_bar.h"

#include "model/number_format.h"
#include "model/vocabulary.h"
#include "views/i18n.h"
#include "views/plot.h"

#include <imgui_stdlib.h>

namespace attnviz::views {
namespace {

// The words of `text`, unknown ones in the warning colour, each clickable to select its token.
void word_chips(const std::string& text, const Vocabulary& vocab, TokenSide side, int offset, const Palette& pal,
                Selection& selection) {
  const std::vector<std::string> words = split_words(text);
  for (std::size_t i = 0; i < words.size(); ++i) {
    const bool known = vocab.contains(words[i]);
    const TokenRef token{side, static_cast<int>(i) + offset};
    const std::string label = known ? words[i] : words[i] + " " + tr("(unknown)");
    // A chip that would run past the window's edge starts a new row.
    same_line_if_fits(ImGui::CalcTextSize(label.c_str()).x + ImGui::GetStyle().FramePadding.x * 2);
    ImGui::PushID(static_cast<int>(i));
    const bool selected = selection.token == token;
    ImU32 colour = known ? pal.text : pal.warning;
    if (selected)
      colour = pal.accent;
    else if (selection.hover.token == token)
      colour = pal.hover_outline;
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(colour));
    if (ImGui::SmallButton(label.c_str())) selection.token = selected ? TokenRef{} : token;
    ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) {
      selection.hover.token = token;
      if (!known) ImGui::SetTooltip(tr("Not in the vocabulary: the model cannot read this word."));
    }
    ImGui::PopID();
  }
}

void hint_tooltip(int limit) {
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip(tr("Press Enter to run forward + backward again (at most %d tokens per sentence)."), limit);
}

}  // namespace

void SentenceBar::draw(const AppState& app, Selection& selection, Commands& commands) {
  const Session& session = app.session;
  const Palette& pal = palette(app.theme);
  if (synced_generation_ != app.generation) {
    // A new source with the old target: the loss is still measured against that target.
    stale_target_ = synced_generation_ != 0 && session.src_text() != run_source_ && session.tgt_text() == run_target_;
    source_ = run_source_ = session.src_text();
    target_ = run_target_ = session.tgt_text();
    synced_generation_ = app.generation;
  }
  if (session.fixed_attention()) return;  // X and the weights are fixed: nothing to edit
  const float label_w =
      std::max(ImGui::CalcTextSize(tr("Source")).x, ImGui::CalcTextSize(tr("Target")).x) + ImGui::CalcTextSize(" ").x;
  const ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue;
  bool submit = false;

  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr("Source"));
  ImGui::SameLine(label_w + ImGui::GetStyle().WindowPadding.x);
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.45f);
  submit |= ImGui::InputText("##source", &source_, flags);
  hint_tooltip(session.config().max_len);
  ImGui::PushID("source_words");
  const Vocabulary& src_vocab = session.preset().src_vocab;
  if (src_vocab.wraps()) {  // the source the model reads is <bos> words <eos>
    ImGui::SameLine();
    ImGui::TextDisabled("%s", src_vocab.word(src_vocab.bos()).c_str());
  }
  word_chips(source_, src_vocab, TokenSide::source, src_vocab.wraps() ? 1 : 0, pal, selection);
  if (src_vocab.wraps()) {
    ImGui::SameLine();
    ImGui::TextDisabled("%s", src_vocab.word(src_vocab.eos()).c_str());
  }
  ImGui::PopID();

  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(tr("Target"));
  ImGui::SameLine(label_w + ImGui::GetStyle().WindowPadding.x);
  ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x * 0.45f);
  submit |= ImGui::InputText("##target", &target_, flags);
  hint_tooltip(session.config().max_len);
  ImGui::PushID("target_words");
  const Vocabulary& tgt_vocab = session.preset().tgt_vocab;
  ImGui::SameLine();
  ImGui::TextDisabled("%s", tgt_vocab.word(tgt_vocab.bos()).c_str());
  word_chips(target_, tgt_vocab, TokenSide::target, 1, pal, selection);
  ImGui::PopID();

  if (source_ + target_ != shown_glyphs_) {
    shown_glyphs_ = source_ + target_;
    commands.push(ShowGlyphs{shown_glyphs_});
  }
  if (submit) commands.push(SetSentences{source_, target_});

  // The hint at the end of the target's row when it fits (its whole text on the fields' tooltip).
  const char* hint = tr("Enter: run again");
  same_line_if_fits(ImGui::CalcTextSize(hint).x + ImGui::GetFontSize());
  if (ImGui::GetCursorPosX() > ImGui::GetStyle().WindowPadding.x + 1) {
    ImGui::SetCursorPosX(ImGui::GetCursorPosX() + ImGui::GetFontSize());
    ImGui::TextDisabled("%s", hint);
  }
  draw_edit_status(app, pal);
}

// A line only when the panels do not show what the fields hold: a refused or unrun edit, or a
// new source measured against the old target.
void SentenceBar::draw_edit_status(const AppState& app, const Palette& pal) {
  const Session& session = app.session;
  const bool edited = source_ != session.src_text() || target_ != session.tgt_text();
  if (!app.sentence_message.empty() && edited) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning),
                       tr("Refused: %s Every panel still shows “%s” → “%s”."), app.sentence_message.c_str(),
                       session.src_text().c_str(), session.tgt_text().c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton(tr("Restore"))) {
      source_ = session.src_text();
      target_ = session.tgt_text();
    }
  } else if (edited) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning),
                       tr("Edited, not run yet: every panel still shows “%s” → “%s”. Press Enter to run."),
                       session.src_text().c_str(), session.tgt_text().c_str());
  } else if (stale_target_) {
    ImGui::TextColored(
        ImGui::ColorConvertU32ToFloat4(pal.warning),
        tr("New source, same target “%s”: the loss (%s) measures how well the model predicts that target "
           "for the new source. Edit the target too if it should change."),
        session.tgt_text().c_str(), format_significant(session.trace().loss(), 4).c_str());
  } else if (!app.sentence_message.empty()) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.warning), tr("Refused: %s"), app.sentence_message.c_str());
  }
}

}  // namespace attnviz::views
