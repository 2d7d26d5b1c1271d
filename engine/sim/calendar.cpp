#include "engine/sim/calendar.hpp"

#include <fmt/format.h>

#include <charconv>

namespace clustersim::sim {

std::int64_t days_from_civil(const CivilDate& date) {
  // Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
  const std::int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (date.month + 9) % 12;  // March = 0
  const std::int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

namespace {

bool leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int days_in_month(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && leap(year) ? 29 : kDays[month - 1];
}

bool digits(std::string_view text, int& out) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return std::from_chars(text.data(), text.data() + text.size(), out).ec == std::errc{};
}

}  // namespace

CivilDate parse_iso_date(std::string_view text, std::string& error) {
  error.clear();
  CivilDate d;
  const bool shape = text.size() == 10 && text[4] == '-' && text[7] == '-';
  if (!shape || !digits(text.substr(0, 4), d.year) || !digits(text.substr(5, 2), d.month) ||
      !digits(text.substr(8, 2), d.day)) {
    error = "must be an ISO 8601 date YYYY-MM-DD, got '" + std::string(text) + "'";
    return {};
  }
  if (d.year < 1000 || d.year > 9999) error = fmt::format("year must be between 1000 and 9999, got {}", d.year);
  else if (d.month < 1 || d.month > 12) error = fmt::format("month must be 01..12, got '{}'", text);
  else if (d.day < 1 || d.day > days_in_month(d.year, d.month))
    error = fmt::format("{} is not a calendar date (month {} has {} days)", text, d.month,
                        days_in_month(d.year, d.month));
  return error.empty() ? d : CivilDate{};
}

std::string format_iso_date(const CivilDate& date) {
  return fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
}

std::string quarter_start_rule(const CivilDate& date) {
  if (date.day == 1 && (date.month - 1) % 3 == 0) return {};
  return "must be the first day of a calendar quarter (YYYY-01-01, -04-01, -07-01 or -10-01) so that every step "
         "is a calendar quarter, got " + format_iso_date(date);
}

std::vector<std::int64_t> quarter_days(const CivilDate& start, std::size_t steps) {
  const std::int64_t origin = days_from_civil(start);
  std::vector<std::int64_t> days(steps + 1);
  for (std::size_t t = 0; t <= steps; ++t) {
    const std::int64_t months = static_cast<std::int64_t>(start.month - 1) + 3 * static_cast<std::int64_t>(t);
    const CivilDate d{static_cast<int>(start.year + months / 12), static_cast<int>(months % 12) + 1, start.day};
    days[t] = days_from_civil(d) - origin;
  }
  return days;
}

}  // namespace clustersim::sim
