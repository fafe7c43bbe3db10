// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// What the kernel's routing says about our side of a path. No packet is sent.

#include <string>

#include "probe/error.h"
#include "probe/model/address.h"

namespace probe::io {

/// The source address the kernel would use toward dst.
Result<model::Address> source_for(const model::Address& dst);
/// The interface that holds address `src`.
Result<std::string> interface_for(const model::Address& src);

}  // namespace probe::io
