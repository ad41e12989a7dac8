#include "jose/claims.hpp"

#include <simdjson.h>

namespace gatehouse::jose {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A linear scan of the top-level object: ID tokens carry a few dozen members,
// fewer than a hash table would pay for.
std::optional<element> member(const simdjson::dom::document& doc, std::string_view name) {
  element value;
  if (doc.root().get_object().at_key(name).get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

}  // namespace

void Claims::DocumentDeleter::operator()(simdjson::dom::document* doc) const { delete doc; }

Claims::Claims(Document doc) : doc_(std::move(doc)) {}
Claims::Claims(Claims&&) noexcept = default;
Claims& Claims::operator=(Claims&&) noexcept = default;
Claims::~Claims() = default;

Claims::Type Claims::type(std::string_view name) const {
  const auto value = member(*doc_, name);
  if (!value) return Type::absent;
  switch (value->type()) {
    case element_type::NULL_VALUE:
      return Type::null;
    case element_type::BOOL:
      return Type::boolean;
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return Type::number;
    case element_type::STRING:
      return Type::string;
    case element_type::ARRAY:
      return Type::array;
    case element_type::OBJECT:
      return Type::object;
  }
  return Type::absent;
}

std::optional<std::string_view> Claims::string(std::string_view name) const {
  std::string_view out;
  const auto value = member(*doc_, name);
  if (!value || value->get_string().get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

std::optional<double> Claims::number(std::string_view name) const {
  double out = 0;
  const auto value = member(*doc_, name);
  // get_double() also converts int64 and uint64, and nothing else.
  if (!value || value->get_double().get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

std::optional<bool> Claims::boolean(std::string_view name) const {
  bool out = false;
  const auto value = member(*doc_, name);
  if (!value || value->get_bool().get(out) != simdjson::SUCCESS) return std::nullopt;
  return out;
}

std::optional<std::vector<std::string_view>> Claims::string_array(std::string_view name) const {
  simdjson::dom::array array;
  const auto value = member(*doc_, name);
  if (!value || value->get_array().get(array) != simdjson::SUCCESS) return std::nullopt;
  std::vector<std::string_view> out;
  out.reserve(array.size());
  for (const element item : array) {
    std::string_view s;
    if (item.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
    out.push_back(s);
  }
  return out;
}

}  // namespace gatehouse::jose
