// SPDX-License-Identifier: BSD-2-Clause
#include "via.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "cli.h"

namespace flcommon {

using probe::ErrorKind;

probe::Result<ViaConnection> connect_via(const std::string& socket_path, const std::string& write_path) {
  ViaConnection v;
  auto sock = probe::io::connect_unix(socket_path);
  if (!sock) return sock.error();
  v.socket = std::move(*sock);
  if (!write_path.empty()) {
    v.capture = probe::io::Fd(::open(write_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666));
    if (!v.capture) return probe::make_error(ErrorKind::output, write_path + ": " + std::strerror(errno));
  }
  return v;
}

probe::Result<probe::serve::EndReply> request_via(const std::string& socket_path, ViaConnection& via,
                                                  const std::string& line,
                                                  const std::function<void(ViaReply&)>& on_reply) {
  const int sock = via.socket.get();
  // Refused by the daemon anyway: said here, with what to do about it.
  if (line.size() > probe::serve::kMaxLine)
    return probe::make_error(ErrorKind::usage, fmt::format("the request is {} bytes, more than the {} fl-probed reads "
                                                           "in a line: split the targets or queries over several runs",
                                                           line.size(), probe::serve::kMaxLine));
  if (auto sent = probe::io::send_with_fd(sock, line + "\n", via.capture.get()); !sent)
    return probe::make_error(ErrorKind::runtime, socket_path + ": " + sent.error().message);
  via.capture = probe::io::Fd();  // the daemon's now
  // A trace line is as long as its trace: no cap a real one reaches.
  probe::serve::LineReader reader(std::size_t{1} << 28);
  char buf[65536];
  while (halt_flag().load() == 0) {
    pollfd p{sock, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    ssize_t n = ::read(sock, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reader.feed(buf, static_cast<std::size_t>(n));
    while (auto l = reader.next()) {
      auto reply = probe::serve::parse_reply(l->text);
      if (auto* t = std::get_if<probe::serve::TraceReply>(&reply)) {
        ViaReply r(std::move(*t));
        on_reply(r);
      } else if (auto* d = std::get_if<probe::serve::DnsReply>(&reply)) {
        ViaReply r(std::move(*d));
        on_reply(r);
      } else if (auto* e = std::get_if<probe::serve::EndReply>(&reply)) {
        if (e->status != "ok") return probe::make_error(ErrorKind::runtime, "fl-probed ended the request: " + e->status);
        return std::move(*e);
      } else {
        return probe::make_error(ErrorKind::runtime,
                                 "fl-probed refused the request: " + std::get<probe::serve::Refusal>(reply).error);
      }
    }
  }
  if (halt_flag().load() > 0) return probe::serve::EndReply{};
  return probe::make_error(ErrorKind::runtime, socket_path + ": fl-probed closed the connection before the request ended");
}

}  // namespace flcommon
