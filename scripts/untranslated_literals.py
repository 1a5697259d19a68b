#!/usr/bin/env python3
"""Fails, naming file and line, on a string literal with English words handed to a call that
shows text in the window (ImGui widgets, the panels' own helpers, captions) without tr(),
trn() or labelled() around it (views/i18n.h).  Formulas, symbols and identifiers pass: words
with '_' (d_model), single letters, and the function names of ALLOWED.  A literal meant to stay
as it is carries the comment "// not translated: <why>" on its line.

Run by scripts/translations check (ctest i18n.translations_complete)."""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "views").glob("*.cpp")) + [ROOT / "app" / "desktop.cpp"]

# Calls whose string arguments reach the screen.
SHOWN = re.compile(
    r"\b(?:ImGui::(?:Text\w*|BulletText|LabelText|SeparatorText|Button|SmallButton|MenuItem|BeginMenu|Checkbox|"
    r"RadioButton|SetTooltip|CollapsingHeader|BeginTabItem|TabItemButton|Selectable|Slider\w+|Drag\w+|Input\w+|"
    r"Combo|BeginCombo|TreeNode\w*|BeginPopupModal|Begin|ProgressBar|TableSetupColumn)|"
    r"AddText|hint|hint_beside|section_title|section|tooltip_button|wrapped_button|row|text_row|begin_headed_table|"
    r"probability_bar|line_plot|figure_box|formatted|wrapped_words)\s*\(")
ASSIGNED = re.compile(r"\.?\b(?:caption|x_label|y_label|title|message|notice|file_message|sentence_message|message_)\s*\+?=\s*")
# Calls whose first argument is an ImGui ID, never shown.
ID_FIRST = re.compile(r"\b(?:begin_headed_table|BeginTable|BeginChild|PushID|InvisibleButton)\s*\(\s*$")
WRAPPED = re.compile(r'\b(?:(?:tr|trn|labelled|N_)\s*\(|trn\s*\(\s*"(?:[^"\\\n]|\\.)*"\s*,)\s*$')
LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
FORMAT = re.compile(r"%[-+ #0]*(?:\d+\$)?(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|z|j|t)?[diouxXeEfgGcsp%]")
ALLOWED = {"softmax", "exp", "ln", "log", "max", "min", "sin", "cos", "diag", "argmax", "ReLU", "GELU", "LayerNorm",
           "PE", "FFN", "CSV", "PNG", "Adam", "nats", "sigmoid", "tanh", "inf", "nan", "attnviz"}


def english_words(text):
    text = text.split("##", 1)[0]          # an ImGui ID after ## is not shown
    text = FORMAT.sub(" ", text)
    text = re.sub(r"\\[nt]", " ", text)
    words = re.findall(r"[A-Za-z][A-Za-z_']*", text)
    return [w for w in words if len(w) > 1 and "_" not in w and w not in ALLOWED]


def call_span(source, start):
    """The argument text of the call whose '(' ends at `start`: up to the matching ')'."""
    depth, i = 1, start
    while i < len(source) and depth:
        c = source[i]
        if c == '"':
            m = LITERAL.match(source, i)
            i = m.end() if m else i + 1
            continue
        depth += c == "("
        depth -= c == ")"
        i += 1
    return start, i


def findings(path):
    source = path.read_text()
    lines = source.split("\n")
    spans = [call_span(source, m.end()) for m in SHOWN.finditer(source)]
    spans += [(m.end(), source.find(";", m.end())) for m in ASSIGNED.finditer(source)]
    seen = set()
    for begin, end in spans:
        for m in LITERAL.finditer(source, begin, end):
            if m.start() in seen:
                continue
            seen.add(m.start())
            before = source[max(0, m.start() - 200):m.start()]
            if WRAPPED.search(before) or ID_FIRST.search(before) or before.rstrip().endswith('"'):
                continue  # wrapped, or the second half of adjacent literals already counted
            line_no = source.count("\n", 0, m.start()) + 1
            line = lines[line_no - 1]
            if "// not translated" in line or line.lstrip().startswith("//"):
                continue
            words = english_words(m.group(1))
            if words:
                yield line_no, m.group(0), words


def main():
    problems = 0
    for path in FILES:
        for line_no, literal, words in findings(path):
            print(f"{path.relative_to(ROOT)}:{line_no}: shown without tr(): {literal}")
            problems += 1
    if problems:
        print(f"{problems} literal(s) shown in the window are not marked for translation: wrap them in tr() "
              "(or labelled() for an ImGui ID), then scripts/translations update and translate po/ko.po.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
