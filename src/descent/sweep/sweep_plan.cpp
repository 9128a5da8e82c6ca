#include "descent/sweep/sweep_plan.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "descent/app/config.h"
#include "descent/io/atomic_file.h"
#include "descent/util/spec.h"

namespace descent::sweep {
namespace {

constexpr const char* kMetrics[] = {"val_loss",       "val_accuracy", "train_loss",
                                    "train_accuracy", "test_loss",    "test_accuracy"};

std::string key_of(const std::string& set) { return set.substr(0, set.find('=')); }

void check_halving(const SweepPlan& plan) {
  const Halving& h = plan.halving;
  if (!h.on()) return;
  if (!plan.metric.per_epoch())
    throw std::invalid_argument("--halving ranks trials by an epoch metric, and " +
                                plan.metric.name +
                                " is measured once at the end: use val_loss or val_accuracy");
  if (!(h.keep > 0 && h.keep < 1))
    throw std::invalid_argument(
        fmt::format("--halving-keep {}: expected a fraction in (0, 1)", h.keep));
  int64_t previous = 0;
  for (int64_t e : h.epochs) {
    if (e <= previous || e >= plan.epochs)
      throw std::invalid_argument(fmt::format(
          "--halving epochs {}: expected increasing epochs between 1 and train.epochs - 1 ({})", e,
          plan.epochs - 1));
    previous = e;
  }
  for (const Axis& axis : plan.space.axes)
    if (axis.key == "train.epochs")
      throw std::invalid_argument(
          "--halving stops trials at fixed epochs, so train.epochs cannot be swept with it");
}

}  // namespace

std::vector<std::string> assignment_sets(const Assignment& values) {
  std::vector<std::string> out;
  for (const auto& [key, value] : values) {
    if (key != "optimizer") {
      out.push_back(key + "=" + value);
      continue;
    }
    std::string text = value;
    if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
      text = text.substr(1, text.size() - 2);
    const Spec spec = parse_spec(text);
    out.push_back("optimizer.name=" + spec.name);
    for (const auto& [arg, v] : spec.args) out.push_back("optimizer." + arg + "=" + v);
  }
  return out;
}

bool Metric::better(double a, double b) const {
  if (std::isnan(a)) return false;
  if (std::isnan(b)) return true;
  return higher_is_better() ? a > b : a < b;
}

Metric parse_metric(const std::string& name) {
  for (const char* m : kMetrics)
    if (name == m) return Metric{name};
  std::string list;
  for (const char* m : kMetrics) list += (list.empty() ? "" : ", ") + std::string(m);
  throw std::invalid_argument("--metric '" + name + "': expected one of " + list);
}

std::vector<std::string> SweepPlan::overrides(const Trial& trial) const {
  std::vector<std::string> out = sets;
  for (const std::string& set :
       assignment_sets(configurations.at(static_cast<size_t>(trial.config))))
    out.push_back(set);
  out.push_back("seed=" + std::to_string(trial.seed));
  return out;
}

std::string SweepPlan::label(int64_t config) const {
  std::string out;
  for (const auto& [key, value] : configurations.at(static_cast<size_t>(config)))
    out += (out.empty() ? "" : ", ") + key + "=" + value;
  return out.empty() ? "the configuration" : out;
}

SweepPlan make_plan(const PlanRequest& request) {
  SweepPlan plan;
  plan.dir = request.dir;
  plan.sets = request.sets;
  plan.space = request.space;
  // Grid axes first, as configurations() orders a configuration's values.
  std::stable_partition(plan.space.axes.begin(), plan.space.axes.end(),
                        [](const Axis& a) { return !a.random(); });
  plan.metric = request.metric;
  plan.halving = request.halving;
  if (!request.config_file.empty()) plan.base_config = read_file(request.config_file);
  if (request.seeds < 1) throw std::invalid_argument("--seeds must be at least 1");

  for (const Axis& axis : plan.space.axes) {
    if (axis.key == "seed")
      throw std::invalid_argument("the seed is not swept by --grid or --random: use --seeds K");
    for (const std::string& set : plan.sets)
      if (key_of(set) == axis.key ||
          (axis.key == "optimizer" && key_of(set).rfind("optimizer.", 0) == 0))
        throw std::invalid_argument("--set " + set + " and the swept key " + axis.key +
                                    ": a key is either set or swept");
  }
  const Config base = load_config(request.config_file, plan.sets);
  plan.epochs = base.train.epochs;
  for (int64_t k = 0; k < request.seeds; ++k)
    plan.seeds.push_back(base.seed + static_cast<uint64_t>(k));
  // Random draws from their own stream, so the sampled values do not depend on --seeds.
  plan.configurations = configurations(plan.space, base.seed + 0x5eed);
  check_halving(plan);

  const size_t digits = std::max<size_t>(3, std::to_string(plan.configurations.size() - 1).size());
  for (size_t c = 0; c < plan.configurations.size(); ++c) {
    // Every configuration loads before any trial starts: a bad key or value is found now.
    std::vector<std::string> sets = plan.sets;
    try {
      for (const std::string& set : assignment_sets(plan.configurations[c])) sets.push_back(set);
      load_config(request.config_file, sets);
    } catch (const std::exception& e) {
      throw std::invalid_argument(fmt::format("sweep configuration {} ({}): {}", c,
                                              plan.label(static_cast<int64_t>(c)), e.what()));
    }
    for (size_t k = 0; k < plan.seeds.size(); ++k)
      plan.trials.push_back(Trial{fmt::format("cfg{:0{}}-seed{}", c, digits, k),
                                  static_cast<int64_t>(c), static_cast<int64_t>(k), plan.seeds[k]});
  }
  return plan;
}

nlohmann::json to_json(const SweepPlan& plan) {
  nlohmann::json axes = nlohmann::json::array();
  for (const Axis& a : plan.space.axes)
    axes.push_back({{"text", a.text}, {"kind", a.random() ? "random" : "grid"}});
  nlohmann::json configs = nlohmann::json::array();
  for (const Assignment& a : plan.configurations) {
    nlohmann::json c = nlohmann::json::object();
    for (const auto& [key, value] : a) c[key] = value;
    configs.push_back(c);
  }
  nlohmann::json trials = nlohmann::json::array();
  for (const Trial& t : plan.trials)
    trials.push_back({{"name", t.name}, {"configuration", t.config}, {"seed", t.seed}});
  return {{"base_config", plan.base_config},
          {"sets", plan.sets},
          {"axes", axes},
          {"random_trials", plan.space.trials},
          {"seeds", plan.seeds},
          {"epochs", plan.epochs},
          {"metric", plan.metric.name},
          {"halving", {{"epochs", plan.halving.epochs}, {"keep", plan.halving.keep}}},
          {"configurations", configs},
          {"trials", trials}};
}

void write_or_check_plan(const SweepPlan& plan) {
  const nlohmann::json wanted = to_json(plan);
  const auto file = plan.dir / kPlanFile;
  if (std::filesystem::exists(file)) {
    nlohmann::json held;
    try {
      held = nlohmann::json::parse(read_file(file));
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(file.string() + " is not a sweep plan (" + e.what() +
                               "); choose another --out");
    }
    if (held != wanted)
      throw std::runtime_error(
          plan.dir.string() +
          " holds another sweep (its sweep.json differs from this command's plan: other axes, "
          "seeds, settings or base configuration); run that sweep's command to continue it, or "
          "choose another --out");
    return;
  }
  std::filesystem::create_directories(plan.dir);
  for (const auto& entry : std::filesystem::directory_iterator(plan.dir))
    if (entry.path().filename().string()[0] != '.')
      throw std::runtime_error(plan.dir.string() +
                               " is not empty and holds no sweep.json; choose another --out");
  if (!plan.base_config.empty())
    write_file_atomically(plan.dir / kBaseConfigFile, plan.base_config);
  write_file_atomically(file, wanted.dump(2) + "\n");
}

std::string fingerprint(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:08x}", static_cast<uint32_t>(h ^ (h >> 32)));
}

SweepPlan read_plan(const std::filesystem::path& dir) {
  const auto file = dir / kPlanFile;
  if (!std::filesystem::exists(file))
    throw std::runtime_error(dir.string() + " is not a sweep directory (no sweep.json)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_file(file));
    SweepPlan plan;
    plan.dir = dir;
    plan.base_config = j.at("base_config").get<std::string>();
    plan.sets = j.at("sets").get<std::vector<std::string>>();
    for (const auto& a : j.at("axes")) {
      const std::string text = a.at("text").get<std::string>();
      plan.space.axes.push_back(a.at("kind") == "random" ? parse_random_axis(text)
                                                         : parse_grid_axis(text));
    }
    plan.space.trials = j.at("random_trials").get<int64_t>();
    plan.seeds = j.at("seeds").get<std::vector<uint64_t>>();
    plan.epochs = j.at("epochs").get<int64_t>();
    plan.metric = parse_metric(j.at("metric").get<std::string>());
    plan.halving.epochs = j.at("halving").at("epochs").get<std::vector<int64_t>>();
    plan.halving.keep = j.at("halving").at("keep").get<double>();
    for (const auto& c : j.at("configurations")) {
      Assignment a;
      // In axis order, as the plan made them (JSON objects sort their keys).
      for (const Axis& axis : plan.space.axes)
        a.emplace_back(axis.key, c.at(axis.key).get<std::string>());
      plan.configurations.push_back(std::move(a));
    }
    for (const auto& t : j.at("trials")) {
      Trial trial{t.at("name").get<std::string>(), t.at("configuration").get<int64_t>(), 0,
                  t.at("seed").get<uint64_t>()};
      for (size_t k = 0; k < plan.seeds.size(); ++k)
        if (plan.seeds[k] == trial.seed) trial.seed_index = static_cast<int64_t>(k);
      if (trial.config < 0 || trial.config >= static_cast<int64_t>(plan.configurations.size()))
        throw std::invalid_argument("trial " + trial.name + " names no configuration");
      plan.trials.push_back(trial);
    }
    return plan;
  } catch (const std::exception& e) {
    throw std::runtime_error(file.string() + ": not a readable sweep plan: " + e.what());
  }
}

}  // namespace descent::sweep
