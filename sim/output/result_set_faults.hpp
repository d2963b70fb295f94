#pragma once
// Test hook of the result-set writer (sim/output/result_set.cpp): called before each step
// ("write <name>", "swap", "exchange": the renameat2 itself); a non-zero return is an errno the step then fails with.
// Tests inject a full disk, a refused rename, or a pause (to kill a writer mid-write).
#include <functional>
#include <string_view>

namespace funnelsim::detail {

using ResultSetFault = std::function<int(std::string_view step)>;
/// Sets the hook (an empty function removes it). Not thread-safe: tests only.
void set_result_set_fault(ResultSetFault fault);

}  // namespace funnelsim::detail
