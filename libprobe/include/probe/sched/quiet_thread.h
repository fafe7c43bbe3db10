// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// Helper threads that never take the tools' signals.

#include <functional>
#include <thread>

namespace probe::sched {

/// Starts `body` on a thread with every signal blocked, so that SIGINT and
/// SIGTERM reach the thread that polls and reacts to them (the engine's).
std::thread quiet_thread(std::function<void()> body);

}  // namespace probe::sched
