#include "probe/model/targets.h"

#include <fstream>
#include <unordered_set>

namespace probe::model {

Result<std::vector<Address>> expand_targets(const std::vector<std::string>& specs) {
  std::vector<Address> out;
  std::unordered_set<Address> seen;
  for (const auto& spec : specs) {
    auto prefix = Prefix::parse(spec);
    if (!prefix) return make_error(ErrorKind::usage, "bad target '" + spec + "': not an address or CIDR block");
    if (out.size() + prefix->count() > kMaxTargets)
      return make_error(ErrorKind::usage, "too many targets (at most " + std::to_string(kMaxTargets) + ")");
    for (const auto& a : prefix->expand(prefix->count()))
      if (seen.insert(a).second) out.push_back(a);
  }
  return out;
}

Result<std::vector<std::string>> read_target_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorKind::input, "cannot read target file " + path);
  return read_targets(in, path);
}

Result<std::vector<std::string>> read_targets(std::istream& in, const std::string& name) {
  std::vector<std::string> specs;
  std::string line;
  while (std::getline(in, line)) {
    auto hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos) continue;
    auto e = line.find_last_not_of(" \t\r");
    specs.push_back(line.substr(b, e - b + 1));
  }
  if (in.bad()) return make_error(ErrorKind::input, "error reading target file " + name);
  return specs;
}

}  // namespace probe::model
