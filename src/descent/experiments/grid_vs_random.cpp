// grid-vs-random: when a few of many hyper-parameters matter, random search finds better settings
// than a grid sweep of the same number of trials (Bergstra & Bengio 2012). The notes: "enough
// hyper-parameters to make a grid sweep a bad option"; "the curse of dimensionality applies to
// hyper-parameters too".
//
// A grid of k values per axis over d axes costs N = k^d trials but tries only k = N^(1/d)
// distinct values of each hyper-parameter: over the two that matter it visits k^2 points, each
// k^(d-2) times, and the other trials only move hyper-parameters that change little. N random
// trials try N distinct values of every hyper-parameter.
//
// The problem: a tanh MLP with two hidden layers of `hidden` units, trained by descent's Trainer
// (Adam, minibatches of `batch`, `epochs` epochs) on `train` points of a synthetic set (`data`:
// by default sine with `noise` 0, the regression x -> sin x, x uniform in [-pi, pi]), scored by
// its loss (mean squared error; cross-entropy for a classification set) on `validation` other
// points after the last epoch; +inf for a run that stops on a non-finite loss. The same model's
// loss on `test` further points, which no search sees, checks that a configuration chosen on the
// validation points is as good on new ones. Every trial starts from one seed (the same initial
// draw, the same batch order), so a trial's score is a function of its hyper-parameters alone.
// The axes, on log scales unless said otherwise, and their ranges:
//   important    lr          Adam's learning rate                 1e-4 .. 1
//                init_gain   xavier_normal's gain on every layer  0.1 .. 10 (the default 1 central)
//   unimportant  eps         Adam's eps                           1e-10 .. 1e-7
//                l2          L2 penalty on the weights            1e-7 .. 1e-5
//                beta2       Adam's beta2                         0.99 .. 0.9999 (linear)
//                clip_norm   clipping of the gradient's norm      10 .. 100
// (`important` and `unimportant` choose among them; the quick version searches eps and l2 only.)
// A configuration is a point u of [0, 1]^d, each coordinate mapped onto its axis's range. The
// grid of k values takes the cell centres u = (i + 1/2) / k, i = 0 .. k-1, on every axis, over the
// ranges random search draws from uniformly; its budget is k^d. Random search: a pool of `pool`
// uniform points, each trained once; a search of n trials is the first n of a random ordering of
// the pool, and `repeats` orderings give the median and the 10-90% band of the best score after n
// trials. (Orderings of one pool are not independent searches: the band is that of a search
// drawing from the pool, close to one drawing afresh while the pool is well larger than the
// search.) Trials are memoized by configuration.
//
// Which axes matter is measured, not assumed: each axis's main effect over the pool (the spread of
// the median score of the pool's points binned by that axis into 5 equal bins), against the same
// statistic for bins drawn at random (1000 draws: its 95% quantile is the noise floor, and the
// share of draws at least as large the p-value); and the score along each axis alone
// (`sweep_points` cell centres), the others at the centre of the box and at random search's best.
// The response over the two important axes (the others at their centres) is drawn as a heatmap,
// with the points the largest grid and one random search of its budget tried.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "descent/data/synthetic.h"
#include "descent/experiments/experiment.h"
#include "descent/experiments/quantile.h"
#include "descent/nn/loss.h"
#include "descent/nn/network_spec.h"
#include "descent/optim/registry.h"
#include "descent/train/evaluate.h"
#include "descent/train/trainer.h"
#include "descent/util/random.h"
#include "descent/util/suggest.h"

namespace descent::experiments {
namespace {

// What one trial sets; each starts at its default and an axis searched over it overrides it.
struct Setting {
  double lr = 1e-3, init_gain = 1, eps = 1e-8, l2 = 0, beta2 = 0.999, clip_norm = 0;
};

// One hyper-parameter searched: u in [0, 1] maps onto lo .. hi, geometrically on a log axis.
struct Axis {
  std::string name;
  double lo = 0, hi = 1;
  bool log = true;
  double Setting::*field = nullptr;
  double value(double u) const { return log ? lo * std::pow(hi / lo, u) : lo + (hi - lo) * u; }
};

const std::vector<Axis>& axis_table() {
  static const std::vector<Axis> table = {
      {"lr", 1e-4, 1, true, &Setting::lr},
      {"init_gain", 0.1, 10, true, &Setting::init_gain},
      {"eps", 1e-10, 1e-7, true, &Setting::eps},
      {"l2", 1e-7, 1e-5, true, &Setting::l2},
      {"beta2", 0.99, 0.9999, false, &Setting::beta2},
      {"clip_norm", 10, 100, true, &Setting::clip_norm},
  };
  return table;
}

// The axes a comma-separated list names, in its order.
std::vector<Axis> axes_named(const std::string& list, const std::string& key) {
  std::vector<std::string> names;
  for (const Axis& a : axis_table()) names.push_back(a.name);
  std::vector<Axis> axes;
  std::stringstream in(list);
  for (std::string word; std::getline(in, word, ',');) {
    if (word.empty()) continue;
    const auto it = std::find(names.begin(), names.end(), word);
    if (it == names.end()) {
      std::string known;
      for (const std::string& n : names) known += (known.empty() ? "" : ", ") + n;
      throw std::invalid_argument(key + ": no hyper-parameter '" + word + "'" +
                                  did_you_mean(word, names) + "; the axes: " + known);
    }
    axes.push_back(axis_table()[static_cast<size_t>(it - names.begin())]);
  }
  return axes;
}

// A trial's result: the validation loss the searches select by, and the loss on test points
// that no search sees, of the same trained model (+inf when training stopped on a non-finite
// loss).
struct Score {
  double validation = INFINITY, test = INFINITY;
};

// The trials: each configuration trained once (memoized), the training counted and timed.
class Trials {
 public:
  Trials(Dataset train, Dataset validation, Dataset test, std::vector<Axis> axes, int64_t hidden,
         int64_t epochs, int64_t batch, uint64_t seed)
      : train_(std::move(train)),
        validation_(std::move(validation)),
        test_(std::move(test)),
        axes_(std::move(axes)),
        hidden_(hidden),
        epochs_(epochs),
        batch_(batch),
        seed_(seed) {}

  bool classifies() const { return train_.num_classes > 0; }
  int64_t outputs() const { return classifies() ? train_.num_classes : train_.targets.size(1); }
  int64_t trained() const { return trained_; }
  double seconds() const { return seconds_; }

  Score operator()(const std::vector<double>& u) {
    const auto found = cache_.find(u);
    if (found != cache_.end()) return found->second;
    const auto start = std::chrono::steady_clock::now();
    Setting s;
    for (size_t a = 0; a < axes_.size(); ++a) s.*(axes_[a].field) = axes_[a].value(u[a]);
    const std::string linear =
        "linear:init=xavier_normal,init_gain=" + number_text(s.init_gain) + ",out=";
    const std::vector<std::string> layers = {linear + std::to_string(hidden_), "tanh",
                                             linear + std::to_string(hidden_), "tanh",
                                             linear + std::to_string(outputs())};
    Generator init(seed_), order(seed_ + 1);
    auto model = build_network(layers, train_.features(), init);
    auto optimizer = make_optimizer("adam", model->parameters(),
                                    {{"lr", s.lr}, {"eps", s.eps}, {"beta2", s.beta2}});
    TrainOptions options;
    options.epochs = epochs_;
    options.batch_size = batch_;
    options.l2 = s.l2;
    options.clip_norm = s.clip_norm;
    const LossFunction loss = loss_by_name(classifies() ? "cross_entropy" : "mse");
    Trainer trainer(*model, *optimizer, loss, options);
    // Evaluated once, at the end: every epoch's validation would cost more than the training.
    const TrainResult result = trainer.fit(train_, nullptr, order);
    Score score;
    if (result.stop_reason == StopReason::Completed) {
      const double v = evaluate(*model, loss, validation_, validation_.size()).loss;
      const double t = evaluate(*model, loss, test_, test_.size()).loss;
      if (std::isfinite(v) && std::isfinite(t)) score = {v, t};
    }
    ++trained_;
    seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    cache_.emplace(u, score);
    return score;
  }

 private:
  Dataset train_, validation_, test_;
  std::vector<Axis> axes_;
  int64_t hidden_, epochs_, batch_;
  uint64_t seed_;
  std::map<std::vector<double>, Score> cache_;
  int64_t trained_ = 0;
  double seconds_ = 0;
};

// The k^d cell centres of the grid of k values on each of d axes, the last axis fastest.
std::vector<std::vector<double>> grid_points(int64_t k, size_t d) {
  std::vector<std::vector<double>> points;
  std::vector<int64_t> index(d, 0);
  while (true) {
    std::vector<double> u(d);
    for (size_t a = 0; a < d; ++a)
      u[a] = (static_cast<double>(index[a]) + 0.5) / static_cast<double>(k);
    points.push_back(u);
    size_t a = d;
    while (a > 0 && ++index[a - 1] == k) index[--a] = 0;
    if (a == 0) break;
  }
  return points;
}

size_t distinct_values(const std::vector<std::vector<double>>& points, size_t axis) {
  std::set<double> seen;
  for (const std::vector<double>& u : points) seen.insert(u[axis]);
  return seen.size();
}

// The spread (largest - smallest) of the finite values; 0 when fewer than two are finite.
double finite_spread(const std::vector<double>& values) {
  double lo = INFINITY, hi = -INFINITY;
  for (double v : values)
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  return hi > lo ? hi - lo : 0;
}

// The spread of the median score over the bins (bin[i] is point i's, 0 .. bins - 1).
double spread_of_bin_medians(const std::vector<double>& scores, const std::vector<size_t>& bin,
                             size_t bins) {
  std::vector<std::vector<double>> binned(bins);
  for (size_t i = 0; i < scores.size(); ++i) binned[bin[i]].push_back(scores[i]);
  std::vector<double> medians;
  for (const std::vector<double>& b : binned) medians.push_back(quantile(b, 0.5));
  return finite_spread(medians);
}

std::string axis_label(const Axis& a) { return a.log ? "log10 " + a.name : a.name; }
double axis_coordinate(const Axis& a, double u) {
  return a.log ? std::log10(a.value(u)) : a.value(u);
}
// A value rounded to 3 significant digits, for tick labels.
double rounded(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return std::stod(text);
}

Outcome run(Context& context) {
  const Params& p = context.params();
  std::vector<Axis> axes = axes_named(p.text("important"), "important");
  const std::vector<Axis> unimportant = axes_named(p.text("unimportant"), "unimportant");
  if (axes.size() != 2) throw std::invalid_argument("important: expected two hyper-parameters");
  axes.insert(axes.end(), unimportant.begin(), unimportant.end());
  for (size_t a = 0; a < axes.size(); ++a)
    for (size_t b = 0; b < a; ++b)
      if (axes[a].name == axes[b].name)
        throw std::invalid_argument("'" + axes[a].name + "' is searched twice");
  const size_t d = axes.size();
  std::vector<int64_t> ks = p.integers("grid_k");
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
  const int64_t pool_size = p.integer("pool"), repeats = p.integer("repeats"),
                map_side = p.integer("map_side"), sweep_points = p.integer("sweep_points"),
                train_size = p.integer("train"), validation_size = p.integer("validation"),
                test_size = p.integer("test"), hidden = p.integer("hidden"),
                epochs = p.integer("epochs"), batch = p.integer("batch");
  if (ks.empty() || ks.front() < 1) throw std::invalid_argument("grid_k: expected values >= 1");
  const double largest = std::pow(static_cast<double>(ks.back()), static_cast<double>(d));
  if (largest > static_cast<double>(pool_size))
    throw std::invalid_argument("pool: " + std::to_string(pool_size) +
                                " points cannot serve a random search as long as the largest "
                                "grid (" +
                                number_text(largest) + " trials); raise pool or lower grid_k");
  if (repeats < 2 || map_side < 2 || sweep_points < 2 || train_size < 10 || validation_size < 10 ||
      test_size < 10 || hidden < 1 || epochs < 1 || batch < 1)
    throw std::invalid_argument(
        "repeats, map_side and sweep_points must be at least 2, train, validation and test at "
        "least 10, hidden, epochs and batch at least 1");
  const int64_t budget = static_cast<int64_t>(largest);

  // One set, split three ways: the same points for every trial.
  Generator data_gen(context.seed() + 1);
  SyntheticOptions so;
  so.size = train_size + validation_size + test_size;
  so.noise = p.number("noise");
  const Dataset all = make_synthetic_dataset(p.text("data"), so, data_gen);
  std::vector<int64_t> part[3];
  for (int64_t i = 0; i < all.size(); ++i)
    part[i < train_size ? 0 : i < train_size + validation_size ? 1 : 2].push_back(i);
  Trials trials(all.subset(part[0]), all.subset(part[1]), all.subset(part[2]), axes, hidden, epochs,
                batch, context.seed() + 2);
  const std::string loss_name = trials.classifies() ? "cross-entropy" : "mean squared error";
  auto values_row = [&](double first, const std::vector<double>& u, const Score& s) {
    std::vector<double> row = {first};
    for (size_t a = 0; a < d; ++a) row.push_back(axes[a].value(u[a]));
    row.insert(row.end(), {s.validation, s.test});
    return row;
  };

  // The grids.
  struct GridResult {
    int64_t k, trials;
    Score best;
    std::vector<double> best_u;
    std::vector<std::vector<double>> points;
  };
  std::vector<GridResult> grids;
  std::vector<std::vector<double>> grid_rows;
  for (int64_t k : ks) {
    GridResult g{k, 0, {}, {}, grid_points(k, d)};
    g.trials = static_cast<int64_t>(g.points.size());
    for (const std::vector<double>& u : g.points) {
      const Score s = trials(u);
      grid_rows.push_back(values_row(static_cast<double>(k), u, s));
      if (g.best_u.empty() || s.validation < g.best.validation) g.best = s, g.best_u = u;
    }
    context.progress("grid of " + std::to_string(k) + " per axis (" + std::to_string(g.trials) +
                     " trials): best " + number_text(g.best.validation));
    grids.push_back(g);
  }

  // The random pool, and the searches drawn from it: best[r][n - 1] is the pool index of the
  // best of search r's first n trials.
  Generator rng(context.seed());
  std::vector<std::vector<double>> pool(static_cast<size_t>(pool_size), std::vector<double>(d));
  for (std::vector<double>& u : pool)
    for (double& v : u) v = rng.uniform();
  std::vector<Score> scores;
  std::vector<double> validation;  // the pool's validation losses
  std::vector<std::vector<double>> pool_rows;
  for (size_t i = 0; i < pool.size(); ++i) {
    scores.push_back(trials(pool[i]));
    validation.push_back(scores.back().validation);
    pool_rows.push_back(values_row(static_cast<double>(i), pool[i], scores.back()));
    if ((i + 1) % 250 == 0)
      context.progress("random pool: " + std::to_string(i + 1) + " of " +
                       std::to_string(pool_size) + " trials");
  }
  std::vector<std::vector<int64_t>> best(static_cast<size_t>(repeats));
  std::vector<int64_t> first_search;  // the first search's trials, drawn in the scatter
  for (std::vector<int64_t>& b : best) {
    std::vector<int64_t> order(static_cast<size_t>(pool_size));
    for (int64_t i = 0; i < pool_size; ++i) order[static_cast<size_t>(i)] = i;
    rng.shuffle(order);
    order.resize(static_cast<size_t>(budget));
    if (first_search.empty()) first_search = order;
    int64_t at = order.front();
    for (int64_t i : order) {
      if (validation[static_cast<size_t>(i)] < validation[static_cast<size_t>(at)]) at = i;
      b.push_back(at);
    }
  }
  struct Band {
    double lo, median, hi;
  };
  // The searches' best after n trials: its validation loss, or the test loss of the same
  // configuration.
  auto band_at = [&](int64_t n, bool test) {
    std::vector<double> at;
    for (const std::vector<int64_t>& b : best) {
      const Score& s = scores[static_cast<size_t>(b[static_cast<size_t>(n - 1)])];
      at.push_back(test ? s.test : s.validation);
    }
    return Band{quantile(at, 0.1), quantile(at, 0.5), quantile(at, 0.9)};
  };
  auto share_better = [&](int64_t n, double than) {
    int64_t better = 0;
    for (const std::vector<int64_t>& b : best)
      better += validation[static_cast<size_t>(b[static_cast<size_t>(n - 1)])] < than;
    return static_cast<double>(better) / static_cast<double>(repeats);
  };
  std::vector<std::vector<double>> random_rows;
  std::vector<Band> bands;
  for (int64_t n = 1; n <= budget; ++n) {
    bands.push_back(band_at(n, false));
    random_rows.push_back(
        {static_cast<double>(n), bands.back().lo, bands.back().median, bands.back().hi});
  }

  // Which axes matter: each alone through the centre of the box searched (drawn) and through
  // random search's best configuration, and each one's main effect over the pool against the
  // same statistic for bins drawn at random (what an axis training never sees would show).
  const size_t best_pool = static_cast<size_t>(
      std::min_element(validation.begin(), validation.end()) - validation.begin());
  const std::vector<double> centre(d, 0.5);
  plot::LineChart sweeps;
  sweeps.id = "sweeps";
  sweeps.title = "one hyper-parameter at a time, the others at the centre of their ranges";
  sweeps.x_title = "position in the range searched (0: low end, 1: high end)";
  sweeps.y_title = "validation " + loss_name;
  sweeps.log_y = true;
  std::vector<std::string> names;
  for (const Axis& a : axes) names.push_back(a.name);
  sweeps.series = lines(names);
  const size_t bins = 5, permutations = 1000;
  std::vector<std::vector<size_t>> bin(d, std::vector<size_t>(pool.size()));
  for (size_t a = 0; a < d; ++a)
    for (size_t i = 0; i < pool.size(); ++i)
      bin[a][i] = std::min(static_cast<size_t>(pool[i][a] * bins), bins - 1);
  std::vector<double> chance;  // the main effect of bins drawn at random
  {
    Generator shuffler(context.seed() + 3);
    std::vector<int64_t> order(pool.size());
    std::vector<size_t> shuffled(pool.size());
    for (size_t m = 0; m < permutations; ++m) {
      for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
      shuffler.shuffle(order);
      for (size_t i = 0; i < order.size(); ++i) shuffled[i] = bin[0][static_cast<size_t>(order[i])];
      chance.push_back(spread_of_bin_medians(validation, shuffled, bins));
    }
  }
  const double noise_floor = quantile(chance, 0.95);
  nlohmann::json importance = nlohmann::json::array();
  std::vector<double> spread_centre(d), spread_best(d), main_effect(d);
  for (size_t a = 0; a < d; ++a) {
    std::vector<double> along_centre, along_best;
    nlohmann::json sweep_centre = nlohmann::json::array(), sweep_best = nlohmann::json::array();
    for (int64_t j = 0; j < sweep_points; ++j) {
      const double uj = (static_cast<double>(j) + 0.5) / static_cast<double>(sweep_points);
      std::vector<double> u = centre, v = pool[best_pool];
      u[a] = v[a] = uj;
      const double su = trials(u).validation, sv = trials(v).validation;
      along_centre.push_back(su);
      along_best.push_back(sv);
      sweep_centre.push_back({{"value", axes[a].value(uj)}, {"val_loss", su}});
      sweep_best.push_back({{"value", axes[a].value(uj)}, {"val_loss", sv}});
      if (std::isfinite(su)) {
        sweeps.series[a].x.push_back(uj);
        sweeps.series[a].y.push_back(su);
      }
    }
    spread_centre[a] = finite_spread(along_centre);
    spread_best[a] = finite_spread(along_best);
    main_effect[a] = spread_of_bin_medians(validation, bin[a], bins);
    const double p_value =
        static_cast<double>(1 + std::count_if(chance.begin(), chance.end(),
                                              [&](double c) { return c >= main_effect[a]; })) /
        static_cast<double>(1 + permutations);
    importance.push_back({{"name", axes[a].name},
                          {"important", a < 2},
                          {"low", axes[a].lo},
                          {"high", axes[a].hi},
                          {"log", axes[a].log},
                          {"sweep_through_centre", sweep_centre},
                          {"sweep_spread_through_centre", spread_centre[a]},
                          {"sweep_through_best", sweep_best},
                          {"sweep_spread_through_best", spread_best[a]},
                          {"main_effect", main_effect[a]},
                          {"main_effect_p", p_value}});
    context.progress(axes[a].name + ": spread along it " + number_text(spread_centre[a]) +
                     " through the centre, " + number_text(spread_best[a]) +
                     " through the best; main effect over the pool " + number_text(main_effect[a]) +
                     " (p = " + number_text(p_value) + ")");
  }

  // The response over the two important axes, the others at their centres.
  plot::Heatmap map;
  map.id = "response";
  map.title = "validation " + loss_name + " over " + axes[0].name + " and " + axes[1].name +
              " (the other " + std::to_string(d - 2) + " at their centres)";
  map.value_title = "val. loss";
  map.log_color = true;
  map.missing_label = "diverged";
  map.x.title = axes[0].name;
  map.y.title = axes[1].name;
  std::vector<std::vector<double>> map_rows;
  for (int64_t j = 0; j < map_side; ++j) {
    const double uj = (static_cast<double>(j) + 0.5) / static_cast<double>(map_side);
    map.x.values.push_back(rounded(axes[0].value(uj)));
    map.y.values.push_back(rounded(axes[1].value(uj)));
  }
  for (int64_t row = 0; row < map_side; ++row)
    for (int64_t col = 0; col < map_side; ++col) {
      std::vector<double> u = centre;
      u[0] = (static_cast<double>(col) + 0.5) / static_cast<double>(map_side);
      u[1] = (static_cast<double>(row) + 0.5) / static_cast<double>(map_side);
      const Score s = trials(u);
      map.values.push_back(s.validation);
      map_rows.push_back({axes[0].value(u[0]), axes[1].value(u[1]), s.validation, s.test});
    }

  // What the largest grid and one random search of its budget tried over the two.
  const GridResult& big = grids.back();
  const double repeated = std::pow(static_cast<double>(big.k), static_cast<double>(d - 2));
  plot::Scatter tried;
  tried.id = "tried";
  tried.title = std::to_string(budget) + " trials over " + axes[0].name + " and " + axes[1].name +
                ": the grid's " + std::to_string(big.k * big.k) + " points (each tried " +
                number_text(repeated) + " times) and one random search";
  tried.x_title = axis_label(axes[0]);
  tried.y_title = axis_label(axes[1]);
  tried.category_names = {"random search", "grid", "random's best", "grid's best"};
  auto mark = [&](const std::vector<double>& u, int category, double score) {
    tried.x.push_back(axis_coordinate(axes[0], u[0]));
    tried.y.push_back(axis_coordinate(axes[1], u[1]));
    tried.category.push_back(category);
    tried.labels.push_back("validation " + loss_name + " " + number_text(score));
  };
  std::vector<std::vector<double>> random_points;
  for (int64_t i : first_search) {
    random_points.push_back(pool[static_cast<size_t>(i)]);
    mark(pool[static_cast<size_t>(i)], 0, validation[static_cast<size_t>(i)]);
  }
  std::set<std::pair<double, double>> grid_seen;
  for (const std::vector<double>& u : big.points)
    if (grid_seen.insert({u[0], u[1]}).second) mark(u, 1, trials(u).validation);
  const size_t first_best = static_cast<size_t>(best.front().back());
  mark(pool[first_best], 2, validation[first_best]);
  mark(big.best_u, 3, big.best.validation);

  // Best found against trials: random search's band, and the largest grid within each budget
  // (the last one's held on past its budget, where random search's data ends, to show it).
  plot::LineChart found;
  found.id = "best";
  found.title = "best validation " + loss_name + " found, " + std::to_string(d) +
                " hyper-parameters (2 that matter)";
  found.x_title = "trials";
  found.y_title = "best validation " + loss_name + " so far";
  found.log_x = true;
  found.log_y = true;
  std::vector<plot::Series> series = lines({"random search (median, 10-90% of searches)", "grid"});
  series[1].name = "grid search (the largest grid within the budget)";
  for (int64_t n = 1; n <= budget; ++n) {
    const Band& b = bands[static_cast<size_t>(n - 1)];
    if (!std::isfinite(b.hi)) continue;
    series[0].x.push_back(static_cast<double>(n));
    series[0].y.push_back(b.median);
    series[0].lo.push_back(b.lo);
    series[0].hi.push_back(b.hi);
  }
  std::vector<std::vector<double>> budget_rows;
  for (size_t g = 0; g < grids.size(); ++g) {
    const double n = static_cast<double>(grids[g].trials);
    const double until =
        g + 1 < grids.size() ? static_cast<double>(grids[g + 1].trials) : std::max(2.0, 1.5 * n);
    if (std::isfinite(grids[g].best.validation)) {
      series[1].x.insert(series[1].x.end(), {n, until});
      series[1].y.insert(series[1].y.end(), {grids[g].best.validation, grids[g].best.validation});
    }
    const Band b = band_at(grids[g].trials, false), t = band_at(grids[g].trials, true);
    budget_rows.push_back({static_cast<double>(grids[g].k), n, grids[g].best.validation, b.lo,
                           b.median, b.hi, share_better(grids[g].trials, grids[g].best.validation),
                           grids[g].best.test, t.median});
    found.rules.push_back({n, "grid " + std::to_string(grids[g].k) + "^" + std::to_string(d)});
  }
  found.series = series;

  std::vector<std::string> header = {"k"};
  for (const Axis& a : axes) header.push_back(a.name);
  header.insert(header.end(), {"val_loss", "test_loss"});
  context.write_csv("grid.csv", header, grid_rows);
  header.front() = "index";
  context.write_csv("pool.csv", header, pool_rows);
  context.write_csv("random.csv", {"trials", "best_q10", "best_median", "best_q90"}, random_rows);
  context.write_csv(
      "budgets.csv",
      {"k", "trials", "grid_best", "random_best_q10", "random_best_median", "random_best_q90",
       "random_better_share", "grid_best_test", "random_best_test_median"},
      budget_rows);
  context.write_csv("response.csv", {axes[0].name, axes[1].name, "val_loss", "test_loss"},
                    map_rows);
  context.write_json("importance.json", importance);

  // The headline, at the largest grid's budget.
  const Band at_budget = bands.back(), test_at_budget = band_at(budget, true);
  int64_t to_match = -1;
  for (int64_t n = 1; n <= budget && to_match < 0; ++n)
    if (bands[static_cast<size_t>(n - 1)].median <= big.best.validation) to_match = n;
  auto least = [&](const std::vector<double>& v, bool important) {
    double m = important ? INFINITY : 0;
    for (size_t a = 0; a < d; ++a)
      if ((a < 2) == important) m = important ? std::min(m, v[a]) : std::max(m, v[a]);
    return m;
  };
  context.progress(std::to_string(trials.trained()) + " trials trained, " +
                   number_text(1000 * trials.seconds() / static_cast<double>(trials.trained())) +
                   " ms each");
  Outcome outcome;
  nlohmann::json& h = outcome.headline;
  h["hyperparameters"] = d;
  h["budget"] = budget;
  h["grid_k"] = big.k;
  h["grid_best"] = big.best.validation;
  h["random_best_median"] = at_budget.median;
  h["random_best_q10"] = at_budget.lo;
  h["random_best_q90"] = at_budget.hi;
  h["random_better_share"] = share_better(budget, big.best.validation);
  h["random_trials_to_match_grid"] = to_match;
  h["grid_best_test"] = big.best.test;
  h["random_best_test_median"] = test_at_budget.median;
  for (size_t a = 0; a < 2; ++a) {
    h["grid_distinct_" + axes[a].name] = distinct_values(big.points, a);
    h["random_distinct_" + axes[a].name] = distinct_values(random_points, a);
  }
  for (size_t a = 0; a < d; ++a) h["main_effect_" + axes[a].name] = main_effect[a];
  h["main_effect_noise_floor"] = noise_floor;
  h["important_smallest_main_effect"] = least(main_effect, true);
  h["unimportant_largest_main_effect"] = least(main_effect, false);
  h["important_smallest_sweep_spread"] = least(spread_centre, true);
  h["unimportant_largest_sweep_spread"] = least(spread_centre, false);
  h["important_smallest_sweep_spread_at_best"] = least(spread_best, true);
  h["unimportant_largest_sweep_spread_at_best"] = least(spread_best, false);
  h["trials_trained"] = trials.trained();

  std::ostringstream setup;
  setup << "A " << all.features() << "-" << hidden << "-" << hidden << "-" << trials.outputs()
        << " tanh MLP on " << train_size << " " << p.text("data") << " points, Adam, batch "
        << batch << ", " << epochs << " epochs; scored by its " << loss_name << " on "
        << validation_size << " held-out points. Searched:";
  for (size_t a = 0; a < d; ++a)
    setup << (a ? ", " : " ") << axes[a].name << " " << number_text(axes[a].lo) << " .. "
          << number_text(axes[a].hi) << (axes[a].log ? " (log)" : "")
          << (a < 2 ? " [important]" : "");
  setup << ". Grids of k values per axis cost k^" << d << " trials; random search draws from a "
        << "pool of " << pool_size << " trained points, " << repeats << " searches.";
  context.add_text("Best found against trials", setup.str());
  context.add_figure(found);
  context.add_text("Where the trials went",
                   "The response over the two hyper-parameters that matter, and the points the "
                   "largest grid and one random search of the same budget tried over them.");
  context.add_figure(map);
  context.add_figure(tried);
  context.add_text("Which hyper-parameters matter",
                   "Each hyper-parameter moved alone across its range, the others at the centre "
                   "of theirs: the flat lines are the ones a grid spends most of its trials on.");
  context.add_figure(sweeps);

  char text[700];
  std::snprintf(
      text, sizeof text,
      "at %lld trials the grid (%lld values per axis: %lld distinct values of %s and of %s) "
      "finds %.4g; random search's median best is %.4g (10-90%%: %.4g .. %.4g), better than the "
      "grid in %.0f%% of %lld searches, and its median matches the grid's best after %lld "
      "trials. Main effects over the pool: at least %.3g for %s and %s, at most %.3g for the "
      "other %lld (%.3g for bins drawn at random)",
      static_cast<long long>(budget), static_cast<long long>(big.k), static_cast<long long>(big.k),
      axes[0].name.c_str(), axes[1].name.c_str(), big.best.validation, at_budget.median,
      at_budget.lo, at_budget.hi, 100 * share_better(budget, big.best.validation),
      static_cast<long long>(repeats), static_cast<long long>(to_match), least(main_effect, true),
      axes[0].name.c_str(), axes[1].name.c_str(), least(main_effect, false),
      static_cast<long long>(d - 2), noise_floor);
  outcome.measured = text;
  outcome.agrees = at_budget.median <= big.best.validation;
  return outcome;
}

}  // namespace

Experiment grid_vs_random_experiment() {
  using K = Param::Kind;
  return {"grid-vs-random",
          "random search against a grid of as many trials when few hyper-parameters matter",
          "with enough hyper-parameters a grid sweep is a bad option (the curse of "
          "dimensionality applies to hyper-parameters too): a grid of k values on each of d "
          "axes spends N = k^d trials on only k = N^(1/d) distinct values of each important "
          "one, while N random trials try N, so random search finds better settings for the "
          "same budget (Bergstra & Bengio 2012)",
          {{"important", K::Text, "lr,init_gain", "lr,init_gain",
            "the two hyper-parameters that matter (of lr, init_gain, eps, l2, beta2, "
            "clip_norm)"},
           {"unimportant", K::Text, "eps,l2,beta2,clip_norm", "eps,l2",
            "the hyper-parameters searched that barely matter"},
           {"grid_k", K::Integers, "1,2,3", "1,2,3", "grids of k values per axis (k^d trials)"},
           {"pool", K::Integer, "3000", "200", "random configurations trained"},
           {"repeats", K::Integer, "1000", "200", "random searches drawn from the pool"},
           {"map_side", K::Integer, "16", "6", "the response map's cells per side"},
           {"sweep_points", K::Integer, "9", "5", "values along each axis alone"},
           {"data", K::Text, "sine", "sine", "the synthetic set (data/synthetic.h)"},
           {"noise", K::Number, "0", "0", "its noise (-1: the set's default)"},
           {"train", K::Integer, "256", "256", "training points"},
           {"validation", K::Integer, "1000", "1000", "validation points (the searches' score)"},
           {"test", K::Integer, "1000", "1000", "test points (the chosen settings' check)"},
           {"hidden", K::Integer, "32", "32", "units in each of the two hidden layers"},
           {"epochs", K::Integer, "20", "10", "epochs per trial"},
           {"batch", K::Integer, "32", "32", "minibatch size"}},
          run};
}

}  // namespace descent::experiments
