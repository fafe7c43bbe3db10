// SPDX-License-Identifier: BSD-2-Clause
// fl-lab: build, use and remove the test lab outside GoogleTest (demos,
// hand validation with traceroute/scamper, crash cleanup for ctest).

#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "lab.h"
#include "scenarios.h"

namespace {

using probe::lab::Lab;
using probe::lab::LabError;

constexpr const char* kUsage =
    "usage: fl-lab up NAME SCENARIO|FILE   build a lab and leave it running\n"
    "       fl-lab down NAME                remove the lab NAME\n"
    "       fl-lab exec NAME NODE -- CMD... run CMD inside NODE of lab NAME\n"
    "       fl-lab list-scenarios           names and one-line summaries\n"
    "       fl-lab show SCENARIO            print a scenario's description\n"
    "       fl-lab reap STATE_DIR           remove namespaces left by dead test processes\n"
    "       fl-lab check                    can labs be built here?\n"
    "NAME is 1-8 of [a-z0-9]; lab NAME's namespaces are fl-NAME-<node>.\n";

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 8) return false;
  for (char c : n)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

std::string prefix_of(const std::string& name) { return "fl-" + name + "-"; }

int usage() {
  std::cerr << kUsage;
  return 2;
}

int cmd_up(const std::string& name, const std::string& what) {
  std::string text;
  if (auto s = probe::lab::scenario(what)) {
    text = *s;
  } else {
    std::ifstream in(what);
    if (!in) {
      std::cerr << "fl-lab: no scenario or file named " << what << "\n";
      return 2;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    text = ss.str();
  }
  for (const auto& ns : probe::lab::list_netns())
    if (ns.rfind(prefix_of(name), 0) == 0) {
      std::cerr << "fl-lab: lab " << name << " exists already (" << ns << ")\n";
      return 1;
    }
  probe::lab::LabOptions options;
  options.prefix = prefix_of(name);
  Lab lab(text, options);
  lab.release();
  for (const auto& i : lab.interfaces())
    std::cout << i.node << "\t" << lab.ns(i.node) << "\t" << i.name << "\t" << i.address << "/" << i.prefix_len
              << (i.address6.empty() ? "" : "\t" + i.address6 + "/64") << "\t-> " << i.peer << "\n";
  return 0;
}

int cmd_exec(const std::string& name, const std::string& node, char** cmd) {
  const std::string ns = prefix_of(name) + node;
  bool found = false;
  for (const auto& n : probe::lab::list_netns()) found = found || n == ns;
  if (!found) {
    std::cerr << "fl-lab: no namespace " << ns << "\n";
    return 1;
  }
  std::vector<char*> argv = {const_cast<char*>("ip"), const_cast<char*>("netns"), const_cast<char*>("exec"),
                             const_cast<char*>(ns.c_str())};
  for (; *cmd != nullptr; ++cmd) argv.push_back(*cmd);
  argv.push_back(nullptr);
  execvp("ip", argv.data());
  std::perror("fl-lab: exec ip");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage();
  const std::string& cmd = args[0];
  try {
    if (cmd == "list-scenarios" && args.size() == 1) {
      for (const auto& n : probe::lab::scenario_names())
        std::cout << n << "\t" << probe::lab::scenario_summary(n) << "\n";
      return 0;
    }
    if (cmd == "show" && args.size() == 2) {
      const auto s = probe::lab::scenario(args[1]);
      if (!s) {
        std::cerr << "fl-lab: no scenario named " << args[1] << "\n";
        return 2;
      }
      std::cout << *s;
      return 0;
    }
    if (cmd == "check" && args.size() == 1) {
      std::string why;
      if (probe::lab::lab_supported(&why)) {
        std::cout << "ok\n";
        return 0;
      }
      std::cout << why << "\n";
      return 1;
    }
    if (cmd == "reap" && args.size() == 2) {
      std::cout << "removed " << probe::lab::reap_stale(args[1]) << " leftover namespaces\n";
      return 0;
    }
    if (cmd == "up" && args.size() == 3 && valid_name(args[1])) return cmd_up(args[1], args[2]);
    if (cmd == "down" && args.size() == 2 && valid_name(args[1])) {
      std::cout << "removed " << probe::lab::destroy_prefix(prefix_of(args[1])) << " namespaces\n";
      return 0;
    }
    if (cmd == "exec" && args.size() >= 5 && valid_name(args[1]) && args[3] == "--")
      return cmd_exec(args[1], args[2], argv + 5);
  } catch (const LabError& e) {
    std::cerr << "fl-lab: " << e.what() << "\n";
    return 1;
  }
  return usage();
}
