// libFuzzer target: arbitrary bytes as a CRM export file through read_exports and measure, as
// `funnelsim observe` reads it. The first byte picks how: even, the bytes are the whole file; odd,
// they follow a HubSpot contacts header, so mutations explore the rows. A bad file must end in a
// UsageError (the CLI's exit 2); any other exception, a crash or a sanitizer report is a bug.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "funnelsim/core/usage_error.hpp"
#include "funnelsim/crm/observe.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static const std::filesystem::path file =
      std::filesystem::temp_directory_path() / ("funnelsim_fuzz_crm_" + std::to_string(::getpid()) + ".csv");
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    if (data[0] % 2 == 1)
      out << "Record ID,Email,Create Date,Original Source,Original Source Drill-Down 1,Lifecycle Stage,Lead Status,"
             "Became a Lead Date,Became a Marketing Qualified Lead Date,Became a Sales Qualified Lead Date,Became an "
             "Opportunity Date,Became a Customer Date,Owner Assigned Date,MQL Reason\n";
    out.write(reinterpret_cast<const char*>(data + 1), static_cast<std::streamsize>(size - 1));
  }
  try {
    funnelsim::crm::ReadOptions options;
    options.date_order = data[0] % 4 < 2 ? funnelsim::crm::DateOrder::unknown : funnelsim::crm::DateOrder::day_first;
    const funnelsim::crm::ObservedData read = funnelsim::crm::read_exports({file}, options);
    const funnelsim::crm::ObservedFunnel funnel = funnelsim::crm::measure(
        read.records, funnelsim::crm::window_of(read.records, funnelsim::crm::kNoTime, funnelsim::crm::kNoTime));
    (void)funnel.table();
  } catch (const funnelsim::UsageError&) {
    // The one expected way to refuse input.
  }
  return 0;
}
