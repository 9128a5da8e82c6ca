#include "descent/io/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

#include "descent/data/synthetic.h"
#include "descent/nn/loss.h"
#include "descent/optim/registry.h"
#include "descent/schedule/factory.h"

namespace descent {
namespace {

// Accepted keys of each table ("" is the top level).
const std::map<std::string, std::vector<std::string>>& schema() {
  static const std::map<std::string, std::vector<std::string>> keys = {
      {"",
       {"seed", "threads", "data", "model", "train", "optimizer", "schedule", "clip",
        "regularization", "ema", "early_stopping", "checkpoint", "curvature"}},
      {"data",
       {"name", "dir", "path", "test_path", "target", "header", "task", "size", "test_size",
        "noise", "classes", "validation_size", "train_size"}},
      {"model", {"layers", "weights"}},
      {"train",
       {"epochs", "batch_size", "shuffle", "drop_last", "loss", "accumulate", "on_non_finite"}},
      {"clip", {"max_norm", "max_value", "per_layer"}},
      {"regularization", {"l1", "l2", "exclude_1d"}},
      {"ema", {"decay", "evaluate"}},
      {"early_stopping", {"monitor", "mode", "patience", "min_delta", "restore_best"}},
      {"checkpoint", {"every"}},
      {"curvature", {"every", "method"}},
  };
  return keys;
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

std::string node_text(const toml::node& n) {
  if (auto s = n.as_string()) return s->get();
  if (auto b = n.as_boolean()) return b->get() ? "true" : "false";
  if (auto i = n.as_integer()) return std::to_string(i->get());
  if (auto f = n.as_floating_point()) {
    // The shortest text that reads back as the same double ("0.1", not "0.10000000000000001").
    char buf[32];
    const auto end = std::to_chars(buf, buf + sizeof buf, f->get()).ptr;
    return std::string(buf, end);
  }
  std::ostringstream os;
  os << toml::toml_formatter{n};
  return os.str();
}

class Resolver {
 public:
  Resolver(toml::table& root, std::map<std::string, std::string>& origin)
      : root_(root), origin_(origin) {}

  [[noreturn]] void fail(const std::string& key, const toml::node& n,
                         const std::string& expected) const {
    throw ConfigError("config: " + key + " = " + node_text(n) + where(key) +
                      " is not valid (expected " + expected + ")");
  }

  std::string where(const std::string& key) const {
    auto it = origin_.find(key);
    return it == origin_.end() ? "" : " (from " + it->second + ")";
  }

  const toml::node* find(const std::string& key) const { return root_.at_path(key).node(); }

  void read(const std::string& key, std::string& out) const {
    if (const toml::node* n = find(key)) {
      if (!n->is_string()) fail(key, *n, "a string");
      out = n->as_string()->get();
    }
  }
  void read(const std::string& key, bool& out) const {
    if (const toml::node* n = find(key)) {
      if (!n->is_boolean()) fail(key, *n, "true or false");
      out = n->as_boolean()->get();
    }
  }
  void read(const std::string& key, int64_t& out, int64_t min) const {
    if (const toml::node* n = find(key)) {
      if (!n->is_integer() || n->as_integer()->get() < min)
        fail(key, *n, "an integer >= " + std::to_string(min));
      out = n->as_integer()->get();
    }
  }
  // A number in [min, max) (max_open) or [min, max].
  void read(const std::string& key, double& out, double min, double max,
            bool max_open = false) const {
    if (const toml::node* n = find(key)) {
      const double v = n->value<double>().value_or(NAN);
      if (!(n->is_number() && v >= min && (max_open ? v < max : v <= max))) {
        std::ostringstream range;
        range << "a number >= " << min;
        if (std::isfinite(max)) range << (max_open ? " and < " : " and <= ") << max;
        fail(key, *n, range.str());
      }
      out = v;
    }
  }
  // A string among `choices`.
  void read(const std::string& key, std::string& out,
            const std::vector<std::string>& choices) const {
    read(key, out);
    if (std::find(choices.begin(), choices.end(), out) == choices.end())
      fail(key, *find(key), join(choices));
  }
  void read(const std::string& key, std::vector<std::string>& out) const {
    if (const toml::node* n = find(key)) {
      const toml::array* a = n->as_array();
      if (!a) fail(key, *n, "an array of strings");
      out.clear();
      for (const auto& item : *a) {
        if (!item.is_string()) fail(key, *n, "an array of strings");
        out.push_back(item.as_string()->get());
      }
    }
  }

  // Rejects keys that no table accepts.
  void check_keys(const toml::table& table, const std::string& prefix) const {
    const auto& accepted = schema().at(prefix);
    for (const auto& [k, node] : table) {
      const std::string key(k.str());
      const std::string path = prefix.empty() ? key : prefix + "." + key;
      if (std::find(accepted.begin(), accepted.end(), key) == accepted.end())
        throw ConfigError("config: unknown key '" + path + "'" + where(path) + " (valid keys" +
                          (prefix.empty() ? "" : " in [" + prefix + "]") + ": " + join(accepted) +
                          ")");
      if (schema().count(path)) {
        if (!node.is_table()) fail(path, node, "a table");
        check_keys(*node.as_table(), path);
      }
    }
  }

 private:
  toml::table& root_;
  std::map<std::string, std::string>& origin_;
};

void record_origins(const toml::table& table, const std::string& prefix, const std::string& source,
                    std::map<std::string, std::string>& origin) {
  for (const auto& [k, node] : table) {
    const std::string path =
        prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    origin[path] = source;
    if (node.is_table()) record_origins(*node.as_table(), path, source, origin);
  }
}

// "a.b.c=value": the value is read as a TOML value when it parses as one (numbers, booleans,
// arrays, quoted strings), else taken as a bare string (so --set optimizer.name=sgd works).
void apply_override(toml::table& root, const std::string& text,
                    std::map<std::string, std::string>& origin) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError("--set " + text + ": expected key=value, e.g. --set train.epochs=3");
  const std::string key = text.substr(0, eq), value = text.substr(eq + 1);
  toml::table* table = &root;
  size_t start = 0;
  for (size_t dot = key.find('.'); dot != std::string::npos; dot = key.find('.', start)) {
    const std::string part = key.substr(start, dot - start);
    auto [it, inserted] = table->insert(part, toml::table{});
    if (!it->second.is_table())
      throw ConfigError("--set " + text + ": '" + key.substr(0, dot) + "' is not a table");
    table = it->second.as_table();
    start = dot + 1;
  }
  const std::string leaf = key.substr(start);
  if (leaf.empty()) throw ConfigError("--set " + text + ": empty key");
  try {
    toml::table parsed = toml::parse("v = " + value);
    table->insert_or_assign(leaf, *parsed.get("v"));
  } catch (const toml::parse_error&) {
    table->insert_or_assign(leaf, value);
  }
  origin[key] = "--set " + text;
}

}  // namespace

Config load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  toml::table root;
  std::map<std::string, std::string> origin;
  if (!file.empty()) {
    try {
      root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
      std::ostringstream os;
      os << file.string() << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
         << e.description();
      throw ConfigError(os.str());
    }
    record_origins(root, "", file.string(), origin);
  }
  for (const auto& o : overrides) apply_override(root, o, origin);

  Resolver r(root, origin);
  r.check_keys(root, "");
  Config c;
  int64_t seed = 0, threads = 0;
  r.read("seed", seed, 0);
  r.read("threads", threads, 0);
  c.seed = static_cast<uint64_t>(seed);
  c.threads = static_cast<int>(threads);
  r.read("data.name", c.data.name);
  if (c.data.name != "fashion-mnist" && c.data.name != "csv" &&
      !is_synthetic_dataset(c.data.name)) {
    std::string valid = "fashion-mnist, csv";
    for (const auto& n : synthetic_dataset_names()) valid += ", " + n;
    r.fail("data.name", *r.find("data.name"), valid);
  }
  r.read("data.dir", c.data.dir);
  r.read("data.path", c.data.path);
  r.read("data.test_path", c.data.test_path);
  if (const toml::node* t = r.find("data.target")) {
    // A column name or an index: both are accepted as written.
    if (t->is_integer())
      c.data.target = std::to_string(t->as_integer()->get());
    else
      r.read("data.target", c.data.target);
  }
  r.read("data.header", c.data.header);
  if (c.data.header != "auto" && c.data.header != "true" && c.data.header != "false")
    r.fail("data.header", *r.find("data.header"), "auto, true or false");
  r.read("data.task", c.data.task);
  if (c.data.task != "classification" && c.data.task != "regression")
    r.fail("data.task", *r.find("data.task"), "classification or regression");
  r.read("data.size", c.data.size, 1);
  r.read("data.test_size", c.data.test_size, 0);
  r.read("data.classes", c.data.classes, 2);
  r.read("data.noise", c.data.noise, 0, INFINITY);
  r.read("data.validation_size", c.data.validation_size, -1);
  r.read("data.train_size", c.data.train_size, 0);
  if (c.data.name == "csv" && c.data.path.empty())
    throw ConfigError("config: data.name = \"csv\" needs data.path (the CSV file)");
  r.read("model.layers", c.model.layers);
  r.read("model.weights", c.model.weights);
  r.read("train.epochs", c.train.epochs, 1);
  r.read("train.batch_size", c.train.batch_size, 1);
  r.read("train.shuffle", c.train.shuffle);
  r.read("train.drop_last", c.train.drop_last);
  r.read("train.loss", c.train.loss, loss_names());
  r.read("train.accumulate", c.train.accumulate, 1);
  r.read("train.on_non_finite", c.train.on_non_finite, {"stop", "skip"});
  r.read("clip.max_norm", c.clip.max_norm, 0, INFINITY);
  r.read("clip.max_value", c.clip.max_value, 0, INFINITY);
  r.read("clip.per_layer", c.clip.per_layer);
  r.read("regularization.l1", c.regularization.l1, 0, INFINITY);
  r.read("regularization.l2", c.regularization.l2, 0, INFINITY);
  r.read("regularization.exclude_1d", c.regularization.exclude_1d);
  r.read("ema.decay", c.ema.decay, 0, 1, true);
  r.read("ema.evaluate", c.ema.evaluate);
  if (r.find("early_stopping")) {
    auto& es = c.early_stopping;
    es.enabled = true;
    r.read("early_stopping.monitor", es.monitor,
           {"val_loss", "val_accuracy", "train_loss", "train_accuracy"});
    r.read("early_stopping.mode", es.mode, {"auto", "min", "max"});
    r.read("early_stopping.patience", es.patience, 0);
    r.read("early_stopping.min_delta", es.min_delta, 0, INFINITY);
    r.read("early_stopping.restore_best", es.restore_best);
  }
  r.read("checkpoint.every", c.checkpoint.every, 0);
  r.read("curvature.every", c.curvature.every, 0);
  r.read("curvature.method", c.curvature.method, {"difference", "exact"});

  // [optimizer]: name, then that optimizer's hyper-parameters.
  r.read("optimizer.name", c.optimizer.name);
  r.read("optimizer.no_weight_decay_1d", c.optimizer.no_weight_decay_1d);
  const OptimizerInfo* info = nullptr;
  try {
    info = &optimizer_info(c.optimizer.name);
  } catch (const SpecError& e) {
    throw ConfigError(std::string("config: optimizer.name: ") + e.what() +
                      r.where("optimizer.name"));
  }
  std::map<std::string, std::string> args;
  if (const toml::node* opt = r.find("optimizer")) {
    if (!opt->is_table()) r.fail("optimizer", *opt, "a table");
    for (const auto& [k, node] : *opt->as_table())
      if (k.str() != "name" && k.str() != "no_weight_decay_1d")
        args[std::string(k.str())] = node_text(node);
  }
  std::set<std::string> sources;  // where the optimizer's keys came from, for messages
  for (const auto& [key, source] : origin)
    if (key.rfind("optimizer.", 0) == 0 && key != "optimizer.name") sources.insert(source);
  std::string from;
  for (const auto& src : sources) {
    from += from.empty() ? ", from " : "; ";
    from += src;
  }
  SpecArgs spec_args("config [optimizer] (" + c.optimizer.name + from + ")", args);
  // Checked by building the optimizer on a stand-in parameter (the schedule's check uses it too).
  Tensor stand_in = Tensor::zeros({1});
  stand_in.requires_grad_();
  std::vector<ParamGroup> stand_in_group(1);
  stand_in_group[0].params = {stand_in};
  std::unique_ptr<Optimizer> stand_in_optimizer;
  try {
    if (info->make_from_args) {
      // A wrapper (lookahead) also takes its base optimizer's keys: kept as written.
      stand_in_optimizer = make_optimizer(c.optimizer.name, stand_in_group, spec_args);
      c.optimizer.args = args;
    } else {
      const Hyperparams h = read_hyperparams(*info, spec_args);
      for (const auto& def : info->hyperparams)
        c.optimizer.args[def.name] = hyperparam_text(def, h.at(def.name));
      stand_in_optimizer = make_optimizer(c.optimizer.name, stand_in_group, h);
    }
  } catch (const SpecError& e) {
    const std::string what = e.what();
    throw ConfigError(what.rfind("config", 0) == 0 ? what : "config [optimizer]: " + what);
  }
  // [schedule]: name, interval, key, then the schedule's own arguments (checked by building it
  // on a stand-in optimizer, so a bad key fails here, before any work).
  if (const toml::node* sched = r.find("schedule")) {
    if (!sched->is_table()) r.fail("schedule", *sched, "a table");
    for (const auto& [k, node] : *sched->as_table()) {
      const std::string key(k.str());
      if (key == "name" || key == "interval" || key == "key") continue;
      if (const toml::array* a = node.as_array()) {
        // Numbers join with ',', nested schedule SPECs (strings) with ';'.
        std::string text = "[";
        for (size_t i = 0; i < a->size(); ++i) {
          const toml::node& item = *a->get(i);
          if (i) text += item.is_string() ? ';' : ',';
          text += node_text(item);
        }
        c.schedule.args[key] = text + "]";
      } else {
        c.schedule.args[key] = node_text(node);
      }
    }
    r.read("schedule.name", c.schedule.name);
    if (c.schedule.name.empty())
      throw ConfigError("config: [schedule] needs a name" + r.where("schedule") +
                        " (valid: " + join(scheduler_names()) + ")");
    r.read("schedule.interval", c.schedule.interval);
    if (c.schedule.interval != "epoch" && c.schedule.interval != "step")
      r.fail("schedule.interval", *r.find("schedule.interval"), "epoch or step");
    r.read("schedule.key", c.schedule.key);
    try {
      make_scheduler(c.schedule_spec(), *stand_in_optimizer, c.schedule.key);
    } catch (const std::exception& e) {
      throw ConfigError(std::string("config: [schedule]: ") + e.what());
    }
  }
  return c;
}

std::string Config::schedule_spec() const {
  if (schedule.name.empty()) return "";
  std::string spec = schedule.name;
  char sep = ':';
  for (const auto& [k, v] : schedule.args) {
    spec += sep + k + "=" + v;
    sep = ',';
  }
  return spec;
}

namespace {
// Inserts the TOML value a text spells when it is one ("0.5", "[30, 60]", "true"), else the
// text as a string ("sgd"), so written values read back the same.
void insert_text_value(toml::table& table, const std::string& key, const std::string& text) {
  try {
    toml::table parsed = toml::parse("v = " + text);
    table.insert(key, *parsed.get("v"));
  } catch (const toml::parse_error&) {
    table.insert(key, text);
  }
}
}  // namespace

std::string to_toml(const Config& c) {
  toml::table root;
  root.insert("seed", static_cast<int64_t>(c.seed));
  root.insert("threads", c.threads);
  toml::table data{{"name", c.data.name}, {"validation_size", c.data.validation_size}};
  if (c.data.train_size > 0) data.insert("train_size", c.data.train_size);
  if (c.data.name == "fashion-mnist") data.insert("dir", c.data.dir);
  if (c.data.name == "csv") {
    data.insert("path", c.data.path);
    if (!c.data.test_path.empty()) data.insert("test_path", c.data.test_path);
    data.insert("target", c.data.target);
    data.insert("header", c.data.header);
    data.insert("task", c.data.task);
  }
  if (is_synthetic_dataset(c.data.name)) {
    data.insert("size", c.data.size);
    data.insert("classes", c.data.classes);
    if (c.data.noise >= 0) data.insert("noise", c.data.noise);
  }
  if (c.data.name != "fashion-mnist") data.insert("test_size", c.data.test_size);
  root.insert("data", data);
  toml::array layers;
  for (const auto& l : c.model.layers) layers.push_back(l);
  toml::table model{{"layers", layers}};
  if (!c.model.weights.empty()) model.insert("weights", c.model.weights);
  root.insert("model", model);
  root.insert("train", toml::table{{"epochs", c.train.epochs},
                                   {"batch_size", c.train.batch_size},
                                   {"shuffle", c.train.shuffle},
                                   {"drop_last", c.train.drop_last},
                                   {"loss", c.train.loss},
                                   {"accumulate", c.train.accumulate},
                                   {"on_non_finite", c.train.on_non_finite}});
  if (c.clip.max_norm > 0 || c.clip.max_value > 0)
    root.insert("clip", toml::table{{"max_norm", c.clip.max_norm},
                                    {"max_value", c.clip.max_value},
                                    {"per_layer", c.clip.per_layer}});
  if (c.regularization.l1 > 0 || c.regularization.l2 > 0)
    root.insert("regularization", toml::table{{"l1", c.regularization.l1},
                                              {"l2", c.regularization.l2},
                                              {"exclude_1d", c.regularization.exclude_1d}});
  if (c.ema.decay > 0)
    root.insert("ema", toml::table{{"decay", c.ema.decay}, {"evaluate", c.ema.evaluate}});
  if (c.early_stopping.enabled) {
    const auto& es = c.early_stopping;
    root.insert("early_stopping", toml::table{{"monitor", es.monitor},
                                              {"mode", es.mode},
                                              {"patience", es.patience},
                                              {"min_delta", es.min_delta},
                                              {"restore_best", es.restore_best}});
  }
  root.insert("checkpoint", toml::table{{"every", c.checkpoint.every}});
  if (c.curvature.every > 0)
    root.insert("curvature",
                toml::table{{"every", c.curvature.every}, {"method", c.curvature.method}});
  toml::table opt{{"name", c.optimizer.name}};
  if (c.optimizer.no_weight_decay_1d) opt.insert("no_weight_decay_1d", true);
  const OptimizerInfo& info = optimizer_info(c.optimizer.name);
  if (info.make_from_args)  // a wrapper's keys, as written
    for (const auto& [k, v] : c.optimizer.args) insert_text_value(opt, k, v);
  // Typed as the optimizer declares them, so the file reads back the same.
  for (const auto& def : info.make_from_args ? std::vector<HyperparamDef>{} : info.hyperparams) {
    auto it = c.optimizer.args.find(def.name);
    if (it == c.optimizer.args.end()) continue;
    if (def.kind == HyperparamKind::Bool)
      opt.insert(def.name, it->second == "true");
    else if (def.kind == HyperparamKind::Choice)
      opt.insert(def.name, it->second);
    else
      opt.insert(def.name, std::stod(it->second));
  }
  root.insert("optimizer", opt);
  if (!c.schedule.name.empty()) {
    toml::table sched{
        {"name", c.schedule.name}, {"interval", c.schedule.interval}, {"key", c.schedule.key}};
    for (const auto& [k, v] : c.schedule.args) {
      insert_text_value(sched, k, v);
    }
    root.insert("schedule", sched);
  }
  std::ostringstream os;
  os << root << "\n";
  return os.str();
}

}  // namespace descent
