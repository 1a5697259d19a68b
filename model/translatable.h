#pragma once
// N_("text") marks a string the window shows for translation (xgettext --keyword=N_) and is the
// string itself: the model stays free of any interface, the views translate it when they draw it
// (views/i18n.h, tr()).

#define N_(text) text
