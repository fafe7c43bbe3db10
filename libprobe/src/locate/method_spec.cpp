// SPDX-License-Identifier: BSD-2-Clause
#include <fmt/format.h>

#include <charconv>

#include "probe/locate/analysis.h"

namespace probe::locate {

std::string MethodSpec::label() const {
  std::string m(model::to_string(method));
  return fmt::format("{}{}", direct ? "direct-" : "", dport != 0 ? fmt::format("{}:{}", m, dport) : m);
}

std::optional<MethodSpec> MethodSpec::parse(const std::string& label) {
  MethodSpec spec;
  const std::string prefix = "direct-";
  spec.direct = label.compare(0, prefix.size(), prefix) == 0;
  const std::string text = spec.direct ? label.substr(prefix.size()) : label;
  auto colon = text.find(':');
  auto method = model::parse_method(text.substr(0, colon));
  if (!method || *method == model::Method::dns) return std::nullopt;
  spec.method = *method;
  if (colon == std::string::npos) {
    if (spec.method == model::Method::tcp) return std::nullopt;  // a TCP trace needs its port
    return spec;
  }
  if (spec.method == model::Method::icmp) return std::nullopt;
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) return std::nullopt;
  spec.dport = static_cast<std::uint16_t>(value);
  return spec;
}

}  // namespace probe::locate
