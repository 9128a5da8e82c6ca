#include "cli/listing.h"

#include <algorithm>
#include <cstdio>

#include "descent/app/config.h"
#include "descent/app/datasets.h"
#include "descent/functions/test_functions.h"
#include "descent/nn/loss.h"
#include "descent/nn/loss_table.h"
#include "descent/ops/activation.h"
#include "descent/optim/hyperparam_aliases.h"
#include "descent/optim/registry.h"
#include "descent/schedule/registry.h"

namespace cli {
namespace {

// Rows of "name  details", the names in one column.
void print_rows(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (const auto& [name, details] : rows) width = std::max(width, name.size());
  for (const auto& [name, details] : rows)
    std::printf("%-*s  %s\n", static_cast<int>(width), name.c_str(), details.c_str());
}

void list_optimizers() {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& info : descent::optimizer_registry()) {
    std::string args;
    for (const auto& def : info.hyperparams)
      args +=
          (args.empty() ? "" : ", ") + def.name + "=" + descent::hyperparam_text(def, def.value);
    if (!info.more_keys.empty()) args += (args.empty() ? "" : ", ") + info.more_keys;
    rows.emplace_back(info.name, args);
  }
  print_rows(rows);
  std::string aliases;
  for (const auto& a : descent::hyperparam_aliases())
    aliases += (aliases.empty() ? "" : ", ") + a.alias + " = " + a.name +
               (a.optimizer.empty() ? "" : " (" + a.optimizer + ")");
  std::printf("also accepted: %s, betas=(beta1,beta2); names in any case\n", aliases.c_str());
}

void list_schedules() {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& info : descent::schedule_registry()) {
    std::string args;
    for (const auto& def : info.args) args += (args.empty() ? "" : ", ") + def.usage();
    rows.emplace_back(info.name, args + "  -- " + info.description);
  }
  print_rows(rows);
}

void list_datasets() {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& info : descent::dataset_registry()) {
    std::string keys;
    for (const auto& k : info.keys) keys += (keys.empty() ? "" : ", ") + ("data." + k);
    rows.emplace_back(info.name, keys.empty() ? "-" : keys);
  }
  print_rows(rows);
}

void list_functions() {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& name : descent::test_function_names())
    rows.emplace_back(name, descent::make_test_function(name).formula);
  print_rows(rows);
}

void list_layers() {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"linear:out=N",
       "dense layer (also bias=false, init=POLICY, bias_init=POLICY); a "
       "classifier's last may be \"linear\", sized from the data"},
      {"dropout[:p=0.5]", "zeroes each input with probability p while training"},
      {"log_softmax", "over the last dimension (for the nll loss)"},
  };
  for (const auto& a : descent::activation_table()) {
    std::string args;
    for (const auto& p : a.params) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%s=%g", p.name, p.fallback);
      args += (args.empty() ? "" : ",") + std::string(buf);
    }
    rows.emplace_back(args.empty() ? a.name : std::string(a.name) + "[:" + args + "]",
                      std::string("activation (") + a.module_name + ")");
  }
  print_rows(rows);
}

// Each loss, then its options with their defaults, what they accept and what they do:
//   cross_entropy  softmax cross-entropy on raw scores and class labels (torch.nn.CrossEntropyLoss)
//     label_smoothing=0  a number in [0, 1]; eps: the target is ...
void list_losses() {
  std::vector<std::pair<std::string, std::string>> rows;
  for (const auto& info : descent::loss_table()) {
    rows.emplace_back(info.name, info.summary + " (" + info.pytorch + ")");
    for (const auto& def : info.options)
      rows.emplace_back("  " + def.name + (def.fallback.empty() ? "" : "=" + def.fallback),
                        def.accepted() + "; " + def.meaning);
  }
  print_rows(rows);
  std::printf(
      "options as a SPEC: train.loss = \"cross_entropy:label_smoothing=0.1,weight=[1,2,1]\" "
      "(docs/losses.md)\n");
}

void list_keys() {
  for (const auto& key : descent::config_keys()) std::printf("%s\n", key.c_str());
  std::printf("optimizer.*  the named optimizer's hyper-parameters (--list optimizers)\n");
  std::printf("schedule.*   the named schedule's arguments (--list schedules)\n");
}

struct Listing {
  std::string kind, what;
  void (*print)();
};

const std::vector<Listing>& listings() {
  static const std::vector<Listing> table = {
      {"optimizers", "optimizer names and hyper-parameters with defaults", list_optimizers},
      {"schedules", "schedule names and arguments", list_schedules},
      {"datasets", "data.name values and the [data] keys each reads", list_datasets},
      {"functions", "2-D test functions for descent optimize", list_functions},
      {"layers", "layer SPECs for model.layers", list_layers},
      {"losses", "train.loss values", list_losses},
      {"keys", "every configuration key", list_keys},
  };
  return table;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& list_kinds() {
  static const std::vector<std::pair<std::string, std::string>> kinds = [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& l : listings()) out.emplace_back(l.kind, l.what);
    return out;
  }();
  return kinds;
}

void print_list(const std::string& kind) {
  for (const auto& l : listings())
    if (l.kind == kind) return l.print();
  throw std::invalid_argument("--list " + kind + ": unknown kind");
}

void add_list_option(CLI::App* cmd, const std::vector<std::string>& kinds) {
  std::string help = "Print a list and exit: ";
  for (const auto& kind : kinds) help += (kind == kinds.front() ? "" : ", ") + kind;
  help += " (default " + kinds.front() + ")";
  cmd->add_option_function<std::string>(
         "--list",
         [](const std::string& kind) {
           print_list(kind);
           throw CLI::Success();  // before the required options are checked
         },
         help)
      ->expected(0, 1)
      ->default_str(kinds.front())
      ->type_name("KIND")
      ->check(CLI::IsMember(kinds));
}

}  // namespace cli
