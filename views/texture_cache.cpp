#include "views/texture_cache.h"

namespace attnviz::views {

ImTextureID HeadlessTextureCache::find(std::uint64_t key) {
  for (int i = 0; i < used_; ++i)
    if (keys_[i] == key) return reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(i + 1));
  return nullptr;
}

ImTextureID HeadlessTextureCache::upload(std::uint64_t key, int, int, const ImU32*) {
  ++uploads_;
  if (ImTextureID id = find(key)) return id;
  const int slot = used_ < slots_ ? used_++ : static_cast<int>(key % slots_);
  keys_[slot] = key;
  return reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(slot + 1));
}

}  // namespace attnviz::views
