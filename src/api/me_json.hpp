#pragma once
// The body of a signed-in GET /api/v1/me (SPEC.md §4), written directly: the
// answer has a fixed shape, and building and serialising an nlohmann tree for
// it cost 33,000 of the 52,000 instructions of a cached request (callgrind).
// Byte for byte what nlohmann's dump() gives (keys sorted, same escapes); a
// field that is not valid UTF-8 gives nullopt, and the caller falls back to
// nlohmann, which refuses it as it always did.
//   if (auto body = me_json(who)) res.body = std::move(*body);
#include <optional>
#include <string>
#include <string_view>

#include "signin/session_cache.hpp"

namespace gatehouse::api {

[[nodiscard]] std::optional<std::string> me_json(const signin::AuthContext& who);

// Appends s as a JSON string literal, escaped as nlohmann's dump() does;
// false (out unspecified) when s is not valid UTF-8.
[[nodiscard]] bool append_json_string(std::string& out, std::string_view s);

}  // namespace gatehouse::api
