// SPDX-License-Identifier: BSD-2-Clause
#pragma once
// The client side of --via (fl-trace, fl-dns): one request line to
// fl-probed, the -w file passed with it, then the reply lines until the
// request's end. Ctrl-C closes the connection, which ends the request in
// the daemon.

#include <functional>
#include <string>

#include "probe/error.h"
#include "probe/io/unix_socket.h"
#include "probe/serve/protocol.h"

namespace flcommon {

// What --via opens while privileged (the socket may be root's and a
// group's): the connection, and -w's file, opened as a direct run's is and
// handed to the daemon, so that the file is the user's whoever the daemon
// runs as.
struct ViaConnection {
  probe::io::Fd socket;
  probe::io::Fd capture;  // -w's file; closed here once the daemon has it
};
probe::Result<ViaConnection> connect_via(const std::string& socket_path, const std::string& write_path);

// Sends `line` (no newline) with the capture's descriptor, and hands each
// trace or dns reply to `on_reply` until the end line, which it returns.
// A refusal, an end that is not "ok" or a connection that closes first is
// an error; a signal ends the wait with an empty EndReply.
using ViaReply = std::variant<probe::serve::TraceReply, probe::serve::DnsReply>;
probe::Result<probe::serve::EndReply> request_via(const std::string& socket_path, ViaConnection& via,
                                                  const std::string& line,
                                                  const std::function<void(ViaReply&)>& on_reply);

}  // namespace flcommon
