#pragma once
// Calendar time for the step axis. Step 0 is run.start_date (the first day of a calendar
// quarter) and step t is the instant t calendar quarters later, i.e. the END of the t-th
// simulated quarter (= the start of quarter t+1). Real quarters: 90, 91 or 92 days, never
// a 91-day approximation. The runner records these as the CF `time` coordinate along
// `step` (units "days since <start_date>", calendar "proleptic_gregorian").

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace clustersim::sim {

/// A proleptic Gregorian calendar date.
struct CivilDate {
  int year = 2021;
  int month = 1;  ///< 1..12
  int day = 1;    ///< 1..31
  friend bool operator==(const CivilDate&, const CivilDate&) = default;
};

/// The CF calendar the time coordinate uses: the Gregorian rules extended before 1582.
inline constexpr const char* kCalendar = "proleptic_gregorian";

/// Days from 1970-01-01 to `date` (negative before).
std::int64_t days_from_civil(const CivilDate& date);

/// Parses "YYYY-MM-DD" (a real date, year 1000..9999). Returns the reason it is not valid
/// in `error` (empty when it is).
CivilDate parse_iso_date(std::string_view text, std::string& error);

/// "YYYY-MM-DD".
std::string format_iso_date(const CivilDate& date);

/// Why `date` cannot start a run (empty when it can): it must be the first day of a
/// calendar quarter (1 January, 1 April, 1 July or 1 October), so every step is a quarter.
std::string quarter_start_rule(const CivilDate& date);

/// Days since `start` of step 0..steps (step t = start + 3t calendar months).
std::vector<std::int64_t> quarter_days(const CivilDate& start, std::size_t steps);

}  // namespace clustersim::sim
