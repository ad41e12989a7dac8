#include "domain/workspace.hpp"

#include <chrono>
#include <cstdio>

namespace gatehouse::domain {
namespace {

bool digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::optional<std::int64_t> civil_to_unix(int y, int m, int d) {
  using namespace std::chrono;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || y < 1970 || y > 9999) return std::nullopt;
  return duration_cast<seconds>(sys_days{ymd}.time_since_epoch()).count();
}

}  // namespace

bool looks_like_token(std::string_view s) {
  if (s.size() != kTokenPrefix.size() + 43 || !s.starts_with(kTokenPrefix)) return false;
  for (char c : s.substr(kTokenPrefix.size()))
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_'))
      return false;
  return true;
}

std::optional<std::string> validate_name(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > 100)
    return std::string(what) + " needs a name of 1 to 100 characters";
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return std::string(what) + " name has control characters";
  return std::nullopt;
}

std::optional<std::int64_t> parse_day(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!digits(s.substr(0, 4)) || !digits(s.substr(5, 2)) || !digits(s.substr(8, 2)))
    return std::nullopt;
  return civil_to_unix(to_int(s.substr(0, 4)), to_int(s.substr(5, 2)), to_int(s.substr(8, 2)));
}

std::string format_day(std::int64_t unix_seconds) {
  using namespace std::chrono;
  year_month_day ymd{floor<days>(sys_seconds{seconds{unix_seconds}})};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::optional<std::int64_t> parse_rfc3339(std::string_view s) {
  // date "T" time [fraction] ("Z" | ("+"|"-") hh ":" mm)
  if (s.size() < 20 || (s[10] != 'T' && s[10] != 't')) return std::nullopt;
  auto day = parse_day(s.substr(0, 10));
  if (!day) return std::nullopt;
  auto t = s.substr(11);
  if (t.size() < 9 || t[2] != ':' || t[5] != ':' || !digits(t.substr(0, 2)) ||
      !digits(t.substr(3, 2)) || !digits(t.substr(6, 2)))
    return std::nullopt;
  int hh = to_int(t.substr(0, 2)), mm = to_int(t.substr(3, 2)), ss = to_int(t.substr(6, 2));
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  auto rest = t.substr(8);
  if (!rest.empty() && rest[0] == '.') {
    std::size_t i = 1;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') ++i;
    if (i == 1) return std::nullopt;
    rest = rest.substr(i);
  }
  std::int64_t offset = 0;
  if (rest == "Z" || rest == "z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
             digits(rest.substr(1, 2)) && digits(rest.substr(4, 2))) {
    int oh = to_int(rest.substr(1, 2)), om = to_int(rest.substr(4, 2));
    if (oh > 23 || om > 59) return std::nullopt;
    offset = (oh * 3600 + om * 60) * (rest[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  return *day + hh * 3600 + mm * 60 + ss - offset;
}

}  // namespace gatehouse::domain
