#include "descent/schedule/factory.h"

#include "descent/util/excerpt.h"
#include "descent/util/spec.h"

namespace descent {

std::unique_ptr<Scheduler> make_scheduler(const std::string& spec, Optimizer& opt,
                                          const std::string& key, InitialValues initial) {
  const Spec parsed = parse_spec(spec);
  SpecArgs args("schedule '" + excerpt(spec) + "'", parsed.args);
  return make_scheduler(parsed.name, args, opt, key, std::move(initial));
}

std::unique_ptr<Scheduler> make_scheduler(const std::string& spec, Optimizer& opt,
                                          const std::string& key) {
  return make_scheduler(spec, opt, key, make_initial_values());
}

}  // namespace descent
