// A session whose config changes re-records a different list of steps into the same trace;
// the gradients must be those of a fresh run (no share left over from the old step list).

#include "model/presets.h"
#include "model/session.h"

#include <gtest/gtest.h>

namespace attnviz {
namespace {

void expect_same_run(const Session& reused, const Session& fresh, const char* what) {
  ASSERT_EQ(reused.trace().step_count(), fresh.trace().step_count()) << what;
  EXPECT_EQ(reused.trace().loss(), fresh.trace().loss()) << what;
  const Parameters& a = reused.model().params();
  const Parameters& b = fresh.model().params();
  for (int i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].grad, b[i].grad) << what << ": " << a[i].name;
  for (int i = 0; i < reused.trace().tensor_count(); ++i) {
    const Tensor& x = reused.trace().tensor(reused.trace().activation(i));
    const Tensor& y = fresh.trace().tensor(fresh.trace().activation(i));
    EXPECT_EQ(x.grad, y.grad) << what << ": " << x.name;
  }
}

TEST(SessionRerun, ChangingTheStepListGivesAFreshRunsGradients) {
  Session session(make_preset("lesson"));
  Config c = session.config();
  for (const auto& [positional, scale, what] :
       {std::tuple{Positional::none, true, "positional none"}, std::tuple{Positional::interleaved, false, "unscaled"},
        std::tuple{Positional::none, false, "none, unscaled"}, std::tuple{Positional::interleaved, true, "default"}}) {
    c.positional = positional;
    c.scale_attention = scale;
    session.set_config(c);
    Preset p = make_preset("lesson");
    p.config = c;
    const Session fresh(p);
    expect_same_run(session, fresh, what);
  }
}

}  // namespace
}  // namespace attnviz
