#include "descent/distributed/tally.h"

#include <bit>

#include <nlohmann/json.hpp>

namespace descent {

void Tally::add(const Tally& o) {
  loss_sum += o.loss_sum;
  loss_samples += o.loss_samples;
  samples += o.samples;
  correct += o.correct;
  counted += o.counted;
  if (o.non_finite > 0 && non_finite == 0) non_finite_loss = o.non_finite_loss;
  non_finite += o.non_finite;
  for (const auto& [name, value] : o.terms) terms[name] += value;
}

namespace {

// Doubles travel as their bits (JSON's decimal text would round them).
nlohmann::json bits(double v) { return std::bit_cast<uint64_t>(v); }
double from_bits(const nlohmann::json& j) { return std::bit_cast<double>(j.get<uint64_t>()); }

nlohmann::json to_json(const Tally& t) {
  nlohmann::json terms = nlohmann::json::object();
  for (const auto& [name, value] : t.terms) terms[name] = bits(value);
  return {bits(t.loss_sum), t.loss_samples,          t.samples, t.correct, t.counted,
          t.non_finite,     bits(t.non_finite_loss), terms};
}

Tally from_json(const nlohmann::json& j) {
  Tally t;
  t.loss_sum = from_bits(j[0]);
  t.loss_samples = j[1];
  t.samples = j[2];
  t.correct = j[3];
  t.counted = j[4];
  t.non_finite = j[5];
  t.non_finite_loss = from_bits(j[6]);
  for (const auto& [name, value] : j[7].items()) t.terms[name] = from_bits(value);
  return t;
}

}  // namespace

Tally sum_over_ranks(Communicator& comm, const std::vector<Tally>& parts) {
  Tally total;
  if (comm.size() == 1) {
    for (const Tally& p : parts) total.add(p);
    return total;
  }
  nlohmann::json mine = nlohmann::json::array();
  for (const Tally& p : parts) mine.push_back(to_json(p));
  for (const std::string& text : comm.gather_text(mine.dump()))
    for (const auto& part : nlohmann::json::parse(text)) total.add(from_json(part));
  return total;
}

}  // namespace descent
