// SPDX-License-Identifier: BSD-2-Clause
#pragma once
/// The addresses of the lab country (scenario "country" and its variants in
/// scenarios.cpp; README "The country") that the country's tests name: each
/// router's address on its link towards vp, in link order, the control and
/// the zone's parent.

namespace probe::lab::test {

inline constexpr const char* A1 = "198.18.0.2";    ///< access router (AS64500)
inline constexpr const char* T1 = "198.18.0.6";    ///< first transit router (AS64510)
inline constexpr const char* T2 = "198.18.0.10";   ///< second transit router
inline constexpr const char* BR = "198.18.0.14";   ///< the border, numbered from transit space
inline constexpr const char* C1 = "198.18.0.18";   ///< national core router of prefix A
inline constexpr const char* C2 = "198.18.0.22";   ///< national core router of prefix B
inline constexpr const char* CTRL = "192.0.2.99";  ///< the control target, behind t1
inline constexpr const char* PARENT = "192.0.2.53";  ///< the zone's parent

}  // namespace probe::lab::test
