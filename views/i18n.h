#pragma once
// The interface language.  Every string a person reads in the window goes through tr() (or is
// marked N_() where it is defined, model/translatable.h, and translated where it is drawn).
// The translations are GNU gettext catalogues: po/ko.po in the source tree, compiled by msgfmt
// into <directory of the executable>/locale/ko/LC_MESSAGES/attnviz.mo.  English is the msgid
// itself.  scripts/translations updates the template and checks that every string has its Korean.

#include "model/error.h"
#include "model/tour.h"

#include <functional>
#include <string>
#include <string_view>

namespace attnviz::views {

// `msgid` in the interface language; `msgid` itself in English or when it has no translation.
// The pointer stays valid for the process (gettext's catalogue, or msgid).
const char* tr(const char* msgid);
std::string tr(std::string_view msgid);
// "%d stops" / "1 stop" chosen by n, then translated.
const char* trn(const char* singular, const char* plural, unsigned long n);

// `words()` as the English window says them: tr() and trn() give their msgids on this thread while
// it runs.  A figure's English name (its file name, --picture) made by the code that makes its
// translated caption: in_english([&] { return tensor_caption(t, false); }).
std::string in_english(const std::function<std::string()>& words);

// "단계 상세###Step detail": the translated label of an ImGui window, tab or header whose ID
// stays the English msgid in every language (layout.ini, tab order, tests).
std::string labelled(const char* msgid);

// printf into a string, for translated formats: formatted(tr("stop %d of %d"), k, n).
std::string formatted(const char* format, ...) __attribute__((format(printf, 1, 2)));

// Switches the language of tr() from the next string on (the next frame), and the messages
// locale with it: "C.UTF-8" in Korean (gettext needs a locale other than "C"), "C" in English;
// LC_NUMERIC and the other categories stay "C".  Korean without a catalogue falls back to
// English and returns false.
bool set_interface_language(Language language);
Language interface_language();

// Binds the catalogue directory (default: "locale" beside the executable) and names Korean for
// gettext (LANGUAGE=ko, read only while the messages locale is not "C").  Call once, before
// threads start.
void init_translations(const std::string& directory = {});
// Where the Korean catalogue is looked for, and whether it is there.
std::string catalogue_file(Language language);
// Every translation of the catalogue of `language`, concatenated: the glyphs the font atlas
// must hold.  Empty when there is none.
std::string catalogue_text(Language language);

// A refusal in the interface language: its format translated and filled (model/error.h), or its
// message as it is when it was not built from a format.
std::string error_in_words(const InputError& error);

// "en" / "ko" and back (--lang, settings.json).
const char* language_code(Language language);
bool language_from_code(std::string_view code, Language& language);

}  // namespace attnviz::views
