#pragma once
// "Did you mean ...?": the candidate closest to a misspelt word, for error messages about
// subcommands, options, configuration keys and component names.
#include <string>
#include <vector>

namespace descent {

// Names of components (optimizers, schedules) match whatever their case: "Adam" is "adam".
bool same_ignoring_case(const std::string& a, const std::string& b);

// Edits (insertions, deletions, substitutions, swaps of neighbours) from a to b, ignoring case.
size_t edit_distance(const std::string& a, const std::string& b);

// The candidate nearest to `word` if it is near enough to be a likely typo (at most 2 edits, or a
// third of the word's length for long words; a case-only difference always counts); else "".
std::string closest(const std::string& word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" for the closest candidate, or "" when none is near.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace descent
