// SPDX-License-Identifier: BSD-2-Clause
#include "probe/sched/quiet_thread.h"

#include <pthread.h>
#include <signal.h>

namespace probe::sched {

std::thread quiet_thread(std::function<void()> body) {
  // A new thread inherits the signal mask of the thread that creates it.
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  std::thread t(std::move(body));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return t;
}

}  // namespace probe::sched
