#include "model/vocabulary.h"

#include <gtest/gtest.h>

namespace attnviz {
namespace {

TEST(VocabularyCase, CapitalisedWordsFoldToTheVocabularysWord) {
  const Vocabulary v({"the", "princess", "Seoul", "공주"});
  EXPECT_EQ(v.id("Princess"), v.id("princess"));
  EXPECT_EQ(v.id("PRINCESS"), v.id("princess"));
  EXPECT_EQ(v.id("seoul"), v.id("Seoul"));
  EXPECT_EQ(v.id("공주"), 7);
  EXPECT_TRUE(v.contains("The"));
  EXPECT_EQ(v.id("prince"), v.unk());
  EXPECT_FALSE(v.contains("prince"));
  std::vector<std::string> unknown;
  EXPECT_EQ(v.encode("The Princess", &unknown), (std::vector<int>{v.id("the"), v.id("princess")}));
  EXPECT_TRUE(unknown.empty());
}

TEST(VocabularyCase, WordsThatFoldAlikeAreLookedUpOnlyAsWritten) {
  const Vocabulary v({"may", "May"});
  EXPECT_NE(v.id("may"), v.id("May"));
  EXPECT_EQ(v.id("MAY"), v.unk());
}

}  // namespace
}  // namespace attnviz
