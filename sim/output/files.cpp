#include <cmath>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <unistd.h>

#include "funnelsim/output/run_output.hpp"

namespace funnelsim {

std::string format_number(double value) {
  if (!std::isfinite(value)) return "";  // undefined (or overflowed): an empty cell, never "inf"
  return fmt::format("{}", value);
}

void write_files_atomically(const std::filesystem::path& folder,
                            const std::vector<std::pair<std::string, std::string>>& files) {
  std::error_code ec;
  std::filesystem::create_directories(folder, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create output folder {}: {}", folder.string(), ec.message()));
  for (const auto& [name, content] : files) {
    const auto target = folder / name;
    const auto temporary = folder / fmt::format(".{}.tmp-{}", name, ::getpid());
    {
      std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
      out.write(content.data(), static_cast<std::streamsize>(content.size()));
      out.flush();
      if (!out) {
        std::filesystem::remove(temporary, ec);
        throw std::runtime_error(fmt::format("cannot write {}", temporary.string()));
      }
    }
    std::filesystem::rename(temporary, target, ec);
    if (ec) {
      std::filesystem::remove(temporary, ec);
      throw std::runtime_error(fmt::format("cannot rename {} to {}", temporary.string(), target.string()));
    }
  }
}

}  // namespace funnelsim
