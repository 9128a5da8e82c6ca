#pragma once
// `--list KIND` on the subcommands: what can be named where (optimizers with their
// hyper-parameters, schedules with their arguments, datasets, test functions, losses, layers,
// configuration keys), printed from the registries so the lists cannot go stale.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace cli {

// The kinds a listing can show, with what each lists.
const std::vector<std::pair<std::string, std::string>>& list_kinds();

// Adds `--list [KIND]` to cmd, for the given kinds (the first is the default); it prints the list
// and exits 0 before any required option is checked.
void add_list_option(CLI::App* cmd, const std::vector<std::string>& kinds);

void print_list(const std::string& kind);

}  // namespace cli
