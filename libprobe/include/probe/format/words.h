#pragma once
/// The words of the model's decisions: the one place where a verdict, a
/// status, a confidence or a mode becomes the word that reports, run
/// records and fl-json(5) carry, and where such a word is read back.

#include <optional>
#include <string_view>

#include "probe/model/dns.h"
#include "probe/model/verdict.h"

namespace probe::format {

std::string_view to_word(model::Verdict v);
std::string_view to_word(model::Confidence c);
std::string_view to_word(model::PrefixStatus s);
std::string_view to_word(model::ServerStatus s);
std::string_view to_word(model::ZoneVerdict v);
std::string_view to_word(model::DnsMode m);

/// The value a word names (as to_word spells it); nullopt for any other text.
template <class Enum>
std::optional<Enum> from_word(std::string_view word);
template <>
std::optional<model::Verdict> from_word<model::Verdict>(std::string_view word);
template <>
std::optional<model::Confidence> from_word<model::Confidence>(std::string_view word);
template <>
std::optional<model::PrefixStatus> from_word<model::PrefixStatus>(std::string_view word);
template <>
std::optional<model::ServerStatus> from_word<model::ServerStatus>(std::string_view word);
template <>
std::optional<model::ZoneVerdict> from_word<model::ZoneVerdict>(std::string_view word);
template <>
std::optional<model::DnsMode> from_word<model::DnsMode>(std::string_view word);

}  // namespace probe::format
