#include "descent/app/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <set>
#include <sstream>

#include "descent/app/datasets.h"
#include "descent/nn/autoencoder_penalties.h"
#include "descent/nn/autoencoder_spec.h"
#include "descent/nn/hessian_vector.h"
#include "descent/nn/loss.h"
#include "descent/nn/loss_table.h"
#include "descent/ops/activation.h"
#include "descent/optim/hyperparam_aliases.h"
#include "descent/optim/registry.h"
#include "descent/schedule/registry.h"
#include "descent/train/objectives/input_noise.h"
#include "descent/util/number_text.h"
#include "descent/util/suggest.h"
#include "descent/util/threads.h"

namespace descent {
namespace {

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
  // An integer in [min, max]; a float with an integral value (2.0, 1e3) is that integer.
  void read(const std::string& key, int64_t& out, int64_t min,
            int64_t max = std::numeric_limits<int64_t>::max(),
            const std::string& why_max = "") const {
    if (const toml::node* n = find(key)) {
      const std::string expected =
          "an integer >= " + std::to_string(min) +
          (max < std::numeric_limits<int64_t>::max()
               ? " and <= " + std::to_string(max) + (why_max.empty() ? "" : ", " + why_max)
               : "");
      int64_t v = 0;
      if (n->is_integer()) {
        v = n->as_integer()->get();
      } else if (const auto* f = n->as_floating_point();
                 f && f->get() == std::floor(f->get()) && std::fabs(f->get()) < 9.0e15) {
        v = static_cast<int64_t>(f->get());
      } else {
        fail(key, *n, expected);
      }
      if (v < min || v > max) fail(key, *n, expected);
      out = v;
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
  void read(const std::string& key, std::vector<int64_t>& out, int64_t min) const {
    if (const toml::node* n = find(key)) {
      const toml::array* a = n->as_array();
      const std::string expected = "an array of integers >= " + std::to_string(min);
      if (!a) fail(key, *n, expected);
      out.clear();
      for (const auto& item : *a) {
        if (!item.is_integer() || item.as_integer()->get() < min) fail(key, *n, expected);
        out.push_back(item.as_integer()->get());
      }
    }
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

// A component's argument: a scalar as insert_text_value writes it, a list item by item.
void insert_spec_value(toml::table& table, const std::string& key, const SpecValue& v) {
  if (!v.is_list) {
    insert_text_value(table, key, v.text);
    return;
  }
  toml::table items;
  for (size_t i = 0; i < v.items.size(); ++i)
    insert_text_value(items, std::to_string(i), v.items[i]);
  toml::array array;
  for (size_t i = 0; i < v.items.size(); ++i) array.push_back(*items.get(std::to_string(i)));
  table.insert(key, array);
}

// ---------------------------------------------------------------------------------------------
// The keys of the fixed tables, each declared once: how it is read (checked, stored) and written
// back to config.toml, and when it is written (a table none of whose keys is written is left out).

using Written = bool (*)(const Config&);
bool always(const Config&) { return true; }

struct Key {
  std::string path;  // "train.epochs"; top-level keys have no table
  std::function<void(const Resolver&, Config&)> read;
  std::function<void(const Config&, toml::table&)> write;  // into the key's own table
  Written written = always;
  bool open_table = false;  // the table also takes its component's keys ([optimizer], [schedule])
};

std::string table_of(const std::string& path) {
  const size_t dot = path.find('.');
  return dot == std::string::npos ? "" : path.substr(0, dot);
}
std::string leaf_of(const std::string& path) { return path.substr(path.find('.') + 1); }

// KEY(train.epochs) gives the key's path and the Config member it lives in, from one spelling.
#define KEY(member) \
#member, [](auto& c) -> auto& { return c.member; }

template <class Field>
Key integer(std::string path, Field field, int64_t min, Written written = always) {
  return {path,
          [=](const Resolver& r, Config& c) {
            int64_t v = static_cast<int64_t>(field(c));
            r.read(path, v, min);
            field(c) = static_cast<std::remove_reference_t<decltype(field(c))>>(v);
          },
          [=](const Config& c, toml::table& t) {
            t.insert(leaf_of(path), static_cast<int64_t>(field(c)));
          },
          written};
}

// A number in [min, max) (max_open) or [min, max].
template <class Field>
Key real(std::string path, Field field, double min, double max = INFINITY, bool max_open = false,
         Written written = always) {
  return {path, [=](const Resolver& r, Config& c) { r.read(path, field(c), min, max, max_open); },
          [=](const Config& c, toml::table& t) { t.insert(leaf_of(path), field(c)); }, written};
}

template <class Field>
Key boolean(std::string path, Field field, Written written = always) {
  return {path, [=](const Resolver& r, Config& c) { r.read(path, field(c)); },
          [=](const Config& c, toml::table& t) { t.insert(leaf_of(path), field(c)); }, written};
}

template <class Field>
Key text(std::string path, Field field, Written written = always) {
  return {path, [=](const Resolver& r, Config& c) { r.read(path, field(c)); },
          [=](const Config& c, toml::table& t) { t.insert(leaf_of(path), field(c)); }, written};
}

// A string among `choices`; `expected` words the message when a plain list would read badly.
template <class Field>
Key choice(std::string path, Field field, std::vector<std::string> choices,
           Written written = always, std::string expected = "") {
  if (expected.empty()) expected = join(choices);
  return {path,
          [=](const Resolver& r, Config& c) {
            r.read(path, field(c));
            if (std::find(choices.begin(), choices.end(), field(c)) == choices.end())
              r.fail(path, *r.find(path), expected);
          },
          [=](const Config& c, toml::table& t) { t.insert(leaf_of(path), field(c)); }, written};
}

template <class Field>
Key text_list(std::string path, Field field, Written written = always) {
  return {path, [=](const Resolver& r, Config& c) { r.read(path, field(c)); },
          [=](const Config& c, toml::table& t) {
            toml::array items;
            for (const auto& item : field(c)) items.push_back(item);
            t.insert(leaf_of(path), items);
          },
          written};
}

template <class Field>
Key integer_list(std::string path, Field field, int64_t min, Written written = always) {
  return {path, [=](const Resolver& r, Config& c) { r.read(path, field(c), min); },
          [=](const Config& c, toml::table& t) {
            toml::array items;
            for (const int64_t item : field(c)) items.push_back(item);
            t.insert(leaf_of(path), items);
          },
          written};
}

std::vector<std::string> activation_names() {
  std::vector<std::string> names;
  for (const ActivationEntry& entry : activation_table()) names.push_back(entry.name);
  return names;
}

// When a table is written at all: only when it is in use.
bool clipping(const Config& c) { return c.clip.max_norm > 0 || c.clip.max_value > 0; }
bool penalized(const Config& c) { return c.regularization.l1 > 0 || c.regularization.l2 > 0; }
bool averaging(const Config& c) { return c.ema.decay > 0; }
bool stopping_early(const Config& c) { return c.early_stopping.enabled; }
bool probing_curvature(const Config& c) { return c.curvature.every > 0; }
bool scheduled(const Config& c) { return !c.schedule.name.empty(); }
// Left out at its default, so runs from before the key have the same config.toml.
bool thinning_steps(const Config& c) { return c.metrics.every_steps != 1; }
bool not_reporting(const Config& c) { return !c.report.write; }
// Also left out at their defaults.
bool divergence_not_default(const Config& c) { return c.train.divergence != "stop"; }
bool deterministic(const Config& c) { return c.train.deterministic_reduction; }
bool scaling_lr(const Config& c) { return c.train.scale_lr != "none"; }
bool divergence_factor_not_default(const Config& c) { return c.train.divergence_factor != 10; }
bool autoencoding(const Config& c) { return c.model.kind != "classifier"; }
bool classifying(const Config& c) { return c.model.kind == "classifier"; }
bool plain_autoencoder(const Config& c) { return c.model.kind == "autoencoder"; }
bool variational(const Config& c) { return c.model.kind == "vae"; }
bool stacked(const Config& c) { return c.model.kind == "stacked_autoencoder"; }
bool not_stacked(const Config& c) { return !stacked(c); }
// Autoencoders built from model.encoder, model.code and model.decoder.
bool listed_autoencoder(const Config& c) { return plain_autoencoder(c) || variational(c); }
// The keys of the plain objective also shape every phase of a stacked one.
bool plain_objective(const Config& c) { return plain_autoencoder(c) || stacked(c); }
bool from_encoder(const Config& c) { return classifying(c) && !c.model.encoder_from.empty(); }

const std::vector<Key>& keys() {
  static const std::vector<Key> table = {
      integer(KEY(seed), 0),
      // At most 4 per core (util/threads.h): a typo such as 1000 would not start.
      {"threads",
       [](const Resolver& r, Config& c) {
         int64_t v = c.threads;
         r.read("threads", v, 0, max_threads(),
                "4 per core of this machine's " + std::to_string(core_count()) +
                    "; 0 uses every core");
         c.threads = static_cast<int>(v);
       },
       [](const Config& c, toml::table& t) { t.insert("threads", c.threads); }},
      choice(KEY(data.name), dataset_names()),
      text(KEY(data.dir), [](const Config& c) { return dataset_reads(c, "dir"); }),
      text(KEY(data.path), [](const Config& c) { return dataset_reads(c, "path"); }),
      text(KEY(data.test_path),
           [](const Config& c) {
             return dataset_reads(c, "test_path") && !c.data.test_path.empty();
           }),
      // A column name or an index: both are kept as written.
      {"data.target",
       [](const Resolver& r, Config& c) {
         const toml::node* t = r.find("data.target");
         if (t && t->is_integer())
           c.data.target = std::to_string(t->as_integer()->get());
         else
           r.read("data.target", c.data.target);
       },
       [](const Config& c, toml::table& t) { t.insert("target", c.data.target); },
       [](const Config& c) { return dataset_reads(c, "target"); }},
      choice(KEY(data.header), {"auto", "true", "false"},
             [](const Config& c) { return dataset_reads(c, "header"); }),
      choice(KEY(data.task), {"classification", "regression"},
             [](const Config& c) { return dataset_reads(c, "task"); }),
      integer(KEY(data.size), 1, [](const Config& c) { return dataset_reads(c, "size"); }),
      // A fraction of the rows (a TOML float) or a count of them (an integer), written back as
      // the same type.
      {"data.test_size",
       [](const Resolver& r, Config& c) {
         const toml::node* n = r.find("data.test_size");
         if (!n) return;
         const double v = n->value<double>().value_or(NAN);
         const bool count = n->is_integer() && v >= -1;
         if (!count && !(n->is_floating_point() && v > 0 && v < 1))
           r.fail("data.test_size", *n,
                  "a fraction in (0, 1), a count of examples >= 0, or -1 for the dataset's "
                  "default");
         c.data.test_size = v;
       },
       [](const Config& c, toml::table& t) {
         const double v = c.data.test_size;
         if (v == std::floor(v))
           t.insert("test_size", static_cast<int64_t>(v));
         else
           t.insert("test_size", v);
       },
       [](const Config& c) { return dataset_reads(c, "test_size"); }},
      real(KEY(data.noise), 0, INFINITY, false,
           [](const Config& c) { return dataset_reads(c, "noise") && c.data.noise >= 0; }),
      integer(KEY(data.classes), 2, [](const Config& c) { return dataset_reads(c, "classes"); }),
      integer(KEY(data.validation_size), -1),
      integer(KEY(data.train_size), 0, [](const Config& c) { return c.data.train_size > 0; }),
      real(KEY(data.label_noise), 0, 1, false,
           [](const Config& c) { return c.data.label_noise > 0; }),
      choice(KEY(model.kind), {"classifier", "autoencoder", "vae", "stacked_autoencoder"},
             autoencoding),
      text_list(KEY(model.layers), classifying),
      text(KEY(model.weights), [](const Config& c) { return !c.model.weights.empty(); }),
      text(KEY(model.encoder_from), from_encoder),
      boolean(KEY(model.freeze_encoder), from_encoder),
      text_list(KEY(model.encoder), listed_autoencoder),
      text_list(KEY(model.decoder), listed_autoencoder),
      integer(KEY(model.code), 0, listed_autoencoder),
      integer_list(KEY(model.stack), 1, stacked),
      choice(KEY(model.stack_activation), activation_names(), stacked),
      choice(KEY(autoencoder.reconstruction), {"mse", "binary_cross_entropy"}, autoencoding),
      boolean(KEY(autoencoder.tied), plain_objective),
      choice(KEY(autoencoder.sparsity), {"none", "l1", "kl"}, plain_objective),
      real(KEY(autoencoder.sparsity_weight), 0, INFINITY, false, plain_objective),
      real(KEY(autoencoder.sparsity_target), 0, 1, true, plain_objective),
      choice(KEY(autoencoder.noise), input_noise_names(), plain_objective),
      real(KEY(autoencoder.noise_level), 0, INFINITY, false, plain_objective),
      real(KEY(autoencoder.contractive_weight), 0, INFINITY, false, plain_objective),
      real(KEY(autoencoder.beta), 0, INFINITY, false, variational),
      integer(KEY(autoencoder.kl_warmup_epochs), 0, variational),
      integer(KEY(autoencoder.epochs_per_layer), 1, stacked),
      integer(KEY(autoencoder.fine_tune_epochs), 0, stacked),
      integer(KEY(train.epochs), 1, not_stacked),
      integer(KEY(train.batch_size), 1),
      boolean(KEY(train.shuffle)),
      boolean(KEY(train.drop_last)),
      // A loss SPEC, "cross_entropy:label_smoothing=0.1" (nn/loss_table.h), checked against the
      // table and kept as written.
      {"train.loss",
       [](const Resolver& r, Config& c) {
         r.read("train.loss", c.train.loss);
         try {
           parse_loss(c.train.loss);
         } catch (const SpecError& e) {
           throw_config_error(e, "config: train.loss = \"" + c.train.loss + "\"" +
                                     r.where("train.loss") + ": " + e.what());
         }
       },
       [](const Config& c, toml::table& t) { t.insert("loss", c.train.loss); }, classifying},
      integer(KEY(train.accumulate), 1),
      choice(KEY(train.on_non_finite), {"stop", "skip"}),
      boolean(KEY(train.flush_denormals)),
      boolean(KEY(train.profile), [](const Config& c) { return c.train.profile; }),
      boolean(KEY(train.deterministic_reduction), deterministic),
      integer(KEY(train.micro_shards), 1, deterministic),
      boolean(KEY(train.overlap_reduction),
              [](const Config& c) { return !c.train.overlap_reduction; }),
      choice(KEY(train.scale_lr), {"none", "linear"}, scaling_lr),
      integer(KEY(train.reference_batch_size), 1, scaling_lr),
      choice(KEY(train.divergence), {"stop", "warn", "off"}, divergence_not_default),
      real(KEY(train.divergence_factor), 1, INFINITY, false, divergence_factor_not_default),
      // The optimizer's and the schedule's own keys are read by load_config from their registries.
      {"optimizer.name",
       [](const Resolver& r, Config& c) { r.read("optimizer.name", c.optimizer.name); },
       [](const Config& c, toml::table& t) { t.insert("name", c.optimizer.name); }, always, true},
      boolean(KEY(optimizer.no_weight_decay_1d),
              [](const Config& c) { return c.optimizer.no_weight_decay_1d; }),
      text_list(KEY(optimizer.no_weight_decay),
                [](const Config& c) { return !c.optimizer.no_weight_decay.empty(); }),
      {"schedule.name",
       [](const Resolver& r, Config& c) { r.read("schedule.name", c.schedule.name); },
       [](const Config& c, toml::table& t) { t.insert("name", c.schedule.name); }, scheduled, true},
      choice(KEY(schedule.interval), {"epoch", "step"}, scheduled, "epoch or step"),
      text(KEY(schedule.key), scheduled),
      real(KEY(clip.max_norm), 0, INFINITY, false, clipping),
      real(KEY(clip.max_value), 0, INFINITY, false, clipping),
      boolean(KEY(clip.per_layer), clipping),
      real(KEY(regularization.l1), 0, INFINITY, false, penalized),
      real(KEY(regularization.l2), 0, INFINITY, false, penalized),
      boolean(KEY(regularization.exclude_1d), penalized),
      real(KEY(ema.decay), 0, 1, true, averaging),
      boolean(KEY(ema.evaluate), averaging),
      choice(KEY(early_stopping.monitor),
             {"val_loss", "val_accuracy", "train_loss", "train_accuracy"}, stopping_early),
      choice(KEY(early_stopping.mode), {"auto", "min", "max"}, stopping_early),
      integer(KEY(early_stopping.patience), 0, stopping_early),
      real(KEY(early_stopping.min_delta), 0, INFINITY, false, stopping_early),
      boolean(KEY(early_stopping.restore_best), stopping_early),
      integer(KEY(checkpoint.every), 0),
      boolean(KEY(checkpoint.keep_epoch_weights),
              [](const Config& c) { return c.checkpoint.keep_epoch_weights; }),
      integer(KEY(curvature.every), 0, probing_curvature),
      choice(KEY(curvature.method), {"difference", "exact"}, probing_curvature),
      integer(KEY(metrics.every_steps), 1, thinning_steps),
      boolean(KEY(report.write), not_reporting),
  };
  return table;
}
#undef KEY

// Rejects keys that no table accepts (the open tables' own keys are checked by their registry).
void check_keys(const Resolver& r, const toml::table& root) {
  std::vector<std::string> top;  // top-level keys, tables in the order they are declared
  std::map<std::string, std::vector<std::string>> in_table;
  std::set<std::string> open;
  for (const Key& key : keys()) {
    const std::string table = table_of(key.path);
    const std::string name = table.empty() ? key.path : table;
    if (std::find(top.begin(), top.end(), name) == top.end()) top.push_back(name);
    if (!table.empty()) in_table[table].push_back(leaf_of(key.path));
    if (key.open_table) open.insert(table);
  }
  auto unknown = [&](const std::string& path, const std::string& table,
                     const std::vector<std::string>& accepted) {
    throw UnknownConfigNameError("config: unknown key '" + path + "'" + r.where(path) +
                                 did_you_mean(table.empty() ? path : leaf_of(path), accepted) +
                                 " (valid keys" + (table.empty() ? "" : " in [" + table + "]") +
                                 ": " + join(accepted) + ")");
  };
  for (const auto& [k, node] : root) {
    const std::string table(k.str());
    if (std::find(top.begin(), top.end(), table) == top.end()) unknown(table, "", top);
    if (!in_table.count(table)) continue;
    if (!node.is_table()) r.fail(table, node, "a table");
    if (open.count(table)) continue;
    for (const auto& [leaf, value] : *node.as_table())
      if (std::find(in_table[table].begin(), in_table[table].end(), leaf.str()) ==
          in_table[table].end())
        unknown(table + "." + std::string(leaf.str()), table, in_table[table]);
  }
}

// Where the keys of a table came from, for messages: ", from a.toml; --set optimizer.lr=1".
std::string sources_of(const std::string& table, const std::map<std::string, std::string>& origin) {
  std::set<std::string> sources;
  for (const auto& [key, source] : origin)
    if (key.rfind(table + ".", 0) == 0 && key != table + ".name") sources.insert(source);
  std::string from;
  for (const auto& src : sources) from += (from.empty() ? ", from " : "; ") + src;
  return from;
}

// The keys of an open table other than its fixed ones, as the registries take them.
std::map<std::string, SpecValue> component_args(const Resolver& r, const std::string& table) {
  std::map<std::string, SpecValue> args;
  const toml::node* node = r.find(table);
  if (!node) return args;
  for (const auto& [k, value] : *node->as_table()) {
    const std::string key(k.str());
    if (std::any_of(keys().begin(), keys().end(),
                    [&](const Key& fixed) { return fixed.path == table + "." + key; }))
      continue;
    if (const toml::array* a = value.as_array()) {
      std::vector<std::string> items;
      for (const auto& item : *a) items.push_back(node_text(item));
      args[key] = SpecValue::list(std::move(items));
    } else {
      args[key] = SpecValue(node_text(value));
    }
  }
  return args;
}

// A run's config.toml holds every hyper-parameter of its optimizer and schedule, so reusing it
// with `--set optimizer.name=sgd` would fail on Adam's leftover keys. When the component's name
// comes from --set, keys of its table that came from a file and that the new component does not
// take are dropped, with a note; keys given with --set must still fit.
template <class Value>
void drop_replaced_keys(const std::string& table, std::map<std::string, Value>& args,
                        const std::vector<std::string>& accepted,
                        const std::map<std::string, std::string>& origin, Config& c) {
  const auto from_set = [&](const std::string& key) {
    const auto it = origin.find(key);
    return it != origin.end() && it->second.rfind("--set", 0) == 0;
  };
  if (!from_set(table + ".name")) return;
  std::vector<std::string> dropped;
  for (auto it = args.begin(); it != args.end();) {
    const bool taken = std::find(accepted.begin(), accepted.end(), it->first) != accepted.end();
    if (taken || from_set(table + "." + it->first)) {
      ++it;
      continue;
    }
    dropped.push_back(it->first);
    it = args.erase(it);
  }
  if (!dropped.empty())
    c.notes.push_back("[" + table + "] " + join(dropped) + " dropped: they belong to the " + table +
                      " replaced by --set " + table + ".name");
}

// [optimizer]: the named optimizer's hyper-parameters, checked by building it on a stand-in
// parameter and completed with its defaults. Returns the stand-in, for the schedule's check.
std::unique_ptr<Optimizer> resolve_optimizer(const Resolver& r, Config& c,
                                             const std::map<std::string, std::string>& origin) {
  const OptimizerInfo* info = nullptr;
  try {
    info = &optimizer_info(c.optimizer.name);
    c.optimizer.name = info->name;  // the canonical spelling ("Adam" is saved as "adam")
  } catch (const SpecError& e) {
    throw_config_error(
        e, std::string("config: optimizer.name: ") + e.what() + r.where("optimizer.name"));
  }
  const std::map<std::string, SpecValue> given = component_args(r, "optimizer");
  std::map<std::string, std::string> args;
  for (const auto& [key, value] : given) args[key] = value.display();
  // An alias given with --set overrides its canonical key from a file (a reused config.toml holds
  // lr, beta1, ...), and the other way round; two spellings from one source stay an error.
  const auto from_set = [&](const std::string& key) {
    const auto it = origin.find("optimizer." + key);
    return it != origin.end() && it->second.rfind("--set", 0) == 0;
  };
  std::vector<std::pair<std::string, std::string>> spellings = {{"betas", "beta1"},
                                                                {"betas", "beta2"}};
  for (const auto& a : hyperparam_aliases()) spellings.emplace_back(a.alias, a.name);
  for (const auto& [alias, name] : spellings)
    if (args.count(alias) && args.count(name) && from_set(alias) != from_set(name))
      args.erase(from_set(alias) ? name : alias);
  try {
    resolve_optimizer_aliases(
        *info, args,
        "config [optimizer] (" + c.optimizer.name + sources_of("optimizer", origin) + ")");
  } catch (const SpecError& e) {
    throw_config_error(e, e.what());
  }
  if (!info->make_from_args) {
    std::vector<std::string> accepted;
    for (const auto& def : info->hyperparams) accepted.push_back(def.name);
    drop_replaced_keys("optimizer", args, accepted, origin, c);
  }
  // Lists stay item by item (a chain's transforms are SPECs with commas of their own); the
  // aliases only rename keys and split betas, so every other value is the text it was.
  std::map<std::string, SpecValue> values;
  for (const auto& [key, text] : args) {
    const auto it = given.find(key);
    values[key] = it != given.end() && it->second.is_list ? it->second : SpecValue(text);
  }
  SpecArgs spec_args(
      "config [optimizer] (" + c.optimizer.name + sources_of("optimizer", origin) + ")", values);
  Tensor stand_in = Tensor::zeros({1});
  stand_in.requires_grad_();
  std::vector<ParamGroup> stand_in_group(1);
  stand_in_group[0].params = {stand_in};
  try {
    if (info->make_from_args) {
      // A wrapper (lookahead) also takes its base optimizer's keys: kept as written.
      c.optimizer.args = values;
      return make_optimizer(c.optimizer.name, stand_in_group, spec_args);
    }
    const Hyperparams h = read_hyperparams(*info, spec_args);
    for (const auto& def : info->hyperparams)
      c.optimizer.args[def.name] = hyperparam_text(def, h.at(def.name));
    return make_optimizer(c.optimizer.name, stand_in_group, h);
  } catch (const SpecError& e) {
    const std::string what = e.what();
    throw_config_error(e, what.rfind("config", 0) == 0 ? what : "config [optimizer]: " + what);
  }
}

// [schedule]: the named schedule's own arguments, checked by building it on the stand-in
// optimizer, so a bad key fails here, before any work.
void resolve_schedule(const Resolver& r, Config& c, Optimizer& stand_in,
                      const std::map<std::string, std::string>& origin) {
  if (!r.find("schedule")) return;
  if (c.schedule.name.empty())
    throw ConfigError("config: [schedule] needs a name" + r.where("schedule") +
                      " (valid: " + join(scheduler_names()) + ")");
  c.schedule.args = component_args(r, "schedule");
  try {
    const ScheduleInfo& info = schedule_info(c.schedule.name);
    c.schedule.name = info.name;  // the canonical spelling
    std::vector<std::string> accepted;
    for (const auto& def : info.args) accepted.push_back(def.name);
    drop_replaced_keys("schedule", c.schedule.args, accepted, origin, c);
  } catch (const SpecError&) {
    // An unknown name: make_scheduler below says so.
  }
  try {
    make_scheduler(c.schedule, stand_in);
  } catch (const SpecError& e) {
    throw_config_error(e, std::string("config: [schedule]: ") + e.what());
  } catch (const std::exception& e) {
    throw ConfigError(std::string("config: [schedule]: ") + e.what());
  }
}

}  // namespace

void throw_config_error(const SpecError& cause, const std::string& message) {
  if (dynamic_cast<const UnknownNameError*>(&cause)) throw UnknownConfigNameError(message);
  throw ConfigError(message);
}

std::unique_ptr<Scheduler> make_scheduler(const Config::Schedule& schedule, Optimizer& opt) {
  SpecArgs args("schedule '" + schedule.name + "'", schedule.args);
  return make_scheduler(schedule.name, args, opt, schedule.key);
}

// model.kind decides which keys apply: each given key must serve the kind, and an autoencoder's
// settings must fit its encoder (nn/autoencoder_spec.h, train/objectives/).
void check_model_kind(const Resolver& r, const Config& c) {
  const std::string& kind = c.model.kind;
  const auto refuse = [&](const std::string& key, const std::string& why) {
    throw ConfigError("config: " + key + r.where(key) + ": " + why);
  };
  const auto only_for = [&](const std::string& key, const std::string& kinds) {
    if (r.find(key))
      refuse(key, "applies to model.kind = " + kinds + " (model.kind is \"" + kind + "\")");
  };
  const std::vector<std::string> listed = {"model.encoder", "model.decoder", "model.code"};
  const std::vector<std::string> plain = {"autoencoder.tied",
                                          "autoencoder.sparsity",
                                          "autoencoder.sparsity_weight",
                                          "autoencoder.sparsity_target",
                                          "autoencoder.noise",
                                          "autoencoder.noise_level",
                                          "autoencoder.contractive_weight"};
  const std::vector<std::string> variational = {"autoencoder.beta", "autoencoder.kl_warmup_epochs"};
  const std::vector<std::string> stack = {"model.stack", "model.stack_activation",
                                          "autoencoder.epochs_per_layer",
                                          "autoencoder.fine_tune_epochs"};
  if (kind == "classifier") {
    for (const auto* keys : {&listed, &plain, &variational})
      for (const std::string& key : *keys) only_for(key, "\"autoencoder\" or \"vae\"");
    only_for("autoencoder.reconstruction", "\"autoencoder\", \"vae\" or \"stacked_autoencoder\"");
    for (const std::string& key : stack) only_for(key, "\"stacked_autoencoder\"");
    if (c.model.freeze_encoder && c.model.encoder_from.empty())
      refuse("model.freeze_encoder",
             "freezes the encoder copied by model.encoder_from, which is not set");
    return;
  }
  for (const char* key : {"model.encoder_from", "model.freeze_encoder"})
    only_for(key, "\"classifier\" (a classifier on a trained encoder)");
  if (r.find("model.layers"))
    refuse("model.layers",
           "is the classifier's network; an autoencoder is built from "
           "model.encoder, model.code and model.decoder (model.stack when stacked)");
  if (r.find("train.loss"))
    refuse("train.loss", "autoencoders take their loss from autoencoder.reconstruction");
  if (c.curvature.every > 0)
    refuse("curvature.every", "the curvature probe supports model.kind = \"classifier\" only");
  std::string activation;
  if (kind == "stacked_autoencoder") {
    for (const std::string& key : listed)
      if (r.find(key))
        refuse(key,
               "a stacked autoencoder is built from model.stack (its code sizes, e.g. [512, "
               "128, 32]) and model.stack_activation");
    for (const std::string& key : variational) only_for(key, "\"vae\"");
    if (r.find("train.epochs"))
      refuse("train.epochs",
             "a stacked autoencoder trains autoencoder.epochs_per_layer epochs per layer, then "
             "autoencoder.fine_tune_epochs epochs of the whole stack");
    if (c.model.stack.empty())
      throw ConfigError(
          "config: model.stack: missing: model.kind = \"stacked_autoencoder\" needs its code "
          "sizes, input side first (e.g. model.stack = [512, 128, 32])");
    activation = c.model.stack_activation;
  } else {
    for (const std::string& key : stack) only_for(key, "\"stacked_autoencoder\"");
    if (c.model.code <= 0)
      throw ConfigError("config: model.code: missing: model.kind = \"" + kind +
                        "\" needs the size of its code (e.g. model.code = 32)");
    if (kind == "vae") {
      for (const std::string& key : plain) only_for(key, "\"autoencoder\"");
      return;
    }
    for (const std::string& key : variational) only_for(key, "\"vae\"");
    activation = code_activation(c.model.encoder);
  }
  const auto& ae = c.autoencoder;
  const std::string codes = kind == "stacked_autoencoder"
                                ? "set model.stack_activation = \"sigmoid\" (it is "
                                : "end model.encoder with \"sigmoid\" (it ends with ";
  if (ae.sparsity == "kl" && activation != "sigmoid")
    refuse("autoencoder.sparsity",
           "\"kl\" compares mean activations in (0, 1) with sparsity_target, so the codes must be "
           "sigmoid units: " +
               codes + activation + ")");
  if (ae.sparsity == "kl" && !(ae.sparsity_target > 0))
    refuse("autoencoder.sparsity_target", "must be in (0, 1) for the kl penalty");
  if (ae.noise != "none" && !(ae.noise_level > 0))
    refuse("autoencoder.noise_level", "autoencoder.noise = \"" + ae.noise + "\" needs a level > 0");
  if ((ae.noise == "mask" || ae.noise == "salt_and_pepper") && ae.noise_level > 1)
    refuse("autoencoder.noise_level", "is a probability for \"" + ae.noise + "\": at most 1");
  if (ae.contractive_weight > 0 && kind == "stacked_autoencoder" &&
      !contractive_supports(activation))
    refuse("autoencoder.contractive_weight",
           "the contractive penalty has a closed form for sigmoid, tanh, relu or no activation; "
           "model.stack_activation is " +
               activation);
  if (ae.contractive_weight > 0 && kind == "autoencoder") {
    size_t linears = 0;
    for (const auto& layer : c.model.encoder) linears += layer.rfind("linear", 0) == 0;
    if (linears != 1 || !contractive_supports(activation) || c.model.encoder.size() > 2)
      refuse("autoencoder.contractive_weight",
             "the contractive penalty has a closed form for a one-layer encoder (one linear "
             "layer, then sigmoid, tanh or relu, or nothing); model.encoder is [" +
                 join(c.model.encoder) + "]");
  }
}

// "--unset a.b": removes the key (or the whole table) the file set, so its default applies again.
void apply_unset(toml::table& root, const std::string& key,
                 std::map<std::string, std::string>& origin) {
  toml::table* table = &root;
  size_t start = 0;
  for (size_t dot = key.find('.'); dot != std::string::npos && table; dot = key.find('.', start)) {
    toml::node* next = table->get(key.substr(start, dot - start));
    table = next ? next->as_table() : nullptr;
    start = dot + 1;
  }
  if (!table || !table->contains(key.substr(start))) {
    std::vector<std::string> set;
    for (const auto& [k, source] : origin) set.push_back(k);
    throw ConfigError("--unset " + key + ": the configuration does not set '" + key + "'" +
                      did_you_mean(key, set) + "; nothing to unset");
  }
  table->erase(key.substr(start));
  for (auto it = origin.begin(); it != origin.end();)
    it = it->first == key || it->first.rfind(key + ".", 0) == 0 ? origin.erase(it) : std::next(it);
}

Config load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides,
                   const std::vector<std::string>& unsets) {
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
  for (const auto& u : unsets) apply_unset(root, u, origin);
  for (const auto& o : overrides) apply_override(root, o, origin);

  const Resolver r(root, origin);
  check_keys(r, root);
  Config c;
  c.early_stopping.enabled = r.find("early_stopping") != nullptr;
  for (const Key& key : keys()) key.read(r, c);
  check_model_kind(r, c);
  if (c.model.kind == "classifier" && c.curvature.every > 0 && c.curvature.method == "exact" &&
      !exact_hessian_supports(c.train.loss))
    throw ConfigError("config: curvature.method = \"exact\"" + r.where("curvature.method") +
                      " has the second derivatives of mse, cross_entropy, nll, "
                      "binary_cross_entropy, l1, smooth_l1 and huber without options, not of "
                      "train.loss = \"" +
                      c.train.loss + "\" (use curvature.method = \"difference\")");
  if (c.data.name == "csv" && c.data.path.empty())
    throw ConfigError("config: data.name = \"csv\" needs data.path (the CSV file)");
  const std::unique_ptr<Optimizer> stand_in = resolve_optimizer(r, c, origin);
  resolve_schedule(r, c, *stand_in, origin);
  return c;
}

std::string to_toml(const Config& c) {
  toml::table root;
  for (const Key& key : keys()) {
    if (!key.written(c)) continue;
    const std::string table = table_of(key.path);
    if (table.empty()) {
      key.write(c, root);
      continue;
    }
    root.insert(table, toml::table{});
    key.write(c, *root[table].as_table());
  }
  // The optimizer's keys typed as it declares them, so the file reads back the same; a wrapper's
  // (lookahead's) keys as written.
  toml::table& opt = *root["optimizer"].as_table();
  const OptimizerInfo& info = optimizer_info(c.optimizer.name);
  for (const auto& [k, v] : c.optimizer.args) {
    auto def = std::find_if(info.hyperparams.begin(), info.hyperparams.end(),
                            [&key = k](const HyperparamDef& d) { return d.name == key; });
    if (info.make_from_args || def == info.hyperparams.end())
      insert_spec_value(opt, k, v);
    else if (def->kind == HyperparamKind::Bool)
      opt.insert(k, v.text == "true");
    else if (def->kind == HyperparamKind::Choice)
      opt.insert(k, v.text);
    else if (def->kind == HyperparamKind::Integer)
      opt.insert(k, static_cast<int64_t>(std::stod(v.text)));
    else
      opt.insert(k, std::stod(v.text));
  }
  if (!c.schedule.name.empty()) {
    toml::table& sched = *root["schedule"].as_table();
    for (const auto& [k, v] : c.schedule.args) insert_spec_value(sched, k, v);
  }
  std::ostringstream os;
  os << root << "\n";
  return with_shortest_floats(os.str());
}

std::vector<std::string> config_keys() {
  std::vector<std::string> paths;
  for (const Key& key : keys()) paths.push_back(key.path);
  return paths;
}

}  // namespace descent
